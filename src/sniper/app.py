"""`create_app(settings, options)`: the lifespan builds the engine, catalog, source, HTTP clients,
push hub and the background jobs; nothing is built at import. The Socket.IO streams
(`notify.sio`) wrap the app as its outermost middleware. `JOBS` is the job registry: every
job the worker runs, declared in its feature's `tasks.py` (`sniper.worker.jobs`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

import httpx
from fastapi import Depends, FastAPI

from sniper import api, monitoring, status
from sniper.clock import Clock, ReplayClock, SystemClock
from sniper.config import Settings
from sniper.db.engine import create_engine, session_factory
from sniper.edgar.budget import SLACK
from sniper.edgar.catalog import TickerCatalog
from sniper.edgar.client import SecClient, build_sec_client
from sniper.edgar.planner import DetectionPlanner, PlannerSettings, Urls
from sniper.edgar.sim_documents import place_submissions
from sniper.edgar.sim_filings import LagModel, SimFiling, crawl_day, publish
from sniper.edgar.simulated import SimulatedEdgar
from sniper.filings import tasks as filing_tasks
from sniper.filings.resources import (
    LIVE_SUBMISSIONS,
    STAND_IN_USER_AGENT,
    build_pipeline_resources,
)
from sniper.kit import accesslog, http, logs, openapi
from sniper.kit.ratelimit import RateLimiter
from sniper.kit.text import refuse_unstorable_input
from sniper.kit.timefmt import iso_z
from sniper.notify import sio
from sniper.notify import tasks as webhook_tasks
from sniper.notify.hub import PushHub
from sniper.notify.publisher import Publisher
from sniper.runtime import Runtime
from sniper.targets import tasks as edgar_tasks
from sniper.trading.algorithms import tasks as trading_tasks
from sniper.worker.jobs import Declaration, start_jobs

Mode = Literal["replay", "live", "off"]
SEC_WWW = "https://www.sec.gov"
TIMING_FILE = "fastest_way_etag_results.csv"
JOBS: tuple[Declaration, ...] = (
    edgar_tasks.POLL,
    edgar_tasks.REFRESH_CATALOG,
    webhook_tasks.DELIVER,
    filing_tasks.PROCESS,
    trading_tasks.RUN,
    trading_tasks.PAPER,
    status.CLOCK_PERSIST,
)


@dataclass
class ServeOptions:
    """How `serve` runs: `replay` a recorded crawl, watch EDGAR `live`, or `off` (API only).

    `clock` overrides the clock (tests pass a `ManualClock`); `run_workers=False` runs no job
    (`JOBS`): the caller ticks `app.state.watcher` and runs jobs itself (tests). `freeze_gc=True`
    (`sniper serve`) moves everything built at startup out of the garbage collector's reach
    (`gc.freeze`): a full collection then takes ~5 ms instead of ~170 ms, RELIABILITY F12's p99.
    """

    mode: Mode = "off"
    replay_dir: Path | None = None
    speed: float = 1.0
    start: datetime | None = None
    clock: Clock | None = None
    run_workers: bool = True
    freeze_gc: bool = False


class ConfigurationError(Exception):
    """A setting or option that makes the requested mode impossible."""


def create_app(settings: Settings, options: ServeOptions | None = None) -> FastAPI:
    opts = options or ServeOptions()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            runtime = await _build(settings, opts, stack)
            if opts.freeze_gc:
                gc.collect()
                gc.freeze()
            app.state.runtime = runtime
            app.state.watcher = edgar_tasks.watcher(runtime)
            stop = asyncio.Event()
            tasks = start_jobs(runtime, JOBS, stop) if opts.run_workers else []
            try:
                yield
            finally:
                stop.set()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    app = FastAPI(
        title="Sniper",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(refuse_unstorable_input)],
        docs_url=None,  # offline /docs and /redoc: sniper.dashboard.docs
        redoc_url=None,
    )
    http.install(app, max_body_bytes=settings.max_body_bytes)
    api.mount(app)
    openapi.install(app, schemas={"PushFrame": api.PushFrame})
    # Outermost: Finradar's Socket.IO streams on /socket.io/, the same port (notify.sio).
    streams = sio.server(lambda: app.state.runtime)
    app.add_middleware(sio.SocketIOMiddleware, sio=streams)
    return app


async def _build(
    settings: Settings, opts: ServeOptions, stack: contextlib.AsyncExitStack
) -> Runtime:
    if opts.mode == "live" and not settings.edgar_user_agent:
        raise ConfigurationError(
            "live mode needs SNIPER_EDGAR_USER_AGENT ('Company Name admin@example.com'), "
            "SEC's fair-access rule"
        )
    engine = create_engine(settings.database_url)
    stack.push_async_callback(engine.dispose)
    source = _source(settings, opts)
    if source.sec is not None:
        stack.push_async_callback(source.sec.aclose)
    webhook_http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
    stack.push_async_callback(webhook_http.aclose)
    limiter = RateLimiter.from_settings(settings)
    stack.push_async_callback(limiter.aclose)
    accesslog.ensure_handler()
    logs.configure()
    live_sec = source.sec if opts.mode == "live" else None
    runtime = Runtime(
        settings=settings,
        clock=source.clock,
        engine=engine,
        sessions=session_factory(engine),
        catalog=await _catalog(settings, opts, live_sec),
        hub=PushHub(),
        webhook_http=webhook_http,
        mode=opts.mode,
        source=source.description,
        sec=live_sec,
        simulated=source.simulated,
        limiter=limiter,
    )
    runtime.pipeline = await build_pipeline_resources(settings, opts.mode, source.sec, stack)
    runtime.publisher = Publisher(
        {"main": runtime.hub, "control": runtime.control_hub},
        settings.redis_url,
        settings.redis_key_prefix,
    )
    await runtime.publisher.start()
    stack.push_async_callback(runtime.publisher.aclose)
    runtime.planner = source.planner
    await monitoring.start(runtime, stack)
    return runtime


class _Source(NamedTuple):
    clock: Clock
    sec: SecClient | None
    planner: DetectionPlanner | None
    simulated: SimulatedEdgar | None
    description: dict[str, object]


def _planner_settings(settings: Settings) -> PlannerSettings:
    return PlannerSettings(
        plan_rps=settings.edgar_plan_rps,
        feed_page_size=settings.feed_page_size,
        feed_max_start=settings.feed_max_start,
        deep_interval=settings.feed_deep_interval,
        deep_entries=settings.feed_deep_entries,
        backstop_interval=settings.backstop_interval,
        lookahead=settings.probe_lookahead,
    )


def _source(settings: Settings, opts: ServeOptions) -> _Source:
    """Live: the planner over a `SecClient` to the configured EDGAR. Replay: the same planner
    and client over `httpx.ASGITransport` to a simulated EDGAR playing the recorded day."""
    if opts.mode == "replay":
        return _replay_source(settings, opts)
    clock = opts.clock or SystemClock()
    if opts.mode != "live":
        return _Source(clock, None, None, None, {"kind": "none"})
    sec = _sec_client(settings, clock)
    base = settings.edgar_base_url.rstrip("/")
    urls = Urls(
        feed=base,
        archives=(settings.edgar_archives_base_url or base).rstrip("/"),
        submissions=(settings.edgar_submissions_base_url or LIVE_SUBMISSIONS).rstrip("/"),
    )
    planner = DetectionPlanner(sec, urls, clock, _planner_settings(settings))
    description: dict[str, object] = {"kind": "planner", "url": base}
    return _Source(clock, sec, planner, None, description)


def _sec_client(
    settings: Settings,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
    speed: float = 1.0,
) -> SecClient:
    """The one SEC client. A replay at `speed` stretches real delays on the way to the
    simulated EDGAR by `speed` in clock time, so the budget's slack grows with it."""
    return build_sec_client(
        user_agent=settings.edgar_user_agent or STAND_IN_USER_AGENT,
        max_rps=settings.edgar_max_rps,
        timeout_seconds=settings.edgar_timeout.total_seconds(),
        clock=clock,
        transport=transport,
        slack=SLACK + timedelta(milliseconds=20) * max(0.0, speed - 1),
    )


