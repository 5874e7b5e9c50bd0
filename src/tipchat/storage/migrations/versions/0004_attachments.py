"""Attachments: files uploaded to object storage for a room, then sent with a message.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


SCHEMA = """
CREATE TABLE attachments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id       bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    uploader_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Where the bytes are: made by the server (rooms/<room>/<random>), never by a client.
    object_key    text NOT NULL UNIQUE,
    filename      text NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    -- pending: a slot handed out; ready: uploaded and its content checked; rejected: the
    -- content was not what was declared; deleted: its message was deleted.
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'ready', 'rejected', 'deleted')),
    -- The message it was sent with (NULL until then); one message per attachment.
    seq           bigint,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message ON attachments (room_id, seq) WHERE seq IS NOT NULL
"""


def upgrade() -> None:
    # asyncpg prepares each statement, and a prepared statement holds one command.
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE attachments")
