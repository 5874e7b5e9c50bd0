"""Fixed-window rate limiting with an injected clock."""

from __future__ import annotations

import pytest

from tipchat.ratelimit import InMemoryRateLimiter, retry_after_header


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(clock: FakeClock) -> InMemoryRateLimiter:
    return InMemoryRateLimiter(clock=clock)


async def test_allows_exactly_limit_hits_in_a_window(limiter: InMemoryRateLimiter) -> None:
    results = [await limiter.hit("login:ip:1", limit=3, window_s=60) for _ in range(3)]
    assert results == [None, None, None]
    assert await limiter.hit("login:ip:1", limit=3, window_s=60) is not None


async def test_blocked_hit_returns_time_until_window_resets(
    limiter: InMemoryRateLimiter, clock: FakeClock
) -> None:
    await limiter.hit("k", limit=1, window_s=60)
    clock.now += 15
    retry = await limiter.hit("k", limit=1, window_s=60)
    assert retry == pytest.approx(45)


async def test_retry_after_is_positive_and_at_most_the_window(
    limiter: InMemoryRateLimiter, clock: FakeClock
) -> None:
    await limiter.hit("k", limit=1, window_s=60)
    for step in (0, 30, 29.999):
        clock.now += step
        retry = await limiter.hit("k", limit=1, window_s=60)
        assert retry is not None
        assert 0 < retry <= 60


async def test_blocked_hits_do_not_extend_the_window(
    limiter: InMemoryRateLimiter, clock: FakeClock
) -> None:
    await limiter.hit("k", limit=1, window_s=10)
    for _ in range(5):
        clock.now += 1
        assert await limiter.hit("k", limit=1, window_s=10) is not None
    clock.now += 5  # 10 s after the first hit
    assert await limiter.hit("k", limit=1, window_s=10) is None


async def test_new_window_allows_again(limiter: InMemoryRateLimiter, clock: FakeClock) -> None:
    for _ in range(2):
        await limiter.hit("k", limit=2, window_s=30)
    assert await limiter.hit("k", limit=2, window_s=30) is not None
    clock.now += 30.5
    assert await limiter.hit("k", limit=2, window_s=30) is None
    assert await limiter.hit("k", limit=2, window_s=30) is None
    assert await limiter.hit("k", limit=2, window_s=30) is not None


async def test_still_blocked_just_before_reset(
    limiter: InMemoryRateLimiter, clock: FakeClock
) -> None:
    await limiter.hit("k", limit=1, window_s=30)
    clock.now += 29.9
    assert await limiter.hit("k", limit=1, window_s=30) is not None


async def test_keys_are_independent(limiter: InMemoryRateLimiter) -> None:
    assert await limiter.hit("login:user:alice", limit=1, window_s=60) is None
    assert await limiter.hit("login:user:alice", limit=1, window_s=60) is not None
    assert await limiter.hit("login:user:bob", limit=1, window_s=60) is None
    assert await limiter.hit("login:ip:alice", limit=1, window_s=60) is None


async def test_sweep_keeps_memory_bounded_under_a_spray_of_keys(
    limiter: InMemoryRateLimiter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limiter, "_SWEEP_AT", 50)
    sizes = []
    for i in range(1000):
        await limiter.hit(f"login:user:spray{i}", limit=5, window_s=1)
        clock.now += 2  # every earlier window has expired by the next hit
        sizes.append(len(limiter._windows))
    assert max(sizes) <= 50


async def test_sweep_keeps_live_windows(
    limiter: InMemoryRateLimiter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limiter, "_SWEEP_AT", 5)
    await limiter.hit("victim", limit=1, window_s=3600)
    for i in range(20):
        await limiter.hit(f"spray{i}", limit=1, window_s=1)
        clock.now += 2
    # The long window survived every sweep: the victim is still limited.
    assert await limiter.hit("victim", limit=1, window_s=3600) is not None


@pytest.mark.parametrize(
    ("seconds", "header"),
    [(0.001, "1"), (0.0, "1"), (0.5, "1"), (1.0, "1"), (1.01, "2"), (44.2, "45"), (60.0, "60")],
)
def test_retry_after_header_rounds_up_to_at_least_one(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header
