"""Group commit (chat/sending.py): sends that arrive together are written in one transaction,
and each one still gets exactly the outcome it would get alone."""

from __future__ import annotations

import asyncio
import re

from tests.helpers import User, create_room, join, refuse_poison_at_commit


async def _send(user: User, room_id: int, cmid: str, body: str = "hi", **extra):
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": cmid, "body": body, **extra}
    )
    return r.status_code, r.json()


def _batches(metrics_text: str) -> tuple[float, float]:
    """(batches written, batches of exactly one send) so far."""

    def sample(name: str) -> float:
        found = re.search(rf"^{re.escape(name)} (\S+)$", metrics_text, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    return (
        sample("tipchat_send_batch_size_count"),
        sample('tipchat_send_batch_size_bucket{le="1.0"}'),
    )


async def _assert_log_is_gapless(db, room_id: int) -> int:
    last_seq = await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id)
    seqs = [
        r["seq"]
        for r in await db.fetch(
            "SELECT seq FROM room_events WHERE room_id = $1 ORDER BY seq", room_id
        )
    ]
    assert seqs == list(range(1, last_seq + 1))
    return int(last_seq)


async def test_each_send_in_a_batch_gets_its_own_outcome(server, db, users):
    owner, member, outsider = await users(), await users(), await users()
    room = await create_room(owner, "busy")
    other_room = await create_room(owner, "other")
    secret = await create_room(owner, "secret", kind="private")
    await join(member, room)
    await join(member, other_room)
    before = _batches((await owner.http.get("/metrics")).text)

    good = [_send(owner if i % 2 else member, room, f"good-{i}", f"message {i}") for i in range(40)]
    results = await asyncio.gather(
        *good,
        _send(outsider, secret, "x-1"),  # not a member of a private room: as if it did not exist
        _send(outsider, room, "x-2"),  # not a member of a public room
        _send(member, room, "x-3", reply_to=10_000),  # replying to nothing
        _send(owner, room, "twice"),  # the same send twice, at the same moment
        _send(owner, room, "twice"),
        _send(member, room, "same-id"),  # one client_msg_id in two rooms
        _send(member, other_room, "same-id"),
    )
    good_results, odd = results[:40], results[40:]
    assert all(status == 201 for status, _ in good_results), good_results
    assert odd[0] == (404, {"code": "room_not_found", "message": "no such room"})
    assert odd[1][0] == 403 and odd[1][1]["code"] == "not_a_member"
    assert odd[2][0] == 400 and odd[2][1]["code"] == "reply_not_found"
    (s1, first), (s2, second) = odd[3], odd[4]
    assert sorted((s1, s2)) == [200, 201] and first["seq"] == second["seq"]
    assert sorted(status for status, _ in odd[5:]) == [201, 409]
    assert {body.get("code") for _, body in odd[5:]} == {None, "client_msg_id_conflict"}

    # Nothing refused left a trace; the log of each room runs 1..n.
    room_events = await _assert_log_is_gapless(db, room)
    acked = {body["seq"] for _, body in good_results} | {first["seq"]}
    acked |= {body["seq"] for status, body in odd[5:] if status == 201 and body["room_id"] == room}
    messages = await db.fetch(
        "SELECT seq FROM room_events WHERE room_id = $1 AND type = 'message'", room
    )
    assert acked == {r["seq"] for r in messages}
    assert room_events == len(acked) + 2  # the owner's and the member's joins came first
    await _assert_log_is_gapless(db, other_room)
    assert await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", secret) == 1  # owner
    stored = await db.fetch(
        "SELECT seq, body FROM messages WHERE room_id = $1 AND client_msg_id LIKE 'good-%'", room
    )
    by_seq = {body["seq"]: body["client_msg_id"] for _, body in good_results}
    assert {r["seq"]: r["body"] for r in stored} == {
        seq: f"message {cmid.removeprefix('good-')}" for seq, cmid in by_seq.items()
    }

    # And they really were written together: some batch held more than one send.
    batches, singles = _batches((await owner.http.get("/metrics")).text)
    assert batches - before[0] < 47, "every send had a transaction of its own"
    assert batches - before[0] > singles - before[1]


async def test_a_send_that_fails_its_commit_fails_alone(server, db, users):
    """A send the database refuses at COMMIT (a deferred trigger) fails its whole batch; the
    batch is then written send by send, so only the bad one fails and no seq is lost."""
    await refuse_poison_at_commit(db)
    owner = await users()
    room = await create_room(owner)
    sends = [_send(owner, room, f"m-{i}", "poison" if i == 7 else f"fine {i}") for i in range(30)]
    results = await asyncio.gather(*sends)

    assert results[7][0] == 500 and results[7][1]["code"] == "internal_error"
    fine = [body["seq"] for i, (status, body) in enumerate(results) if i != 7]
    assert all(status == 201 for i, (status, _) in enumerate(results) if i != 7)
    assert sorted(fine) == list(range(2, 31))  # seq 1: the owner joined
    assert await _assert_log_is_gapless(db, room) == 30
    assert await db.fetchval("SELECT count(*) FROM messages WHERE body = 'poison'") == 0
