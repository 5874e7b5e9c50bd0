"""Request and response bodies, in families (RoomCreate, RoomPublic, RoomsPublic)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

# Ids are PostgreSQL bigints.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Problem(BaseModel):
    code: str
    message: str


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(default=None, max_length=256)


class UserPublic(BaseModel):
    id: int
    username: str


class Me(UserPublic):
    created_at: datetime
    # False for an account made by signing in elsewhere (OIDC): it deletes itself by name.
    has_password: bool


class UsersPublic(BaseModel):
    users: list[UserPublic]


class SessionPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: float
    refresh_token: str
    user: UserPublic


class RoomCreate(BaseModel):
    name: str = Field(max_length=1000)
    kind: Literal["public", "private"] = "public"


class RoomUpdate(BaseModel):
    name: str = Field(max_length=1000)


class RoomPublic(BaseModel):
    id: int
    kind: Literal["public", "private", "dm"]
    name: str | None
    last_seq: int
    last_read_seq: int
    unread_count: int
    role: Literal["owner", "admin", "member"]
    last_event_at: datetime
    dm_peer: str | None = None
    # A muted room shows no unread badge; unread_count and unread_mentions still count.
    muted: bool = False
    unread_mentions: int = 0  # messages above last_read_seq that @mention me


class RoomsPublic(BaseModel):
    rooms: list[RoomPublic]


class PublicRoom(BaseModel):
    id: int
    name: str
    member_count: int
    is_member: bool
    last_event_at: datetime


class PublicRooms(BaseModel):
    rooms: list[PublicRoom]


class MemberAdd(BaseModel):
    user_id: Id


class MemberUpdate(BaseModel):
    role: Literal["owner", "admin", "member"]


class MemberPublic(BaseModel):
    id: int
    username: str
    role: Literal["owner", "admin", "member"]
    presence: Literal["online", "away", "offline"] = "offline"
    joined_at: datetime
    last_read_seq: int


class MembersPublic(BaseModel):
    members: list[MemberPublic]


class DmCreate(BaseModel):
    user_id: Id


class MessageCreate(BaseModel):
    client_msg_id: str = Field(max_length=1000)
    body: str = Field(max_length=100_000)  # checked against the real limit by the rules
    reply_to: Id | None = None
    # Completed uploads of mine to this room (POST .../attachments); the body may then be "".
    attachments: list[Id] = Field(default=[], max_length=10)


class MessageUpdate(BaseModel):
    body: str = Field(max_length=100_000)


class TipState(BaseModel):
    """A tip as room members see it, inside its message and in `tip_updated` events."""

    id: int
    status: Literal["pending", "seen", "confirmed", "finalized", "failed", "dropped"]
    failure: str | None  # for failed: reverted, mismatch or expired
    sender_id: int
    recipient_id: int
    recipient_address: str
    chain_id: int
    token: str  # the zero address for the native coin
    amount: str  # base units, a decimal string (too large for JavaScript numbers)
    tx_hash: str | None
    block_number: int | None


class AttachmentRef(BaseModel):
    """An attachment as a message shows it; GET .../attachments/{id} gives a download URL."""

    id: int
    filename: str
    content_type: str
    size: int
    width: int | None = None  # images: pixels
    height: int | None = None
    thumbnail: bool = False  # images: GET .../attachments/{id}?thumbnail=true


class ReactionPublic(BaseModel):
    emoji: str
    count: int  # exact
    user_ids: list[int]  # the first reactors, at most 20 (count may be larger)


class MessagePublic(BaseModel):
    room_id: int
    seq: int
    sender_id: int
    sender: str
    client_msg_id: str
    kind: Literal["text", "tip", "system"]
    body: str | None
    reply_to: int | None
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    tip: TipState | None = None  # kind "tip" only
    reactions: list[ReactionPublic] = []  # in the order each emoji first appeared
    mentions: list[int] = []  # user ids of the members the body @mentions
    attachments: list[AttachmentRef] = []


class MessagesPublic(BaseModel):
    messages: list[MessagePublic]
    has_more: bool


class AckPublic(BaseModel):
    room_id: int
    client_msg_id: str
    message_id: int
    seq: int
    duplicate: bool


class ReadMarker(BaseModel):
    seq: int = Field(ge=0, le=2**63 - 1)


class ReadMarkerPublic(BaseModel):
    last_read_seq: int


class MentionPublic(BaseModel):
    id: int  # the paging key: pass the last one as `before` for older mentions
    message: MessagePublic


class MentionsPublic(BaseModel):
    mentions: list[MentionPublic]  # newest first
    has_more: bool


class BlockedUserPublic(BaseModel):
    id: int
    username: str
    blocked_at: datetime


class BlocksPublic(BaseModel):
    users: list[BlockedUserPublic]


class HighlightPart(BaseModel):
    text: str  # plain text: render it as text, never as HTML
    match: bool  # a part that matched the query


class SearchHit(BaseModel):
    message: MessagePublic
    highlight: list[HighlightPart]  # the best passage of the body, in order


class SearchPublic(BaseModel):
    results: list[SearchHit]  # newest first
    next_before: str | None  # pass as `before` for the next page; null: no more


class AttachmentCreate(BaseModel):
    filename: str = Field(max_length=1000)  # checked against the real limit by the rules
    content_type: str = Field(max_length=200)
    size: int = Field(ge=0, le=2**63 - 1)  # bytes


class AttachmentPublic(BaseModel):
    id: int
    room_id: int
    filename: str
    content_type: str
    size: int
    status: Literal["pending", "ready", "rejected", "deleted"]
    width: int | None = None
    height: int | None = None


class AttachmentUpload(BaseModel):
    id: int  # put it in a send's `attachments` once complete
    upload_url: str  # relative to this server (local store) or absolute (S3)
    method: Literal["PUT"]
    headers: dict[str, str]  # send exactly these with the PUT
    expires_at: float  # Unix seconds
    attachment: AttachmentPublic


class AttachmentDownload(BaseModel):
    url: str
    expires_at: float


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class AccountDeletion(BaseModel):
    # The password proves it is me; an account without one (external sign-in only) types
    # its username instead.
    password: str | None = Field(default=None, max_length=1024)
    confirm_username: str | None = Field(default=None, max_length=64)
    messages: Literal["keep", "erase"]


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    event: str
    actor_id: int | None
    ip: str | None
    details: dict[str, Any]


class AuditEventsPublic(BaseModel):
    events: list[AuditEventPublic]
    # Pass as before_id for the next (older) page; None on the last page.
    next_before_id: int | None
