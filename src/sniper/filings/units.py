"""Which unit a 13F information table's `value` column is in, and the cover-page cross-check.

EDGAR Form 13F XML technical specification and SEC's 13F FAQ: from 2023-01-03 `value` is
"rounded to the nearest dollar"; filings before that date report thousands of dollars. Real
filers get it wrong both ways (thousands after the cutover, dollars before it), so the date rule
is checked against the table itself: the implied price per share, `sum(value) / sum(shares)`
over the share (`SH`) rows read as dollars, is a share-weighted average price. A table in dollars
gives tens to hundreds of dollars; the same table in thousands gives a thousandth of that. Below
`THOUSANDS_BELOW` the table is in thousands, above `DOLLARS_ABOVE` it is in dollars, whatever its
date; in between (a portfolio dominated by penny stocks, or by $1,000+ megacaps read in
thousands) the filing date decides. One aggregate rather than a per-row median: a concentrated
pre-split megacap portfolio in thousands (AMZN, GOOG at $1,700-3,300 a share in 2020) has a
median per-row "price" above $1 but a share-weighted one far below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

DOLLARS_FROM = date(2023, 1, 3)
THOUSANDS_BELOW = 0.5
DOLLARS_ABOVE = 2.0


class UnitRule(StrEnum):
    """How the unit was decided (stored with the filing)."""

    FILING_DATE = "filing_date"  # the date rule, consistent with (or not contradicted by) prices
    IMPLIED_PRICE_OVERRIDE = "implied_price_override"  # prices contradict the date rule
    IMPLIED_PRICE = "implied_price"  # no filing date known: prices alone
    DEFAULT_DOLLARS = "default_dollars"  # no date and no share rows: the current rule


@dataclass(frozen=True, slots=True)
class TableTotals:
    """Aggregates of one pass over a table, values as filed: `rows`, `value` (all rows),
    `share_value` and `shares` (the `SH` rows with both > 0)."""

    rows: int = 0
    value: int = 0
    share_value: int = 0
    shares: int = 0

    def add(self, value: int, amount: int, amount_type: str) -> TableTotals:
        priced = amount_type == "SH" and value > 0 and amount > 0
        return TableTotals(
            self.rows + 1,
            self.value + value,
            self.share_value + (value if priced else 0),
            self.shares + (amount if priced else 0),
        )


@dataclass(frozen=True, slots=True)
class ValueUnit:
    """`unit` (`dollars` or `thousands`), `multiplier` to dollars (1 or 1000), the `rule`
    applied, `implied_price` (dollars per share if the values were dollars; None without share
    rows) and a one-line `explanation`."""

    unit: str
    multiplier: int
    rule: UnitRule
    implied_price: float | None
    explanation: str


def _unit(thousands: bool) -> tuple[str, int]:
    return ("thousands", 1000) if thousands else ("dollars", 1)


def detect_unit(totals: TableTotals, filed: date | None) -> ValueUnit:
    """Decide the unit of a table with `totals`, filed on `filed` (None when unknown)."""
    price = totals.share_value / totals.shares if totals.shares else None
    evidence: bool | None = None  # True: thousands, False: dollars, None: no verdict
    if price is not None and price < THOUSANDS_BELOW:
        evidence = True
    elif price is not None and price > DOLLARS_ABOVE:
        evidence = False
    shown = "n/a" if price is None else f"${price:,.4f}"
    if filed is None:
        if evidence is None:
            unit, multiplier = _unit(False)
            why = f"no filing date; implied price {shown} undecided: assumed dollars"
            return ValueUnit(unit, multiplier, UnitRule.DEFAULT_DOLLARS, price, why)
        unit, multiplier = _unit(evidence)
        why = f"no filing date; implied price per share {shown} as dollars means {unit}"
        return ValueUnit(unit, multiplier, UnitRule.IMPLIED_PRICE, price, why)
    by_date = filed < DOLLARS_FROM
    side = "before" if by_date else "on/after"
    if evidence is None or evidence == by_date:
        unit, multiplier = _unit(by_date)
        why = f"filed {filed.isoformat()}, {side} {DOLLARS_FROM.isoformat()}: {unit}"
        why += f" (implied price per share {shown} as dollars)"
        return ValueUnit(unit, multiplier, UnitRule.FILING_DATE, price, why)
    unit, multiplier = _unit(evidence)
    why = (
        f"filed {filed.isoformat()}, {side} {DOLLARS_FROM.isoformat()}, but the implied price "
        f"per share {shown} as dollars shows the filer reported {unit}"
    )
    return ValueUnit(unit, multiplier, UnitRule.IMPLIED_PRICE_OVERRIDE, price, why)


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The table against its cover page (`tableEntryTotal`, `tableValueTotal`).

    `rows_match` / `value_match` are None without a cover figure. Values compare as filed
    (the cover is in the table's unit); `value_note` is `match`, `rounding` (off by at most a
    unit per row), `cover_in_thousands` / `cover_in_dollars` (the cover total is the table's
    divided / multiplied by 1,000: the filer mixed units), `mismatch`, or `no_cover_total`.
    """

    rows: int
    expected_rows: int | None
    rows_match: bool | None
    value_total: int
    expected_value_total: int | None
    value_match: bool | None
    value_note: str

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "expected_rows": self.expected_rows,
            "rows_match": self.rows_match,
            "value_total": self.value_total,
            "expected_value_total": self.expected_value_total,
            "value_match": self.value_match,
            "value_note": self.value_note,
        }


def cross_check(totals: TableTotals, entries: int | None, value_total: int | None) -> CrossCheck:
    """Compare `totals` (as filed) with the cover's `entries` and `value_total`."""
    note, matches = _value_note(totals, value_total)
    return CrossCheck(
        rows=totals.rows,
        expected_rows=entries,
        rows_match=None if entries is None else entries == totals.rows,
        value_total=totals.value,
        expected_value_total=value_total,
        value_match=matches,
        value_note=note,
    )


def _value_note(totals: TableTotals, cover: int | None) -> tuple[str, bool | None]:
    if cover is None:
        return "no_cover_total", None
    difference = abs(totals.value - cover)
    if difference == 0:
        return "match", True
    if difference <= max(totals.rows, 1):
        return "rounding", True
    if cover and abs(totals.value - cover * 1000) <= 1000 * max(totals.rows, 1):
        return "cover_in_thousands", False
    if totals.value and abs(totals.value * 1000 - cover) <= 1000 * max(totals.rows, 1):
        return "cover_in_dollars", False
    return "mismatch", False
