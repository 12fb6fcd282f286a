"""The daily loss limit (`riskParameters.maxDailyLoss`): once realised losses on a day reach
that % of the day's starting equity, no new entries for the rest of that day. A day is the
UTC date of the bars; it starts with the first bar of a later date (equity marked at the last
closes before that bar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(slots=True)
class DailyLoss:
    """`day` the current bar day (None before the first bar), `start_equity` money at its
    start, `realised` the P&L realised that day (money, negative for a loss)."""

    day: date | None
    start_equity: float
    realised: float = 0.0

    def roll(self, day: date, equity: float) -> None:
        """Start `day` with `equity` when it is later than the current day."""
        if self.day is None or day > self.day:
            self.day, self.start_equity, self.realised = day, equity, 0.0

    def reached(self, limit_percent: float | None, on: date | None = None) -> bool:
        """Whether the day's realised loss reached `limit_percent` of its starting equity; on
        another day than `on` (when given) or without a limit: False."""
        if limit_percent is None or self.day is None or (on is not None and on != self.day):
            return False
        return -self.realised >= self.start_equity * limit_percent / 100

    def to_json(self) -> dict[str, Any]:
        """`{"day": "YYYY-MM-DD" | null, "startEquity", "realisedPnl"}`."""
        day = self.day.isoformat() if self.day else None
        return {"day": day, "startEquity": self.start_equity, "realisedPnl": self.realised}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DailyLoss:
        """The inverse of `to_json`."""
        day = date.fromisoformat(data["day"]) if data["day"] else None
        return cls(day, data["startEquity"], data["realisedPnl"])
