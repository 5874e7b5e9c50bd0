"""Core schema: users, sessions, rooms, memberships, the room event log, messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


SCHEMA = """
CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops);

CREATE TABLE credentials (
    user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash  text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens rotate on every use; all tokens of one sign-in share a family so that
-- reuse of a spent token can revoke the whole family.
CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE rooms (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('public', 'private', 'dm')),
    name        text,
    created_by  bigint NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- The seq of the newest event. Incremented in the same transaction that inserts
    -- the event, so the row lock orders a room's commits and seqs have no gaps.
    last_seq    bigint NOT NULL DEFAULT 0,
    last_event_at timestamptz NOT NULL DEFAULT now(),
    -- "<smaller user id>:<larger user id>": the one DM room of a pair.
    dm_key      text UNIQUE,
    CHECK ((kind = 'dm') = (dm_key IS NOT NULL))
);
CREATE INDEX rooms_public_name ON rooms (lower(name)) WHERE kind = 'public';

CREATE TABLE memberships (
    room_id        bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role           text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at      timestamptz NOT NULL DEFAULT now(),
    last_read_seq  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- The room event log: what resume replays. payload is the exact frame sent to
-- clients, kept as json (verbatim text) so replay needs no re-encoding.
CREATE TABLE room_events (
    room_id     bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    type        text NOT NULL,
    payload     json NOT NULL,
    -- For message_updated: the seq of the message it changes (to redact on delete).
    target_seq  bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, seq)
);
CREATE INDEX room_events_target ON room_events (room_id, target_seq) WHERE target_seq IS NOT NULL;

-- A message is identified by the seq of the event that created it.
CREATE TABLE messages (
    room_id        bigint NOT NULL,
    seq            bigint NOT NULL,
    sender_id      bigint NOT NULL REFERENCES users (id),
    client_msg_id  text NOT NULL,
    kind           text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'tip', 'system')),
    body           text,
    reply_to       bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    edited_at      timestamptz,
    deleted_at     timestamptz,
    PRIMARY KEY (room_id, seq),
    FOREIGN KEY (room_id, seq) REFERENCES room_events (room_id, seq) ON DELETE CASCADE,
    UNIQUE (sender_id, client_msg_id)
);
"""


def upgrade() -> None:
    # asyncpg prepares each statement, and a prepared statement holds one command.
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TABLE messages, room_events, memberships, rooms, refresh_tokens, credentials, users"
    )
