"""Figure F3 of RELIABILITY.md as Hypothesis stateful testing: any sequence of grants, target
creates (refused with 402 at a zero balance), hits and clock moves keeps the balance equal to the
ledger sum, never negative, with exactly one debit per hit and no row for a refusal.

Hypothesis drives the machine from a worker thread (its runner is synchronous); every rule runs
its coroutine on the test's event loop, where the app lives. `derandomize=True` fixes the seed.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from sniper.accounts.service import credit, require_account
from sniper.db.session import transaction
from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.models import LedgerEntry
from sniper.targets import lifecycle
from tests.conftest import Harness

T = TypeVar("T")
MACHINE_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _machine(h: Harness, loop: asyncio.AbstractEventLoop) -> type[RuleBasedStateMachine]:
    names = (f"ledger{n}" for n in itertools.count())
    accessions = (f"0000320193-25-{n:06d}" for n in itertools.count(1))

    def run(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=60)

    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.name = next(names)
            self.key = run(h.account(self.name, tokens=2))
            self.expected = 2
            self.debits = 0

        @rule(amount=st.integers(1, 3))
        def grant(self, amount: int) -> None:
            run(self._grant(amount))
            self.expected += amount

        @rule()
        def create_target(self) -> None:
            response = run(
                h.client.post(
                    "/api/v1/sniper/targets",
                    headers={"X-API-Key": self.key},
                    json={"ticker": "AAPL", "duration_minutes": 1},
                )
            )
            assert response.status_code in (200, 402), response.text
            if self.expected < 1:
                assert response.json()["error"]["code"] == "INSUFFICIENT_TOKENS"

        @rule()
        def hit_first_active_target(self) -> None:
            if run(self._hit(next(accessions))) and self.expected > 0:
                self.expected -= 1
                self.debits += 1

        @rule(seconds=st.integers(0, 90))
        def advance_clock(self, seconds: int) -> None:
            h.clock.advance(seconds)
            run(h.watcher.sweep())

        @invariant()
        def ledger_agrees(self) -> None:
            balance, total, negative, debits = run(self._ledger())
            assert balance == total == self.expected
            assert negative == 0
            assert debits == self.debits

        async def _grant(self, amount: int) -> None:
            async with transaction(h.runtime.sessions) as session:
                account = await require_account(session, self.name)
                await credit(
                    session, account, amount, type_="grant", cause="test", now=h.clock.now()
                )

        async def _hit(self, accession: str) -> bool:
            listed = await h.client.get(
                "/api/v1/sniper/targets",
                headers={"X-API-Key": self.key},
                params={"status": "ACTIVE"},
            )
            targets = listed.json()["targets"]
            if not targets:
                return False
            filing = DetectedFiling(
                accession_number=accession,
                form_type="8-K",
                accepted_at=h.clock.now(),
                index_url="https://www.sec.gov/x-index.htm",
                entities=(FilingEntity(320193, "Apple Inc.", "Filer"),),
            )
            async with transaction(h.runtime.sessions) as session:
                fired = await lifecycle.record_hit(
                    session, h.runtime, targets[0]["target_id"], filing
                )
            return fired is not None

        async def _ledger(self) -> tuple[int, int, int, int]:
            async with transaction(h.runtime.sessions) as session:
                account = await require_account(session, self.name)
                mine = LedgerEntry.account_id == account.id
                total = await session.scalar(
                    select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(mine)
                )
                negative = await session.scalar(
                    select(func.count()).where(mine, LedgerEntry.balance_after < 0)
                )
                debits = await session.scalar(
                    select(func.count()).where(mine, LedgerEntry.delta < 0)
                )
                return account.token_balance, int(total or 0), int(negative or 0), int(debits or 0)

    return LedgerMachine


async def test_any_sequence_keeps_the_ledger_exact(harness: Harness) -> None:
    machine = _machine(harness, asyncio.get_running_loop())
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=MACHINE_SETTINGS)
