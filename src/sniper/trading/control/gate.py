"""The order gate as the control plane runs it, and the cancel hooks the trading engine
registers (DESIGN.md "Trading control plane").

`check_order(runtime, intent)` reads the account's control state and applies the pure decision
(`sniper.trading.engine.gating.decide`: entries denied unless `live`, exits reduce-only); an
unreadable state decides as `None` (`control_state_unavailable`).

Stop, system stop and emergency also cancel resting entry orders: the control service calls
`cancel_hooks.fire(...)` after the change commits, in the process that made it. A change made by
another process (the CLI, a second API process) reaches the engine only through the gate and its
own reads of the control state, so the engine must treat `must_cancel_entries(status)` as the
rule and the hook as the fast path.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sniper.db.session import transaction
from sniper.runtime import Runtime
from sniper.trading.control import repository
from sniper.trading.control.status import derive_status
from sniper.trading.engine.gating import GateDecision, OrderIntent, Status, decide

logger = logging.getLogger(__name__)


async def read_status(runtime: Runtime, account_id: int) -> Status | None:
    """The account's effective status now, or None when the control state cannot be read."""
    try:
        async with transaction(runtime.sessions, read_only=True) as session:
            manual = await repository.client_flags(session, account_id)
            system = await repository.system_flags(session)
            return derive_status(manual, system, runtime.clock.now())
    except Exception:
        logger.exception("trading control state unreadable for account %s", account_id)
        return None


async def check_order(runtime: Runtime, intent: OrderIntent) -> GateDecision:
    """Read the control state and decide: the one call every order intent goes through."""
    return decide(intent, await read_status(runtime, intent.account_id))


@dataclass(frozen=True)
class CancelEntries:
    """Cancel resting entry orders of `account_id` (None: of every account) because `status`
    took effect at `at`. Positions and their exits stay."""

    account_id: int | None
    status: Status
    at: datetime


CancelHook = Callable[[CancelEntries], Awaitable[None] | None]


class CancelHooks:
    """Callbacks the trading engine registers to cancel resting entry orders. Hooks run on the
    event loop after the commit; a coroutine hook is scheduled as a task; a failing hook is
    logged and never undoes the change."""

    def __init__(self) -> None:
        self._hooks: list[CancelHook] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def register(self, hook: CancelHook) -> Callable[[], None]:
        """Add `hook`; returns a function that removes it again."""
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook) if hook in self._hooks else None

    def fire(self, request: CancelEntries) -> None:
        for hook in list(self._hooks):
            try:
                outcome = hook(request)
                if inspect.isawaitable(outcome):
                    task = asyncio.ensure_future(outcome)
                    self._tasks.add(task)
                    task.add_done_callback(self._done)
            except Exception:
                logger.exception("cancel hook %r failed", hook)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("cancel hook task failed", exc_info=task.exception())


cancel_hooks = CancelHooks()
