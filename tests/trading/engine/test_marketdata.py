"""Market data: the bundled real daily bars and the CSV loader's errors."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sniper.trading.engine.bars import Bar
from sniper.trading.engine.marketdata import load_csv, price_adjustment, sample_bars


def test_sample_bars_are_the_real_msft_daily_bars() -> None:
    bars = sample_bars("NASDAQ:MSFT", adjusted=False)
    assert len(bars) == 3270
    first = bars[0]
    assert (first.symbol, first.at) == ("NASDAQ:MSFT", datetime(2000, 3, 1, tzinfo=UTC))
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        89.62,
        94.09,
        88.94,
        90.81,
        53444900,
    )
    assert bars[-1].at == datetime(2013, 3, 1, tzinfo=UTC)
    assert all(a.at < b.at for a, b in itertools.pairwise(bars))
    assert sample_bars("MSFT")[0].symbol == "MSFT"


def test_sample_bars_are_adjusted_by_adj_close_over_close() -> None:
    """Row 2000-03-01 of MSFT: Close 90.81, Adj Close 30.225709797294 (the 2003 split and the
    dividends since), so every price is scaled by 30.2257.../90.81 and the volume divided by
    it; the adjusted close is the sample's Adj Close."""
    raw, adjusted = sample_bars("MSFT", adjusted=False)[0], sample_bars("MSFT")[0]
    factor = adjusted.close / raw.close
    assert adjusted.close == pytest.approx(30.225709797294)
    assert (adjusted.open, adjusted.high, adjusted.low) == pytest.approx(
        (89.62 * factor, 94.09 * factor, 88.94 * factor)
    )
    assert adjusted.volume == round(53444900 / factor)
    assert len(sample_bars("MSFT")) == 3270


def _changes(bars: list[Bar]) -> dict[date, float]:
    """Close-to-close change into each day, in %."""
    return {b.at.date(): (b.close / a.close - 1) * 100 for a, b in itertools.pairwise(bars)}


def test_aapls_2005_split_is_no_crash_in_the_adjusted_bars() -> None:
    """AAPL split 2:1 on 2000-06-21 and 2005-02-28: the raw closes fall 45 % and 50 % there;
    the adjusted series shows the real moves of those days. The one fall of more than 40 %
    left is real: the 2000-09-29 profit warning (-51.9 %)."""
    raw = _changes(sample_bars("NASDAQ:AAPL", adjusted=False))
    adjusted = _changes(sample_bars("NASDAQ:AAPL"))
    assert raw[date(2005, 2, 28)] == pytest.approx(-49.59, abs=0.01)
    assert adjusted[date(2005, 2, 28)] == pytest.approx(0.82, abs=0.01)
    assert [day for day, change in raw.items() if change < -40] == [
        date(2000, 6, 21),
        date(2000, 9, 29),
        date(2005, 2, 28),
    ]
    assert [day for day, change in adjusted.items() if change < -40] == [date(2000, 9, 29)]


def test_aapls_newer_part_is_hvsampledatas_real_2019_2024_bars() -> None:
    """hvsampledata's AAPL: 1,509 bars, 2019-01-02 to 2024-12-30, Yahoo's split-adjusted
    prices (2019-01-02 closed at 157.92 before the 2020 4:1 split: 39.48 here), adjusted for
    dividends by adj_close / close (37.62 / 39.48); no -75 % bar at the 2020-08-31 split."""
    start, end = date(2019, 1, 1), date(2024, 12, 31)
    raw = sample_bars("NASDAQ:AAPL", adjusted=False, start=start, end=end)
    adjusted = sample_bars("NASDAQ:AAPL", start=start, end=end)
    assert len(raw) == len(adjusted) == 1509
    assert (raw[0].at, raw[-1].at) == (
        datetime(2019, 1, 2, tzinfo=UTC),
        datetime(2024, 12, 30, tzinfo=UTC),
    )
    first = raw[0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        38.72,
        39.71,
        38.56,
        39.48,
        148158800,
    )
    assert adjusted[0].close == pytest.approx(37.62)
    assert adjusted[0].volume == round(148158800 / (37.62 / 39.48))
    assert _changes(adjusted)[date(2020, 8, 31)] == pytest.approx(3.39, abs=0.01)
    assert min(_changes(adjusted).values()) > -15  # 2020-03-16: -12.9 %, the worst day


