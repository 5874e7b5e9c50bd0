"""Room feeds: bus notifications become a gap-free, in-order stream per room."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
import pytest

from tipchat.bus.memory import InProcessBus
from tipchat.chat.events import room_channel, user_channel
from tipchat.realtime.hub import Hub

ROOM = 1


def event(seq: int, room_id: int = ROOM, **extra: Any) -> bytes:
    return orjson.dumps(
        {"type": "message", "room_id": room_id, "seq": seq, "body": f"m{seq}"} | extra
    )


class FakeStorage:
    """The room event log: room_id -> [(seq, frame_text)], plus each room's last seq."""

    def __init__(self) -> None:
        self.last: dict[int, int] = {}
        self.events: dict[int, list[tuple[int, str]]] = {}
        self.reads: list[tuple[int, int, int]] = []

    def store(self, room_id: int, *seqs: int) -> None:
        rows = self.events.setdefault(room_id, [])
        rows.extend((s, event(s, room_id).decode()) for s in seqs)
        rows.sort()

    async def last_seq(self, room_id: int) -> int:
        return self.last.get(room_id, 0)

    async def events_after(self, room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        self.reads.append((room_id, after, limit))
        return [row for row in self.events.get(room_id, []) if row[0] > after][:limit]


class FakeConn:
    def __init__(self, user_id: int = 7) -> None:
        self.user_id = user_id
        self.events: list[tuple[int, int, str, dict[str, Any]]] = []
        self.ephemeral: list[tuple[int, str]] = []
        self.personal: list[tuple[str, dict[str, Any]]] = []

    def deliver_event(self, room_id: int, seq: int, text: str, frame: dict[str, Any]) -> None:
        self.events.append((room_id, seq, text, frame))

    def deliver_ephemeral(self, room_id: int, text: str) -> None:
        self.ephemeral.append((room_id, text))

    def deliver_personal(self, text: str, frame: dict[str, Any]) -> None:
        self.personal.append((text, frame))

    def seqs(self, room_id: int = ROOM) -> list[int]:
        return [seq for room, seq, _, _ in self.events if room == room_id]


async def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.002)


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


HubFactory = Callable[..., Hub]


@pytest.fixture
async def make_hub(bus: InProcessBus, storage: FakeStorage) -> AsyncIterator[HubFactory]:
    hubs: list[Hub] = []

    def make(gap_fill_delay_s: float = 30.0) -> Hub:
        hub = Hub(
            bus=bus,
            last_seq=storage.last_seq,
            events_after=storage.events_after,
            gap_fill_delay_s=gap_fill_delay_s,
        )
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        for feed in hub.feeds.values():
            feed.close()


Publish = Callable[..., Awaitable[None]]


@pytest.fixture
def publish(bus: InProcessBus) -> Publish:
    async def publish(*seqs: int, room_id: int = ROOM) -> None:
        for seq in seqs:
            await bus.publish(room_channel(room_id), event(seq, room_id))

    return publish


# -- ordering ----------------------------------------------------------------------------


async def test_out_of_order_events_are_delivered_in_seq_order(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]

    await publish(3)
    assert conn.seqs() == []  # 3 waits for 2
    await publish(2)
    assert conn.seqs() == [2, 3]
    await publish(4)
    assert conn.seqs() == [2, 3, 4]
    assert storage.reads == []  # the gap closed before the fill delay


