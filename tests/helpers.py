"""Test clients: HTTP (httpx) and WebSocket (websockets), driving a real server."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

PASSWORD = "long enough passphrase 42"
_names = itertools.count(1)


@dataclass
class User:
    id: int
    username: str
    token: str
    refresh_token: str
    http: httpx.AsyncClient  # sends this user's Bearer token

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


async def register(base_url: str, username: str | None = None) -> User:
    username = username or f"user{next(_names)}"
    async with httpx.AsyncClient(base_url=base_url) as anon:
        r = await anon.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    http = httpx.AsyncClient(
        base_url=base_url, headers={"authorization": f"Bearer {body['access_token']}"}, timeout=30
    )
    return User(body["user"]["id"], username, body["access_token"], body["refresh_token"], http)


async def create_room(owner: User, name: str = "general", kind: str = "public") -> int:
    r = await owner.http.post("/api/rooms", json={"name": name, "kind": kind})
    assert r.status_code == 201, r.text
    room_id: int = r.json()["id"]
    return room_id


async def join(user: User, room_id: int) -> None:
    r = await user.http.post(f"/api/rooms/{room_id}/join")
    assert r.status_code == 200, r.text


class Ws:
    """A protocol client: frames in, frames out, with timeouts so a bug fails, not hangs."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.ready: dict[str, Any] = {}

    @classmethod
    async def connect(cls, ws_url: str, token: str | None = None, **kwargs: Any) -> Ws:
        conn = await websockets.connect(ws_url, open_timeout=10, **kwargs)
        ws = cls(conn)
        if token is not None:
            await ws.send({"type": "auth", "token": token})
            ws.ready = await ws.expect("ready")
        return ws

    async def send(self, frame: dict[str, Any]) -> None:
        await self.conn.send(json.dumps(frame))

    async def recv(self, timeout: float = 10) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.conn.recv(), timeout))
        return frame

    async def expect(self, type_: str, timeout: float = 10) -> dict[str, Any]:
        """The next frame, which must be of this type."""
        frame = await self.recv(timeout)
        assert frame["type"] == type_, frame
        return frame

    async def next_of(self, type_: str, timeout: float = 10) -> dict[str, Any]:
        """Skip frames until one of this type arrives."""
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == type_:
                return frame

    async def next_of_seq(self, timeout: float = 10) -> dict[str, Any]:
        """Skip frames until a room event (a frame with a seq) arrives."""
        while True:
            frame = await self.recv(timeout)
            if "seq" in frame and frame["type"] not in ("ack", "read"):
                return frame

    async def subscribe(self, *room_ids: int) -> dict[str, Any]:
        await self.send({"type": "subscribe", "room_ids": list(room_ids)})
        return await self.next_of("subscribed")

    async def frames_until(self, type_: str, timeout: float = 10) -> list[dict[str, Any]]:
        """Every frame up to and including the next one of this type."""
        frames = []
        while True:
            frame = await self.recv(timeout)
            frames.append(frame)
            if frame["type"] == type_:
                return frames

    async def resume(self, rooms: dict[int, int]) -> list[dict[str, Any]]:
        """Send resume; return every frame up to and including `subscribed`."""
        await self.send({"type": "resume", "rooms": {str(k): v for k, v in rooms.items()}})
        return await self.frames_until("subscribed")

    async def send_message(self, room_id: int, client_msg_id: str, body: str) -> dict[str, Any]:
        """Send and wait for the ack (or error) for this client_msg_id."""
        await self.send(
            {"type": "send", "room_id": room_id, "client_msg_id": client_msg_id, "body": body}
        )
        while True:
            frame = await self.recv()
            if frame["type"] in ("ack", "error") and frame.get("client_msg_id") == client_msg_id:
                return frame

    async def close(self) -> None:
        await self.conn.close()


async def refuse_poison_at_commit(db: Any) -> None:
    """Make the database refuse, at COMMIT, any transaction that inserted a message whose
    body is 'poison' (a deferred constraint trigger): a commit that fails after every
    statement succeeded."""
    await db.execute("""
        CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.body = 'poison' THEN RAISE EXCEPTION 'refused at commit'; END IF;
        RETURN NEW; END $$;
        CREATE CONSTRAINT TRIGGER poison AFTER INSERT ON messages DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    """)
