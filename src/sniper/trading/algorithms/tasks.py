"""The backtest job (`backtest.run`): claims a queued backtest, runs it through the same engine
as paper trading on the configured bars, reports progress, and stores the results, the equity
curve and the closed trades (also in the ledger with the backtest's id).

A job that dies leaves its backtest `running` until the claim's lease passes; then any worker
claims it again and runs it from the start (a backtest is deterministic, trades are stored
under keys that make a second run's writes no-ops). A config the engine cannot run, bars that
cannot be read or filings that cannot be fetched end the backtest `failed` with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sniper.db.session import transaction
from sniper.edgar.errors import EdgarError
from sniper.errors import SniperError
from sniper.kit.waits import first_of
from sniper.kit.wake import RUN_BACKTEST
from sniper.models import Backtest
from sniper.runtime import Runtime
from sniper.trading.algorithms import store
from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.algorithms.filing_history import backtest_filings
from sniper.trading.engine.backtest import BacktestResult, run_backtest
from sniper.trading.engine.marketdata import bars_for

logger = logging.getLogger(__name__)
POLL_SECONDS = 5.0
Progress = Callable[[int, int], Awaitable[None]]


async def execute(runtime: Runtime, backtest: Backtest, progress: Progress | None = None) -> bool:
    """Run claimed `backtest` to `completed` (True) or `failed` (False). `progress(done,
    total)` is told about every stored step (the CLI draws its bar with it)."""
    try:
        result = await _run(runtime, backtest, progress)
    except (ValueError, SniperError, EdgarError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        async with transaction(runtime.sessions) as session:
            await store.fail_backtest(session, backtest.id, message, now=runtime.clock.now())
        return False
    async with transaction(runtime.sessions) as session:
        now = runtime.clock.now()
        await store.append_trades(
            session, backtest.algorithm_id, result.trades, now=now, backtest_id=backtest.id
        )
        await store.complete_backtest(
            session,
            backtest.id,
            results=result.results,
            equity_curve=result.equity_curve,
            trades=[trade.to_json() for trade in result.trades],
            now=now,
        )
    return True


async def _run(runtime: Runtime, backtest: Backtest, progress: Progress | None) -> BacktestResult:
    config = AlgorithmConfig.model_validate(backtest.config)
    directory = runtime.settings.market_data_dir
    bars = {symbol: bars_for(symbol, directory) for symbol in config.symbols or []}
    filings = await backtest_filings(runtime, config, backtest.start_date, backtest.end_date)

    async def report(done: int, total: int) -> None:
        async with transaction(runtime.sessions) as session:
            percent = done * 100 // max(total, 1)
            await store.backtest_progress(session, backtest.id, percent, now=runtime.clock.now())
        if progress is not None:
            await progress(done, total)
        await asyncio.sleep(0)  # let the API answer while a long backtest runs

    return await run_backtest(
        config,
        bars,
        start=backtest.start_date,
        end=backtest.end_date,
        initial_balance=backtest.initial_balance,
        filings=filings,
        progress=report,
        algorithm_id=backtest.id,
    )


async def claim(runtime: Runtime) -> Backtest | None:
    """Claim the next queued backtest (or one whose job died), committed."""
    async with transaction(runtime.sessions) as session:
        return await store.claim_backtest(session, now=runtime.clock.now())


class BacktestWorker:
    """Runs queued backtests one at a time: woken after a backtest is queued (in-process) and
    polling every few seconds for ones queued by other processes."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        unregister = self.runtime.wakeups.register(RUN_BACKTEST, self.wake)
        try:
            while not stop.is_set():
                self.wake.clear()
                await self.drain()
                await first_of(self.wake, stop, timeout=POLL_SECONDS)
        finally:
            unregister()

    async def drain(self) -> int:
        """Run every claimable backtest; returns how many ran."""
        ran = 0
        while (backtest := await claim(self.runtime)) is not None:
            try:
                await execute(self.runtime, backtest)
            except Exception as exc:
                logger.exception("backtest %s failed unexpectedly", backtest.id)
                async with transaction(self.runtime.sessions) as session:
                    await store.fail_backtest(
                        session,
                        backtest.id,
                        f"internal error ({type(exc).__name__}); see the server log",
                        now=self.runtime.clock.now(),
                    )
            ran += 1
        return ran
