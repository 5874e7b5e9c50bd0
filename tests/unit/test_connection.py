"""One socket's bounded send queue, replay backlog, slow-consumer close and graceful close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest

from tipchat.realtime.connection import (
    CLOSE_GOING_AWAY,
    CLOSE_SLOW_CONSUMER,
    Connection,
    RoomState,
)

USER = 7
ROOM = 1


class FakeWebSocket:
    """Records what the writer sends and closes, in order. While `unblocked` is clear, send
    waits: a peer that stopped reading."""

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.unblocked = asyncio.Event()
        self.unblocked.set()
        self.send_waiting = asyncio.Event()

    def block(self) -> None:
        self.unblocked.clear()

    async def send(self, message: dict[str, Any]) -> None:
        assert message["type"] == "websocket.send"
        self.send_waiting.set()
        await self.unblocked.wait()
        self.log.append(("send", message["text"]))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.log.append(("close", code))

    @property
    def sent(self) -> list[str]:
        return [text for kind, text in self.log if kind == "send"]

    @property
    def closes(self) -> list[int]:
        return [code for kind, code in self.log if kind == "close"]


def message(seq: int, room_id: int = ROOM) -> tuple[int, int, str, dict[str, Any]]:
    frame = {"type": "message", "room_id": room_id, "seq": seq, "body": f"m{seq}"}
    return room_id, seq, orjson.dumps(frame).decode(), frame


def member_frame(seq: int, user_id: int, action: str = "removed") -> dict[str, Any]:
    return {
        "type": "member",
        "room_id": ROOM,
        "seq": seq,
        "action": action,
        "user": {"id": user_id, "username": "someone"},
    }


def deliver_frame(conn: Connection, frame: dict[str, Any]) -> str:
    text = orjson.dumps(frame).decode()
    conn.deliver_event(frame["room_id"], frame["seq"], text, frame)
    return text


async def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


async def settle() -> None:
    """Give the writer time to send anything it still could."""
    await asyncio.sleep(0.02)


ConnFactory = Callable[..., tuple[Connection, FakeWebSocket]]


@pytest.fixture
async def make_conn() -> AsyncIterator[ConnFactory]:
    made: list[Connection] = []

    def make(queue_size: int = 16, *, live_rooms: tuple[int, ...] = (ROOM,)) -> Any:
        ws = FakeWebSocket()
        conn = Connection(ws, user_id=USER, username="alice", queue_size=queue_size)  # type: ignore[arg-type]
        for room_id in live_rooms:
            conn.rooms[room_id] = RoomState(last_seq=0, replaying=False)
        conn.start_writer()
        made.append(conn)
        return conn, ws

    yield make
    for conn in made:
        await conn.stop_writer()


# -- live delivery -----------------------------------------------------------------------


async def test_live_events_are_sent_in_order(make_conn: ConnFactory) -> None:
    conn, ws = make_conn()
    texts = []
    for seq in (1, 2, 3):
        args = message(seq)
        conn.deliver_event(*args)
        texts.append(args[2])
    await wait_until(lambda: len(ws.sent) == 3)
    assert ws.sent == texts


async def test_event_at_or_below_last_seq_is_not_sent_again(make_conn: ConnFactory) -> None:
    conn, ws = make_conn()
    for seq in (1, 2, 2, 1, 3):
        conn.deliver_event(*message(seq))
    await wait_until(lambda: len(ws.sent) == 3)
    await settle()
    assert ws.sent == [message(s)[2] for s in (1, 2, 3)]


async def test_events_of_rooms_not_followed_are_ignored(make_conn: ConnFactory) -> None:
    conn, ws = make_conn()
    conn.deliver_event(*message(1, room_id=99))
    conn.deliver_ephemeral(99, '{"type":"typing"}')
    await settle()
    assert ws.sent == []


# -- replay ------------------------------------------------------------------------------


async def test_live_events_wait_in_the_backlog_during_replay(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=2)  # replaying
    conn.deliver_event(*message(3))
    await settle()
    assert ws.sent == []
    assert [seq for seq, _, _ in conn.rooms[ROOM].backlog] == [3]


async def test_finish_replay_forwards_only_backlog_events_not_yet_sent(
    make_conn: ConnFactory,
) -> None:
    conn, ws = make_conn(live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=2)  # resume from seq 2
    for seq in (2, 3, 4, 5, 6):  # live events arriving while storage is read
        conn.deliver_event(*message(seq))
    for seq in (3, 4):  # what the storage read returned
        conn.deliver_replayed(ROOM, seq, message(seq)[2])

    conn.finish_replay(ROOM)

    await wait_until(lambda: len(ws.sent) == 4)
    await settle()
    assert ws.sent == [message(s)[2] for s in (3, 4, 5, 6)]
    assert conn.rooms[ROOM].last_seq == 6
    assert conn.rooms[ROOM].backlog == []


async def test_events_after_finish_replay_go_straight_out(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=0)
    conn.deliver_replayed(ROOM, 1, message(1)[2])
    conn.finish_replay(ROOM)
    conn.deliver_event(*message(2))
    await wait_until(lambda: len(ws.sent) == 2)
    assert ws.sent == [message(1)[2], message(2)[2]]


async def test_ephemeral_frames_are_dropped_during_replay(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=0)
    conn.deliver_ephemeral(ROOM, '{"type":"typing","room_id":1}')
    conn.finish_replay(ROOM)
    await settle()
    assert ws.sent == []


async def test_backlog_overflow_during_replay_closes_with_4008(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(queue_size=4, live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=0)
    for seq in range(1, 6):
        conn.deliver_event(*message(seq))
    assert conn.closing
    assert conn.close_code == CLOSE_SLOW_CONSUMER
    await wait_until(lambda: ws.closes == [CLOSE_SLOW_CONSUMER])


# -- slow consumers ----------------------------------------------------------------------


async def test_queue_overflow_closes_the_socket_with_4008(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(queue_size=4)
    ws.block()
    conn.deliver_event(*message(1))
    await wait_until(ws.send_waiting.is_set)  # the writer holds 1; the queue is empty
    for seq in (2, 3, 4, 5):
        conn.deliver_event(*message(seq))
    assert not conn.closing  # exactly full

    conn.deliver_event(*message(6))

    assert conn.closing
    assert conn.close_code == CLOSE_SLOW_CONSUMER
    await wait_until(lambda: ws.closes == [CLOSE_SLOW_CONSUMER])


async def test_deliveries_after_a_slow_consumer_close_are_ignored(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(queue_size=4)
    ws.block()
    conn.deliver_event(*message(1))
    await wait_until(ws.send_waiting.is_set)
    for seq in range(2, 7):
        conn.deliver_event(*message(seq))
    await wait_until(lambda: ws.closes == [CLOSE_SLOW_CONSUMER])

    conn.deliver_event(*message(7))
    conn.send({"type": "pong"})
    conn.deliver_ephemeral(ROOM, '{"type":"typing"}')
    ws.unblocked.set()
    await settle()

    assert ws.sent == []  # queued frames are dropped; the client resumes from storage
    assert ws.closes == [CLOSE_SLOW_CONSUMER]


# -- removal from a room -----------------------------------------------------------------


async def test_nothing_after_my_removal_reaches_me(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(live_rooms=(ROOM, 2))
    conn.deliver_event(*message(1))
    removed = deliver_frame(conn, member_frame(2, USER))
    conn.deliver_event(*message(3))
    conn.deliver_ephemeral(ROOM, '{"type":"typing","room_id":1}')
    conn.deliver_event(*message(1, room_id=2))
    await wait_until(lambda: len(ws.sent) == 3)
    await settle()
    assert ws.sent == [message(1)[2], removed, message(1, room_id=2)[2]]


async def test_leaving_also_stops_events_of_the_room(make_conn: ConnFactory) -> None:
    conn, ws = make_conn()
    left = deliver_frame(conn, member_frame(1, USER, action="left"))
    conn.deliver_event(*message(2))
    await wait_until(lambda: len(ws.sent) == 1)
    await settle()
    assert ws.sent == [left]


async def test_removal_of_another_member_does_not_stop_my_events(make_conn: ConnFactory) -> None:
    conn, ws = make_conn()
    removed = deliver_frame(conn, member_frame(1, USER + 1))
    conn.deliver_event(*message(2))
    await wait_until(lambda: len(ws.sent) == 2)
    assert ws.sent == [removed, message(2)[2]]


async def test_backlog_stops_at_my_removal(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=0)
    conn.deliver_event(*message(1))
    removed = deliver_frame(conn, member_frame(2, USER))
    conn.deliver_event(*message(3))
    conn.finish_replay(ROOM)
    await wait_until(lambda: len(ws.sent) == 2)
    await settle()
    assert ws.sent == [message(1)[2], removed]
    assert ROOM not in conn.rooms


async def test_nothing_after_my_removal_in_a_replay_reaches_me(make_conn: ConnFactory) -> None:
    # A removal that commits between the membership check and the storage read of a resume
    # arrives through deliver_replayed; what follows it must not reach the removed member.
    conn, ws = make_conn(live_rooms=())
    conn.rooms[ROOM] = RoomState(last_seq=0)
    removed = orjson.dumps(member_frame(1, USER)).decode()
    conn.deliver_replayed(ROOM, 1, removed)
    conn.deliver_replayed(ROOM, 2, message(2)[2])
    conn.deliver_event(*message(3))
    conn.finish_replay(ROOM)
    await wait_until(lambda: len(ws.sent) >= 1)
    await settle()
    assert ws.sent == [removed]


# -- graceful close ----------------------------------------------------------------------


async def test_close_after_queue_sends_everything_queued_then_closes(
    make_conn: ConnFactory,
) -> None:
    conn, ws = make_conn()
    ws.block()
    texts = []
    for seq in (1, 2, 3):
        args = message(seq)
        conn.deliver_event(*args)
        texts.append(args[2])
    conn.send({"type": "pong", "id": "p"})
    texts.append('{"type":"pong","id":"p"}')

    conn.close_after_queue(CLOSE_GOING_AWAY)

    assert conn.closing
    assert conn.close_code == CLOSE_GOING_AWAY
    ws.unblocked.set()
    await wait_until(lambda: bool(ws.closes))
    assert ws.log == [*(("send", t) for t in texts), ("close", CLOSE_GOING_AWAY)]


async def test_frames_queued_after_close_after_queue_are_not_sent(make_conn: ConnFactory) -> None:
    conn, ws = make_conn()
    conn.deliver_event(*message(1))
    conn.close_after_queue(CLOSE_GOING_AWAY)
    conn.deliver_event(*message(2))
    await wait_until(lambda: bool(ws.closes))
    await settle()
    assert ws.log == [("send", message(1)[2]), ("close", CLOSE_GOING_AWAY)]


async def test_close_after_queue_on_a_full_queue_closes_at_once(make_conn: ConnFactory) -> None:
    conn, ws = make_conn(queue_size=2)
    ws.block()
    conn.deliver_event(*message(1))
    await wait_until(ws.send_waiting.is_set)
    conn.deliver_event(*message(2))
    conn.deliver_event(*message(3))
    conn.close_after_queue(CLOSE_GOING_AWAY)
    assert conn.close_code == CLOSE_GOING_AWAY
    await wait_until(lambda: ws.closes == [CLOSE_GOING_AWAY])


# -- personal notifications ----------------------------------------------------------------


async def test_personal_notification_is_sent_only_for_rooms_not_followed(
    make_conn: ConnFactory,
) -> None:
    conn, ws = make_conn()
    followed = {"type": "member", "action": "added", "room_id": ROOM, "user": {"id": USER}}
    other = {"type": "member", "action": "added", "room_id": 12, "user": {"id": USER}}
    conn.deliver_personal(orjson.dumps(followed).decode(), followed)
    conn.deliver_personal(orjson.dumps(other).decode(), other)
    await wait_until(lambda: len(ws.sent) == 1)
    await settle()
    assert ws.sent == [orjson.dumps(other).decode()]
