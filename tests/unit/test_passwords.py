"""Username and password policy, and Argon2id hashing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tipchat.auth import passwords
from tipchat.auth.passwords import check_password, check_username, hash_password, verify_password
from tipchat.errors import Code, TipchatError

GOOD_PASSPHRASE = "correct horse battery staple"


def _common_entries() -> list[str]:
    text = (Path(passwords.__file__).parent / "common_passwords.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip()]


def password_error(password: str, username: str = "alice") -> TipchatError:
    with pytest.raises(TipchatError) as info:
        check_password(password, username=username)
    return info.value


# -- usernames ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["abc", "Bob", "a_1", "user_name_99", "Z" + "9" * 31, "x__"])
def test_valid_usernames_are_accepted(name: str) -> None:
    check_username(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "ab",  # too short
        "a" * 33,  # too long
        "1abc",  # starts with a digit
        "_abc",  # starts with an underscore
        "ab c",
        " abc",
        "abc\n",
        "ab@c",
        "ab-c",
        "ab.c",
        "émile",
        "abcé",
        "abc١",  # Arabic-Indic digit
        "аbc",  # Cyrillic a
    ],
)
def test_invalid_usernames_are_rejected(name: str) -> None:
    with pytest.raises(TipchatError) as info:
        check_username(name)
    assert info.value.code is Code.username_invalid


# -- password policy ---------------------------------------------------------------------


def test_good_passphrase_is_accepted() -> None:
    check_password(GOOD_PASSPHRASE, username="alice")


def test_password_of_exactly_min_length_is_accepted() -> None:
    check_password("k7#Lp2qW9z", username="alice")


def test_password_one_short_of_min_length_is_too_short() -> None:
    assert password_error("k7#Lp2qW9").code is Code.password_too_short


def test_empty_password_is_too_short() -> None:
    assert password_error("").code is Code.password_too_short


def test_password_of_exactly_max_length_is_accepted() -> None:
    password = ((GOOD_PASSPHRASE + " ") * 10)[:256]
    assert len(password) == 256
    check_password(password, username="alice")


def test_password_over_max_length_is_invalid_request() -> None:
    password = ((GOOD_PASSPHRASE + " ") * 10)[:257]
    assert len(password) == 257
    assert password_error(password).code is Code.invalid_request


@pytest.mark.parametrize("entry", [e for e in _common_entries() if len(e) >= 10])
def test_common_password_list_entries_are_too_common(entry: str) -> None:
    assert password_error(entry, username="zqvx").code is Code.password_too_common


def test_common_password_check_is_case_insensitive() -> None:
    assert "qwertyuiop" in _common_entries()
    assert password_error("QwErTyUiOp", username="zqvx").code is Code.password_too_common


def test_password_containing_the_username_is_too_common() -> None:
    assert password_error("my-alice-passphrase").code is Code.password_too_common


def test_username_check_is_case_insensitive() -> None:
    error = password_error("xxALICExx-is-great", username="Alice")
    assert error.code is Code.password_too_common


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaab", "abababababab", "zzzzzzzzzzzz", "AaAaAaAaAaAa"]
)
def test_password_with_two_or_fewer_distinct_chars_is_too_common(password: str) -> None:
    assert password_error(password).code is Code.password_too_common


def test_password_with_three_distinct_chars_is_accepted() -> None:
    check_password("abcabcabcabc", username="zqvx")


# -- hashing -----------------------------------------------------------------------------


async def test_hash_is_argon2id() -> None:
    assert (await hash_password(GOOD_PASSPHRASE)).startswith("$argon2id$")


async def test_same_password_hashes_differently_each_time() -> None:
    assert await hash_password(GOOD_PASSPHRASE) != await hash_password(GOOD_PASSPHRASE)


async def test_verify_accepts_the_right_password() -> None:
    stored = await hash_password(GOOD_PASSPHRASE)
    assert await verify_password(stored, GOOD_PASSPHRASE) is True


async def test_verify_rejects_a_wrong_password() -> None:
    stored = await hash_password(GOOD_PASSPHRASE)
    assert await verify_password(stored, GOOD_PASSPHRASE + "!") is False


async def test_verify_without_a_stored_hash_is_false() -> None:
    assert await verify_password(None, GOOD_PASSPHRASE) is False


async def test_verify_without_a_stored_hash_is_false_even_for_the_dummy_password() -> None:
    # The dummy hash equalises timing for unknown users; it must never let anyone in.
    assert await verify_password(None, "not-a-real-password-only-equalises-timing") is False


@pytest.mark.parametrize("garbage", ["", "not-a-hash", "$argon2id$v=19$garbage", "$2b$12$abc"])
async def test_verify_against_a_garbage_hash_is_false(garbage: str) -> None:
    assert await verify_password(garbage, GOOD_PASSPHRASE) is False
