"""The bytes a `SimulatedEdgar` answers with: Atom feed pages, Archives header pages, submissions
JSON, and EDGAR's recorded error bodies.

Formats follow the recordings in `shared/edgar/`: `atom/getcurrent_start0.xml` (feed),
`filing_index/0001493152-25-029712-index-headers.html` (header page), `submissions/CIK*.json`
(submissions), `errors/` and `atom/getcurrent_start5100.503.html` (error bodies).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from sniper.edgar.atom import ATOM_NS, FilingEntity, eastern_zone
from sniper.edgar.sim_filings import SimFiling

FEED_HEAD = (
    '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
    f'<feed xmlns="{ATOM_NS}">\n'
    "<title>Latest Filings - {title}</title>\n"
    '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
    '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
    "<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>\n"
    "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>\n"
    "<updated>{updated}</updated>\n"
)
"""The head of a getcurrent feed document, as in the recorded crawl."""

_ARCHIVES = "https://www.sec.gov/Archives/edgar/data"
# role -> (SGML tag, header-text label, data block tag, data block label), as in EDGAR headers
_ROLE_BLOCKS = {
    "Filer": ("FILER", "FILER", "COMPANY-DATA", "COMPANY DATA"),
    "Issuer": ("ISSUER", "ISSUER", "COMPANY-DATA", "COMPANY DATA"),
    "Subject": ("SUBJECT-COMPANY", "SUBJECT COMPANY", "COMPANY-DATA", "COMPANY DATA"),
    "Reporting": ("REPORTING-OWNER", "REPORTING-OWNER", "OWNER-DATA", "OWNER DATA"),
    "Filed by": ("FILED-BY", "FILED BY", "COMPANY-DATA", "COMPANY DATA"),
}
_SUBMISSION_COLUMNS = (
    "accessionNumber", "filingDate", "reportDate", "acceptanceDateTime", "act", "form",
    "fileNumber", "filmNumber", "items", "core_type", "size", "isXBRL", "isInlineXBRL",
    "primaryDocument", "primaryDocDescription",
)  # fmt: skip


def feed_document(now: datetime, entries: Sequence[bytes]) -> bytes:
    """A getcurrent Atom document at `now` (aware) holding `entries` (serialized `<entry>`s) in
    order: ISO-8859-1 declared, ASCII bytes, head as recorded."""
    now_et = now.astimezone(eastern_zone())
    head = FEED_HEAD.format(
        title=now_et.strftime("%a, %d %b %Y %H:%M:%S %Z"),
        updated=now_et.isoformat(timespec="seconds"),
    )
    return b"".join((head.encode("ascii"), b"\n".join(entries), b"\n</feed>\n"))


def feed_entries(filing: SimFiling) -> tuple[bytes, ...]:
    """The filing's `<entry>` elements in feed order: its recorded ones, or one synthesized per
    entity (see `synthesized_entry`)."""
    if filing.raw_entries:
        return filing.raw_entries
    return tuple(synthesized_entry(filing, entity) for entity in filing.entities)


def synthesized_entry(filing: SimFiling, entity: FilingEntity) -> bytes:
    """One `<entry>` in the recorded shape: title `"{form} - {name} ({cik:010d}) ({role})"`, the
    entity's Archives `-index.htm` link, a summary without the size (unknown), `<updated>` =
    acceptance in ET with offset, category term = form, id = the accession URN."""
    acc = filing.accession_number
    accepted_et = filing.accepted_at.astimezone(eastern_zone())
    href = f"{_ARCHIVES}/{entity.cik}/{acc.replace('-', '')}/{acc}-index.htm"
    text = (
        "<entry>\n"
        f"<title>{escape(filing.form_type)} - {escape(entity.name)} "
        f"({entity.cik:010d}) ({escape(entity.role)})</title>\n"
        f'<link rel="alternate" type="text/html" href="{href}"/>\n'
        '<summary type="html">\n'
        f" &lt;b&gt;Filed:&lt;/b&gt; {accepted_et.date().isoformat()} "
        f"&lt;b&gt;AccNo:&lt;/b&gt; {acc}\n"
        "</summary>\n"
        f"<updated>{accepted_et.isoformat(timespec='seconds')}</updated>\n"
        f'<category scheme="https://www.sec.gov/" label="form type" '
        f"term={quoteattr(filing.form_type)}/>\n"
        f"<id>urn:tag:sec.gov,2008:accession-number={acc}</id>\n"
        "</entry>"
    )
    return text.encode("ascii", "xmlcharrefreplace")


def header_page(filing: SimFiling) -> bytes:
    """The Archives `{acc}-index-headers.html` page: an HTML comment holding the `<SEC-HEADER>`
    tag block (acceptance `YYYYMMDDHHMMSS` ET, accession, type, filing date = ET date of
    acceptance, one role block per entity, CIK `%010d`), then the same header as `KEY: value`
    text in `<PRE>` (`<`/`>` escaped), which `sgml.parse_header` reads. No `<DOCUMENT>`s."""
    accepted_et = filing.accepted_at.astimezone(eastern_zone())
    stamp, day = accepted_et.strftime("%Y%m%d%H%M%S"), accepted_et.strftime("%Y%m%d")
    acc, form = filing.accession_number, filing.form_type
    tags = [
        f"<SEC-HEADER>{acc}.hdr.sgml : {day}",
        f"<ACCEPTANCE-DATETIME>{stamp}",
        f"<ACCESSION-NUMBER>{acc}",
        f"<TYPE>{form}",
        "<PUBLIC-DOCUMENT-COUNT>1",
        f"<FILING-DATE>{day}",
        f"<DATE-OF-FILING-DATE-CHANGE>{day}",
    ]
    text = [
        f"<SEC-DOCUMENT>{acc}-index.html : {day}",
        *tags[:2],
        f"ACCESSION NUMBER:\t\t{acc}",
        f"CONFORMED SUBMISSION TYPE:\t{form}",
        "PUBLIC DOCUMENT COUNT:\t\t1",
        f"FILED AS OF DATE:\t\t{day}",
        f"DATE AS OF CHANGE:\t\t{day}",
    ]
    for entity in filing.entities:
        _entity_block(entity, tags, text)
    tags.append("</SEC-HEADER>")
    text += ["</SEC-HEADER>", "</SEC-DOCUMENT>"]
    pre = "\n".join(text).replace("<", "&lt;").replace(">", "&gt;")
    page = (
        f"<HTML><HEAD><TITLE>SEC EDGAR Submission {acc}</TITLE>\n<!--\n"
        + "\n".join(tags)
        + f"\n-->\n</HEAD><BODY>\n<PRE>{pre}</PRE></BODY></HTML>\n"
    )
    return page.encode("latin-1", "xmlcharrefreplace")


def _entity_block(entity: FilingEntity, tags: list[str], text: list[str]) -> None:
    """Append one entity's role block to the SGML `tags` and to the `KEY: value` `text`."""
    tag, label, block, block_label = _ROLE_BLOCKS.get(entity.role, _ROLE_BLOCKS["Filer"])
    tags += [f"<{tag}>", f"<{block}>", f"<CONFORMED-NAME>{entity.name}"]
    tags += [f"<CIK>{entity.cik:010d}", f"</{block}>", f"</{tag}>"]
    text += ["", f"{label}:\t", "", f"\t{block_label}:\t"]
    text += [f"\t\tCOMPANY CONFORMED NAME:\t\t\t{entity.name}"]
    text += [f"\t\tCENTRAL INDEX KEY:\t\t\t{entity.cik:010d}"]


