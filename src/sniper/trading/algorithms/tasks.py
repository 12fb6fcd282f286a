"""The trading jobs: `backtest.run` and the paper runner's tick (`algorithm.paper`, one process
at a time), declared for the job runtime (`sniper.worker.jobs`).

The backtest job claims a queued backtest, runs it through the same engine
as paper trading on the configured bars, reports progress, and stores the results, the equity
curve and the closed trades (also in the ledger with the backtest's id).

A job that dies leaves its backtest `running` until the claim's lease passes; then any worker
claims it again and runs it from the start (a backtest is deterministic, trades are stored
under keys that make a second run's writes no-ops). A config the engine cannot run, bars that
cannot be read or filings that cannot be fetched end the backtest `failed` with the reason,
and so do a range with no bars and a `filing_event` range the filing history does not reach
(`engine.backtest`, `filing_history`). The stored results name each symbol's price adjustment
(`results.priceAdjustment`, e.g. `{"NASDAQ:AAPL": "splits_and_dividends"}`) and carry
`results.warnings` (partial bar or filing coverage; empty when none).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection

from sniper.db.session import transaction
from sniper.edgar.errors import EdgarError
from sniper.errors import SniperError
from sniper.kit.wake import RUN_BACKTEST
from sniper.models import Backtest
from sniper.runtime import Runtime
from sniper.trading.algorithms import store
from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.algorithms.filing_history import backtest_filings
from sniper.trading.algorithms.paper import PaperRunner
from sniper.trading.engine.backtest import BacktestResult, run_backtest
from sniper.trading.engine.marketdata import bars_for, price_adjustment
from sniper.worker.jobs import Job, JobContext, Schedule
from sniper.worker.leader import PAPER_LOCK_KEY

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
    symbols = config.symbols or []
    start, end = backtest.start_date, backtest.end_date
    bars = {symbol: bars_for(symbol, directory, start=start, end=end) for symbol in symbols}
    history = await backtest_filings(runtime, config, backtest.start_date, backtest.end_date)

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
        filings=history.hits,
        progress=report,
        algorithm_id=backtest.id,
        price_adjustment={symbol: price_adjustment(symbol, directory) for symbol in symbols},
        warnings=history.warnings,
    )


async def claim(
    context: JobContext, limit: int, in_flight: Collection[str], skip: Collection[str]
) -> list[Backtest]:
    """Claim up to `limit` queued backtests (or ones whose job died), committed."""
    del in_flight  # `skip` already holds what runs here
    runtime = context.runtime
    async with transaction(runtime.sessions) as session:
        return await store.claim_backtests(session, now=runtime.clock.now(), limit=limit, skip=skip)


async def run(context: JobContext, backtest: Backtest) -> bool:
    """Job `backtest.run` on a claimed backtest: `execute` it; an error the engine did not
    expect ends it `failed` with a pointer to the server log. True when it completed."""
    runtime = context.runtime
    try:
        return await execute(runtime, backtest)
    except Exception as exc:
        logger.exception("backtest %s failed unexpectedly", backtest.id)
        async with transaction(runtime.sessions) as session:
            await store.fail_backtest(
                session,
                backtest.id,
                f"internal error ({type(exc).__name__}); see the server log",
                now=runtime.clock.now(),
            )
        return False


RUN = Job(
    name=RUN_BACKTEST,
    claim=claim,
    run=run,
    key=lambda backtest: backtest.id,
    concurrency=lambda settings: 1,
    poll_seconds=POLL_SECONDS,
)
PAPER = Schedule(
    name="algorithm.paper",
    start=lambda runtime: PaperRunner(runtime).tick,
    interval=lambda settings: settings.paper_tick.total_seconds(),
    lock=PAPER_LOCK_KEY,
)
