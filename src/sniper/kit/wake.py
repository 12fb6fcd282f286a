"""Wake-ups of the job loops: one registry per process, keyed by job name.

A job loop registers an event under its job's name (`webhook.deliver`, `filing.process`,
`backtest.run`) and waits on it between claim passes; code that writes rows for that job calls
`wake_on_commit(session, name)`, so the loop claims them the moment they are durable. Other
processes find the rows on their next poll (every loop also polls on a timeout).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit

DELIVER_WEBHOOK = "webhook.deliver"
PROCESS_FILING = "filing.process"
RUN_BACKTEST = "backtest.run"


class Settable(Protocol):
    """An `asyncio.Event`, or anything else with `set()` (a benchmark's stamp recorder)."""

    def set(self) -> None: ...


class Wakeups:
    def __init__(self) -> None:
        self._events: dict[str, list[Settable]] = defaultdict(list)

    def register(self, name: str, event: Settable) -> Callable[[], None]:
        """Set `event` whenever job `name` is woken; returns a function that removes it."""
        events = self._events[name]
        events.append(event)
        return lambda: events.remove(event) if event in events else None

    def wake(self, name: str) -> None:
        for event in list(self._events[name]):
            event.set()

    def wake_on_commit(self, session: AsyncSession, name: str) -> None:
        """Wake job `name` once `session` commits (nothing on rollback)."""
        on_commit(session, lambda: self.wake(name))