async def test_delivered_text_and_frame_are_the_published_event(
    make_hub: HubFactory, storage: FakeStorage, bus: InProcessBus
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    data = event(2, body="hello")
    await bus.publish(room_channel(ROOM), data)
    assert conn.events == [(ROOM, 2, data.decode(), orjson.loads(data))]


async def test_duplicate_seq_is_delivered_once(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(2, 2, 3, 2, 3)
    assert conn.seqs() == [2, 3]


async def test_duplicate_of_a_held_early_event_is_delivered_once(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(3, 3, 2)
    assert conn.seqs() == [2, 3]


async def test_events_at_or_before_the_attach_position_are_dropped(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 5
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(3, 4, 5, 6)
    assert conn.seqs() == [6]


async def test_rooms_are_ordered_independently(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last.update({1: 1, 2: 10})
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, 1)  # type: ignore[arg-type]
    await hub.attach(conn, 2)  # type: ignore[arg-type]
    await publish(3, room_id=1)
    await publish(11, room_id=2)
    assert conn.seqs(1) == []
    assert conn.seqs(2) == [11]


# -- gap filling -------------------------------------------------------------------------


async def test_missing_seq_is_read_from_storage_after_the_delay(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    storage.store(ROOM, 2, 3, 4)  # 2 was committed but its bus message was lost
    hub, conn = make_hub(gap_fill_delay_s=0.01), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]

    await publish(3, 4)
    assert conn.seqs() == []
    await wait_until(lambda: len(conn.events) == 3)

    assert conn.seqs() == [2, 3, 4]
    assert storage.reads == [(ROOM, 1, 1)]  # only the missing seq was read
    assert conn.events[0][2] == event(2).decode()
    assert conn.events[0][3] == orjson.loads(event(2))


async def test_delivery_continues_in_order_after_a_gap_fill(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    storage.store(ROOM, 2, 3)
    hub, conn = make_hub(gap_fill_delay_s=0.01), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(3)
    await wait_until(lambda: len(conn.events) == 2)
    await publish(5, 4)
    assert conn.seqs() == [2, 3, 4, 5]


async def test_gap_fill_retries_until_storage_has_the_event(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(gap_fill_delay_s=0.01), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(3)
    await wait_until(lambda: len(storage.reads) >= 2)  # read, found nothing, read again
    assert conn.seqs() == []
    storage.store(ROOM, 2, 3)
    await wait_until(lambda: len(conn.events) == 2)
    assert conn.seqs() == [2, 3]


async def test_gap_fill_survives_storage_failing_and_delivers_once_it_answers(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(gap_fill_delay_s=0.01), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    working_read = storage.events_after
    failures = 0

    async def down_then_up(room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise ConnectionRefusedError("storage is down")
        return await working_read(room_id, after, limit)

    hub.events_after = down_then_up
    storage.store(ROOM, 2)
    await publish(3)  # no new event arrives after this: the fill itself must retry
    await wait_until(lambda: len(conn.events) == 2, timeout=3.0)
    assert failures == 2 and conn.seqs() == [2, 3]


# -- ephemeral frames ----------------------------------------------------------------------


async def test_ephemeral_frame_reaches_subscribers_immediately(
    make_hub: HubFactory, storage: FakeStorage, bus: InProcessBus, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(3)  # a gap is open: ordered events are held
    typing = orjson.dumps({"type": "typing", "room_id": ROOM, "user_id": 9, "username": "bo"})
    await bus.publish(room_channel(ROOM), typing)
    assert conn.ephemeral == [(ROOM, typing.decode())]
    assert conn.events == []


async def test_read_marker_reaches_subscribers(
    make_hub: HubFactory, storage: FakeStorage, bus: InProcessBus
) -> None:
    # chat.messages.do_mark_read publishes {"type": "read", ..., "seq": marker} through
    # publish_ephemeral ("frames with no seq ... not stored, not replayed"). The marker is at
    # most the room's last seq, so it must not be mistaken for (and dropped as) an old event.
    storage.last[ROOM] = 5
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    read = orjson.dumps({"type": "read", "room_id": ROOM, "user_id": 9, "seq": 4})
    await bus.publish(room_channel(ROOM), read)
    assert conn.ephemeral == [(ROOM, read.decode())]


async def test_read_marker_does_not_take_the_place_of_the_event_it_names(
    make_hub: HubFactory, storage: FakeStorage, bus: InProcessBus, publish: Publish
) -> None:
    # On another node the read marker for seq 6 can arrive before event 6's own notification.
    storage.last[ROOM] = 5
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    read = orjson.dumps({"type": "read", "room_id": ROOM, "user_id": 9, "seq": 6})
    await bus.publish(room_channel(ROOM), read)
    await publish(6)
    assert [frame["type"] for _, _, _, frame in conn.events] == ["message"]
    assert conn.seqs() == [6]


# -- subscribers ---------------------------------------------------------------------------


async def test_two_subscribers_each_receive_every_event_once(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, alice, bob = make_hub(), FakeConn(1), FakeConn(2)
    await hub.attach(alice, ROOM)  # type: ignore[arg-type]
    await hub.attach(bob, ROOM)  # type: ignore[arg-type]
    assert len(hub.feeds) == 1
    await publish(3, 2, 4, 3)
    assert alice.seqs() == [2, 3, 4]
    assert bob.seqs() == [2, 3, 4]


async def test_second_subscriber_joins_at_the_feed_position(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, alice, bob = make_hub(), FakeConn(1), FakeConn(2)
    await hub.attach(alice, ROOM)  # type: ignore[arg-type]
    await publish(2)
    feed = await hub.attach(bob, ROOM)  # type: ignore[arg-type]
    assert feed.delivered == 2
    await publish(3)
    assert alice.seqs() == [2, 3]
    assert bob.seqs() == [3]


async def test_detach_of_last_subscriber_removes_feed_and_unsubscribes(
    make_hub: HubFactory, storage: FakeStorage, bus: InProcessBus, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await hub.detach(conn, ROOM)  # type: ignore[arg-type]
    assert ROOM not in hub.feeds
    assert room_channel(ROOM) not in bus._handlers
    await publish(2)
    assert conn.events == []


async def test_detach_of_one_subscriber_keeps_the_feed_for_the_others(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, alice, bob = make_hub(), FakeConn(1), FakeConn(2)
    await hub.attach(alice, ROOM)  # type: ignore[arg-type]
    await hub.attach(bob, ROOM)  # type: ignore[arg-type]
    await hub.detach(alice, ROOM)  # type: ignore[arg-type]
    await publish(2)
    assert alice.events == []
    assert bob.seqs() == [2]


async def test_detach_cancels_a_pending_gap_fill(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    storage.store(ROOM, 2, 3)
    hub, conn = make_hub(gap_fill_delay_s=0.01), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(3)
    await hub.detach(conn, ROOM)  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert storage.reads == []


async def test_reattach_after_detach_starts_from_storage_position(
    make_hub: HubFactory, storage: FakeStorage, publish: Publish
) -> None:
    storage.last[ROOM] = 1
    hub, conn = make_hub(), FakeConn()
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await hub.detach(conn, ROOM)  # type: ignore[arg-type]
    storage.last[ROOM] = 4
    await hub.attach(conn, ROOM)  # type: ignore[arg-type]
    await publish(4, 5)
    assert conn.seqs() == [5]


# -- personal channel --------------------------------------------------------------------


async def test_personal_notifications_reach_every_socket_of_the_user(
    make_hub: HubFactory, bus: InProcessBus
) -> None:
    hub, phone, laptop, other = make_hub(), FakeConn(7), FakeConn(7), FakeConn(8)
    for conn in (phone, laptop, other):
        await hub.attach_user(conn)  # type: ignore[arg-type]
    added = orjson.dumps({"type": "member", "action": "added", "room_id": 3, "user": {"id": 7}})
    await bus.publish(user_channel(7), added)
    expected = [(added.decode(), orjson.loads(added))]
    assert phone.personal == expected
    assert laptop.personal == expected
    assert other.personal == []


async def test_detach_user_stops_personal_notifications(
    make_hub: HubFactory, bus: InProcessBus
) -> None:
    hub, conn = make_hub(), FakeConn(7)
    await hub.attach_user(conn)  # type: ignore[arg-type]
    await hub.detach_user(conn)  # type: ignore[arg-type]
    assert user_channel(7) not in bus._handlers
    await bus.publish(user_channel(7), orjson.dumps({"type": "member", "room_id": 3}))
    assert conn.personal == []
