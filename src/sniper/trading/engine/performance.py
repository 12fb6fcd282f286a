"""The closed-trade ledger and x3algo's `performance` fields computed from it.

`ClosedTrade` is what the engine emits when a position closes (fully or partly) and what the
database stores; `summarize` turns any list of them into the x3algo block, so the numbers
survive stop, restart and process restart as long as the ledger does.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sniper.kit.timefmt import iso_z, parse_iso

DEFAULT_BALANCE = 100_000.0
Side = Literal["long", "short"]


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    """One closed (part of a) position. `quantity` in shares; prices are fill prices (after
    slippage) in the quote currency; `pnl` = (exit - entry) x quantity for a long, (entry -
    exit) x quantity for a short, no fees; `exitReason` stop_loss | trailing_stop | take_profit
    | time_exit | opposite_signal | end_of_backtest; `clientOrderIds` (entry, exit)."""

    symbol: str
    side: Side
    quantity: int
    entry_at: datetime
    entry_price: float
    exit_at: datetime
    exit_price: float
    pnl: float
    exit_reason: str
    client_order_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """camelCase JSON: times ISO 8601 UTC with `Z` (seconds), prices and pnl unrounded so a
        stored ledger summarises to the same numbers."""
        return {
            "symbol": self.symbol,
            "side": self.side,
            "quantity": self.quantity,
            "entryAt": iso_z(self.entry_at),
            "entryPrice": self.entry_price,
            "exitAt": iso_z(self.exit_at),
            "exitPrice": self.exit_price,
            "pnl": self.pnl,
            "exitReason": self.exit_reason,
            "clientOrderIds": list(self.client_order_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClosedTrade:
        """The inverse of `to_json`. Raises KeyError / ValueError for a malformed record."""
        side = data["side"]
        if side not in ("long", "short"):
            raise ValueError(f"unknown trade side {side!r}")
        return cls(
            symbol=str(data["symbol"]),
            side=side,
            quantity=int(data["quantity"]),
            entry_at=parse_iso(data["entryAt"]),
            entry_price=float(data["entryPrice"]),
            exit_at=parse_iso(data["exitAt"]),
            exit_price=float(data["exitPrice"]),
            pnl=float(data["pnl"]),
            exit_reason=str(data["exitReason"]),
            client_order_ids=tuple(str(i) for i in data["clientOrderIds"]),
        )


def summarize(
    trades: Iterable[ClosedTrade], *, initial_balance: float = DEFAULT_BALANCE
) -> dict[str, Any]:
    """x3algo `performance` from closed trades (any order; taken by exit time):

    - `totalTrades`, `winningTrades` (pnl > 0), `losingTrades` (pnl < 0; break-even is neither);
    - `totalProfit` sum of wins, `totalLoss` sum of losses as a positive amount, `netProfit`,
      `averageWin`, `averageLoss` (positive): account currency, rounded to cents, 0 when none;
    - `winRate` in % (0-100, 2 decimals), 0 with no trades;
    - `profitFactor` totalProfit / totalLoss (4 decimals), null when there is no loss;
    - `sharpeRatio` mean / sample standard deviation of per-trade returns (pnl over the realised
      equity before the trade), not annualised, 4 decimals, null with < 2 trades or no spread;
    - `maxDrawdown` the largest fall of realised equity (`initial_balance` + cumulative pnl)
      from its running peak, in % of that peak (2 decimals), 0 with no losses;
      `maxDrawdownPercent` the same number (x3algo's results page shows both);
    - `largestWin` the best trade's pnl, `largestLoss` the worst trade's loss as a positive
      amount (0 when none), `expectancy` netProfit per trade: account currency, cents;
    - `averageTradeDuration` mean holding time in minutes (entry to exit, 2 decimals), 0 with
      no trades;
    - `returnOnInvestment` netProfit in % of `initial_balance` (2 decimals).
    """
    ordered = sorted(trades, key=lambda t: t.exit_at)
    wins = [t.pnl for t in ordered if t.pnl > 0]
    losses = [-t.pnl for t in ordered if t.pnl < 0]
    profit, loss = sum(wins), sum(losses)
    return {
        "totalTrades": len(ordered),
        "winningTrades": len(wins),
        "losingTrades": len(losses),
        "totalProfit": round(profit, 2),
        "totalLoss": round(loss, 2),
        "netProfit": round(profit - loss, 2),
        "winRate": round(100 * len(wins) / len(ordered), 2) if ordered else 0.0,
        "profitFactor": round(profit / loss, 4) if loss > 0 else None,
        "sharpeRatio": _sharpe(ordered, initial_balance),
        "maxDrawdown": _max_drawdown(ordered, initial_balance),
        "maxDrawdownPercent": _max_drawdown(ordered, initial_balance),
        "averageWin": round(profit / len(wins), 2) if wins else 0.0,
        "averageLoss": round(loss / len(losses), 2) if losses else 0.0,
        "largestWin": round(max(wins), 2) if wins else 0.0,
        "largestLoss": round(max(losses), 2) if losses else 0.0,
        "averageTradeDuration": _average_minutes(ordered),
        "expectancy": round((profit - loss) / len(ordered), 2) if ordered else 0.0,
        "returnOnInvestment": (
            round((profit - loss) / initial_balance * 100, 2) if initial_balance > 0 else 0.0
        ),
    }


def _average_minutes(ordered: list[ClosedTrade]) -> float:
    if not ordered:
        return 0.0
    held = sum((t.exit_at - t.entry_at).total_seconds() for t in ordered)
    return round(held / 60 / len(ordered), 2)


def _sharpe(ordered: list[ClosedTrade], initial_balance: float) -> float | None:
    equity, returns = initial_balance, []
    for trade in ordered:
        returns.append(trade.pnl / equity if equity > 0 else 0.0)
        equity += trade.pnl
    if len(returns) < 2:
        return None
    spread = statistics.stdev(returns)
    return round(statistics.fmean(returns) / spread, 4) if spread > 0 else None


def _max_drawdown(ordered: list[ClosedTrade], initial_balance: float) -> float:
    return max_drawdown_percent(
        [initial_balance] + [initial_balance + s for s in _running(t.pnl for t in ordered)]
    )


def _running(values: Iterable[float]) -> list[float]:
    total, sums = 0.0, []
    for value in values:
        total += value
        sums.append(total)
    return sums


def max_drawdown_percent(equity: Iterable[float]) -> float:
    """The largest peak-to-trough fall of an equity series in % of the peak (2 decimals)."""
    peak, worst = None, 0.0
    for value in equity:
        peak = value if peak is None or value > peak else peak
        if peak > 0:
            worst = max(worst, (peak - value) / peak * 100)
    return round(worst, 2)
