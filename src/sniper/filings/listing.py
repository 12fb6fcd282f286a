"""`GET /api/v1/sec/filings` (the list, also at `/api/v1/filings`), `/sec/filings/stats`,
`/sec/forms` and `/sec/forms/{form_type}` over the filings the pipeline stored (filings Sniper
detected; no EDGAR backfill). Never commits.

Source pages: uat.finradarapi.com/docs/sec-filings/sec-filings-api/get-api-v1-sec-filings,
.../get-api-v1-filings, .../get-api-v1-sec-filings-stats, .../get-api-v1-sec-forms,
.../get-api-v1-sec-forms-form-type and uat.finradarapi.com/llms/sec-filings-api.txt.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.edgar.catalog import TickerCatalog
from sniper.errors import BadRequest, NotFound
from sniper.filings import repository as repo
from sniper.filings.funds import cik_or_400
from sniper.filings.schemas import FilingRow, FilingStatsOut, FormTypeOut, ListPagination
from sniper.filings.securities import resolve_ticker
from sniper.models import Filing

_SORT_FIELDS = {"filed_date": "filed_date", "filed_at": "filed_date", "updated_at": "updated_at"}
_DESCRIPTIONS = {
    "3": "Initial Statement of Beneficial Ownership of Securities",
    "4": "Statement of Changes in Beneficial Ownership of Securities",
    "5": "Annual Statement of Changes in Beneficial Ownership of Securities",
    "6-K": "Report of Foreign Private Issuer",
    "8-K": "Current Report",
    "10-K": "Annual Report",
    "10-Q": "Quarterly Report",
    "13F-HR": "Institutional Investment Manager Holdings Report",
    "13F-NT": "Institutional Investment Manager Notice",
    "144": "Notice of Proposed Sale of Securities",
    "20-F": "Annual Report of Foreign Private Issuer",
    "S-1": "Registration Statement",
    "DEF 14A": "Definitive Proxy Statement",
    "SCHEDULE 13D": "Statement of Beneficial Ownership",
    "SCHEDULE 13G": "Statement of Beneficial Ownership by Certain Passive Investors",
}


def parse_sort(raw: str) -> tuple[str, bool]:
    """`field:direction` (`filed_date`, its alias `filed_at`, or `updated_at`; `asc` / `desc`),
    or the shorthand `asc` / `desc` on `filed_date` -> (column, descending). 400 naming `sort`."""
    field, _, direction = raw.strip().lower().rpartition(":")
    if not field and direction in _SORT_FIELDS:
        field, direction = direction, "desc"
    field = field or "filed_date"
    if field not in _SORT_FIELDS or direction not in ("asc", "desc"):
        raise BadRequest(
            f"sort: {raw!r} is not field:direction with field filed_date or updated_at "
            "and direction asc or desc",
            details={"field": "sort"},
        )
    return _SORT_FIELDS[field], direction == "desc"


def parse_day(raw: str | None, field: str) -> date | None:
    """`YYYY-MM-DD` -> date (None when absent); 400 naming `field` for anything else (a bare
    number is not a Unix time here)."""
    if raw is None:
        return None
    text = raw.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{field}: {raw!r} is not a date (YYYY-MM-DD)", details={"field": field}
        ) from None


def _filter_cik(catalog: TickerCatalog, ticker: str | None, cik: str | None) -> int | None:
    """The CIK to filter on: `cik` (1-10 digits) or the ticker's; 400 naming the field."""
    if cik is not None:
        return cik_or_400(cik)
    if ticker is None:
        return None
    canonical = resolve_ticker(catalog, ticker)
    entry = catalog.lookup(canonical)
    if entry is None:
        raise BadRequest(
            f"Unknown ticker: {canonical}", code="UNKNOWN_TICKER", details={"ticker": canonical}
        )
    return entry.cik


def filing_row(catalog: TickerCatalog, filing: Filing) -> FilingRow:
    """One list row: the filer (issuer when there is none), its first ticker, the links."""
    cik = filing.issuer_cik if filing.issuer_cik is not None else filing.filer_cik
    name = filing.issuer_name if filing.issuer_cik is not None else filing.filer_name
    tickers = catalog.tickers_for_cik(cik) if cik is not None else []
    links = [str(d["url"]) for d in filing.documents if d.get("url")]
    html = next((u for u in links if u.lower().endswith((".htm", ".html"))), None)
    return FilingRow(
        accession_number=filing.accession_number,
        cik=None if cik is None else f"{cik:010d}",
        company_name=name,
        ticker=tickers[0] if tickers else None,
        form_type=filing.form_type,
        filed_date=filing.filing_date,
        accepted_at=filing.accepted_at,
        period_of_report=filing.period_of_report,
        primary_link=filing.filing_url,
        primary_html_url=html,
        filing_index_url=filing.index_url,
        all_links=links,
    )


async def filings_page(
    session: AsyncSession,
    catalog: TickerCatalog,
    *,
    ticker: str | None,
    cik: str | None,
    form_type: str | None,
    from_date: str | None,
    to_date: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[list[FilingRow], ListPagination]:
    """One page of stored filings, newest `filed_date` first by default; 400 for a bad
    `sort`, `cik`, an unknown `ticker` (`UNKNOWN_TICKER`) or `from_date` after `to_date`."""
    order = parse_sort(sort)
    first, last = parse_day(from_date, "from_date"), parse_day(to_date, "to_date")
    if first and last and first > last:
        raise BadRequest("from_date: after to_date", details={"field": "from_date"})
    rows, total = await repo.filings_page(
        session,
        cik=_filter_cik(catalog, ticker, cik),
        form_type=form_type.strip().upper() if form_type and form_type.strip() else None,
        from_date=first,
        to_date=last,
        order=order,
        limit=limit,
        offset=offset,
    )
    page = ListPagination(
        total=total, limit=limit, offset=offset, has_more=offset + len(rows) < total
    )
    return [filing_row(catalog, f) for f in rows], page


def _description(form_type: str) -> str:
    root = form_type.removesuffix("/A")
    text = _DESCRIPTIONS.get(root, f"Form {root}")
    return f"{text} (Amendment)" if root != form_type else text


async def form_types(session: AsyncSession) -> list[FormTypeOut]:
    """Every form type among the stored filings, most filed first."""
    return [
        FormTypeOut(
            form_type=form,
            root_form_type=form.removesuffix("/A"),
            description=_description(form),
            filing_count=count,
            first_filed=first,
            last_filed=last,
        )
        for form, count, first, last in await repo.form_type_counts(session)
    ]


async def form_type(session: AsyncSession, raw: str) -> FormTypeOut:
    """One row of `form_types`: the exact form type, else a case-insensitive match (`10-k/a`);
    400 naming `form_type` for a blank one or one over 32 characters (the list's bound), 404
    when no stored filing has it."""
    text = raw.strip()
    if not text or len(text) > 32:
        raise BadRequest("form_type: give 1-32 characters", details={"field": "form_type"})
    forms = await form_types(session)
    found = next((f for f in forms if f.form_type == text), None) or next(
        (f for f in forms if f.form_type.casefold() == text.casefold()), None
    )
    if found is None:
        raise NotFound(f"no stored filing has form type {text!r}", details={"form_type": text})
    return found


async def filing_stats(session: AsyncSession) -> FilingStatsOut:
    """The count of stored filings, the 10 most filed form types and the newest filing date."""
    forms = await form_types(session)
    last = [f.last_filed for f in forms if f.last_filed is not None]
    return FilingStatsOut(
        total_entries=sum(f.filing_count for f in forms),
        top_form_types=forms[:10],
        latest_filing_date=max(last, default=None),
    )
