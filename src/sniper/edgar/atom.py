"""EDGAR "Latest Filings" Atom feed (`browse-edgar?action=getcurrent&output=atom`) parsing.

The feed has one `<entry>` per (filing, entity role), newest acceptance first; one accession
appears up to four times (roles Filer, Issuer, Subject, Reporting, "Filed by"), and entries of one
accession need not be adjacent (equal acceptance times interleave). Per entry:

- `<title>4 - Hinge Health, Inc. (0001673743) (Issuer)</title>`: form, entity name (may itself
  contain parentheses and " - "), 10-digit CIK, role;
- `<updated>2025-12-12T18:02:43-05:00</updated>`: the acceptance time in ET, equal to the
  submissions JSON `acceptanceDateTime` to the second;
- `<category term="4"/>`: the form type; `<link href=".../0002063236-25-000004-index.htm"/>`;
- `<id>urn:tag:sec.gov,2008:accession-number=0002063236-25-000004</id>`.

The document is declared ISO-8859-1; lxml decodes it from the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree

from sniper.edgar.accession import archives_urls, normalize_accession
from sniper.edgar.errors import FeedParseError as FeedParseError  # re-exported

ATOM_NS = "http://www.w3.org/2005/Atom"
_A = f"{{{ATOM_NS}}}"
MATCH_ROLES = frozenset({"Filer", "Issuer", "Subject"})
"""Roles whose CIK identifies the company a filing is *about* (Reporting / Filed by are owners
and agents)."""

_TITLE = re.compile(r"(?P<head>.*?)\s*\((?P<cik>\d{1,10})\)\s*\((?P<role>[^()]+)\)", re.DOTALL)
_ACCESSION_KEY = "accession-number="
_SEC_ORIGIN = "https://www.sec.gov/"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed `<entry>`: one entity (`cik`, `company_name`, `role`) of one filing.

    `accepted_at` is timezone-aware UTC (converted from the feed's ET offset); `accession_number`
    is dashed; `index_url` is the absolute `...-index.htm` link.
    """

    accession_number: str
    form_type: str
    accepted_at: datetime
    cik: int
    company_name: str
    role: str
    index_url: str


@dataclass(frozen=True, slots=True)
class FilingEntity:
    """One entity of a filing: CIK, name as the feed spells it, role (Filer, Issuer, ...)."""

    cik: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class DetectedFiling:
    """One filing (accession) with all its entities, as a source detected it.

    `accepted_at` is aware UTC; `entities` are deduplicated by (cik, role) in feed order;
    `source` names the detecting source ("atom", ...).
    """

    accession_number: str
    form_type: str
    accepted_at: datetime
    index_url: str
    entities: tuple[FilingEntity, ...]
    source: str = "atom"

    def ciks_for(self, roles: frozenset[str]) -> set[int]:
        """CIKs of the entities whose role is in `roles` (e.g. `MATCH_ROLES`)."""
        return {entity.cik for entity in self.entities if entity.role in roles}


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """`parse_feed_document` result: good entries in feed order, the count of malformed entries
    skipped, and the feed's own `<updated>` (aware UTC, None if absent or unreadable)."""

    entries: tuple[FeedEntry, ...]
    skipped: int
    updated: datetime | None


@lru_cache(maxsize=1)
def eastern_zone() -> ZoneInfo:
    """EDGAR's clock zone, `America/New_York` (ET: -05:00 EST / -04:00 EDT)."""
    return ZoneInfo("America/New_York")


def parse_timestamp(text: str | None) -> datetime:
    """Parse an Atom `<updated>` value to aware UTC.

    `2025-12-12T18:02:43-05:00` -> `2025-12-12 23:02:43+00:00`; a value without an offset is
    taken as ET (EDGAR's clock). Raises `ValueError` when missing or not ISO 8601.
    """
    if not text or not text.strip():
        raise ValueError("missing timestamp")
    stamp = datetime.fromisoformat(text.strip())
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=eastern_zone())
    return stamp.astimezone(UTC)


