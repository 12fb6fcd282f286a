"""The 13F information table, read row by row in constant memory (lxml `iterparse`).

EDGAR Form 13F XML technical specification (`eis_13FDocument.xsd`): root `informationTable`
in `http://www.sec.gov/edgar/document/thirteenf/informationtable`, one `infoTable` per row with
`nameOfIssuer`, `titleOfClass`, `cusip` (9 characters), optional `figi` (12), `value`,
`shrsOrPrnAmt/sshPrnamt` + `sshPrnamtType` (`SH` shares or `PRN` principal amount), optional
`putCall` (`Put`/`Call`), `investmentDiscretion` (`SOLE`, `DFND`, `OTR`), optional
`otherManager`, and `votingAuthority/Sole|Shared|None`. `value` is in dollars for filings from
2023-01-03 and in thousands of dollars before (see `sniper.filings.units`); rows here keep the
value as filed.

Real tables use the default namespace or an `ns1:`/`n1:` prefix, and some start with a blank
line before `<?xml` (not well-formed as is): both are accepted. The SEC's XSL-rendered HTML view
of a table (`xslForm13F_X02/...`) is read by `iter_rendered_table`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from lxml import etree, html

from sniper.filings.cover import DocumentError, local_name

_SPACE = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class Holding:
    """One information-table row. `value` is as filed (see the module docstring); `amount` is
    shares (`amount_type` `SH`) or principal (`PRN`); `put_call` is `PUT`, `CALL` or None (a put
    or call row is its own row, never merged into the share row of the same CUSIP);
    `other_managers` is the column's text (several are joined by `,`)."""

    row_number: int
    name_of_issuer: str
    title_of_class: str
    cusip: str
    figi: str | None
    value: int
    amount: int
    amount_type: str
    put_call: str | None
    investment_discretion: str
    other_managers: str | None
    voting_sole: int
    voting_shared: int
    voting_none: int


def amount(text: str | None) -> int:
    """A 13F number: `"1,234"` -> 1234, `"12.6"` -> 13 (filers send decimals), blank -> 0."""
    cleaned = (text or "").strip()
    if cleaned.isdigit():
        return int(cleaned)
    cleaned = cleaned.replace(",", "").replace("$", "")
    try:
        return int(Decimal(cleaned).to_integral_value()) if cleaned else 0
    except (InvalidOperation, ValueError):
        return 0


def _put_call(text: str | None) -> str | None:
    value = (text or "").strip().upper()
    return value if value in ("PUT", "CALL") else None


class _SkipLeadingSpace(io.RawIOBase):
    """A binary stream that drops the whitespace before the first byte of `raw`."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._started = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._raw.read(len(buffer))
        while not self._started and chunk:
            chunk = chunk.lstrip(_SPACE)
            if chunk:
                self._started = True
            else:
                chunk = self._raw.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


_LOCAL_NAMES: dict[object, str] = {}


def _local(tag: object) -> str:
    """`local_name`, memoized: a table has a dozen distinct tags and many thousand elements."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = local_name(tag) if len(_LOCAL_NAMES) < 1024 else ""
    return name or local_name(tag)


def _row(element: etree._Element, number: int) -> Holding:
    texts: dict[str, str] = {}
    managers: list[str] = []
    for child in element.iter():
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name == "otherManager":
            managers.extend(part for part in text.replace(";", ",").split(",") if part.strip())
        elif text and name not in texts:
            texts[name] = text
    figi = texts.get("figi")
    return Holding(
        row_number=number,
        name_of_issuer=texts.get("nameOfIssuer", ""),
        title_of_class=texts.get("titleOfClass", ""),
        cusip=texts.get("cusip", "").upper(),
        figi=figi.upper() if figi else None,
        value=amount(texts.get("value")),
        amount=amount(texts.get("sshPrnamt")),
        amount_type=texts.get("sshPrnamtType", "SH").upper(),
        put_call=_put_call(texts.get("putCall")),
        investment_discretion=texts.get("investmentDiscretion", "").upper(),
        other_managers=",".join(part.strip() for part in managers) or None,
        voting_sole=amount(texts.get("Sole")),
        voting_shared=amount(texts.get("Shared")),
        voting_none=amount(texts.get("None")),
    )


def iter_information_table(source: bytes | Path | BinaryIO) -> Iterator[Holding]:
    """Yield the rows of an information table (bytes, a path or a binary stream) in document
    order, numbered from 1, each element freed once read (constant memory).

    Raises `DocumentError` when the document is not well-formed XML (the message says after
    how many rows) or its root is not `informationTable`.
    """
    if isinstance(source, bytes):
        yield from _iterate(io.BytesIO(source.lstrip(_SPACE)))
    elif isinstance(source, Path):
        with source.open("rb") as handle:
            head = handle.read(4096)
            handle.seek(len(head) - len(head.lstrip(_SPACE)))  # lxml reads the file natively
            yield from _iterate(handle)
    else:
        yield from _iterate(io.BufferedReader(_SkipLeadingSpace(source)))


def _iterate(stream: BinaryIO) -> Iterator[Holding]:
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=("{*}informationTable", "{*}infoTable"),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
    )
    number = 0
    try:
        for event, element in events:
            if event == "start":
                if number == 0 and local_name(element.tag) == "informationTable":
                    number = -1  # the root is right; rows follow
                continue
            if local_name(element.tag) != "infoTable":
                continue
            number = max(number, 0) + 1
            yield _row(element, number)
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        message = f"information table is not well-formed after {max(number, 0)} rows: {exc}"
        raise DocumentError(message) from exc
    if number == 0:
        raise DocumentError("not a 13F information table (no informationTable root)")


_RENDERED_COLUMNS = 13  # issuer, class, CUSIP, FIGI, value, amount, SH/PRN, put/call, ...


def iter_rendered_table(data: bytes) -> Iterator[Holding]:
    """Rows of the SEC's XSL-rendered HTML view of an information table (columns NAME OF
    ISSUER .. VOTING AUTHORITY NONE; the FIGI column is absent from older renderings). Not
    streamed: rendered views are small. Raises `DocumentError` when no such table is found."""
    document = html.fromstring(data)
    number = 0
    for row in document.iter("tr"):
        cells = [_cell_text(cell) for cell in row.findall("td")]
        if len(cells) == _RENDERED_COLUMNS - 1:
            cells.insert(3, "")  # no FIGI column
        if len(cells) != _RENDERED_COLUMNS or not _is_cusip_cell(cells[2]):
            continue
        number += 1
        yield Holding(
            row_number=number,
            name_of_issuer=cells[0],
            title_of_class=cells[1],
            cusip=cells[2].upper(),
            figi=cells[3].upper() or None,
            value=amount(cells[4]),
            amount=amount(cells[5]),
            amount_type=cells[6].upper() or "SH",
            put_call=_put_call(cells[7]),
            investment_discretion=cells[8].upper(),
            other_managers=cells[9] or None,
            voting_sole=amount(cells[10]),
            voting_shared=amount(cells[11]),
            voting_none=amount(cells[12]),
        )
    if number == 0:
        raise DocumentError("no 13F information table rows in this HTML document")


def _cell_text(cell: etree._Element) -> str:
    return "".join(str(text) for text in cell.itertext()).strip()


def _is_cusip_cell(text: str) -> bool:
    return len(text) == 9 and text.isalnum()
