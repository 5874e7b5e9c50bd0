"""Sign-In with Ethereum (EIP-4361) messages: a strict parser and the checks we make.

We parse the message ourselves rather than through PyPI `siwe`: 4.4.0 fails at import with
current `abnf` (it needs `abnf<2.9`, which imports with deprecation warnings), and we would use
only its parser anyway — its verify() checks less than we must (design §6.1) and brings its own
RPC provider. The format is line-based and small; this parser accepts exactly the EIP-4361
grammar (fields in their fixed order, nothing else) and is tested against messages made by the
JavaScript `siwe` and viem's `createSiweMessage`, the libraries wallets and dapps use.

What the message says is checked here (domain, URI, chain, times); the nonce and the signature
are checked by tips.wallets, which owns storage and chain access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from eth_account import Account
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_utils.address import is_checksum_address

from tipchat.errors import Code, TipchatError

# Longest message we read: a statement, a few resources and the fields fit in far less.
MAX_MESSAGE_CHARS = 4000
# Clocks of wallets and servers disagree a little: a message issued this far in the future,
# or valid from this far in the future, is still accepted.
CLOCK_SKEW = timedelta(seconds=60)

_HEADER = re.compile(
    r"^(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?P<domain>[^\s/?#]+)"
    r" wants you to sign in with your Ethereum account:$"
)
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_NONCE = re.compile(r"^[a-zA-Z0-9]{8,}$")
_CHAIN_ID = re.compile(r"^[1-9][0-9]{0,18}$")
# RFC 3339 date-time, with a time zone (Z or an offset), as the grammar requires.
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
# Optional fields, in the only order the grammar allows.
_OPTIONAL = ("Expiration Time", "Not Before", "Request ID")


@dataclass(frozen=True)
class SiweMessage:
    scheme: str | None
    domain: str
    address: str  # EIP-55 checksummed (the grammar requires it)
    statement: str | None
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expected:
    """What a message must say to link a wallet on this server."""

    scheme: str  # "https" (or "http" on a dev server)
    domain: str  # host[:port] of the public origin
    chain_ids: frozenset[int]

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.domain}"


def _invalid(why: str) -> TipchatError:
    return TipchatError(Code.siwe_message_invalid, f"not an EIP-4361 message: {why}")


def _timestamp(value: str, field: str) -> datetime:
    if not _DATETIME.match(value):
        raise _invalid(f"{field} is not an RFC 3339 date-time")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise _invalid(f"{field} is not a valid date-time") from exc


def _field(lines: list[str], i: int, name: str) -> str:
    if i >= len(lines) or not lines[i].startswith(f"{name}: "):
        raise _invalid(f"expected '{name}: ' on line {i + 1}")
    return lines[i][len(name) + 2 :]


def parse(text: str) -> SiweMessage:
    """The fields of an EIP-4361 message; siwe_message_invalid for anything else."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise _invalid(f"longer than {MAX_MESSAGE_CHARS} characters")
    if "\r" in text:
        raise _invalid("lines end with LF only")
    lines = text.split("\n")
    header = _HEADER.match(lines[0])
    if header is None:
        raise _invalid("the first line must be '<domain> wants you to sign in with ...'")
    if len(lines) < 4 or not _ADDRESS.match(lines[1]):
        raise _invalid("the second line must be the address")
    if not is_checksum_address(lines[1]):
        raise _invalid("the address must be EIP-55 checksummed")
    if lines[2] != "":
        raise _invalid("an empty line must follow the address")
    # Either "<statement>" then an empty line, or just the empty line.
    i = 3
    statement = None
    if lines[i] != "":
        statement = lines[i]
        i += 1
        if i >= len(lines) or lines[i] != "":
            raise _invalid("an empty line must follow the statement")
    i += 1
    uri = _field(lines, i, "URI")
    if not _URI.match(uri):
        raise _invalid("URI is not a URI")
    version = _field(lines, i + 1, "Version")
    if version != "1":
        raise _invalid("Version must be 1")
    chain_id = _field(lines, i + 2, "Chain ID")
    if not _CHAIN_ID.match(chain_id):
        raise _invalid("Chain ID must be a positive integer")
    nonce = _field(lines, i + 3, "Nonce")
    if not _NONCE.match(nonce):
        raise _invalid("Nonce must be 8 or more letters and digits")
    issued_at = _timestamp(_field(lines, i + 4, "Issued At"), "Issued At")
    i += 5
    optional: dict[str, str] = {}
    for name in _OPTIONAL:
        if i < len(lines) and lines[i].startswith(f"{name}: "):
            optional[name] = _field(lines, i, name)
            i += 1
    resources: list[str] = []
    if i < len(lines) and lines[i] == "Resources:":
        i += 1
        while i < len(lines) and lines[i].startswith("- "):
            if not _URI.match(lines[i][2:]):
                raise _invalid("a resource is not a URI")
            resources.append(lines[i][2:])
            i += 1
    if i != len(lines):
        raise _invalid(f"unexpected text on line {i + 1}")
    return SiweMessage(
        scheme=header["scheme"],
        domain=header["domain"],
        address=lines[1],
        statement=statement,
        uri=uri,
        version=version,
        chain_id=int(chain_id),
        nonce=nonce,
        issued_at=issued_at,
        expiration_time=(
            _timestamp(optional["Expiration Time"], "Expiration Time")
            if "Expiration Time" in optional
            else None
        ),
        not_before=(
            _timestamp(optional["Not Before"], "Not Before") if "Not Before" in optional else None
        ),
        request_id=optional.get("Request ID"),
        resources=tuple(resources),
    )


def check_claims(
    message: SiweMessage, *, expected: Expected, now: datetime, max_age: timedelta
) -> None:
    """Domain, URI, chain and times; the nonce and the signature are checked after this."""
    if message.domain.lower() != expected.domain.lower() or (
        message.scheme is not None and message.scheme.lower() != expected.scheme
    ):
        raise TipchatError(Code.siwe_domain_mismatch, f"the message must be for {expected.domain}")
    # The URI names the thing signed into: this server's origin (a trailing / is the same).
    if message.uri not in (expected.origin, expected.origin + "/"):
        raise TipchatError(Code.siwe_uri_mismatch, f"the message's URI must be {expected.origin}")
    if message.chain_id not in expected.chain_ids:
        raise TipchatError(
            Code.siwe_chain_not_allowed,
            f"chain {message.chain_id} is not one of this server's chains",
            allowed=sorted(expected.chain_ids),
        )
    if message.issued_at > now + CLOCK_SKEW or message.issued_at < now - max_age:
        raise TipchatError(
            Code.siwe_issued_at_invalid, "Issued At must be within the last few minutes"
        )
    if message.expiration_time is not None and message.expiration_time <= now:
        raise TipchatError(Code.siwe_expired, "the message has expired")
    if message.not_before is not None and message.not_before > now + CLOCK_SKEW:
        raise TipchatError(Code.siwe_not_yet_valid, "the message is not valid yet (Not Before)")


def recover_signer(text: str, signature: bytes) -> str | None:
    """The EOA that signed `text` (EIP-191 personal_sign), or None for no valid ECDSA signature."""
    if len(signature) != 65:
        return None  # contract wallets sign in other shapes; checked through EIP-1271
    try:
        recovered: str = Account.recover_message(encode_defunct(text=text), signature=signature)
    except Exception:  # eth-keys raises several types for malformed signatures
        return None
    return recovered


def message_hash(text: str) -> bytes:
    """The EIP-191 hash a contract wallet's isValidSignature is asked about."""
    return bytes(defunct_hash_message(text=text))