def submissions_document(cik: int, filings: Sequence[SimFiling]) -> bytes:
    """`data.sec.gov/submissions/CIK##########.json` for `cik` listing `filings` (give them
    newest first): `cik` as the real 10-digit string, `name` from the newest filing, empty
    `tickers`, and `filings.recent` parallel arrays in the recorded column order with
    `filingDate` = ET date of acceptance (EDGAR moves filings accepted after 17:30 ET to the next
    business day for some forms; not simulated), `acceptanceDateTime` as
    `2025-12-12T16:05:01.000Z` (UTC), unknown columns empty or 0. Compact JSON, like data.sec.gov.
    """
    columns: dict[str, list[object]] = {name: [] for name in _SUBMISSION_COLUMNS}
    for filing in filings:
        row = _submission_row(filing)
        for name in _SUBMISSION_COLUMNS:
            columns[name].append(row.get(name, ""))
    name = next((e.name for f in filings for e in f.entities if e.cik == cik), "")
    document = {
        "cik": f"{cik:010d}",
        "entityType": "other",
        "name": name,
        "tickers": [],
        "exchanges": [],
        "formerNames": [],
        "filings": {"recent": columns, "files": []},
    }
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _submission_row(filing: SimFiling) -> dict[str, object]:
    accepted = filing.accepted_at
    return {
        "accessionNumber": filing.accession_number,
        "filingDate": accepted.astimezone(eastern_zone()).date().isoformat(),
        "acceptanceDateTime": accepted.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "form": filing.form_type,
        "core_type": filing.form_type,
        "size": 0,
        "isXBRL": 0,
        "isInlineXBRL": 0,
    }


@dataclass(frozen=True, slots=True)
class ErrorBodies:
    """EDGAR's error bodies: `unavailable` (getcurrent past its end, 503 HTML), `access_denied`
    (S3 403 XML for an Archives key that does not exist yet), `no_such_key` (data.sec.gov 404
    XML), `threshold` ("Request Rate Threshold Exceeded" HTML)."""

    unavailable: bytes
    access_denied: bytes
    no_such_key: bytes
    threshold: bytes

    @classmethod
    def recorded(cls, edgar_dir: Path) -> ErrorBodies:
        """Read the recorded bodies from `edgar_dir` (`shared/edgar/`); `FileNotFoundError`
        when one is missing."""
        root = Path(edgar_dir)
        return cls(
            unavailable=(root / "atom/getcurrent_start5100.503.html").read_bytes(),
            access_denied=(
                root / "errors/archives_nonexistent_full-index_2099_QTR1_form.gz.403.0.xml"
            ).read_bytes(),
            no_such_key=(root / "errors/submissions_CIK-000000001.json.404.xml").read_bytes(),
            threshold=(root / "errors/sec_rate_threshold_exceeded.html").read_bytes(),
        )

    @classmethod
    def minimal(cls) -> ErrorBodies:
        """Short stand-ins with the recorded bodies' markers (title, S3 `<Code>`), for when the
        recordings are not at hand."""
        xml = b'<?xml version="1.0" encoding="UTF-8"?>\n'
        return cls(
            unavailable=b"<html><head><title>SEC.gov | File Unavailable</title></head></html>",
            access_denied=xml + b"<Error><Code>AccessDenied</Code>"
            b"<Message>Access Denied</Message></Error>",
            no_such_key=xml + b"<Error><Code>NoSuchKey</Code><Message>The specified key does "
            b"not exist.</Message><Key>submissions/CIK-000000001.json</Key></Error>",
            threshold=b"<html><head><title>SEC.gov | Request Rate Threshold Exceeded</title>"
            b"</head></html>",
        )
