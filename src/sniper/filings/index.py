"""EDGAR filing index pages (`{folder}/{accession}-index.htm`, "Filing Detail") and the
folder listing `{folder}/index.json`.

The page carries the form (`#formName`: "Form 8-K - Current report"), `infoHead`/`info` pairs
(Filing Date, Accepted as ET `YYYY-MM-DD HH:MM:SS`, Period of Report), one `table.tableFile` per
group ("Document Format Files", "Data Files") with rows Seq / Description / Document (a link,
inline-XBRL ones through `/ix?doc=`) / Type / Size in bytes, and one `companyName` per entity:
"NAME (Role) CIK: 0001045810", Role being Filer, Filed for, Issuer, Subject, Reporting or
Filed by. `index.json` is `{"directory": {"item": [{"name", "size", "last-modified", ..}]}}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lxml import html

from sniper.edgar.atom import eastern_zone
from sniper.filings.cover import DocumentError

SEC_ORIGIN = "https://www.sec.gov"
_ENTITY = re.compile(
    r"^(?P<name>.*)\((?P<role>Filer|Filed for|Filed by|Issuer|Subject|Reporting)\)\s*"
    r"CIK:\s*(?P<cik>\d{1,10})",
    re.DOTALL,
)
_ROLES = {"Filed for": "Filer"}


@dataclass(frozen=True, slots=True)
class IndexDocument:
    """One document of a filing: `url` is the public www.sec.gov Archives URL; `size` bytes."""

    sequence: int | None
    description: str | None
    filename: str
    type: str | None
    size: int | None
    url: str

    def as_dict(self) -> dict[str, object]:
        return {
            "sequence": self.sequence,
            "description": self.description,
            "filename": self.filename,
            "type": self.type,
            "size": self.size,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class IndexPage:
    """What a filing index page says; fields the page lacks are None."""

    accession_number: str | None
    form_type: str | None
    filing_date: date | None
    accepted_at: datetime | None
    period_of_report: date | None
    documents: tuple[IndexDocument, ...]
    entities: tuple[tuple[str, int, str], ...]  # (role, cik, name)


def _text(element: html.HtmlElement | None) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def _by_id(root: html.HtmlElement, element_id: str) -> html.HtmlElement | None:
    found = root.xpath(f"//*[@id='{element_id}']")
    return found[0] if isinstance(found, list) and found else None


def _info(root: html.HtmlElement) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for head in root.find_class("infoHead"):
        value = head.getnext()
        if value is not None and "info" in (value.get("class") or "").split():
            pairs.setdefault(_text(head), _text(value))
    return pairs


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _accepted(text: str | None) -> datetime | None:
    try:
        stamp = datetime.strptime(text or "", "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return stamp.replace(tzinfo=eastern_zone()).astimezone(UTC)


def parse_index_page(content: bytes) -> IndexPage:
    """Parse an `-index.htm` page; raises `DocumentError` when it has no "SEC Accession No."
    header (an error page, a login wall)."""
    root = html.fromstring(content)
    number = _by_id(root, "secNum")
    match = re.search(r"\d{10}-\d{2}-\d{6}", _text(number))
    if match is None:
        raise DocumentError("not an EDGAR filing index page (no accession number)")
    form = _text(_by_id(root, "formName"))
    form_type = form.removeprefix("Form ").split(" - ", 1)[0].strip() or None
    info = _info(root)
    return IndexPage(
        accession_number=match[0],
        form_type=form_type,
        filing_date=_day(info.get("Filing Date")),
        accepted_at=_accepted(info.get("Accepted")),
        period_of_report=_day(info.get("Period of Report")),
        documents=tuple(_documents(root)),
        entities=tuple(_entities(root)),
    )


def _documents(root: html.HtmlElement) -> list[IndexDocument]:
    documents = []
    for table in root.find_class("tableFile"):
        for row in table.iter("tr"):
            cells = row.findall("td")
            link = cells[2].find(".//a") if len(cells) >= 5 else None
            if link is None:
                continue
            href = link.get("href") or ""
            path = href.split("doc=", 1)[1] if "doc=" in href else href
            sequence, size = _text(cells[0]), _text(cells[4])
            documents.append(
                IndexDocument(
                    sequence=int(sequence) if sequence.isdigit() else None,
                    description=_text(cells[1]) or None,
                    filename=_text(link),
                    type=_text(cells[3]) or None,
                    size=int(size) if size.isdigit() else None,
                    url=path if path.startswith("http") else SEC_ORIGIN + path,
                )
            )
    return documents


def _entities(root: html.HtmlElement) -> list[tuple[str, int, str]]:
    entities = []
    for span in root.find_class("companyName"):
        match = _ENTITY.match(_text(span))
        if match is not None:
            role = _ROLES.get(match["role"], match["role"])
            entities.append((role, int(match["cik"]), match["name"].strip()))
    return entities


def parse_index_json(content: bytes) -> dict[str, int | None]:
    """`index.json` -> `{file name: size in bytes or None}`; `DocumentError` if malformed."""
    try:
        items = json.loads(content)["directory"]["item"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"not an EDGAR index.json listing: {exc}") from exc
    sizes: dict[str, int | None] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            size = str(item.get("size") or "")
            sizes[item["name"]] = int(size) if size.isdigit() else None
    return sizes
