"""The per-socket frame budget."""

from __future__ import annotations

from tipchat.realtime.throttle import FrameBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_frames_wait_for_the_rate() -> None:
    clock = Clock()
    budget = FrameBudget(rate=10, burst=5, clock=clock)
    assert [budget.take() for _ in range(5)] == [0.0] * 5
    wait = budget.take()
    assert abs(wait - 0.1) < 1e-9 and budget.refused_in_a_row == 1
    assert budget.take() > 0 and budget.refused_in_a_row == 2
    clock.now += 0.1
    assert budget.take() == 0.0 and budget.refused_in_a_row == 0


def test_the_budget_refills_up_to_the_burst_only() -> None:
    clock = Clock()
    budget = FrameBudget(rate=10, burst=3, clock=clock)
    for _ in range(3):
        budget.take()
    clock.now += 60  # a long quiet spell earns no more than one burst
    assert [budget.take() == 0.0 for _ in range(4)] == [True, True, True, False]
