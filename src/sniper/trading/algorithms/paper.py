"""The paper runner: plays daily bars to every paper algorithm through the service clock, one
bar per `SNIPER_PAPER_BAR_INTERVAL` of clock time from `SNIPER_PAPER_FROM` (DESIGN.md
"Trading algorithms", issue 6).

Each tick, for every algorithm `store.paper_algorithms` returns (active, paused, and stopped
ones still holding positions, whose exits stay watched):

1. the engine follows the algorithm's status (`paused`: no entries; stopped, archived or error:
   no entries, resting entries cancelled) and the control plane (`must_cancel_entries`);
2. sniper hits of the account on the algorithm's tickers since the last tick are handed to
   `Engine.on_filing` (the `filing_event` entry);
3. every bar that has come due is processed; each order passes the gate (`check_order`);
4. the tick's orders, closed trades and the engine snapshot are written in ONE transaction.

A crash before that commit replays the same bars from the last snapshot, giving the same
deterministic `clientOrderId`s, which `store.record_orders` ignores when already stored; so a
restart resumes after the last processed bar and never fires a signal twice. One process runs
the runner (job `algorithm.paper` in `tasks.py`, every `SNIPER_PAPER_TICK`, under the
PostgreSQL advisory lock `PAPER_LOCK_KEY`; SQLite: the single process).

`engine_state` holds `{"engine": <Engine.snapshot()>, "nextDueAt", "startedAt", "hitsSeen"}`
(ISO 8601 times): a new start of the algorithm (a new `started_at`) restarts its bar clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sniper.db.session import transaction
from sniper.models import TradingAlgorithm
from sniper.runtime import Runtime
from sniper.trading.algorithms import store
from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.algorithms.recording import record_events
from sniper.trading.control.gate import check_order, read_status
from sniper.trading.engine.bars import Bar, ticker
from sniper.trading.engine.engine import Engine, EngineState
from sniper.trading.engine.events import Event
from sniper.trading.engine.gating import (
    UNAVAILABLE,
    GateDecision,
    OrderIntent,
    must_cancel_entries,
)
from sniper.trading.engine.marketdata import bars_for

logger = logging.getLogger(__name__)
MAX_BARS_PER_TICK = 500


@dataclass
class PaperRun:
    """An algorithm's live engine and its place in the bar feed (`feed` sorted by time)."""

    engine: Engine
    feed: list[Bar]
    next_due: datetime
    started_at: datetime | None
    hits_seen: datetime
    version: int

    def pending(self) -> list[Bar]:
        """Bars after each symbol's last processed one, oldest first."""
        states = self.engine.symbols
        return [
            bar
            for bar in self.feed
            if (last := states[bar.symbol].last_at) is None or bar.at > last
        ]

    def wrapper(self) -> dict[str, Any]:
        return {
            "engine": self.engine.snapshot(),
            "nextDueAt": self.next_due.isoformat(),
            "startedAt": self.started_at.isoformat() if self.started_at else None,
            "hitsSeen": self.hits_seen.isoformat(),
        }


def _engine_state(status: str) -> EngineState:
    return "active" if status == "active" else "paused" if status == "paused" else "stopped"


