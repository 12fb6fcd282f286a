"""`sniper algorithms list` as a user runs it: a real subprocess on a migrated SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sniper.accounts import service as accounts
from sniper.db.engine import create_engine, session_factory
from sniper.db.migrate import upgrade
from sniper.db.session import transaction
from sniper.models import Account
from sniper.trading.algorithms import service as algorithms
from sniper.trading.algorithms import store
from sniper.trading.algorithms.schemas import AlgorithmCreate
from sniper.trading.engine.performance import ClosedTrade
from tests.support.cli import sniper
from tests.trading.algorithms.support import complete

NOW = datetime(2025, 12, 12, 14, 0, tzinfo=UTC)


def _trade(pnl: float, n: int) -> ClosedTrade:
    return ClosedTrade(
        symbol="NASDAQ:MSFT",
        side="long",
        quantity=10,
        entry_at=NOW - timedelta(days=2),
        entry_price=30.0,
        exit_at=NOW - timedelta(days=1, hours=n),
        exit_price=30.0 + pnl / 10,
        pnl=pnl,
        exit_reason="take_profit",
        client_order_ids=(f"a{n}", f"b{n}"),
    )


async def _seed(url: str) -> dict[str, str]:
    """Two accounts with algorithms (one deleted), trades on one; returns ids by name."""
    engine = create_engine(url)
    ids: dict[str, str] = {}
    try:
        async with transaction(session_factory(engine)) as session:
            for name in ("acme", "zeta"):
                await accounts.create_account(
                    session, name=name, plan="paid", tokens=0, admin=False, now=NOW
                )
            owners = {a.name: a for a in (await session.execute(select(Account))).scalars()}
            for owner, name in (("acme", "RSI MSFT"), ("zeta", "Swing IBM"), ("zeta", "Gone")):
                body = AlgorithmCreate.model_validate(complete(name))
                ids[name] = (await algorithms.create(session, owners[owner], body, NOW)).id
            await algorithms.start(session, owners["acme"], ids["RSI MSFT"], NOW)
            await algorithms.delete(session, owners["zeta"], ids["Gone"], NOW)
            trades = [_trade(1_250.5, 1), _trade(-250.0, 2)]
            await store.append_trades(session, ids["RSI MSFT"], trades, now=NOW)
    finally:
        await engine.dispose()
    return ids


def test_algorithms_list(cli_env: dict[str, str]) -> None:
    upgrade(cli_env["SNIPER_DATABASE_URL"])
    ids = asyncio.run(_seed(cli_env["SNIPER_DATABASE_URL"]))
    listed = sniper(cli_env, "algorithms", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    row = next(line for line in lines if ids["RSI MSFT"] in line)
    for cell in ("acme", "RSI MSFT", "active", "momentum", "NASDAQ:MSFT", " 2 ", "1,000.50"):
        assert cell in row, (cell, row)
    assert any(ids["Swing IBM"] in line and "draft" in line for line in lines)
    assert ids["Gone"] not in listed.stdout
    only = sniper(cli_env, "algorithms", "list", "--account", "zeta", "--json")
    assert only.returncode == 0, only.stderr
    assert json.loads(only.stdout) == [
        {
            "id": ids["Swing IBM"],
            "account": "zeta",
            "name": "Swing IBM",
            "status": "draft",
            "strategy_type": "momentum",
            "symbols": ["NASDAQ:MSFT"],
            "trades": 0,
            "pnl": 0.0,
        }
    ]
