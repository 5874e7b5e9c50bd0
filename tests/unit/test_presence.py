"""Presence aggregation and expiry (in-process store, fake clock)."""

from __future__ import annotations

from tipchat.presence import InMemoryPresenceStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_best_status_over_a_users_sockets() -> None:
    store = InMemoryPresenceStore(Clock())
    assert await store.status([7]) == {7: "offline"}
    await store.put(7, "phone", "away", 60)
    assert await store.status([7]) == {7: "away"}
    await store.put(7, "laptop", "online", 60)
    assert await store.status([7]) == {7: "online"}
    await store.remove(7, "laptop")
    assert await store.status([7]) == {7: "away"}
    await store.remove(7, "phone")
    assert await store.status([7, 8]) == {7: "offline", 8: "offline"}


async def test_entries_expire_unless_refreshed() -> None:
    clock = Clock()
    store = InMemoryPresenceStore(clock)
    await store.put(7, "a", "online", 60)
    await store.put(8, "b", "online", 60)
    clock.now += 40
    await store.put(8, "b", "online", 60)  # refreshed
    clock.now += 30
    assert await store.status([7, 8]) == {7: "offline", 8: "online"}
