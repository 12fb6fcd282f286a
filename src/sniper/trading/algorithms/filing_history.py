"""Real filing dates for `filing_event` entries in backtests, from EDGAR submissions JSON
(`data.sec.gov/submissions/CIK##########.json`, `filings.recent` plus its older `files` pages;
offline, a stand-in serving `../shared/edgar/submissions/`).

Each filing of a listed form type becomes a `FilingHit` at its acceptance time
(`acceptanceDateTime`, UTC; `filingDate` 00:00 UTC when absent). The engine acts on the first
bar dated on or after it.

A history that does not reach the range is said, never passed off as "no filings": when an
older page the submissions JSON lists (`files[].name`, with `filingFrom` / `filingTo`) cannot
be read and its dates overlap [start, end], the backtest fails (BadRequest naming the page and
its dates) if those pages span the whole range, and otherwise carries a warning. AAPL's
recorded submissions start 2015-03-12: a 2005 AAPL `filing_event` backtest on the bundled
2000-2013 bars fails offline instead of completing with 0 trades, while one on the bundled
2019-2024 AAPL bars (hvsampledata) trades on the recorded filing dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sniper.edgar.errors import EdgarError
from sniper.errors import BadRequest
from sniper.runtime import Runtime
from sniper.trading.algorithms.config import AlgorithmConfig, FilingEventCondition
from sniper.trading.engine.backtest import FilingHit
from sniper.trading.engine.bars import ticker


@dataclass(slots=True)
class FilingHistory:
    """Filings of one backtest: `hits` by acceptance time, `warnings` about parts of the range
    the history does not cover."""

    hits: list[FilingHit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Gap:
    """An older submissions page that could not be read, with the filing dates it holds."""

    page: str
    first: date
    last: date


def filing_form_types(config: AlgorithmConfig) -> set[str]:
    """The form types of the config's `filing_event` entry conditions (upper case)."""
    entry = config.entry_conditions
    conditions = entry.conditions or [] if entry else []
    return {
        form.upper()
        for condition in conditions
        if isinstance(condition, FilingEventCondition)
        for form in condition.form_types
    }


async def backtest_filings(
    runtime: Runtime, config: AlgorithmConfig, start: date, end: date
) -> FilingHistory:
    """Filings of the config's symbols with a `filing_event` form type, accepted within
    [start, end], and warnings for a history that covers only part of it. Raises BadRequest
    when a symbol is not in the ticker catalog, its history misses the whole range (see the
    module docstring) or no submissions source is configured
    (`SNIPER_EDGAR_SUBMISSIONS_BASE_URL`; live mode uses data.sec.gov), EdgarError when
    EDGAR cannot be read."""
    forms = filing_form_types(config)
    history = FilingHistory()
    if not forms:
        return history
    sources = runtime.pipeline
    # A replay's simulated EDGAR knows only the replayed day: no filing history to backtest on.
    simulated = runtime.mode == "replay" and not runtime.settings.edgar_submissions_base_url
    if sources.sec is None or sources.submissions_base is None or simulated:
        raise BadRequest(
            "filing_event backtests need EDGAR submissions JSON: set "
            "SNIPER_EDGAR_SUBMISSIONS_BASE_URL (live mode uses https://data.sec.gov)"
        )
    for symbol in config.symbols or []:
        entry = runtime.catalog.lookup(ticker(symbol))
        if entry is None:
            raise BadRequest(f"{symbol} is not in the SEC ticker catalog", code="UNKNOWN_TICKER")
        filings, gaps = await _submissions(runtime, entry.cik)
        warning = _coverage(symbol, entry.cik, gaps, start, end)
        if warning is not None:
            history.warnings.append(warning)
        for filing in filings:
            hit = _hit(symbol, filing, forms)
            if hit is not None and start <= hit.at.date() <= end:
                history.hits.append(hit)
    history.hits.sort(key=lambda hit: hit.at)
    return history


async def _submissions(runtime: Runtime, cik: int) -> tuple[list[dict[str, Any]], list[_Gap]]:
    """All filings the source has for `cik`, and the older pages it could not read."""
    sec, base = runtime.pipeline.sec, runtime.pipeline.submissions_base
    assert sec is not None
    assert base is not None
    document = json.loads((await sec.get(f"{base}/submissions/CIK{cik:010d}.json")).content)
    filings = _rows(document["filings"]["recent"])
    gaps: list[_Gap] = []
    for page in document["filings"].get("files", []):
        try:
            older = json.loads((await sec.get(f"{base}/submissions/{page['name']}")).content)
        except EdgarError:
            gaps.append(_gap(page, filings))
            continue
        filings += _rows(older)
    return filings, gaps


def _gap(page: dict[str, Any], filings: list[dict[str, Any]]) -> _Gap:
    """The dates of an unreadable page: its `filingFrom` / `filingTo`, else everything before
    the oldest filing that was read."""
    known = [str(f["filingDate"]) for f in filings if f.get("filingDate")]
    last = page.get("filingTo") or (min(known) if known else date.max.isoformat())
    first = page.get("filingFrom") or date.min.isoformat()
    return _Gap(str(page["name"]), date.fromisoformat(first), date.fromisoformat(last))


def _coverage(symbol: str, cik: int, gaps: list[_Gap], start: date, end: date) -> str | None:
    """None when the history covers [start, end]; a warning when it misses part of it.
    Raises BadRequest when the unreadable pages span all of it."""
    missing = [gap for gap in gaps if gap.first <= end and start <= gap.last]
    if not missing:
        return None
    first, last = min(g.first for g in missing), max(g.last for g in missing)
    pages = ", ".join(f"{g.page} (filings {g.first} to {g.last})" for g in missing)
    what = f"filing history of {symbol} (CIK {cik:010d})"
    if first <= start and end <= last:
        raise BadRequest(
            f"The {what} does not cover {start} to {end}: the submissions source has no {pages}",
            code="FILING_HISTORY_MISSING",
            details={"field": "startDate", "missingPages": [g.page for g in missing]},
        )
    return f"the {what} misses {max(first, start)} to {min(last, end)}: no {pages}"


def _rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """EDGAR's column-wise arrays as one dict per filing."""
    names = list(columns)
    return [
        dict(zip(names, values, strict=False)) for values in zip(*columns.values(), strict=False)
    ]


def _hit(symbol: str, filing: dict[str, Any], forms: Iterable[str]) -> FilingHit | None:
    form = str(filing.get("form", "")).upper()
    if form not in forms:
        return None
    accepted = filing.get("acceptanceDateTime")
    if accepted:
        at = datetime.fromisoformat(str(accepted).replace("Z", "+00:00")).astimezone(UTC)
    else:
        day = date.fromisoformat(str(filing["filingDate"]))
        at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return FilingHit(symbol, form, at)
