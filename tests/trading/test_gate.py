"""The order gate: every effective status x {entry, exit, exit larger than the position,
scale-in}, long and short; an unreadable control state; the cancel hooks (DESIGN.md "Trading
control plane")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sniper.trading.control.gate import check_order
from sniper.trading.control.status import STATUSES
from sniper.trading.engine.gating import OrderIntent, Status, decide, must_cancel_entries
from tests.conftest import Harness
from tests.trading.support import admin, call

D = Decimal
# kind → (side, quantity) for a long position of +10 (mirrored for a short position of -10).
INTENTS = {
    "entry": ("buy", D(5)),
    "scale_in": ("buy", D(5)),
    "exit": ("sell", D(4)),
    "exit_beyond_position": ("sell", D(15)),
}
# kind → (allowed, quantity sent, reason) at any status other than live.
NOT_LIVE = {
    "entry": (False, D(0), None),
    "scale_in": (False, D(0), None),
    "exit": (True, D(4), "reduce_only"),
    "exit_beyond_position": (True, D(10), "reduce_only_clamped"),
}


def _intent(kind: str, direction: int, account_id: int = 1) -> OrderIntent:
    side, quantity = INTENTS[kind]
    if direction < 0:
        side = "sell" if side == "buy" else "buy"
    position = D(0) if kind == "entry" else D(10 * direction)
    return OrderIntent(account_id, "BTC-USD", side, quantity, position)  # type: ignore[arg-type]


@pytest.mark.parametrize("direction", [1, -1], ids=["long", "short"])
@pytest.mark.parametrize("kind", list(INTENTS))
@pytest.mark.parametrize("status", [*STATUSES, None])
def test_gate_table(status: Status | None, kind: str, direction: int) -> None:
    intent = _intent(kind, direction)
    assert intent.kind == kind
    decision = decide(intent, status)
    assert decision.kind == kind
    assert decision.status == status
    if status == "live":
        assert (decision.allowed, decision.quantity, decision.reason) == (
            True,
            intent.quantity,
            "live",
        )
        return
    allowed, quantity, reason = NOT_LIVE[kind]
    expected_reason = reason or status or "control_state_unavailable"
    assert (decision.allowed, decision.quantity, decision.reason) == (
        allowed,
        quantity,
        expected_reason,
    )
    if allowed:  # reduce-only: never flips or grows the position
        after = intent.position + (
            decision.quantity if intent.side == "buy" else -decision.quantity
        )
        assert abs(after) < abs(intent.position)
        assert after * intent.position >= 0


def test_gate_refuses_a_non_positive_quantity() -> None:
    with pytest.raises(ValueError, match="quantity"):
        decide(OrderIntent(1, "X", "buy", D(0), D(0)), "live")


@pytest.mark.parametrize(
    ("status", "cancel"),
    [(s, s in ("emergency", "system_stopped", "manual_stopped")) for s in STATUSES]
    + [(None, True)],
)
def test_which_statuses_cancel_resting_entries(status: Status | None, cancel: bool) -> None:
    assert must_cancel_entries(status) is cancel


async def test_check_order_reads_the_committed_state(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    key = await h.account("alice")
    client = int((await call(h, key, "pause"))["client"])
    entry = _intent("entry", 1, client)
    assert (await check_order(h.runtime, entry)).reason == "manual_paused"
    await call(h, key, "stop")
    await call(h, key, "stop")
    assert (await check_order(h.runtime, entry)).reason == "manual_stopped"
    await call(h, key, "start")
    assert (await check_order(h.runtime, entry)).allowed is True
    await admin(h, root, "soft-pause", "soft")
    await admin(h, root, "emergency", "fire")
    await admin(h, root, "emergency", "fire again")
    await admin(h, root, "system-stop", "halt")
    assert (await check_order(h.runtime, entry)).reason == "emergency"  # the highest flag in force
    exit_ = await check_order(h.runtime, _intent("exit_beyond_position", 1, client))
    assert (exit_.allowed, exit_.quantity, exit_.status) == (True, D(10), "emergency")


async def test_unreadable_state_denies_entries(harness: Harness) -> None:
    class Broken:
        def __call__(self) -> Any:
            raise ConnectionError("database down")

    harness.runtime.sessions = Broken()  # type: ignore[assignment]
    entry = await check_order(harness.runtime, _intent("entry", 1))
    assert (entry.allowed, entry.reason, entry.status) == (False, "control_state_unavailable", None)
    exit_ = await check_order(harness.runtime, _intent("exit", -1))
    assert (exit_.allowed, exit_.quantity, exit_.reason) == (True, D(4), "reduce_only")
