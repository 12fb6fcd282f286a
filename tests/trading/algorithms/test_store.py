"""The SQL the paper runner calls (`store`): idempotent orders and trades, engine state, which
algorithms it must run, and `error`; plus the after-commit lifecycle hooks."""

from __future__ import annotations

from datetime import timedelta

from sniper.db.session import transaction
from sniper.models import AlgorithmOrder
from sniper.trading.algorithms import store
from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, auth, command, create, error_of


def _order(algorithm_id: str, client_order_id: str, h: Harness) -> store.OrderRecord:
    return store.OrderRecord(
        client_order_id=client_order_id,
        algorithm_id=algorithm_id,
        symbol="NASDAQ:MSFT",
        side="buy",
        quantity=10,
        intent="entry",
        status="pending",
        bar_time=h.clock.now(),
        reason="entry",
        gate_reason="live",
    )


async def test_orders_are_recorded_once_and_filled_once(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    orders = [_order(algorithm["id"], f"{algorithm['id']}-b1-{n}", h) for n in range(2)]
    async with transaction(h.runtime.sessions) as session:
        inserted = await store.record_orders(session, orders, now=h.clock.now())
        assert inserted == {o.client_order_id for o in orders}
        assert await store.record_orders(session, orders, now=h.clock.now()) == set()
        first = orders[0].client_order_id
        filled = await store.update_order(
            session, first, status="filled", price=30.5, filled_at=h.clock.now()
        )
        assert filled
        assert not await store.update_order(session, first, status="cancelled")
        pending = await store.pending_orders(session, algorithm["id"])
        assert [o.client_order_id for o in pending] == [orders[1].client_order_id]
        row = await session.get(AlgorithmOrder, pending[0].id)
        assert row is not None
        assert (row.quantity, row.intent) == (10.0, "entry")


async def test_runner_sees_running_algorithms_and_stopped_ones_with_positions(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    idle, running, holding, archived = [await create(h, key) for _ in range(4)]
    await command(h, key, running["id"], "start")
    for algorithm in (holding, archived):
        await command(h, key, algorithm["id"], "start")
    async with transaction(h.runtime.sessions) as session:
        for algorithm in (holding, archived):
            await store.save_engine_state(
                session,
                algorithm["id"],
                state={"positions": {"NASDAQ:MSFT": 10}},
                last_bar_at=h.clock.now() - timedelta(days=1),
                open_positions=1,
            )
    for algorithm in (holding, archived):
        await command(h, key, algorithm["id"], "stop")
    assert (await h.client.delete(f"{BASE}/{archived['id']}", headers=auth(key))).status_code == 204
    async with transaction(h.runtime.sessions) as session:
        rows = await store.paper_algorithms(session)
        assert {row.id for row in rows} == {running["id"], holding["id"], archived["id"]}
        kept = next(row for row in rows if row.id == holding["id"])
        assert kept.engine_state == {"positions": {"NASDAQ:MSFT": 10}}
        assert kept.last_bar_at == h.clock.now() - timedelta(days=1)
    assert idle["id"] not in {row.id for row in rows}


async def test_engine_error_shows_in_the_api(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    async with transaction(h.runtime.sessions) as session:
        assert not await store.mark_error(session, algorithm["id"], "boom", h.clock.now())
    await command(h, key, algorithm["id"], "start")
    async with transaction(h.runtime.sessions) as session:
        assert await store.mark_error(session, algorithm["id"], "bars missing", h.clock.now())
    shown = (await h.client.get(f"{BASE}/{algorithm['id']}", headers=auth(key))).json()
    assert (shown["status"], shown["active"]) == ("error", False)
    response = await h.client.post(f"{BASE}/{algorithm['id']}/stop", headers=auth(key))
    error_of(response, 422, "UNPROCESSABLE_ENTITY")
