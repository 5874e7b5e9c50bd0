"""Client frame parsing: every malformed frame maps to the error code clients branch on."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tipchat.errors import Code, TipchatError
from tipchat.realtime import frames
from tipchat.realtime.frames import MAX_ROOMS_PER_FRAME


def parse(frame: Any) -> frames.ClientFrame:
    return frames.parse(orjson.dumps(frame).decode())


def parse_error(text: str) -> TipchatError:
    with pytest.raises(TipchatError) as info:
        frames.parse(text)
    return info.value


def frame_error(frame: Any) -> TipchatError:
    return parse_error(orjson.dumps(frame).decode())


# -- not a frame at all ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "{", "not json", '{"type": "ping",}', "{'type': 'ping'}"])
def test_invalid_json_is_invalid_json(text: str) -> None:
    assert parse_error(text).code is Code.invalid_json


@pytest.mark.parametrize("text", ["[]", '["ping"]', '"ping"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_invalid_frame(text: str) -> None:
    assert parse_error(text).code is Code.invalid_frame


@pytest.mark.parametrize("frame", [{}, {"id": 1}, {"type": None}, {"type": 3}, {"type": ["ping"]}])
def test_missing_or_non_string_type_is_invalid_frame(frame: dict[str, Any]) -> None:
    assert frame_error(frame).code is Code.invalid_frame


def test_non_string_type_echoes_the_frame_id() -> None:
    assert frame_error({"type": 5, "id": "c-1"}).extra["id"] == "c-1"


# -- unknown types -----------------------------------------------------------------------


def test_unknown_type_is_unknown_frame_type() -> None:
    exc = frame_error({"type": "shout", "id": "req-9"})
    assert exc.code is Code.unknown_frame_type
    assert exc.extra["id"] == "req-9"


def test_unknown_type_echoes_an_integer_id() -> None:
    exc = frame_error({"type": "shout", "id": 17})
    assert exc.code is Code.unknown_frame_type
    assert exc.extra["id"] == 17


def test_type_matching_is_case_sensitive() -> None:
    assert frame_error({"type": "PING"}).code is Code.unknown_frame_type


# -- required fields and types -----------------------------------------------------------

VALID_SEND = {"type": "send", "room_id": 3, "client_msg_id": "m-1", "body": "hi"}


@pytest.mark.parametrize("field", ["room_id", "body", "client_msg_id"])
def test_send_missing_a_required_field_names_it(field: str) -> None:
    frame = {k: v for k, v in VALID_SEND.items() if k != field}
    frame["id"] = "s-1"
    exc = frame_error(frame)
    assert exc.code is Code.invalid_frame
    assert field in exc.message
    assert exc.extra["id"] == "s-1"


@pytest.mark.parametrize(
    "frame",
    [
        {**VALID_SEND, "room_id": "abc"},
        {**VALID_SEND, "room_id": 0},
        {**VALID_SEND, "room_id": -4},
        {**VALID_SEND, "room_id": 2**63},
        {**VALID_SEND, "room_id": 1.5},
        {**VALID_SEND, "body": 5},
        {**VALID_SEND, "client_msg_id": ["x"]},
        {**VALID_SEND, "reply_to": -1},
        {"type": "read", "room_id": 1, "seq": -1},
        {"type": "read", "room_id": 1, "seq": 2**63},
        {"type": "read", "room_id": 1},
        {"type": "typing"},
        {"type": "auth"},
        {"type": "auth", "token": 123},
        {"type": "subscribe", "room_ids": "1,2"},
        {"type": "subscribe", "room_ids": [1, "abc"]},
        {"type": "resume", "rooms": {"abc": 1}},
        {"type": "resume", "rooms": {"1": -1}},
        {"type": "resume", "rooms": [1, 2]},
    ],
)
def test_wrong_field_types_or_ranges_are_invalid_frame(frame: dict[str, Any]) -> None:
    assert frame_error(frame).code is Code.invalid_frame


def test_largest_room_id_and_seq_are_accepted() -> None:
    frame = parse({"type": "read", "room_id": 2**63 - 1, "seq": 2**63 - 1})
    assert isinstance(frame, frames.Read)
    assert frame.room_id == 2**63 - 1
    assert frame.seq == 2**63 - 1


# -- limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["subscribe", "unsubscribe"])
def test_room_list_must_not_be_empty(kind: str) -> None:
    assert frame_error({"type": kind, "room_ids": []}).code is Code.invalid_frame


@pytest.mark.parametrize("kind", ["subscribe", "unsubscribe"])
def test_room_list_longer_than_the_limit_is_rejected(kind: str) -> None:
    room_ids = list(range(1, MAX_ROOMS_PER_FRAME + 2))
    assert frame_error({"type": kind, "room_ids": room_ids}).code is Code.invalid_frame


def test_room_list_at_the_limit_is_accepted() -> None:
    room_ids = list(range(1, MAX_ROOMS_PER_FRAME + 1))
    frame = parse({"type": "subscribe", "room_ids": room_ids})
    assert isinstance(frame, frames.Subscribe)
    assert len(frame.room_ids) == MAX_ROOMS_PER_FRAME


def test_resume_with_no_rooms_is_rejected() -> None:
    assert frame_error({"type": "resume", "rooms": {}}).code is Code.invalid_frame


def test_resume_with_too_many_rooms_is_rejected() -> None:
    rooms = {str(r): 0 for r in range(1, MAX_ROOMS_PER_FRAME + 2)}
    assert frame_error({"type": "resume", "rooms": rooms}).code is Code.invalid_frame


def test_oversized_auth_token_is_rejected() -> None:
    assert frame_error({"type": "auth", "token": "x" * 8193}).code is Code.invalid_frame


# -- valid frames ------------------------------------------------------------------------


def test_resume_room_keys_are_converted_to_ints() -> None:
    frame = parse({"type": "resume", "rooms": {"12": 5, "3": 0}})
    assert isinstance(frame, frames.Resume)
    assert frame.rooms == {12: 5, 3: 0}


def test_auth_frame() -> None:
    frame = parse({"type": "auth", "token": "tok", "id": "a1"})
    assert isinstance(frame, frames.Auth)
    assert (frame.token, frame.id) == ("tok", "a1")


def test_subscribe_frame() -> None:
    frame = parse({"type": "subscribe", "room_ids": [4, 2]})
    assert isinstance(frame, frames.Subscribe)
    assert frame.room_ids == [4, 2]
    assert frame.id is None


def test_unsubscribe_frame() -> None:
    frame = parse({"type": "unsubscribe", "room_ids": [9], "id": 3})
    assert isinstance(frame, frames.Unsubscribe)
    assert (frame.room_ids, frame.id) == ([9], 3)


def test_send_frame() -> None:
    frame = parse({**VALID_SEND, "reply_to": 7, "id": "s"})
    assert isinstance(frame, frames.Send)
    assert (frame.room_id, frame.client_msg_id, frame.body) == (3, "m-1", "hi")
    assert frame.reply_to == 7
    assert frame.id == "s"


def test_send_frame_reply_to_defaults_to_none() -> None:
    frame = parse(VALID_SEND)
    assert isinstance(frame, frames.Send)
    assert frame.reply_to is None


def test_typing_frame() -> None:
    frame = parse({"type": "typing", "room_id": 8})
    assert isinstance(frame, frames.Typing)
    assert frame.room_id == 8


def test_read_frame() -> None:
    frame = parse({"type": "read", "room_id": 8, "seq": 0})
    assert isinstance(frame, frames.Read)
    assert (frame.room_id, frame.seq) == (8, 0)


def test_ping_frame() -> None:
    frame = parse({"type": "ping", "id": "p"})
    assert isinstance(frame, frames.Ping)
    assert frame.id == "p"


def test_unknown_fields_are_ignored() -> None:
    frame = parse({**VALID_SEND, "colour": "red", "nested": {"a": 1}})
    assert isinstance(frame, frames.Send)
    assert not hasattr(frame, "colour")
    assert frame.body == "hi"
