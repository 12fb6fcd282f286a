"""Ticker -> CIK catalog from SEC `company_tickers.json` (www.sec.gov/files/company_tickers.json).

The file is `{"0": {"cik_str": 789019, "ticker": "MSFT", "title": "MICROSOFT CORP"}, ...}`
(9,610 rows in the recorded snapshot); one CIK can have several tickers (BRK-A and BRK-B, units
and warrants), and share classes are spelled with a dash (`BRK-B`), which users often type as
`BRK.B` or `BRK/B`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sniper.edgar.client import SecClient


def normalize_ticker(raw: str) -> str:
    """Canonical ticker spelling: trimmed, uppercase, `.` and `/` turned into `-`.

    `"brk.a"`, `"BRK/A"`, `" BRK.A "` -> `"BRK-A"`; a blank string gives `""`.
    """
    return raw.strip().upper().replace(".", "-").replace("/", "-")


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One catalog row: normalized `ticker`, integer `cik`, company `title` as SEC spells it."""

    ticker: str
    cik: int
    title: str


def _row(value: Any) -> CatalogEntry | None:
    """One `{"cik_str", "ticker", "title"}` object -> entry, or None when malformed."""
    if not isinstance(value, Mapping):
        return None
    cik, ticker, title = value.get("cik_str"), value.get("ticker"), value.get("title")
    if isinstance(cik, str) and cik.strip().isdigit():
        cik = int(cik)
    if isinstance(cik, bool) or not isinstance(cik, int) or cik <= 0:
        return None
    if not isinstance(ticker, str) or not normalize_ticker(ticker):
        return None
    return CatalogEntry(normalize_ticker(ticker), cik, title if isinstance(title, str) else "")


class TickerCatalog:
    """Lookup of tickers (normalized on both sides) to CIKs and back.

    Built from entries; the first row of a ticker wins (`duplicates` counts later ones, `skipped`
    counts malformed rows). `len()` is the number of distinct tickers.
    """

    def __init__(self, entries: Iterable[CatalogEntry]) -> None:
        self._by_ticker: dict[str, CatalogEntry] = {}
        self._by_cik: dict[int, list[str]] = {}
        self.duplicates = 0
        self.skipped = 0
        for entry in entries:
            ticker = normalize_ticker(entry.ticker)
            if ticker in self._by_ticker:
                self.duplicates += 1
                continue
            self._by_ticker[ticker] = CatalogEntry(ticker, entry.cik, entry.title)
            self._by_cik.setdefault(entry.cik, []).append(ticker)

    @classmethod
    def from_json(cls, data: bytes) -> TickerCatalog:
        """Parse `company_tickers.json` bytes (an object of rows, or a list of rows).

        Malformed rows are skipped and counted; raises `ValueError` when `data` is not JSON or
        its top level is neither an object nor a list.
        """
        try:
            document = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"company_tickers.json is not JSON: {exc}") from exc
        if isinstance(document, dict):
            rows: list[Any] = list(document.values())
        elif isinstance(document, list):
            rows = document
        else:
            raise ValueError("company_tickers.json must be an object or a list of rows")
        parsed = [_row(row) for row in rows]
        catalog = cls(entry for entry in parsed if entry is not None)
        catalog.skipped = sum(entry is None for entry in parsed)
        return catalog

    @classmethod
    def from_path(cls, path: Path | str) -> TickerCatalog:
        """Read a local `company_tickers.json` (see `from_json`; `OSError` if unreadable)."""
        return cls.from_json(Path(path).read_bytes())

    @classmethod
    async def from_sec(cls, client: SecClient, url: str) -> TickerCatalog:
        """Download `url` (normally https://www.sec.gov/files/company_tickers.json) through the
        shared `SecClient` and parse it; raises the client's `EdgarError`s or `ValueError`."""
        response = await client.get(url)
        return cls.from_json(response.content)

    def lookup(self, ticker: str) -> CatalogEntry | None:
        """The entry for `ticker` in any spelling (`brk.b` finds `BRK-B`), or None."""
        return self._by_ticker.get(normalize_ticker(ticker))

    def starting_with(self, prefix: str, limit: int = 20) -> list[CatalogEntry]:
        """Up to `limit` entries whose normalized ticker starts with `prefix`, shortest first
        (the dashboard's ticker autocomplete)."""
        start = normalize_ticker(prefix)
        found = [entry for ticker, entry in self._by_ticker.items() if ticker.startswith(start)]
        return sorted(found, key=lambda entry: (len(entry.ticker), entry.ticker))[:limit]

    def tickers_for_cik(self, cik: int) -> list[str]:
        """The normalized tickers of `cik` in catalog order (empty when unknown)."""
        return list(self._by_cik.get(cik, ()))

    def __len__(self) -> int:
        """Number of distinct (normalized) tickers."""
        return len(self._by_ticker)
