"""The per-user send limit (issue 6, point 7): a flood is refused with rate_limited and a
retry_after, over REST and the WebSocket alike, writes nothing, and costs other users nothing."""

from __future__ import annotations

import asyncio

from tests.helpers import Ws, create_room, join, register

LIMIT = (5, 60)  # small and long, so the test never races the window's end


async def _stored(db, room_id: int) -> tuple[int, int]:
    return (
        await db.fetchval("SELECT last_seq FROM rooms WHERE id = $1", room_id),
        await db.fetchval("SELECT count(*) FROM messages WHERE room_id = $1", room_id),
    )


async def test_a_flood_is_refused_while_another_users_sends_keep_going(start_server, db):
    server = start_server(send_limit_per_user=LIMIT)
    flooder, other = await register(server.base_url), await register(server.base_url)
    room_id = await create_room(flooder, "flooded")
    await join(other, room_id)

    async def post(user, cmid):
        return await user.http.post(
            f"/api/rooms/{room_id}/messages", json={"client_msg_id": cmid, "body": "spam"}
        )

    results = await asyncio.gather(*(post(flooder, f"f-{i}") for i in range(12)))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] * 5 + [429] * 7
    refused = next(r for r in results if r.status_code == 429)
    assert refused.json()["code"] == "rate_limited"
    assert 0 < refused.json()["retry_after"] <= 60
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert await _stored(db, room_id) == (2 + 5, 5)  # two joins, five messages: no more

    # The other user is not slowed down by the flood...
    for i in range(5):
        assert (await post(other, f"o-{i}")).status_code == 201
    # ...and the flooder stays refused, over the WebSocket too, with the send's context.
    ws = await Ws.connect(server.ws_url, flooder.token)
    error = await ws.send_message(room_id, "f-ws", "still spam")
    assert error["type"] == "error" and error["code"] == "rate_limited"
    assert error["room_id"] == room_id and 0 < error["retry_after"] <= 60
    assert await _stored(db, room_id) == (2 + 10, 10)
    assert await db.fetchval("SELECT count(*) FROM messages WHERE client_msg_id = 'f-ws'") == 0

    for user in (flooder, other):
        await user.http.aclose()
    await ws.close()


async def test_the_limit_counts_sends_of_one_user_over_both_edges(start_server):
    server = start_server(send_limit_per_user=(3, 60))
    user = await register(server.base_url)
    room_id = await create_room(user, "edges")
    ws = await Ws.connect(server.ws_url, user.token)
    assert (await ws.send_message(room_id, "w-1", "one"))["type"] == "ack"
    assert (await ws.send_message(room_id, "w-2", "two"))["type"] == "ack"
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "r-1", "body": "three"}
    )
    assert r.status_code == 201
    r = await user.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "r-2", "body": "four"}
    )
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    await ws.close()
    await user.http.aclose()
