"""x3algo performance fields from the closed-trade ledger, and the ledger's JSON form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sniper.trading.engine.performance import ClosedTrade, summarize

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _trade(day: int, pnl: float) -> ClosedTrade:
    return ClosedTrade(
        "NASDAQ:MSFT",
        "long",
        10,
        T0,
        100.0,
        T0 + timedelta(days=day),
        100.0 + pnl / 10,
        pnl,
        "take_profit" if pnl > 0 else "stop_loss",
        ("ord_a", "ord_b"),
    )


def test_summary_of_wins_and_losses() -> None:
    # Equity 1000 -> 1100 -> 1045 -> 1145 -> 1145 (break-even) ; worst fall 55 / 1100 = 5 %.
    trades = [_trade(4, 0.0), _trade(2, -55.0), _trade(1, 100.0), _trade(3, 100.0)]
    summary = summarize(trades, initial_balance=1000)
    assert summary == {
        "totalTrades": 4,
        "winningTrades": 2,
        "losingTrades": 1,
        "totalProfit": 200.0,
        "totalLoss": 55.0,
        "netProfit": 145.0,
        "winRate": 50.0,
        "profitFactor": pytest.approx(3.6364),
        "sharpeRatio": summary["sharpeRatio"],
        "maxDrawdown": 5.0,
        "maxDrawdownPercent": 5.0,
        "averageWin": 100.0,
        "averageLoss": 55.0,
        "largestWin": 100.0,
        "largestLoss": 55.0,
        "averageTradeDuration": 2.5 * 24 * 60,  # held 4, 2, 1 and 3 days
        "expectancy": 36.25,  # 145 / 4
        "returnOnInvestment": 14.5,  # 145 / 1000
    }
    # Per-trade returns 100/1000, -55/1100, 100/1045, 0/1145: mean 0.03642, stdev 0.07383.
    assert summary["sharpeRatio"] == pytest.approx(0.4934, abs=1e-4)


def test_summary_without_trades_or_losses() -> None:
    assert summarize([])["winRate"] == 0.0
    only_wins = summarize([_trade(1, 10.0)])
    assert (only_wins["profitFactor"], only_wins["sharpeRatio"]) == (None, None)


def test_closed_trade_json_round_trip_keeps_the_summary() -> None:
    trades = [_trade(1, 12.345678), _trade(2, -3.3333)]
    stored = [t.to_json() for t in trades]
    assert stored[0]["entryAt"] == "2024-01-01T00:00:00Z"
    assert stored[0]["clientOrderIds"] == ["ord_a", "ord_b"]
    restored = [ClosedTrade.from_json(row) for row in stored]
    assert restored == trades
    assert summarize(restored) == summarize(trades)
