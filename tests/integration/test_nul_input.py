"""NUL characters (which PostgreSQL text cannot hold) get a clear error and change nothing,
over REST and over the socket. (Found by the API fuzz test: it used to be a 500.)"""

from __future__ import annotations

from tests.helpers import Ws, create_room


async def test_rest_refuses_nul_in_body_query_and_path(server, alice):
    room_id = await create_room(alice)
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "n1", "body": "a\u0000b"}
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    assert "NUL" in r.json()["message"]
    r = await alice.http.get("/api/users", params={"q": "x\u0000"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = await alice.http.get("/api/rooms/%00/messages")
    assert r.status_code == 422
    # A literal backslash-u text is just text.
    r = await alice.http.post(
        f"/api/rooms/{room_id}/messages", json={"client_msg_id": "n2", "body": "\\u0000"}
    )
    assert r.status_code == 201
    history = (await alice.http.get(f"/api/rooms/{room_id}/messages")).json()["messages"]
    assert [m["body"] for m in history] == ["\\u0000"]


async def test_the_socket_refuses_nul_in_a_frame(server, alice):
    room_id = await create_room(alice)
    ws = await Ws.connect(server.ws_url, alice.token)
    await ws.send(
        {"type": "send", "id": 7, "room_id": room_id, "client_msg_id": "n1", "body": "a\u0000"}
    )
    error = await ws.expect("error")
    assert error["code"] == "invalid_frame" and error["id"] == 7
    ack = await ws.send_message(room_id, "n2", "still fine")
    assert ack["type"] == "ack"
    await ws.close()
