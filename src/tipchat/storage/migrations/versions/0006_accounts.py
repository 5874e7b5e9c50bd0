"""Accounts: an append-only security audit log, identities at external OIDC providers, the
short-lived state of an OIDC sign-in, and deleted accounts kept as tombstones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A deleted account keeps its row (messages, tips and audit events point at it) with its
    # personal data erased and a name no one can register ("deleted-<id>").
    op.execute("ALTER TABLE users ADD COLUMN deleted_at timestamptz")

    # Revoking every session of a user (password change, deletion), and loading the recent
    # revocations at start (auth.sessions), without scanning all tokens.
    op.execute("CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)")
    op.execute(
        "CREATE INDEX refresh_tokens_revoked ON refresh_tokens (revoked_at)"
        " WHERE revoked_at IS NOT NULL"
    )

    # Append-only: the trigger refuses UPDATE, DELETE and TRUNCATE for every role the app uses,
    # so a bug (or an attacker with the app's SQL access) cannot rewrite history. The user id
    # has no foreign key on purpose: accounts are never deleted, only erased in place.
    op.execute(
        """
        CREATE TABLE audit_events (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            user_id bigint,
            actor_id bigint,
            event text NOT NULL,
            ip text,
            details jsonb NOT NULL DEFAULT '{}'
        )
        """
    )
    op.execute("CREATE INDEX audit_events_user ON audit_events (user_id, id)")
    op.execute(
        """
        CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events"
        " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )

    # One row per (provider, subject): the provider's stable id for a person, never their
    # email or name, which can change or be reassigned.
    op.execute(
        """
        CREATE TABLE user_identities (
            issuer text NOT NULL,
            subject text NOT NULL,
            user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            email text,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_login_at timestamptz,
            PRIMARY KEY (issuer, subject)
        )
        """
    )
    op.execute("CREATE INDEX user_identities_user ON user_identities (user_id)")

    # An OIDC sign-in between the redirect to the provider and its callback: single use,
    # bound to the browser that started it (browser_hash is the hash of a cookie it holds).
    op.execute(
        """
        CREATE TABLE oidc_flows (
            state text PRIMARY KEY,
            nonce text NOT NULL,
            code_verifier text NOT NULL,
            browser_hash bytea NOT NULL,
            link_user_id bigint REFERENCES users (id) ON DELETE CASCADE,
            expires_at timestamptz NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE oidc_flows")
    op.execute("DROP TABLE user_identities")
    op.execute("DROP TABLE audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    op.execute("DROP INDEX refresh_tokens_revoked")
    op.execute("DROP INDEX refresh_tokens_user")
    op.execute("ALTER TABLE users DROP COLUMN deleted_at")
