"""Fetch what the pipeline needs of one filing from EDGAR Archives, through the SEC client.

Order: the `{accession}-index.htm` page (metadata and document list), `index.json` when present
(sizes the page leaves blank), and for 13F forms the primary document and the information table
the page links to. When the index page is missing (404) or lacks the 13F documents, the full
submission `{accession}.txt` is fetched instead and split (`sniper.edgar.sgml`). Fetching
goes to the configured base URL; the URLs stored are always the public www.sec.gov ones.
403/429/5xx are the client's to retry (EDGAR answers 403 AccessDenied for a folder that is not
published yet): `EdgarUnavailable` reaching the caller means "try again later".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sniper.edgar import sgml
from sniper.edgar.accession import normalize_accession
from sniper.edgar.client import EdgarHTTPError, SecClient
from sniper.filings.cover import DocumentError
from sniper.filings.index import (
    SEC_ORIGIN,
    IndexDocument,
    IndexPage,
    parse_index_json,
    parse_index_page,
)

INFORMATION_TABLE = "INFORMATION TABLE"
_GONE = frozenset({404, 410})


def is_13f(form_type: str) -> bool:
    """13F-HR, 13F-NT and their amendments (13F-HR/A, 13F-NT/A)."""
    return form_type.upper().startswith(("13F-HR", "13F-NT"))


def folder_path(cik: int, accession: str) -> str:
    """`/Archives/edgar/data/{cik}/{18 digits}` for a filing."""
    return f"/Archives/edgar/data/{cik}/{normalize_accession(accession).replace('-', '')}"


@dataclass
class FilingMaterial:
    """What was fetched: `source` `index` or `full_text`, the index page or the submission
    header, the document list (public URLs), and for 13F the primary document and table."""

    source: str
    index: IndexPage | None = None
    header: sgml.SgmlHeader | None = None
    documents: list[IndexDocument] = field(default_factory=list)
    primary_doc: bytes | None = None
    table: bytes | None = None
    requests: list[str] = field(default_factory=list)


class Archives:
    """EDGAR Archives under `base` (`https://www.sec.gov` live, a stand-in in tests)."""

    def __init__(self, sec: SecClient, base: str) -> None:
        self.sec = sec
        self.base = base.rstrip("/")

    async def _optional(self, url: str, material: FilingMaterial) -> bytes | None:
        material.requests.append(url)
        try:
            return (await self.sec.get(url)).content
        except EdgarHTTPError as exc:
            if exc.status in _GONE:
                return None
            raise

    def _fetch_url(self, public_url: str) -> str:
        return self.base + public_url.removeprefix(SEC_ORIGIN)

    async def fetch(self, cik: int, accession: str, form_type: str) -> FilingMaterial:
        """Fetch filing `accession` (folder under `cik`). Raises `EdgarHTTPError(404)` when
        neither the index page nor the full submission exists, `EdgarUnavailable` when EDGAR
        stays unavailable, `DocumentError` when a 13F document cannot be found in either."""
        acc = normalize_accession(accession)
        folder = self.base + folder_path(cik, acc)
        material = FilingMaterial(source="index")
        page = await self._optional(f"{folder}/{acc}-index.htm", material)
        index = _parsed_index(page)
        if index is not None:
            material.index, material.documents = index, list(index.documents)
            listing = await self._optional(f"{folder}/index.json", material)
            material.documents = _with_sizes(material.documents, listing)
            if not is_13f(form_type) or await self._13f_from_index(material):
                return material
        return await self._from_full_text(cik, acc, folder, material)

    async def _13f_from_index(self, material: FilingMaterial) -> bool:
        """Fetch the 13F primary document and table the index lists; False if it lists none."""
        primary = _pick(material.documents, lambda d: (d.type or "").upper().startswith("13F"))
        table = _pick(material.documents, lambda d: (d.type or "").upper() == INFORMATION_TABLE)
        if primary is None:
            return False
        material.primary_doc = await self._optional(self._fetch_url(primary.url), material)
        if table is not None:
            material.table = await self._optional(self._fetch_url(table.url), material)
        return material.primary_doc is not None

    async def _from_full_text(
        self, cik: int, acc: str, folder: str, material: FilingMaterial
    ) -> FilingMaterial:
        data = await self._optional(f"{folder}/{acc}.txt", material)
        if data is None:
            if material.index is not None:
                raise DocumentError(f"{acc}: the index lists no 13F primary document")
            raise EdgarHTTPError(404, f"{folder}/{acc}-index.htm and {acc}.txt")
        public = SEC_ORIGIN + folder_path(cik, acc)
        header = sgml.parse_header(data)
        documents, primary, table = _split_submission(data, public)
        return FilingMaterial(
            source="full_text",
            index=material.index,
            header=header,
            documents=material.documents or documents,
            primary_doc=primary,
            table=table,
            requests=material.requests,
        )


def _parsed_index(page: bytes | None) -> IndexPage | None:
    if page is None:
        return None
    try:
        return parse_index_page(page)
    except DocumentError:
        return None


def _pick(
    documents: list[IndexDocument], wanted: Callable[[IndexDocument], bool]
) -> IndexDocument | None:
    """The first raw `.xml` document `wanted(document)` accepts (not the `xsl...` rendering)."""
    for document in documents:
        raw = "/xsl" not in document.url and document.filename.lower().endswith(".xml")
        if raw and wanted(document):
            return document
    return None


def _with_sizes(documents: list[IndexDocument], listing: bytes | None) -> list[IndexDocument]:
    if listing is None:
        return documents
    try:
        sizes = parse_index_json(listing)
    except DocumentError:
        return documents
    return [
        d
        if d.size is not None
        else IndexDocument(
            d.sequence, d.description, d.filename, d.type, sizes.get(d.filename), d.url
        )
        for d in documents
    ]


def _split_submission(
    data: bytes, public_folder: str
) -> tuple[list[IndexDocument], bytes | None, bytes | None]:
    documents: list[IndexDocument] = []
    primary = table = None
    for document in sgml.iter_documents(data):
        name = document.filename or f"document{document.sequence or len(documents) + 1}"
        documents.append(
            IndexDocument(
                document.sequence,
                document.description,
                name,
                document.type or None,
                len(document.body),
                f"{public_folder}/{name}",
            )
        )
        kind = document.type.upper()
        if kind == INFORMATION_TABLE and table is None:
            table = document.body
        elif kind.startswith("13F") and primary is None:
            primary = document.body
    return documents, primary, table
