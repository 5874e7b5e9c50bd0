"""Text that no PostgreSQL text column can hold: the NUL character. Bad input gets a clear
error at the edge (HTTP 422 / an invalid_frame error) instead of a database error."""

from __future__ import annotations

from typing import Any

NUL_MESSAGE = "text must not contain NUL (\\u0000) characters"


def has_nul(value: Any) -> bool:
    """True if a NUL character is anywhere in value (a JSON document: strings, keys, lists)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False