def test_a_range_picks_the_aapl_part_it_falls_in() -> None:
    def span(**kwargs: date) -> tuple[date, date]:
        bars = sample_bars("AAPL", **kwargs)
        return bars[0].at.date(), bars[-1].at.date()

    old, new = (date(2000, 3, 1), date(2013, 3, 1)), (date(2019, 1, 2), date(2024, 12, 30))
    assert span() == old
    assert span(start=date(2005, 1, 1), end=date(2016, 12, 31)) == old
    assert span(start=date(2014, 1, 1), end=date(2020, 12, 31)) == new
    assert span(start=date(2025, 1, 1)) == new  # after both: the backtest says so
    with pytest.raises(ValueError, match="2012-01-01 to 2020-12-31 reaches into two"):
        sample_bars("AAPL", start=date(2012, 1, 1), end=date(2020, 12, 31))
    assert span(start=date(2019, 1, 1)) == new


def test_price_adjustment_names_the_source(tmp_path: Path) -> None:
    (tmp_path / "ABC.csv").write_text("date,open,high,low,close,volume\n2024-01-02,1,2,1,1,5\n")
    assert price_adjustment("NASDAQ:AAPL", tmp_path) == "splits_and_dividends"
    assert price_adjustment("NYSE:ABC", tmp_path) == "as_provided"
    assert price_adjustment("ABC") == "splits_and_dividends"


def test_unknown_sample_ticker_names_the_available_ones() -> None:
    with pytest.raises(ValueError, match="AAPL, FB, GOOG, IBM, MSFT"):
        sample_bars("NASDAQ:TSLA")


def test_csv_loader_reads_any_header_case_and_datetimes(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(
        "Datetime,Open,HIGH,low,Close,Volume,extra\n"
        "2024-01-02T14:30:00-05:00,10,11,9.5,10.5,1000,x\n"
        "2024-01-03,10.5,12,10,11.5,2000.0,y\n"
    )
    bars = load_csv(path, "NYSE:ABC")
    assert [b.at for b in bars] == [
        datetime(2024, 1, 2, 19, 30, tzinfo=UTC),
        datetime(2024, 1, 3, tzinfo=UTC),
    ]
    assert (bars[1].close, bars[1].volume, bars[1].symbol) == (11.5, 2000, "NYSE:ABC")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("date,open,high,low,close\n", "line 1: missing column(s) volume"),
        ("day,open,high,low,close,volume\n", "line 1: missing column(s) date"),
        (
            "date,open,high,low,close,volume\n2024-01-02,1,2,1,abc,5\n",
            "line 2: column close: 'abc'",
        ),
        ("date,open,high,low,close,volume\n2024-13-02,1,2,1,1,5\n", "line 2: column date"),
        (
            "date,open,high,low,close,volume\n2024-01-02,1,2,1,1,5\n2024-01-02,1,2,1,1,5\n",
            "line 3: column date: not after the previous row",
        ),
        ("date,open,high,low,close,volume\n2024-01-02,1,0.5,1,1,5\n", "line 2: column high"),
        ("date,open,high,low,close,volume\n2024-01-02,1,2,1,1,-5\n", "line 2: column volume"),
        ("date,open,high,low,close,volume\n2024-01-02,1,2,,1,5\n", "line 2: column low: missing"),
    ],
)
def test_csv_loader_names_line_and_column_of_bad_rows(
    tmp_path: Path, rows: str, message: str
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(rows)
    with pytest.raises(ValueError, match=r"bars\.csv") as caught:
        load_csv(path, "ABC")
    assert message in str(caught.value)
