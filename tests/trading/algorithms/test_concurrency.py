"""Racing commands on one algorithm: transitions are conditional UPDATEs, so of concurrent
starts exactly one is 200 and the others 422 `Algorithm already active`, on both databases."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select

from sniper.db.session import transaction
from sniper.errors import Unprocessable
from sniper.models import Account, TradingAlgorithm
from sniper.trading.algorithms import service as algorithms
from sniper.trading.algorithms.service import STARTABLE, _not_startable
from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, auth, command, create

RACERS = 6


async def test_concurrent_starts_have_one_winner(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    url = f"{BASE}/{algorithm['id']}/start"
    responses = await asyncio.gather(
        *(h.client.post(url, headers=auth(key)) for _ in range(RACERS))
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 422: RACERS - 1}
    losers = [r.json()["error"]["message"] for r in responses if r.status_code == 422]
    assert set(losers) == {"Algorithm already active"}


async def test_concurrent_stop_and_pause_end_in_one_consistent_state(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    await command(h, key, algorithm["id"], "start")
    stop, pause = await asyncio.gather(
        h.client.post(f"{BASE}/{algorithm['id']}/stop", headers=auth(key)),
        h.client.post(f"{BASE}/{algorithm['id']}/pause", headers=auth(key)),
    )
    assert stop.status_code == 200  # stop applies to active and paused alike
    final = (await h.client.get(f"{BASE}/{algorithm['id']}", headers=auth(key))).json()
    assert final["status"] == "stopped"
    assert pause.status_code in (200, 422)


async def test_a_start_that_read_a_stale_status_loses_at_the_update(harness: Harness) -> None:
    """The refusal comes from the conditional UPDATE itself, not only from the status read
    before it (what a PostgreSQL loser sees after the winner commits)."""
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    await command(h, key, algorithm["id"], "start")
    async with transaction(h.runtime.sessions) as session:
        account = (await session.execute(select(Account))).scalar_one()
        stale = TradingAlgorithm(id=algorithm["id"], account_id=account.id, status="stopped")
        values = {"status": "active", "updated_at": h.clock.now()}
        with pytest.raises(Unprocessable, match="Algorithm already active"):
            await algorithms._move(session, account, stale, STARTABLE, values, _not_startable)
