"""Splitting ts_headline's marked passage into plain-text parts, and search cursors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tipchat.chat.search import decode_cursor, encode_cursor, highlight_parts
from tipchat.errors import TipchatError


def test_parts_alternate_text_and_matches():
    assert highlight_parts("a \x01tip\x02 for \x01Tip\x02") == [
        {"text": "a ", "match": False},
        {"text": "tip", "match": True},
        {"text": " for ", "match": False},
        {"text": "Tip", "match": True},
    ]


def test_no_match_and_markup_stays_text():
    assert highlight_parts("\x03b>x\x03/b>") == [{"text": "<b>x</b>", "match": False}]
    assert highlight_parts("") == []


def test_cursor_round_trip_and_refusals():
    at = datetime(2026, 11, 25, 2, 3, 4, 567891, tzinfo=UTC)
    cursor = encode_cursor({"created_at": at, "room_id": 12, "seq": 345})
    assert decode_cursor(cursor) == (at, 12, 345)
    for bad in ("", "1.2", "a.b.c", "1.2.3.4", "-1.2.3", "9" * 70):
        with pytest.raises(TipchatError):
            decode_cursor(bad)
