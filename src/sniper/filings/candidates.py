"""`candidate_urls`: the accession numbers a company's next filing is likely to carry, predicted
at target creation (Finradar seed 001: "range-scan window of predicted filing URLs").

An accession number is `PPPPPPPPPP-YY-NNNNNN`: the CIK of whoever submitted it (the company
itself, an insider filing through the company's account, or a filing agent such as Donnelley
0001193125 or Workiva 0001628280), the year, and that submitter's running sequence for the year.
So the next filing of a company will most likely carry one of the prefixes its recent filings
carry, with a sequence just past the latest one seen this year.

Method, on the company's submissions JSON (`data.sec.gov/submissions/CIK##########.json`,
`filings.recent`): take the prefixes of the filings of the last 365 days, most used first (at
most `MAX_PREFIXES`); for each, the highest sequence number of the current year (of the service
clock) is the base, and the next numbers after it are the candidates: `DENSE_WINDOW` of them for
a dense prefix, one for a sparse one, up to `limit` in all. The company's own CIK with no filing
yet this year starts at 000001.

Limits. A prefix is dense when it numbers mostly this company's filings (the company's own
account: consecutive sequence numbers, median gap <= 2), and then the prediction is good as
long as the submissions JSON is current. A filing agent's prefix is sparse: it numbers the
filings of all its clients, thousands a year, so the company's latest number under it is far
behind the agent's head and "the next number" is a poor guess, kept as a single candidate only so
that the agent appears; a real range scan of an agent needs the agent's own head, which the
company's filings do not give. New agents and the first filing of a year of an agent are not
predicted at all. The list is empty (never null) when the company has no recent filings; it is
null when no submissions source is configured (replay and API-only mode) or the fetch fails or
takes longer than `SNIPER_CANDIDATE_URLS_TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sniper.edgar.client import EdgarError
from sniper.runtime import Runtime

logger = logging.getLogger(__name__)
MAX_PREFIXES = 3
DENSE_WINDOW = 5
SEC_ARCHIVES = "https://www.sec.gov/Archives/edgar/data"


def _recent(document: Any, since: date) -> list[tuple[str, date]]:
    """`(accession, filing date)` of `filings.recent` filed on or after `since`."""
    recent = (document.get("filings") or {}).get("recent") or {}
    numbers, dates = recent.get("accessionNumber") or [], recent.get("filingDate") or []
    rows = []
    for accession, filed in zip(numbers, dates, strict=False):
        try:
            day = date.fromisoformat(filed)
        except (TypeError, ValueError):
            continue
        if isinstance(accession, str) and len(accession) == 20 and day >= since:
            rows.append((accession, day))
    return rows


def _is_dense(prefix: str, cik: int, sequences: list[int]) -> bool:
    if prefix == f"{cik:010d}":
        return True
    ordered = sorted(set(sequences))
    gaps = [b - a for a, b in pairwise(ordered)]
    return bool(gaps) and statistics.median(gaps) <= 2


def predict(document: Any, cik: int, now: datetime, limit: int) -> list[dict[str, str]]:
    """Candidates `[{"accession", "url"}]` (at most `limit`) from a parsed submissions JSON
    `document` of company `cik` at `now` (see the module docstring)."""
    rows = _recent(document, now.date() - timedelta(days=365))
    year = f"{now.year % 100:02d}"
    uses: dict[str, int] = defaultdict(int)
    latest: dict[str, list[int]] = defaultdict(list)
    for accession, _ in rows:
        prefix, yy, sequence = accession.split("-")
        uses[prefix] += 1
        if yy == year and sequence.isdigit():
            latest[prefix].append(int(sequence))
    own = f"{cik:010d}"
    if own not in uses and rows:
        uses[own] = 0  # the company's own account, even if it has not used it lately
    ranked = sorted(uses, key=lambda p: (-uses[p], p != own, p))[:MAX_PREFIXES]
    candidates: list[dict[str, str]] = []
    for prefix in ranked:
        sequences = latest.get(prefix, [])
        if not sequences and prefix != own:
            continue
        base = max(sequences, default=0)
        window = DENSE_WINDOW if _is_dense(prefix, cik, sequences) else 1
        for number in range(base + 1, base + 1 + window):
            accession = f"{prefix}-{year}-{number:06d}"
            folder = f"{SEC_ARCHIVES}/{cik}/{accession.replace('-', '')}/"
            candidates.append({"accession": accession, "url": folder})
    return candidates[:limit]


async def candidate_urls(runtime: Runtime, cik: int, now: datetime) -> list[dict[str, str]] | None:
    """Predicted candidates for a new target on `cik`, or None when no submissions source is
    configured or it does not answer within `SNIPER_CANDIDATE_URLS_TIMEOUT` (never raises)."""
    sources = runtime.pipeline
    limit = runtime.settings.candidate_urls_max
    if sources.sec is None or sources.submissions_base is None or limit == 0:
        return None
    url = f"{sources.submissions_base}/submissions/CIK{cik:010d}.json"
    timeout = runtime.settings.candidate_urls_timeout.total_seconds()
    try:
        response = await asyncio.wait_for(sources.sec.get(url), timeout)
        document = json.loads(response.content)
    except (TimeoutError, EdgarError, ValueError) as exc:
        logger.info("candidate_urls for CIK %s skipped: %s", cik, exc or type(exc).__name__)
        return None
    return predict(document, cik, now, limit)
