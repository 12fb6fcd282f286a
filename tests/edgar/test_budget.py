"""The SEC request budget in clock time (sniper.edgar.budget)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sniper.clock import ManualClock
from sniper.edgar.budget import RequestBudget

T0 = datetime(2025, 12, 12, 21, 0, tzinfo=UTC)


async def test_ten_requests_at_most_in_any_second_with_slack_for_the_way() -> None:
    clock = ManualClock(T0)
    budget = RequestBudget(clock, 10)
    sent = []
    for _ in range(35):
        await budget.acquire("atom")
        sent.append(clock.now())
    assert sent[:10] == [T0] * 10, "a burst of ten goes at once"
    gaps = [later - first for first, later in zip(sent, sent[10:], strict=False)]
    assert min(gaps) >= timedelta(seconds=1.1), "the eleventh waits a second and the slack"
    assert budget.sent == {"atom": 35}


async def test_a_pause_reports_until_when() -> None:
    clock = ManualClock(T0)
    budget = RequestBudget(clock, 10)
    budget.pause(T0 + timedelta(minutes=10))
    budget.pause(T0 + timedelta(minutes=5))  # an earlier end does not shorten it
    assert budget.paused_until == T0 + timedelta(minutes=10)
    clock.advance(timedelta(minutes=10))
    assert budget.paused_until is None
