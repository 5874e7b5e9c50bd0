"""Client → server frames of protocol version 1, validated with pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from tipchat.errors import Code, TipchatError
from tipchat.text import NUL_MESSAGE, has_nul

# Rooms one subscribe or resume frame may name: bounds the work one frame can ask for.
MAX_ROOMS_PER_FRAME = 500

CorrelationId = Annotated[str | int | None, Field(default=None)]
RoomId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Seq = Annotated[int, Field(ge=0, le=2**63 - 1)]
MessageSeq = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a message's seq: never 0


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: CorrelationId


class Auth(_Frame):
    type: Literal["auth"]
    token: str = Field(max_length=8192)


class Subscribe(_Frame):
    type: Literal["subscribe"]
    room_ids: list[RoomId] = Field(min_length=1, max_length=MAX_ROOMS_PER_FRAME)


class Unsubscribe(_Frame):
    type: Literal["unsubscribe"]
    room_ids: list[RoomId] = Field(min_length=1, max_length=MAX_ROOMS_PER_FRAME)


class Resume(_Frame):
    type: Literal["resume"]
    rooms: dict[RoomId, Seq] = Field(min_length=1, max_length=MAX_ROOMS_PER_FRAME)


class Send(_Frame):
    type: Literal["send"]
    room_id: RoomId
    client_msg_id: str
    body: str
    reply_to: MessageSeq | None = None
    # Completed uploads (POST /api/rooms/{id}/attachments); the body may then be "".
    attachments: list[RoomId] = Field(default=[], max_length=10)


class Typing(_Frame):
    type: Literal["typing"]
    room_id: RoomId


class Read(_Frame):
    type: Literal["read"]
    room_id: RoomId
    seq: Seq


class Presence(_Frame):
    type: Literal["presence"]
    status: Literal["online", "away"]


class Ping(_Frame):
    type: Literal["ping"]


ClientFrame = Auth | Subscribe | Unsubscribe | Resume | Send | Typing | Read | Presence | Ping
_ADAPTER: TypeAdapter[ClientFrame] = TypeAdapter(
    Annotated[ClientFrame, Field(discriminator="type")]
)
FRAME_TYPES = frozenset(
    ("auth", "subscribe", "unsubscribe", "resume", "send", "typing", "read", "presence", "ping")
)


def parse(text: str) -> ClientFrame:
    """A validated frame, or TipchatError with the code the client gets (and the frame's id
    in extra["id"] when it had one)."""
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise TipchatError(Code.invalid_json, "frame is not valid JSON") from None
    if not isinstance(raw, dict):
        raise TipchatError(Code.invalid_frame, "a frame is a JSON object")
    frame_id = raw.get("id") if isinstance(raw.get("id"), str | int) else None
    if "\\u0000" in text and has_nul(raw):  # JSON can only carry NUL as that escape
        raise TipchatError(Code.invalid_frame, NUL_MESSAGE, id=frame_id)
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise TipchatError(Code.invalid_frame, "a frame needs a string 'type'", id=frame_id)
    if kind not in FRAME_TYPES:
        raise TipchatError(
            Code.unknown_frame_type, f"unknown frame type {kind[:40]!r}", id=frame_id
        )
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'frame'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise TipchatError(Code.invalid_frame, problems, id=frame_id) from None
