"""The server starts on a fresh database and serves the basics."""

from tests.helpers import Ws, create_room, register


async def test_register_create_room_and_send_over_websocket(server, db):
    alice = await register(server.base_url, "alice")
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    assert ws.ready["user"] == {"id": alice.id, "username": "alice"}
    await ws.subscribe(room_id)
    ack = await ws.send_message(room_id, "c1", "hello")
    assert ack["type"] == "ack"
    assert await db.fetchval("SELECT body FROM messages WHERE seq = $1", ack["seq"]) == "hello"
    await ws.close()
    await alice.http.aclose()
