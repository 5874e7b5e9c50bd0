"""Attachment images: their size in pixels and the key of their thumbnail.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE attachments ADD COLUMN width integer, ADD COLUMN height integer,"
        " ADD COLUMN thumbnail_key text"
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE attachments DROP COLUMN width, DROP COLUMN height, DROP COLUMN thumbnail_key"
    )