class PaperRunner:
    """Runs every paper algorithm (see the module docstring); `tick()` is one pass."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.runs: dict[str, PaperRun] = {}

    async def tick(self) -> int:
        """Advance every paper algorithm; returns how many bars were processed."""
        async with transaction(self.runtime.sessions, read_only=True) as session:
            rows = list(await store.paper_algorithms(session))
        processed = 0
        for row in rows:
            try:
                processed += await self._advance(row)
            except Exception as exc:
                self.runs.pop(row.id, None)
                logger.exception("paper algorithm %s failed", row.id)
                async with transaction(self.runtime.sessions) as session:
                    await store.mark_error(session, row.id, str(exc), self.runtime.clock.now())
        for gone in self.runs.keys() - {row.id for row in rows}:
            del self.runs[gone]
        return processed

    async def _advance(self, row: TradingAlgorithm) -> int:
        now = self.runtime.clock.now()
        run = self.runs.get(row.id)
        if run is None or run.version != row.version:
            run = self._build(row, now)
        if row.started_at != run.started_at:
            run.started_at, run.next_due = row.started_at, now
        events = await self._follow_controls(run, row)
        await self._hand_over_hits(run, row)
        due = self._due(run, now)
        for bar in due:
            events += await run.engine.on_bar(bar)
        await self._persist(run, row, events, processed=len(due))
        self.runs[row.id] = run
        return len(due)

    def _build(self, row: TradingAlgorithm, now: datetime) -> PaperRun:
        config = AlgorithmConfig.model_validate(row.config)
        feed = self._feed(config)
        saved = row.engine_state or {}
        if "engine" in saved:
            engine = Engine.restore(
                config,
                saved["engine"],
                feed,
                algorithm_id=row.id,
                account_id=row.account_id,
                gate=self._gate,
            )
        else:
            engine = Engine(
                config,
                algorithm_id=row.id,
                account_id=row.account_id,
                gate=self._gate,
                initial_cash=self.runtime.settings.paper_initial_balance,
            )
        started = saved.get("startedAt")
        return PaperRun(
            engine=engine,
            feed=feed,
            next_due=datetime.fromisoformat(saved["nextDueAt"]) if saved else now,
            started_at=datetime.fromisoformat(started) if started else None,
            hits_seen=datetime.fromisoformat(saved["hitsSeen"]) if saved else now,
            version=row.version,
        )

    def _feed(self, config: AlgorithmConfig) -> list[Bar]:
        settings = self.runtime.settings
        bars = (
            bar
            for symbol in config.symbols or []
            # As a feed quotes them: backtests use the adjusted history, not paper runs.
            for bar in bars_for(
                symbol, settings.market_data_dir, adjusted=False, start=settings.paper_from
            )
            if bar.at.date() >= settings.paper_from
        )
        return sorted(bars, key=lambda bar: (bar.at, bar.symbol))

    async def _gate(self, intent: OrderIntent) -> GateDecision:
        return await check_order(self.runtime, intent)

    async def _follow_controls(self, run: PaperRun, row: TradingAlgorithm) -> list[Event]:
        events: list[Event] = []
        wanted = _engine_state(row.status)
        if run.engine.state != wanted:
            events += run.engine.set_state(wanted, at=self.runtime.clock.now())
        status = await read_status(self.runtime, row.account_id)
        if must_cancel_entries(status) and run.engine.broker.resting:
            events += run.engine.cancel_resting_entries(status or UNAVAILABLE)
        return events

    async def _hand_over_hits(self, run: PaperRun, row: TradingAlgorithm) -> None:
        by_ticker = {ticker(symbol): symbol for symbol in run.engine.symbols}
        async with transaction(self.runtime.sessions, read_only=True) as session:
            hits = await store.filing_hits(session, row.account_id, by_ticker, since=run.hits_seen)
        for hit_ticker, form_type, at in hits:
            run.engine.on_filing(by_ticker[hit_ticker], form_type, at)
            run.hits_seen = max(run.hits_seen, at)

    def _due(self, run: PaperRun, now: datetime) -> list[Bar]:
        interval = self.runtime.settings.paper_bar_interval
        due: list[Bar] = []
        for bar in run.pending():
            if run.next_due > now or len(due) >= MAX_BARS_PER_TICK:
                break
            due.append(bar)
            run.next_due += interval
        return due

    async def _persist(
        self, run: PaperRun, row: TradingAlgorithm, events: list[Event], processed: int
    ) -> None:
        if not events and not processed and row.engine_state is not None:
            return
        last = [s.last_at for s in run.engine.symbols.values() if s.last_at is not None]
        async with transaction(self.runtime.sessions) as session:
            await record_events(session, row.id, events, now=self.runtime.clock.now())
            await store.save_engine_state(
                session,
                row.id,
                state=run.wrapper(),
                last_bar_at=max(last, default=None),
                open_positions=len(run.engine.broker.positions),
            )
