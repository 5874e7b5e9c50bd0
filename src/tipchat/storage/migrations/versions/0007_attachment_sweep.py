"""Indexes for the attachment sweep: unsent uploads by age, attachments of deleted messages.
Both are partial, so they hold only the few rows the sweep looks for (most uploads are sent,
and the sweep deletes what it finds).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX attachments_unsent ON attachments (created_at) WHERE seq IS NULL")
    op.execute("CREATE INDEX attachments_withdrawn ON attachments (id) WHERE status = 'deleted'")


def downgrade() -> None:
    op.execute("DROP INDEX attachments_withdrawn")
    op.execute("DROP INDEX attachments_unsent")
