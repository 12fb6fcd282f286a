"""After-commit signals from the algorithms API to the engine: lifecycle changes. In-process
fast paths only: a runner in another process learns the same from the
database (`store.paper_algorithms`, `store.claim_backtest`) on its next poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlgorithmChange:
    """Algorithm `algorithm_id` of `account_id` now has `status` (`active`, `paused`,
    `stopped`, `archived`)."""

    algorithm_id: str
    account_id: int
    status: str


class AlgorithmHooks:
    """Callbacks the paper runner registers; fired on the event loop after the commit of a
    start, stop, pause, resume or delete. A failing callback is logged and changes nothing."""

    def __init__(self) -> None:
        self._hooks: list[Callable[[AlgorithmChange], object]] = []

    def register(self, hook: Callable[[AlgorithmChange], object]) -> Callable[[], None]:
        """Add `hook`; returns a function that removes it again."""
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook) if hook in self._hooks else None

    def fire(self, change: AlgorithmChange) -> None:
        for hook in list(self._hooks):
            try:
                hook(change)
            except Exception:
                logger.exception("algorithm hook %r failed", hook)


algorithm_hooks = AlgorithmHooks()
