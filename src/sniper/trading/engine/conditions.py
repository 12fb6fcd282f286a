"""Entry conditions compiled from `EntryConditions`, evaluated on one symbol's bank per bar.

Operators compare a left value `a` with a right value `b` on the current bar, crosses also on
the previous bar: `above` a > b, `below` a < b, `greater_than_equal` / `less_than_equal`,
`equals` |a - b| <= 0.01 % of max(|a|, |b|, 1e-9) (indicators are floats, exact equality
would almost never hold), `crosses_above` a_prev <= b_prev and a > b, `crosses_below`
a_prev >= b_prev and a < b. A value still warming up (None) makes the comparison false.

The mirror of a condition (the short side of `positionType` both) swaps above/below,
greater_than_equal/less_than_equal and crosses_above/crosses_below with the same operands;
`equals` and `filing_event` mirror to themselves.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sniper.trading.algorithms.config import (
    Condition,
    EntryConditions,
    FilingEventCondition,
    IndicatorIndicatorCondition,
    IndicatorValueCondition,
)
from sniper.trading.engine.indicators import IndicatorBank, IndicatorKey

EQUALS_TOLERANCE = 1e-4
MIRROR = {
    "above": "below",
    "below": "above",
    "greater_than_equal": "less_than_equal",
    "less_than_equal": "greater_than_equal",
    "crosses_above": "crosses_below",
    "crosses_below": "crosses_above",
    "equals": "equals",
}


def compare(
    op: str,
    a: float | None,
    b: float | None,
    a_prev: float | None = None,
    b_prev: float | None = None,
) -> bool:
    """Whether `a op b` holds (see the module docstring); False when a needed value is None.
    Raises ValueError for an unknown operator."""
    if a is None or b is None:
        return False
    if op in ("crosses_above", "crosses_below"):
        if a_prev is None or b_prev is None:
            return False
        if op == "crosses_above":
            return a_prev <= b_prev and a > b
        return a_prev >= b_prev and a < b
    if op == "above":
        return a > b
    if op == "below":
        return a < b
    if op == "greater_than_equal":
        return a >= b
    if op == "less_than_equal":
        return a <= b
    if op == "equals":
        return abs(a - b) <= EQUALS_TOLERANCE * max(abs(a), abs(b), 1e-9)
    raise ValueError(f"unknown operator {op}")


@dataclass(frozen=True, slots=True)
class Operand:
    """An indicator line (`key`, `field`), the bar's `price` open|high|low|close (`key` None,
    `constant` None) or a constant."""

    key: IndicatorKey | None = None
    field: str | None = None
    constant: float | None = None
    price: str = "close"

    def read(self, bank: IndicatorBank, back: int) -> float | None:
        """The value `back` bars ago (0 or 1)."""
        if self.constant is not None:
            return self.constant
        if self.key is None:
            return bank.price(self.price, back)
        return bank.value(self.key, self.field, back)


@dataclass(frozen=True, slots=True)
class Comparison:
    """`left op right` for one bar."""

    left: Operand
    op: str
    right: Operand

    def holds(self, bank: IndicatorBank, *, mirrored: bool = False) -> bool:
        """Whether it holds on the bank's current bar (mirrored: with the mirror operator)."""
        op = MIRROR[self.op] if mirrored else self.op
        now = (self.left.read(bank, 0), self.right.read(bank, 0))
        if op.startswith("crosses"):
            return compare(op, *now, self.left.read(bank, 1), self.right.read(bank, 1))
        return compare(op, *now)


@dataclass(frozen=True, slots=True)
class FilingRule:
    """True when one of the filings consumed on this bar has one of `form_types` (upper case)."""

    form_types: frozenset[str]

    def holds(self, filings: Collection[str]) -> bool:
        """Whether a form type in `filings` (any case) matches."""
        return any(form.upper() in self.form_types for form in filings)


@dataclass(frozen=True, slots=True)
class EntryRule:
    """The compiled entry conditions: comparisons and filing rules joined by AND / OR."""

    comparisons: tuple[Comparison, ...]
    filing_rules: tuple[FilingRule, ...]
    any_of: bool

    def keys(self) -> set[IndicatorKey]:
        """Every indicator the rule reads."""
        keys = set()
        for comparison in self.comparisons:
            keys |= {op.key for op in (comparison.left, comparison.right) if op.key is not None}
        return keys

    def holds(self, bank: IndicatorBank, filings: Collection[str], *, mirrored: bool) -> bool:
        """The combined condition on the current bar; an empty rule never holds."""
        results = [c.holds(bank, mirrored=mirrored) for c in self.comparisons]
        results += [rule.holds(filings) for rule in self.filing_rules]
        if not results:
            return False
        return any(results) if self.any_of else all(results)


def _operand(indicator: str, period: int, field: str | None, spec: object) -> Operand:
    key = IndicatorKey.of(
        indicator,
        period,
        slow=getattr(spec, "slow_period", None),
        signal=getattr(spec, "signal_period", None),
        std_dev=getattr(spec, "std_dev", None),
    )
    return Operand(key=key, field=field)


def _compile_one(condition: Condition) -> Comparison | FilingRule:
    if isinstance(condition, FilingEventCondition):
        return FilingRule(frozenset(form.upper() for form in condition.form_types))
    left = _operand(condition.indicator, condition.period, condition.field, condition)
    if isinstance(condition, IndicatorValueCondition):
        return Comparison(left, condition.operator, Operand(constant=condition.value))
    if isinstance(condition, IndicatorIndicatorCondition):
        right = _operand(
            condition.compare_indicator, condition.compare_period, condition.compare_field, None
        )
        return Comparison(left, condition.operator, right)
    # price_indicator: the bar's priceType (default close) against the indicator.
    return Comparison(Operand(price=condition.price_type), condition.operator, left)


def compile_entry(entry: EntryConditions | None) -> EntryRule:
    """The rule for `entry` (None or no conditions: a rule that never holds)."""
    compiled = [_compile_one(c) for c in (entry.conditions or [])] if entry else []
    return EntryRule(
        comparisons=tuple(c for c in compiled if isinstance(c, Comparison)),
        filing_rules=tuple(c for c in compiled if isinstance(c, FilingRule)),
        any_of=entry is not None and entry.logical_operator == "OR",
    )
