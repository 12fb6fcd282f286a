"""PostgreSQL text cannot hold U+0000: a string carrying it is refused as bad input (found by F1),
never passed on to the database as a 500."""

from __future__ import annotations

from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, complete
from tests.trading.support import auth


async def test_a_nul_character_in_text_is_bad_input_not_a_500(harness: Harness) -> None:
    h = harness
    key = await harness.account("alice")
    paused = await h.client.post(
        "/api/v1/trading/pause", headers=auth(key), params={"reason": "lunch\x00"}
    )
    assert paused.status_code == 422, paused.text
    for body in (complete(name="RSI\x00"), complete(description="x\x00y")):
        created = await h.client.post(BASE, headers=auth(key), json=body)
        assert created.status_code == 400, created.text
