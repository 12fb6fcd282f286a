"""EDGAR full submissions: the SGML `.txt` (`<SEC-DOCUMENT>` with a `<SEC-HEADER>` of
`KEY: value` lines) and the PDS-style `.nc` (`<SUBMISSION>` with tag-per-value header), split
into their header and `<DOCUMENT>`s.

Both wrap each document as `<DOCUMENT><TYPE>..<SEQUENCE>..<FILENAME>..[<DESCRIPTION>..]<TEXT>
body</TEXT></DOCUMENT>`; XML bodies are further wrapped in `<XML>..</XML>` (or `<XBRL>`). The
`.txt` puts each tag on its own line; the `.nc` may run them together on one line. EDGAR Filer
Manual vol. II, "EDGAR Public Dissemination Service" (PDS) specification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sniper.edgar.atom import eastern_zone

_DOC = re.compile(rb"<DOCUMENT>(.*?)</DOCUMENT>", re.DOTALL)
_TAG_VALUE = re.compile(rb"<([A-Z][A-Z0-9-]*)>([^<\r\n]*)")
_TEXT = re.compile(rb"<TEXT>(.*?)(?:</TEXT>|\Z)", re.DOTALL)
_WRAPPER = re.compile(rb"^\s*<(XML|XBRL)>(.*?)</\1>\s*$", re.DOTALL)
_HEADER_LINE = re.compile(rb"^([ \t]*)([A-Z][A-Z0-9 ./()-]*?):[ \t]*(.*?)[ \t\r]*$", re.MULTILINE)
_TXT_ROLES = {
    b"FILER": "Filer",
    b"FILED FOR": "Filer",
    b"ISSUER": "Issuer",
    b"SUBJECT COMPANY": "Subject",
    b"REPORTING-OWNER": "Reporting",
    b"FILED BY": "Filed by",
}
_NC_ROLES = {
    b"FILER": "Filer",
    b"ISSUER": "Issuer",
    b"SUBJECT-COMPANY": "Subject",
    b"REPORTING-OWNER": "Reporting",
    b"FILED-BY": "Filed by",
}


@dataclass(frozen=True, slots=True)
class SgmlEntity:
    """One company block of the header: feed-style `role` (Filer, Issuer, Subject, Reporting,
    Filed by), integer `cik`, conformed `name`."""

    role: str
    cik: int
    name: str


@dataclass(frozen=True, slots=True)
class SgmlHeader:
    """The submission header. `accepted_at` is aware UTC (EDGAR stamps ET), dates are calendar
    dates; any field the header lacks is None (the `.nc` has no acceptance time)."""

    accession_number: str | None
    form_type: str | None
    accepted_at: datetime | None
    filing_date: date | None
    period_of_report: date | None
    entities: tuple[SgmlEntity, ...]


@dataclass(frozen=True, slots=True)
class SgmlDocument:
    """One `<DOCUMENT>`: its `type` (e.g. `13F-HR`, `INFORMATION TABLE`), `sequence`,
    `filename`, `description`, and `body` (the `<TEXT>` content without its `<XML>` wrapper)."""

    type: str
    sequence: int | None
    filename: str | None
    description: str | None
    body: bytes


def is_submission(data: bytes) -> bool:
    """True when `data` starts (after whitespace, or after the `-----BEGIN PRIVACY-ENHANCED
    MESSAGE-----` preamble of older filings) like a full submission (`.txt` or `.nc`)."""
    head = data[:4096].lstrip()
    if head.startswith((b"<SEC-DOCUMENT>", b"<SUBMISSION>", b"<SEC-HEADER>", b"<DOCUMENT>")):
        return True
    return head.startswith(b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----") and b"<SEC-HEADER>" in head


def _date(raw: bytes | None) -> date | None:
    text = (raw or b"").strip()[:8]
    try:
        return datetime.strptime(text.decode("ascii"), "%Y%m%d").date() if text else None
    except (ValueError, UnicodeDecodeError):
        return None


def _acceptance(raw: bytes | None) -> datetime | None:
    """`20230323112745` (ET) -> aware UTC."""
    text = (raw or b"").strip()[:14]
    try:
        stamp = datetime.strptime(text.decode("ascii"), "%Y%m%d%H%M%S")
    except (ValueError, UnicodeDecodeError):
        return None
    return stamp.replace(tzinfo=eastern_zone()).astimezone(UTC)


def _text(raw: bytes | None) -> str | None:
    value = (raw or b"").strip().decode("latin-1")
    return value or None


def _header_block(data: bytes) -> bytes:
    end = data.find(b"<DOCUMENT>")
    return data if end < 0 else data[:end]


def parse_header(data: bytes) -> SgmlHeader:
    """Read the header of a `.txt` or `.nc` full submission (see the module docstring)."""
    block = _header_block(data)
    if b"<SEC-HEADER>" in block or b"ACCESSION NUMBER:" in block:
        return _txt_header(block)
    return _nc_header(block)


def _txt_header(block: bytes) -> SgmlHeader:
    fields: dict[bytes, bytes] = {}
    entities: list[SgmlEntity] = []
    role: str | None = None
    name: str | None = None
    for match in _HEADER_LINE.finditer(block):
        at_margin, key, value = not match[1], match[2], match[3]
        if at_margin and key in _TXT_ROLES and not value.strip():
            role, name = _TXT_ROLES[key], None
        elif key == b"COMPANY CONFORMED NAME":
            name = _text(value)
        elif key == b"CENTRAL INDEX KEY" and role is not None and value.strip().isdigit():
            entities.append(SgmlEntity(role, int(value), name or ""))
        elif at_margin:
            fields.setdefault(key, value)
    accepted = re.search(rb"<ACCEPTANCE-DATETIME>\s*(\d{14})", block)
    return SgmlHeader(
        accession_number=_text(fields.get(b"ACCESSION NUMBER")),
        form_type=_text(fields.get(b"CONFORMED SUBMISSION TYPE")),
        accepted_at=_acceptance(accepted[1] if accepted else None),
        filing_date=_date(fields.get(b"FILED AS OF DATE")),
        period_of_report=_date(fields.get(b"CONFORMED PERIOD OF REPORT")),
        entities=tuple(entities),
    )


def _nc_header(block: bytes) -> SgmlHeader:
    fields: dict[bytes, bytes] = {}
    entities: list[SgmlEntity] = []
    role: str | None = None
    name: str | None = None
    for match in re.finditer(rb"<(/?)([A-Z][A-Z0-9-]*)>([^<\r\n]*)", block):
        closing, tag, value = match[1], match[2], match[3]
        if tag in _NC_ROLES:
            role, name = (None, None) if closing else (_NC_ROLES[tag], None)
        elif role is not None and tag == b"CONFORMED-NAME":
            name = _text(value)
        elif role is not None and tag == b"CIK" and value.strip().isdigit():
            entities.append(SgmlEntity(role, int(value), name or ""))
        elif role is None and not closing:
            fields.setdefault(tag, value)
    return SgmlHeader(
        accession_number=_text(fields.get(b"ACCESSION-NUMBER")),
        form_type=_text(fields.get(b"TYPE")),
        accepted_at=_acceptance(fields.get(b"ACCEPTANCE-DATETIME")),
        filing_date=_date(fields.get(b"FILING-DATE")),
        period_of_report=_date(fields.get(b"PERIOD")),
        entities=tuple(entities),
    )


def iter_documents(data: bytes) -> Iterator[SgmlDocument]:
    """The `<DOCUMENT>`s of a full submission in file order, bodies unwrapped."""
    for match in _DOC.finditer(data):
        yield _document(match[1])


def _document(chunk: bytes) -> SgmlDocument:
    text = _TEXT.search(chunk)
    head = chunk[: text.start()] if text else chunk
    tags = dict(_TAG_VALUE.findall(head))
    body = text[1] if text else b""
    wrapped = _WRAPPER.match(body)
    body = wrapped[2].strip() if wrapped else body.strip()
    sequence = (tags.get(b"SEQUENCE") or b"").strip()
    return SgmlDocument(
        type=_text(tags.get(b"TYPE")) or "",
        sequence=int(sequence) if sequence.isdigit() else None,
        filename=_text(tags.get(b"FILENAME")),
        description=_text(tags.get(b"DESCRIPTION")),
        body=body,
    )
