"""The order gate every order intent passes, and the cancel hooks the trading engine registers
(DESIGN.md "Trading control plane").

`decide(intent, status)` is pure. At `live` every order passes unchanged. At any other status
(or when the control state could not be read, `status=None`) the gate is reduce-only:

| intent kind | example (position +10) | decision, reason code |
|---|---|---|
| `entry` | buy 5 at position 0 | deny, the status (`emergency`, `manual_paused`, ...) |
| `scale_in` | buy 5 | deny, the status |
| `exit` | sell 4 | allow 4, `reduce_only` |
| `exit_beyond_position` | sell 15 | allow 10 (clamped, never flips), `reduce_only_clamped` |

With an unreadable state the deny reason is `control_state_unavailable`. Nothing here closes a
position: exits happen only when a strategy or a person sends them.

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
from decimal import Decimal
from typing import Literal

from sniper.db.session import transaction
from sniper.runtime import Runtime
from sniper.trading.control import repository
from sniper.trading.control.status import Status, derive_status

logger = logging.getLogger(__name__)
IntentKind = Literal["entry", "scale_in", "exit", "exit_beyond_position"]
UNAVAILABLE = "control_state_unavailable"
CANCELLING_STATUSES: frozenset[Status] = frozenset(
    {"manual_stopped", "system_stopped", "emergency"}
)


@dataclass(frozen=True)
class OrderIntent:
    """An order the engine wants to send: `side` buy/sell, `quantity` > 0 (units of the
    instrument), `position` the account's signed position in it now (+ long, - short)."""

    account_id: int
    instrument: str
    side: Literal["buy", "sell"]
    quantity: Decimal
    position: Decimal

    @property
    def kind(self) -> IntentKind:
        delta = self.quantity if self.side == "buy" else -self.quantity
        if self.position == 0:
            return "entry"
        if (delta > 0) == (self.position > 0):
            return "scale_in"
        return "exit" if self.quantity <= abs(self.position) else "exit_beyond_position"


@dataclass(frozen=True)
class GateDecision:
    """`allowed`; `quantity` that may be sent (0 when denied, clamped to the position for a
    reduce-only exit); `reason` code; the `status` it was decided at (None: unreadable)."""

    allowed: bool
    quantity: Decimal
    reason: str
    status: Status | None
    kind: IntentKind


def decide(intent: OrderIntent, status: Status | None) -> GateDecision:
    """The gate's verdict for `intent` at `status` (see the module table). Raises ValueError for
    a quantity that is not positive."""
    if intent.quantity <= 0:
        raise ValueError("order quantity must be > 0")
    kind = intent.kind
    if status == "live":
        return GateDecision(True, intent.quantity, "live", status, kind)
    if kind in ("entry", "scale_in"):
        return GateDecision(False, Decimal(0), status or UNAVAILABLE, status, kind)
    if kind == "exit":
        return GateDecision(True, intent.quantity, "reduce_only", status, kind)
    return GateDecision(True, abs(intent.position), "reduce_only_clamped", status, kind)


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


def must_cancel_entries(status: Status | None) -> bool:
    """Whether resting entry orders must be cancelled at `status` (stop, system stop,
    emergency; also an unreadable state). Pauses keep them."""
    return status is None or status in CANCELLING_STATUSES


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
