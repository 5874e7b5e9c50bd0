"""Tips and the watchers' per-chain block cursors.

`TIP_SNAPSHOT` is the one definition of a tip as room members see it: in `tip_updated`
events (from the RETURNING of each change) and inside tip messages in history (the message
query embeds it), so both always have the same shape.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

# Amount as text: base units overflow JavaScript numbers. No reference: only the sender needs
# it (to pay), and nobody else gains anything from seeing it early.
TIP_SNAPSHOT = (
    "jsonb_build_object('id', t.id, 'status', t.status, 'failure', t.failure,"
    " 'sender_id', t.sender_id, 'recipient_id', t.recipient_id,"
    " 'recipient_address', t.recipient_address, 'chain_id', t.chain_id, 'token', t.token,"
    " 'amount', t.amount::text, 'tx_hash', t.tx_hash, 'block_number', t.block_number)"
)
TIP_COLUMNS = (
    "t.id, t.reference, t.chain_id, t.room_id, t.seq, t.sender_id, t.recipient_id,"
    " t.recipient_address, t.token, t.amount, t.status, t.failure, t.tx_hash, t.log_index,"
    " t.from_address, t.block_number, t.block_hash, t.tx_hint, t.created_at, t.updated_at,"
    f" t.expires_at, {TIP_SNAPSHOT} AS snapshot"
)
UNFINISHED = ("pending", "seen", "confirmed", "dropped")


async def insert_tip(
    *,
    conn: asyncpg.Connection,
    reference: bytes,
    chain_id: int,
    room_id: int,
    seq: int,
    sender_id: int,
    recipient_id: int,
    recipient_address: str,
    token: str,
    amount: int,
    ttl_s: int,
) -> asyncpg.Record:
    """A pending tip for message (room_id, seq); the message is inserted after it, in the
    same transaction (the foreign key is checked at commit)."""
    row: asyncpg.Record = await conn.fetchrow(
        "WITH t AS (INSERT INTO tips (reference, chain_id, room_id, seq, sender_id,"
        " recipient_id, recipient_address, token, amount, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10))"
        f" RETURNING *) SELECT {TIP_COLUMNS} FROM t",
        reference,
        chain_id,
        room_id,
        seq,
        sender_id,
        recipient_id,
        recipient_address,
        token,
        amount,
        float(ttl_s),
    )
    return row


async def insert_tip_message(
    *,
    conn: asyncpg.Connection,
    room_id: int,
    seq: int,
    sender_id: int,
    client_msg_id: str,
    body: str,
    created_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO messages (room_id, seq, sender_id, client_msg_id, kind, body, created_at)"
        " VALUES ($1, $2, $3, $4, 'tip', $5, $6)",
        room_id,
        seq,
        sender_id,
        client_msg_id,
        body,
        created_at,
    )


async def get_tip(
    *, conn: asyncpg.Connection, tip_id: int, lock: bool = False
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {TIP_COLUMNS} FROM tips t WHERE t.id = $1" + (" FOR UPDATE" if lock else ""),
        tip_id,
    )
    return row


async def get_by_reference(
    *, conn: asyncpg.Connection, chain_id: int, reference: bytes
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {TIP_COLUMNS} FROM tips t WHERE t.reference = $1 AND t.chain_id = $2",
        reference,
        chain_id,
    )
    return row


async def room_tips(
    *, conn: asyncpg.Connection, room_id: int, before_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """A room's tips, newest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {TIP_COLUMNS} FROM tips t WHERE t.room_id = $1"
        " AND ($2::bigint IS NULL OR t.id < $2) ORDER BY t.id DESC LIMIT $3",
        room_id,
        before_id,
        limit,
    )
    return rows


async def unfinished(*, conn: asyncpg.Connection, chain_id: int) -> list[asyncpg.Record]:
    """Tips a watcher pass still has to look at, oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {TIP_COLUMNS} FROM tips t WHERE t.chain_id = $1"
        " AND t.status = ANY($2::text[]) ORDER BY t.id",
        chain_id,
        list(UNFINISHED),
    )
    return rows


async def set_tx_hint(*, conn: asyncpg.Connection, tip_id: int, tx_hash: str) -> None:
    await conn.execute(
        "UPDATE tips SET tx_hint = $2, updated_at = now() WHERE id = $1", tip_id, tx_hash
    )


async def update_tip(
    *,
    conn: asyncpg.Connection,
    tip_id: int,
    status: str,
    failure: str | None = None,
    tx_hash: str | None = None,
    log_index: int | None = None,
    from_address: str | None = None,
    block_number: int | None = None,
    block_hash: str | None = None,
) -> asyncpg.Record:
    """Set a tip's status and where it was seen (None keeps what is stored)."""
    row: asyncpg.Record = await conn.fetchrow(
        "WITH t AS (UPDATE tips SET status = $2, failure = COALESCE($3, failure),"
        " tx_hash = COALESCE($4, tx_hash), log_index = COALESCE($5, log_index),"
        " from_address = COALESCE($6, from_address),"
        " block_number = COALESCE($7, block_number), block_hash = COALESCE($8, block_hash),"
        f" updated_at = now() WHERE id = $1 RETURNING *) SELECT {TIP_COLUMNS} FROM t",
        tip_id,
        status,
        failure,
        tx_hash,
        log_index,
        from_address,
        block_number,
        block_hash,
    )
    return row


async def get_cursor(*, conn: asyncpg.Connection, chain_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT router, next_block, last_hash FROM chain_cursors WHERE chain_id = $1", chain_id
    )
    return row


async def set_cursor(
    *,
    conn: asyncpg.Connection,
    chain_id: int,
    router: str,
    next_block: int,
    last_hash: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO chain_cursors (chain_id, router, next_block, last_hash)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (chain_id) DO UPDATE"
        " SET router = $2, next_block = $3, last_hash = $4, updated_at = now()",
        chain_id,
        router,
        next_block,
        last_hash,
    )
