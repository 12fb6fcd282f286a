"""The order gate as the control plane runs it (DESIGN.md "Trading control plane").

`check_order(runtime, intent)` reads the account's control state and applies the pure decision
(`sniper.trading.engine.gating.decide`: entries denied unless `live`, exits reduce-only); an
unreadable state decides as `None` (`control_state_unavailable`).

Stop, system stop and emergency also cancel resting entry orders: the paper runner reads the
state with `read_status` on every tick and applies `must_cancel_entries(status)`, whichever
process (an API, the CLI) made the change.
"""

from __future__ import annotations

import logging

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
