"""Backtests on the real sample bars: filing-triggered entries on the right bar, the results
block, equity curve and progress; paper-mode filings; position sizing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sniper.trading.algorithms.config import PositionSizing, RiskParameters
from sniper.trading.engine.backtest import FilingHit, run_backtest
from sniper.trading.engine.events import OrderPlaced
from sniper.trading.engine.marketdata import sample_bars
from sniper.trading.engine.sizing import quantity
from tests.trading.engine.factories import config, engine, flat

FILING_8K = config(
    {
        "symbols": ["NASDAQ:MSFT"],
        "entryConditions": {"conditions": [{"type": "filing_event", "formTypes": ["8-K"]}]},
        "exitConditions": {"timeBasedExit": {"maxBars": 3}},
    }
)


def _adjustment(symbol: str, day: date) -> float:
    """The sample's Adj Close / Close of `symbol` on `day`."""
    raw = {b.at.date(): b.close for b in sample_bars(symbol, adjusted=False)}
    adjusted = {b.at.date(): b.close for b in sample_bars(symbol)}
    return adjusted[day] / raw[day]


async def test_filing_event_enters_on_the_first_bar_on_or_after_the_filing_date() -> None:
    hits = [
        FilingHit("MSFT", "8-K", datetime(2010, 5, 1, 21, 5, tzinfo=UTC)),  # a Saturday
        FilingHit("MSFT", "10-Q", datetime(2010, 6, 1, 20, 0, tzinfo=UTC)),  # not watched
        FilingHit("MSFT", "8-K", datetime(2009, 12, 1, tzinfo=UTC)),  # before the start
    ]
    progress: list[tuple[int, int]] = []
    result = await run_backtest(
        FILING_8K,
        {"NASDAQ:MSFT": sample_bars("NASDAQ:MSFT")},
        start=date(2010, 1, 1),
        end=date(2010, 12, 31),
        initial_balance=10_000,
        filings=hits,
        progress=lambda done, total: progress.append((done, total)),
    )
    placed = [e for e in result.events if isinstance(e, OrderPlaced) and e.intent == "entry"]
    assert [e.at.date() for e in placed] == [date(2010, 5, 3)]  # signal at Monday's close
    (trade,) = result.trades
    # The next open: 30.52 raw, scaled by that day's Adj Close / Close (the sample is adjusted).
    factor = _adjustment("MSFT", date(2010, 5, 4))
    assert trade.entry_at.date() == date(2010, 5, 4)
    assert trade.entry_price == pytest.approx(30.52 * factor)
    # 2010-05-06, the flash crash: the 5 % stop fills at its price before the 3-bar time exit.
    assert (trade.exit_reason, trade.exit_at.date()) == ("stop_loss", date(2010, 5, 6))
    assert trade.exit_price == pytest.approx(30.52 * factor * 0.95)
    assert len(result.equity_curve) == result.results["bars"] == 252
    assert result.equity_curve[0] == {"date": "2010-01-04", "balance": 10_000.0}
    assert result.results["finalBalance"] == pytest.approx(10_000 + trade.pnl, abs=0.01)
    assert result.results["totalTrades"] == 1
    assert progress[-1] == (252, 252)
    assert set(result.to_json()) == {"results", "equityCurve", "trades"}


async def test_paper_filing_hit_enters_on_the_next_bar_for_its_ticker() -> None:
    cfg = config(
        {"entryConditions": {"conditions": [{"type": "filing_event", "formTypes": ["8-K"]}]}}
    )
    algo = engine(cfg)
    assert await algo.on_bar(flat(0, 50)) == []
    assert algo.on_filing("TEST", "8-k", datetime(2030, 1, 1, tzinfo=UTC))
    assert not algo.on_filing("OTHER", "8-K", datetime(2030, 1, 1, tzinfo=UTC))
    assert [e.kind for e in await algo.on_bar(flat(1, 50))] == ["order_placed"]
    assert [e.kind for e in await algo.on_bar(flat(2, 50))] == ["order_filled"]


@pytest.mark.parametrize(
    ("method", "value", "cap", "shares"),
    [
        ("percentage", 10, None, 100),  # 10 % of 100,000 at 100
        ("fixed_quantity", 7, None, 7),
        ("fixed_amount", 2_550, None, 25),
        ("risk_based", 1, None, 200),  # 1,000 risked over a 5.00 stop distance
        ("risk_based", 1, 5, 50),  # capped at 5 % of equity
    ],
)
def test_position_sizing(method: str, value: float, cap: float | None, shares: int) -> None:
    sizing = PositionSizing.model_validate({"method": method, "value": value})
    risk = RiskParameters.model_validate({"maxPositionSize": cap} if cap else {})
    assert quantity(sizing, risk, equity=100_000, price=100, stop_distance=5) == shares


async def test_a_range_without_bars_is_an_error_naming_the_range_and_the_bars() -> None:
    with pytest.raises(
        ValueError, match="no bars for NASDAQ:MSFT from 2015-01-01 to 2015-12-31"
    ) as e:
        await run_backtest(
            FILING_8K,
            {"NASDAQ:MSFT": sample_bars("NASDAQ:MSFT")},
            start=date(2015, 1, 1),
            end=date(2015, 12, 31),
            initial_balance=10_000,
        )
    assert "(its bars run from 2000-03-01 to 2013-03-01)" in str(e.value)


async def test_bars_covering_part_of_the_range_warn_and_name_the_adjustment() -> None:
    result = await run_backtest(
        FILING_8K,
        {"NASDAQ:MSFT": sample_bars("NASDAQ:MSFT")},
        start=date(2012, 1, 1),
        end=date(2013, 12, 31),
        initial_balance=10_000,
        price_adjustment={"NASDAQ:MSFT": "splits_and_dividends"},
        warnings=["from the caller"],
    )
    assert result.results["warnings"] == [
        "from the caller",
        "bars for NASDAQ:MSFT cover only 2012-01-03 to 2013-03-01 of 2012-01-01 to 2013-12-31",
    ]
    assert result.results["priceAdjustment"] == {"NASDAQ:MSFT": "splits_and_dividends"}
    whole = await run_backtest(
        FILING_8K,
        {"NASDAQ:MSFT": sample_bars("NASDAQ:MSFT")},
        start=date(2012, 1, 1),  # a holiday: the first bar is 2012-01-03, no warning
        end=date(2012, 12, 31),
        initial_balance=10_000,
    )
    assert whole.results["warnings"] == []
    assert "priceAdjustment" not in whole.results
