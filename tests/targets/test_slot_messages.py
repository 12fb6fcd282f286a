"""What a refused target says (issue 16 item 2): a plan without slots says so and how to get
one; a full plan says when the earliest slot frees, on which clock."""

from __future__ import annotations

from tests.conftest import Harness


async def _create(h: Harness, key: str, ticker: str) -> dict[str, object]:
    response = await h.client.post(
        "/api/v1/sniper/targets", json={"ticker": ticker}, headers={"X-API-Key": key}
    )
    assert response.status_code in (200, 402), response.text
    return dict(response.json())


async def test_a_free_plan_without_slots_says_it_has_none(harness: Harness) -> None:
    key = await harness.account(plan="free", tokens=10)
    error = (await _create(harness, key, "AAPL"))["error"]
    assert isinstance(error, dict)
    assert error["code"] == "SNIPER_SLOTS_EXHAUSTED"
    assert error["message"] == (
        "The free plan has no sniper slots (SNIPER_FREE_PLAN_SLOTS=0): use an account on the "
        "paid plan (`sniper accounts create NAME --plan paid`), or have the operator raise "
        "SNIPER_FREE_PLAN_SLOTS"
    )
    assert "All 0" not in error["message"]


async def test_a_full_plan_says_when_a_slot_frees_and_on_which_clock(harness: Harness) -> None:
    key = await harness.account()
    for _ in range(harness.runtime.settings.paid_plan_slots):
        assert "target_id" in await _create(harness, key, "AAPL")
    error = (await _create(harness, key, "MSFT"))["error"]
    assert isinstance(error, dict)
    assert error["message"] == (
        "All 5 sniper slots of your plan are taken during this window; the earliest frees at "
        "2025-12-12T15:00:00Z (manual clock)"
    )
