"""Archives probes and the submissions backstop: the two sources besides the feed.

A probe GETs `{archives}/Archives/edgar/data/{cik}/{acc-no-dashes}/{acc}-index-headers.html`
once (no retry): EDGAR serves the folder under each of the filing's CIKs as soon as it is public
(acceptance + 18..43 s, median 28 s, `edgar/timing/`), and before that S3 answers
`AccessDenied` 403 (or `NoSuchKey` 404) — a miss. A hit's SGML header (recorded
`filing_index/*-index-headers.html`) gives form type, acceptance time and every company with its
role, so it fires like a feed entry. A probe whose company is not known (`ANY_CIK`, the
planner's agent sweep) asks the folder named by the accession alone. The backstop reads
`data.sec.gov/submissions/CIK##########.json` of a watched CIK: the accessions it lists teach
the prefixes that CIK files through and, for one not detected yet, a probe of its header gives
the roles to match on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sniper.edgar import sgml
from sniper.edgar.accession import normalize_accession
from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.edgar.client import SecClient
from sniper.edgar.errors import EdgarHTTPError
from sniper.edgar.prefixes import ANY_CIK
from sniper.kit.timefmt import parse_iso

PUBLIC_ARCHIVES = "https://www.sec.gov/Archives/edgar/data"


def headers_url(archives_base: str, cik: int, accession: str) -> str:
    """The `-index-headers.html` URL of `accession` in `cik`'s Archives folder; for `ANY_CIK`,
    the folder named by the accession's 18 digits, which EDGAR serves whoever the filer is."""
    digits = accession.replace("-", "")
    folder = f"{cik}/{digits}" if cik != ANY_CIK else digits
    return f"{archives_base}/Archives/edgar/data/{folder}/{accession}-index-headers.html"


def filing_from_header(
    content: bytes, cik: int, accession: str, source: str
) -> DetectedFiling | None:
    """The filing an `-index-headers.html` page describes, or None when the page lacks the
    accession, form type or acceptance time (or names another accession)."""
    header = sgml.parse_header(content)
    if header.accession_number != accession or not header.form_type:
        return None
    if header.accepted_at is None:
        return None
    digits = accession.replace("-", "")
    if cik == ANY_CIK and header.entities:
        cik = header.entities[0].cik
    return DetectedFiling(
        accession_number=accession,
        form_type=header.form_type,
        accepted_at=header.accepted_at,
        index_url=f"{PUBLIC_ARCHIVES}/{cik}/{digits}/{accession}-index.htm",
        entities=tuple(FilingEntity(e.cik, e.name, e.role) for e in header.entities),
        source=source,
    )


async def probe(
    sec: SecClient, archives_base: str, cik: int, accession: str, source: str = "archives"
) -> DetectedFiling | None:
    """One probe of `accession` under `cik`: the filing when public, None on a miss. Raises
    `RateLimited` (SEC's threshold page)."""
    response = await sec.probe(headers_url(archives_base, cik, accession), source=source)
    if response is None:
        return None
    return filing_from_header(response.content, cik, accession, source)


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of a submissions JSON `filings.recent`: accession, form, acceptance (UTC)."""

    accession_number: str
    form_type: str
    accepted_at: datetime | None


async def submissions(sec: SecClient, base: str, cik: int) -> list[Listed]:
    """The `filings.recent` rows of `cik`, newest first; [] when data.sec.gov has none (404).
    Raises `EdgarUnavailable` / `RateLimited` from the client."""
    try:
        response = await sec.get(f"{base}/submissions/CIK{cik:010d}.json", source="submissions")
    except EdgarHTTPError:
        return []
    return parse_recent(response.content)


def parse_recent(content: bytes) -> list[Listed]:
    """`filings.recent`'s parallel arrays (`accessionNumber`, `form`, `acceptanceDateTime` as
    `2025-12-12T16:05:01.000Z`) as rows; malformed rows are skipped."""
    try:
        recent = json.loads(content)["filings"]["recent"]
        rows = zip(
            recent["accessionNumber"], recent["form"], recent["acceptanceDateTime"], strict=True
        )
    except (ValueError, KeyError, TypeError):
        return []
    found = []
    for accession, form, accepted in rows:
        try:
            found.append(Listed(normalize_accession(str(accession)), str(form), _instant(accepted)))
        except ValueError:
            continue
    return found


def _instant(value: object) -> datetime | None:
    try:
        return parse_iso(str(value))
    except ValueError:
        return None
