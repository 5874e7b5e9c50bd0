"""Tips: linked wallets, SIWE nonces, tips and the watchers' block cursors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


SCHEMA = """
-- A wallet proven by SIWE. The address is the key: one address belongs to one user only.
-- Addresses are stored EIP-55 checksummed, as the chain config and the API show them.
CREATE TABLE wallets (
    address     text PRIMARY KEY CHECK (address ~ '^0x[0-9a-fA-F]{40}$'),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The chain id of the signed message (contract wallets are checked on that chain).
    chain_id    bigint NOT NULL,
    linked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wallets_user ON wallets (user_id, linked_at);

-- Single-use SIWE nonces, each for one user and a few minutes.
CREATE TABLE siwe_nonces (
    nonce       text PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX siwe_nonces_user ON siwe_nonces (user_id, created_at);

CREATE TABLE tips (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Random 32 bytes, passed to the router: how a Tip log finds its intent.
    reference          bytea NOT NULL UNIQUE CHECK (length(reference) = 32),
    chain_id           bigint NOT NULL,
    -- The room and the tip message (the seq of the event that created it).
    room_id            bigint NOT NULL,
    seq                bigint NOT NULL,
    sender_id          bigint NOT NULL REFERENCES users (id),
    recipient_id       bigint NOT NULL REFERENCES users (id),
    -- Snapshot at intent time: unlinking later does not redirect a tip.
    recipient_address  text NOT NULL,
    token              text NOT NULL,
    amount             numeric(78, 0) NOT NULL CHECK (amount > 0),
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN
                         ('pending', 'seen', 'confirmed', 'finalized', 'failed', 'dropped')),
    -- Why a tip failed: reverted, mismatch, expired.
    failure            text,
    -- The Tip log that paid it, once seen.
    tx_hash            text,
    log_index          integer,
    from_address       text,
    block_number       bigint,
    block_hash         text,
    -- The sender's client said it sent this transaction: a hint, never proof.
    tx_hint            text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    UNIQUE (chain_id, tx_hash, log_index),
    UNIQUE (room_id, seq),
    -- Deferred: the tip is written first, so its message and event can carry its snapshot.
    FOREIGN KEY (room_id, seq) REFERENCES messages (room_id, seq) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX tips_room ON tips (room_id, id);
-- What every watcher pass looks at.
CREATE INDEX tips_unfinished ON tips (chain_id, id)
    WHERE status IN ('pending', 'seen', 'confirmed', 'dropped');

-- Per chain: the next block the watcher reads logs from, and the hash of the block before
-- it (a different hash there means a reorg under the cursor).
CREATE TABLE chain_cursors (
    chain_id     bigint PRIMARY KEY,
    router       text NOT NULL,
    next_block   bigint NOT NULL,
    last_hash    text,
    updated_at   timestamptz NOT NULL DEFAULT now()
)
"""


def upgrade() -> None:
    # asyncpg prepares each statement, and a prepared statement holds one command.
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE chain_cursors, tips, siwe_nonces, wallets")
