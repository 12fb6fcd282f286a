"""The 13F primary document (`primary_doc.xml`, root `edgarSubmission` in the
`http://www.sec.gov/edgar/thirteenffiler` namespace): cover page and summary page.

EDGAR Form 13F XML technical specification: `headerData/submissionType` is the form
(`13F-HR`, `13F-HR/A`, `13F-NT`, `13F-NT/A`, `13F-CTR`, ...); `coverPage/reportType` is
`13F HOLDINGS REPORT`, `13F NOTICE` or `13F COMBINATION REPORT`; an amendment carries
`coverPage/isAmendment`, `amendmentNo` and `amendmentInfo/amendmentType` (`RESTATEMENT` or
`NEW HOLDINGS`); `summaryPage/tableEntryTotal` and `tableValueTotal` total the information table
in the table's own unit. Dates are `MM-DD-YYYY`. Documents submitted through EDGARLink Online
(SEC's samples) embed the information table base64-encoded in `documents/document/contents`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

NOTICE_REPORT = "13F NOTICE"


class DocumentError(ValueError):
    """A document that is not the XML it should be (not well-formed, wrong root element)."""


@dataclass(frozen=True, slots=True)
class EmbeddedDocument:
    """A document embedded in an EDGARLink submission: file name, EDGAR type, decoded bytes."""

    name: str | None
    type: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class CoverPage:
    """What a 13F primary document says about its filing; absent fields are None.

    `table_value_total` is as filed (dollars from 2023-01-03, thousands before, and filers err
    both ways); `signature_date` is the closest thing to a filing date the document itself has.
    """

    submission_type: str | None
    filer_cik: int | None
    period_of_report: date | None
    report_calendar_or_quarter: date | None
    report_type: str | None
    is_amendment: bool
    amendment_no: int | None
    amendment_type: str | None
    manager_name: str | None
    signature_date: date | None
    other_included_managers_count: int | None
    table_entry_total: int | None
    table_value_total: int | None
    embedded: tuple[EmbeddedDocument, ...] = ()

    @property
    def is_notice(self) -> bool:
        """13F-NT (and /A): the holdings are reported by other managers; no table."""
        form = (self.submission_type or "").upper()
        return form.startswith("13F-NT") or (self.report_type or "").upper() == NOTICE_REPORT


def xml_root(data: bytes) -> etree._Element:
    """Parse a small XML document, tolerating whitespace before `<?xml` (real filings have a
    blank line there). No DTD, entity or network resolution; `DocumentError` if not XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data.lstrip(), parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise DocumentError("empty XML document")
    return root


def local_name(tag: object) -> str:
    """`{namespace}name` or `prefix`-free `name` -> `name` ('' for comments and PIs)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(root: etree._Element, path: str) -> str | None:
    """Text of the first element at `path` (local names joined by `/`, any namespace)."""
    found = root.find("/".join(f"{{*}}{step}" for step in path.split("/")))
    text = found.text if found is not None else None
    return text.strip() if text and text.strip() else None


def _date(text: str | None) -> date | None:
    for pattern in ("%m-%d-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text or "", pattern).date()
        except ValueError:
            continue
    return None


def _int(text: str | None) -> int | None:
    try:
        return int(Decimal((text or "").replace(",", "").strip()))
    except (InvalidOperation, ValueError):
        return None


def parse_cover(data: bytes) -> CoverPage:
    """Read a 13F primary document; raises `DocumentError` unless its root is
    `edgarSubmission`. Missing or malformed fields are None, never an error."""
    root = xml_root(data)
    if local_name(root.tag) != "edgarSubmission":
        raise DocumentError(f"not a 13F primary document (root {local_name(root.tag)!r})")
    cik = _find(root, "headerData/filerInfo/filer/credentials/cik")
    is_amendment = (_find(root, "formData/coverPage/isAmendment") or "").lower() in ("true", "y")
    amendment_type = _find(root, "formData/coverPage/amendmentInfo/amendmentType")
    return CoverPage(
        submission_type=_find(root, "headerData/submissionType"),
        filer_cik=int(cik) if cik and cik.isdigit() else None,
        period_of_report=_date(_find(root, "headerData/filerInfo/periodOfReport")),
        report_calendar_or_quarter=_date(_find(root, "formData/coverPage/reportCalendarOrQuarter")),
        report_type=_find(root, "formData/coverPage/reportType"),
        is_amendment=is_amendment or amendment_type is not None,
        amendment_no=_int(_find(root, "formData/coverPage/amendmentNo")),
        amendment_type=amendment_type.upper() if amendment_type else None,
        manager_name=_find(root, "formData/coverPage/filingManager/name"),
        signature_date=_date(_find(root, "formData/signatureBlock/signatureDate")),
        other_included_managers_count=_int(
            _find(root, "formData/summaryPage/otherIncludedManagersCount")
        ),
        table_entry_total=_int(_find(root, "formData/summaryPage/tableEntryTotal")),
        table_value_total=_int(_find(root, "formData/summaryPage/tableValueTotal")),
        embedded=tuple(_embedded(root)),
    )


def _embedded(root: etree._Element) -> list[EmbeddedDocument]:
    documents = []
    for element in root.iterfind("{*}documents/{*}document"):
        contents = _find(element, "contents")
        if contents is None:
            continue
        try:
            body = base64.b64decode(contents, validate=False)
        except (binascii.Error, ValueError):
            continue
        name = _find(element, "conformedName")
        documents.append(EmbeddedDocument(name, _find(element, "conformedDocumentType"), body))
    return documents
