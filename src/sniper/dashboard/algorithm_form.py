"""The Algorithms page's create form: labelled inputs named by the API's dotted camelCase
paths (`positionSizing.value`), and the body `POST /api/trading/algorithms` takes built from
them (`request_body`); `field_of` maps an API error's field path back to an input. The route
(`research.create_algorithm`) validates it with the API's schema and creates through the same
service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    """One input: `name` the API's dotted path, `options` for a select (blank first)."""

    name: str
    label: str
    help: str
    options: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The element id: `a-` and the path with dots as dashes."""
        return "a-" + self.name.replace(".", "-")


CONDITION = "entryConditions.conditions.0"
FIELDS = (
    Field("name", "Name", "1 to 200 characters (default: Algorithm #N)"),
    Field("description", "Description", "Optional"),
    Field(
        "strategyType",
        "Strategy type",
        "Optional in a draft",
        (
            "momentum",
            "swing",
            "scalping",
            "position",
            "arbitrage",
            "market_making",
            "mean_reversion",
        ),
    ),
    Field("timeframe", "Timeframe", "Bar size", ("1d", "1w", "4h", "1h", "30m", "15m", "5m", "1m")),
    Field("symbols", "Symbols", "Comma-separated EXCHANGE:SYMBOL, e.g. NASDAQ:MSFT"),
    Field(
        "positionSizing.method",
        "Position sizing",
        "How much an entry buys",
        ("percentage", "fixed_quantity", "fixed_amount", "risk_based"),
    ),
    Field("positionSizing.value", "Sizing value", "Greater than 0, e.g. 10 (% of equity)"),
    Field(
        f"{CONDITION}.indicator",
        "Entry indicator",
        "Enter when indicator(period) compares to value",
        ("RSI", "SMA", "EMA", "MACD", "BB", "ATR"),
    ),
    Field(f"{CONDITION}.period", "Indicator period", "Bars, e.g. 14"),
    Field(
        f"{CONDITION}.operator",
        "Comparison",
        "e.g. crosses_below",
        (
            "crosses_below",
            "crosses_above",
            "above",
            "below",
            "equals",
            "greater_than_equal",
            "less_than_equal",
        ),
    ),
    Field(f"{CONDITION}.value", "Compared with", "A number, e.g. 30"),
    Field("exitConditions.stopLoss.value", "Stop loss (%)", "Below the entry price, e.g. 2"),
    Field("exitConditions.takeProfit.value", "Take profit (%)", "Above the entry, e.g. 4"),
    Field("riskParameters.maxDailyLoss", "Max daily loss (%)", "Of equity, e.g. 5"),
    Field("riskParameters.maxOpenPositions", "Max open positions", "e.g. 1"),
)
NAMES = tuple(field.name for field in FIELDS)
TEXT = frozenset({"name", "description", "symbols"})
TYPED = {
    CONDITION: ("type", "indicator_value"),
    "exitConditions.stopLoss": ("type", "percentage"),
    "exitConditions.takeProfit": ("type", "percentage"),
}


def _value(name: str, raw: str) -> Any:
    """A number when `raw` is one (int before float), else the text (which the schema
    refuses naming the field); `symbols` split on commas."""
    if name == "symbols":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if name not in TEXT:
        for kind in (int, float):
            try:
                return kind(raw)
            except ValueError:
                pass
    return raw


def request_body(fields: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the API's JSON body: blanks left out, dotted paths nested, the
    entry condition a one-item `conditions` list of type `indicator_value`, stop loss and
    take profit of type `percentage`."""
    body: dict[str, Any] = {}
    for name in NAMES:
        raw = fields.get(name, "").strip()
        if not raw:
            continue
        *parents, leaf = name.split(".")
        node = body
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _value(name, raw)
        prefix = ".".join(parents)
        if prefix in TYPED:
            key, kind = TYPED[prefix]
            node[key] = kind
    entry = body.get("entryConditions", {})
    if "conditions" in entry:
        entry["conditions"] = [entry["conditions"]["0"]]
    return body


def field_of(path: str) -> str:
    """The form field an API error path names: the longest field name it starts with
    (`symbols.0` -> `symbols`), or `form` for none."""
    named = [name for name in NAMES if path == name or path.startswith(name + ".")]
    return max(named, key=len) if named else "form"