def feed_root(content: bytes) -> etree._Element:
    """Parse `content` and return its `atom:feed` root element.

    Raises `FeedParseError` if it is not well-formed XML or its root is not an Atom `<feed>`
    (EDGAR's HTML error pages, an empty body). No DTD, entity or network resolution.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedParseError(f"not XML: {exc}") from exc
    if root is None or root.tag != f"{_A}feed":
        tag = None if root is None else root.tag
        raise FeedParseError(f"not an Atom feed (root element {tag!r})")
    return root


def _accession_from_id(text: str | None) -> str:
    if not text or _ACCESSION_KEY not in text:
        raise ValueError(f"entry id without accession number: {text!r}")
    return normalize_accession(text.rsplit(_ACCESSION_KEY, 1)[1])


def _split_title(title: str, term: str | None) -> tuple[str, str, int, str]:
    """`"4 - Name (0001673743) (Issuer)"` -> (form, name, cik, role); the category term, when
    present, is the form (so a name containing " - " is kept whole)."""
    match = _TITLE.fullmatch(title.strip())
    if match is None:
        raise ValueError(f"unrecognised entry title: {title!r}")
    head = match["head"]
    if term and head.startswith(f"{term} - "):
        form, name = term, head[len(term) + 3 :]
    else:
        title_form, sep, name = head.partition(" - ")
        if not sep:
            raise ValueError(f"entry title without form: {title!r}")
        form = term or title_form
    if not form.strip() or not name.strip():
        raise ValueError(f"entry title without form or name: {title!r}")
    return form.strip(), name.strip(), int(match["cik"]), match["role"].strip()


def _children(entry: etree._Element) -> tuple[dict[str, str], str | None, str | None]:
    """One pass over an entry: first text of each child tag (local name), category term, href."""
    texts: dict[str, str] = {}
    term = href = None
    for child in entry.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or not tag.startswith(_A):
            continue
        name = tag[len(_A) :]
        if name == "category" and term is None:
            term = child.get("term")
        elif name == "link" and href is None:
            href = child.get("href")
        elif name not in texts:
            texts[name] = child.text or ""
    return texts, term, href


def parse_entry(entry: etree._Element) -> FeedEntry:
    """Read one Atom `<entry>` element into a `FeedEntry`.

    Raises `ValueError` (with the reason) when the id, title, CIK or timestamp is missing or
    malformed. A missing link falls back to the Archives index URL for the title's CIK.
    """
    texts, term, href = _children(entry)
    accession = _accession_from_id(texts.get("id"))
    form, name, cik, role = _split_title(texts.get("title", ""), term)
    if cik <= 0:
        raise ValueError(f"entry with CIK 0: {accession}")
    accepted_at = parse_timestamp(texts.get("updated"))
    if not href:
        index_url = archives_urls(cik, accession)[1]
    elif href.startswith(("https://", "http://")):
        index_url = href
    else:
        index_url = urljoin(_SEC_ORIGIN, href)
    return FeedEntry(accession, form, accepted_at, cik, name, role, index_url)


def parse_feed_document(content: bytes) -> ParsedFeed:
    """Parse a getcurrent Atom page: entries in feed order, malformed entries skipped and counted.

    Raises `FeedParseError` only when `content` is not an Atom feed at all.
    """
    root = feed_root(content)
    entries: list[FeedEntry] = []
    skipped = 0
    for element in root.iterchildren(f"{_A}entry"):
        try:
            entries.append(parse_entry(element))
        except ValueError:
            skipped += 1
    try:
        updated: datetime | None = parse_timestamp(root.findtext(f"{_A}updated"))
    except ValueError:
        updated = None
    return ParsedFeed(tuple(entries), skipped, updated)


def parse_feed(content: bytes) -> list[FeedEntry]:
    """The entries of one getcurrent Atom page, in feed order (newest acceptance first).

    Malformed entries are skipped (see `parse_feed_document` for the count); raises
    `FeedParseError` when `content` is not an Atom feed.
    """
    return list(parse_feed_document(content).entries)


def group_filings(entries: Iterable[FeedEntry]) -> list[DetectedFiling]:
    """Merge per-role entries into one `DetectedFiling` per accession.

    Filings are ordered by the first appearance of their accession; form, acceptance time and
    index URL come from that first entry; entities are deduplicated by (cik, role), first kept.
    """
    heads: dict[str, FeedEntry] = {}
    entities: dict[str, dict[tuple[int, str], FilingEntity]] = {}
    for entry in entries:
        heads.setdefault(entry.accession_number, entry)
        bucket = entities.setdefault(entry.accession_number, {})
        key = (entry.cik, entry.role)
        if key not in bucket:
            bucket[key] = FilingEntity(entry.cik, entry.company_name, entry.role)
    return [
        DetectedFiling(
            accession_number=accession,
            form_type=head.form_type,
            accepted_at=head.accepted_at,
            index_url=head.index_url,
            entities=tuple(entities[accession].values()),
        )
        for accession, head in heads.items()
    ]
