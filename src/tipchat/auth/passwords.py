"""Argon2id hashing (argon2-cffi's RFC 9106 low-memory profile) and the password policy."""

from __future__ import annotations

import asyncio
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tipchat.errors import Code, TipchatError

MIN_LENGTH = 10
# Argon2 cost does not depend on length, but parsing megabytes of "password" does.
MAX_LENGTH = 256
USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,31}")

_hasher = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4
# Verified against when the username does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-equalises-timing")


@cache
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_username(username: str) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise TipchatError(
            Code.username_invalid,
            "username must be 3-32 characters: a letter, then letters, digits or _",
        )


def check_password(password: str, *, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise TipchatError(
            Code.password_too_short, f"password must be at least {MIN_LENGTH} characters"
        )
    if len(password) > MAX_LENGTH:
        raise TipchatError(
            Code.invalid_request, f"password must be at most {MAX_LENGTH} characters"
        )
    lowered = password.lower()
    if lowered in _common_passwords() or username.lower() in lowered or len(set(lowered)) <= 2:
        raise TipchatError(
            Code.password_too_common, "this password is too easy to guess; choose another"
        )


async def hash_password(password: str) -> str:
    # ~50 ms of CPU: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return (
                _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)
