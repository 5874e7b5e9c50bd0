"""Chat extras: reactions, mentions, blocks, muted rooms, full-text search over message bodies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


SCHEMA = """
-- One row per (message, user, emoji). A deleted message loses its reactions.
CREATE TABLE reactions (
    room_id     bigint NOT NULL,
    seq         bigint NOT NULL,
    emoji       text NOT NULL CHECK (length(emoji) BETWEEN 1 AND 16),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (room_id, seq, emoji, user_id),
    FOREIGN KEY (room_id, seq) REFERENCES messages (room_id, seq) ON DELETE CASCADE
);

-- Members a message @mentions, resolved at send (and edit) time. id orders a user's
-- mentions list (keyset paging); (user_id, room_id, seq) finds a room's unread mentions.
CREATE TABLE mentions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id     bigint NOT NULL,
    seq         bigint NOT NULL,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    UNIQUE (room_id, seq, user_id),
    FOREIGN KEY (room_id, seq) REFERENCES messages (room_id, seq) ON DELETE CASCADE
);
CREATE INDEX mentions_user ON mentions (user_id, id);
CREATE INDEX mentions_user_room ON mentions (user_id, room_id, seq);

-- user_id blocks blocked_id.
CREATE TABLE blocks (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, blocked_id),
    CHECK (user_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- A muted room shows no unread badge; its counts are still computed.
ALTER TABLE memberships ADD COLUMN muted boolean NOT NULL DEFAULT false;

-- Full-text search: an expression index, so the query must use exactly this expression.
-- 'simple' (no stemming, no stop words) because chat is written in every language and is
-- full of names, tickers and code that an English stemmer would mangle.
CREATE INDEX messages_body_search ON messages USING gin (to_tsvector('simple', body))
"""


def upgrade() -> None:
    # asyncpg prepares each statement, and a prepared statement holds one command.
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX messages_body_search")
    op.execute("ALTER TABLE memberships DROP COLUMN muted")
    op.execute("DROP TABLE blocks, mentions, reactions")