def check_options(settings: Settings, opts: ServeOptions) -> str | None:
    """Raise the `ConfigurationError` the lifespan would, before serving (`sniper serve` and
    `sniper worker` call it so a bad `--replay` or `--start` is one line, not a startup
    traceback); return a warning for options that serve but may surprise (a `--start` after
    the replay's last filing: no filing is left to detect, though a restarted worker still
    delivers and expires what is due). Replay mode loads the recorded crawl (cached)."""
    notice = None
    if opts.mode == "replay":
        _check_demo_paths(settings)
        filings = replay_filings(settings, opts)
        last = max(f.first_public for f in filings)
        if opts.start is not None and opts.start > last:
            first = min(f.accepted_at for f in filings)
            notice = (
                f"--start {iso_z(opts.start)} is after the replay's last filing "
                f"({opts.replay_dir} covers {iso_z(first)} to {iso_z(last)}): nothing new "
                "will be detected"
            )
    if settings.metrics_port is not None:
        try:
            monitoring.check_port(settings.metrics_host, settings.metrics_port)
        except monitoring.MetricsServerError as exc:
            raise ConfigurationError(str(exc)) from exc
    path = catalog_path(settings, opts)
    if path is None and opts.mode != "live":
        raise ConfigurationError(CATALOG_NEEDED)
    if path is not None and not path.is_file():
        raise ConfigurationError(f"SNIPER_CATALOG_PATH {path} is not a file")
    return notice


def catalog_path(settings: Settings, opts: ServeOptions) -> Path | None:
    """SNIPER_CATALOG_PATH; unset in replay mode, the recording's own catalog when it has one
    (`<replay dir>/../reference/company_tickers.json`, as in `shared/edgar/`); else None."""
    if settings.catalog_path is not None or opts.replay_dir is None:
        return settings.catalog_path
    beside = opts.replay_dir.parent / "reference" / "company_tickers.json"
    return beside if beside.is_file() else None


