"""Real filing dates for `filing_event` entries in backtests, from EDGAR submissions JSON
(`data.sec.gov/submissions/CIK##########.json`, `filings.recent` plus its older `files` pages;
offline, a stand-in serving `../shared/edgar/submissions/`).

Each filing of a listed form type becomes a `FilingHit` at its acceptance time
(`acceptanceDateTime`, UTC; `filingDate` 00:00 UTC when absent). The engine acts on the first
bar dated on or after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sniper.edgar.errors import EdgarError
from sniper.errors import BadRequest
from sniper.runtime import Runtime
from sniper.trading.algorithms.config import AlgorithmConfig, FilingEventCondition
from sniper.trading.engine.backtest import FilingHit
from sniper.trading.engine.bars import ticker


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
) -> list[FilingHit]:
    """Filings of the config's symbols with a `filing_event` form type, accepted within
    [start, end]. Raises BadRequest when a symbol is not in the ticker catalog or no
    submissions source is configured (`SNIPER_EDGAR_SUBMISSIONS_BASE_URL`; live mode uses
    data.sec.gov), EdgarError when EDGAR cannot be read."""
    forms = filing_form_types(config)
    if not forms:
        return []
    sources = runtime.pipeline
    if sources.sec is None or sources.submissions_base is None:
        raise BadRequest(
            "filing_event backtests need EDGAR submissions JSON: set "
            "SNIPER_EDGAR_SUBMISSIONS_BASE_URL (live mode uses https://data.sec.gov)"
        )
    hits: list[FilingHit] = []
    for symbol in config.symbols or []:
        entry = runtime.catalog.lookup(ticker(symbol))
        if entry is None:
            raise BadRequest(f"{symbol} is not in the SEC ticker catalog", code="UNKNOWN_TICKER")
        for filing in await _submissions(runtime, entry.cik):
            hit = _hit(symbol, filing, forms)
            if hit is not None and start <= hit.at.date() <= end:
                hits.append(hit)
    return sorted(hits, key=lambda hit: hit.at)


async def _submissions(runtime: Runtime, cik: int) -> list[dict[str, Any]]:
    sec, base = runtime.pipeline.sec, runtime.pipeline.submissions_base
    assert sec is not None
    assert base is not None
    document = json.loads((await sec.get(f"{base}/submissions/CIK{cik:010d}.json")).content)
    filings = _rows(document["filings"]["recent"])
    for page in document["filings"].get("files", []):
        try:
            older = json.loads((await sec.get(f"{base}/submissions/{page['name']}")).content)
        except EdgarError:
            continue  # an older page the source does not have: its filings are left out
        filings += _rows(older)
    return filings


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