def _check_demo_paths(settings: Settings) -> None:
    """The 13F demo's recordings must exist when set (a one-line error, not a traceback)."""
    submissions, figi = settings.replay_submissions_path, settings.replay_openfigi_path
    if submissions is not None and not submissions.is_dir():
        raise ConfigurationError(f"SNIPER_REPLAY_SUBMISSIONS_PATH {submissions} is not a directory")
    if figi is not None and not figi.is_file():
        raise ConfigurationError(f"SNIPER_REPLAY_OPENFIGI_PATH {figi} is not a file")


def replay_filings(settings: Settings, opts: ServeOptions) -> tuple[SimFiling, ...]:
    """The filings `--replay` plays; raises `ConfigurationError` for a missing directory or
    lag file, or a directory without recorded filings."""
    if opts.replay_dir is None or not opts.replay_dir.is_dir():
        raise ConfigurationError(f"--replay needs a directory, got {opts.replay_dir}")
    filings = _replay_day(settings, opts.replay_dir).filings
    if not filings:
        raise ConfigurationError(f"--replay {opts.replay_dir}: no recorded filings in it")
    return filings


def _timing_path(settings: Settings, replay_dir: Path) -> Path:
    return settings.replay_timing_path or replay_dir.parent / "timing" / TIMING_FILE


def _replay_source(settings: Settings, opts: ServeOptions) -> _Source:
    assert opts.replay_dir is not None
    filings = replay_filings(settings, opts)
    timing = _timing_path(settings, opts.replay_dir)
    clock: Clock = opts.clock or SystemClock()
    if opts.clock is None:
        first = min(f.accepted_at for f in filings)
        clock = ReplayClock(opts.start or first, opts.speed)
    documents = _replay_day(settings, opts.replay_dir).documents
    simulated = SimulatedEdgar(
        filings,
        clock,
        max_rps=settings.edgar_max_rps,
        edgar_dir=timing.parent.parent,
        documents=documents,
    )
    speed = opts.speed if opts.clock is None else 1.0
    sec = _sec_client(settings, clock, httpx.ASGITransport(app=simulated.asgi), speed)
    urls = Urls(feed=SEC_WWW, archives=SEC_WWW, submissions=LIVE_SUBMISSIONS)
    planner = DetectionPlanner(sec, urls, clock, _planner_settings(settings))
    description: dict[str, object] = {
        "kind": "planner",
        "replay_dir": str(opts.replay_dir),
        "speed": opts.speed,
        "filings": len(filings),
        "seed": settings.replay_seed,
    }
    return _Source(clock, sec, planner, simulated, description)


class _Day(NamedTuple):
    filings: tuple[SimFiling, ...]
    documents: dict[str, bytes]  # accession -> recorded full submission (13F demo)


def _replay_day(settings: Settings, replay_dir: Path) -> _Day:
    timing = _timing_path(settings, replay_dir)
    submissions = settings.replay_submissions_path
    return _simulated_day(replay_dir, timing, settings.replay_seed, submissions)


@functools.lru_cache(maxsize=4)
def _simulated_day(replay_dir: Path, timing: Path, seed: int, submissions: Path | None) -> _Day:
    """The recorded crawl in `replay_dir` (`shared/edgar/atom/`), plus the recorded full
    submissions in `submissions` placed into it (`sim_documents`), each filing published with
    Archives and feed lags drawn (seeded) from `timing` (`fastest_way_etag_results.csv`); read
    once per process (`check_options`, then the lifespan; tests build many apps)."""
    if not timing.is_file():
        raise ConfigurationError(f"replay needs the recorded publication lags in {timing}")
    try:
        recorded = crawl_day(replay_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise ConfigurationError(f"--replay {replay_dir}: {exc}") from exc
    documents: dict[str, bytes] = {}
    if submissions is not None and recorded:
        try:
            placed = place_submissions(submissions, recorded)
        except OSError as exc:
            raise ConfigurationError(
                f"SNIPER_REPLAY_SUBMISSIONS_PATH {submissions}: {exc}"
            ) from exc
        recorded, documents = placed.day, placed.documents
    return _Day(tuple(publish(recorded, LagModel.recorded(timing), seed)), documents)


@functools.lru_cache(maxsize=4)
def _catalog_file(path: Path, mtime_ns: int) -> TickerCatalog:
    """A catalog file parsed once per process and version (tests build many apps)."""
    del mtime_ns  # part of the cache key only
    return TickerCatalog.from_path(path)


async def _catalog(settings: Settings, opts: ServeOptions, sec: SecClient | None) -> TickerCatalog:
    path = catalog_path(settings, opts)
    if path is not None:
        return _catalog_file(path, path.stat().st_mtime_ns)
    if sec is not None:
        return await TickerCatalog.from_sec(sec, settings.catalog_url)
    raise ConfigurationError(CATALOG_NEEDED)


CATALOG_NEEDED = (
    "set SNIPER_CATALOG_PATH to a company_tickers.json (offline; `sniper init` writes it when "
    "it finds ../shared), or run live to download it"
)
