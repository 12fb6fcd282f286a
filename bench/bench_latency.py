"""Feed page in -> webhook received: the real end-to-end path on the replayed EDGAR day.

The app is built by `create_app` in replay mode over the recorded crawl on a `ManualClock`, on a
temporary SQLite database, loops off (as the tests run it). A local webhook receiver
(`tests.support.http_server.LocalServer`, a thread in this process) stamps `time.monotonic()`
when each request has arrived. Targets: `TARGETS` distinct real companies that file in the
busiest 10 minutes of the recording (16:00-16:10 ET), created through the real service
(`create_target`) on `TARGETS / 5` paid accounts (5 slots each), every window opening at the
clock's start and each target's `webhook_url` pointing at the receiver.

The clock then steps 1 s (the default poll interval) at a time through those 10 minutes plus the
replay's longest feed lag (118 s). Each step: t0 = `time.monotonic()`, then `watcher.tick()`
(one planner second: the feed is served, parsed, matched, hits committed, then the lifecycle
sweep) while the `webhook.deliver` job's loop (`JobRunner(runtime, DELIVER).run`), woken by
the hit's commit, signs and POSTs the webhooks. Before the
next step the bench waits for every webhook of this step, so each one belongs to one t0.

Numbers, in milliseconds of wall time: latency = arrival at the receiver - t0 (p50, p99, max);
the commit split = when the hit's transaction committed (the worker's wake-up) - t0.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select
from tests.support.http_server import LocalServer, Reply, Request
from tests.support.paths import ATOM_DIR, CATALOG_PATH

from bench.data import Company, catalog_companies, percentile, recorded_filings
from sniper.accounts import service as accounts
from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.migrate import upgrade
from sniper.db.session import transaction
from sniper.edgar.atom import MATCH_ROLES, DetectedFiling
from sniper.kit.timefmt import iso_z
from sniper.kit.wake import DELIVER_WEBHOOK
from sniper.models import WebhookDelivery
from sniper.notify.tasks import DELIVER
from sniper.runtime import Runtime
from sniper.targets.schemas import CreateTargetRequest
from sniper.targets.service import create_target
from sniper.targets.watcher import Watcher
from sniper.worker.jobs import JobRunner

Row = tuple[str, str, str]
TARGETS = 100
SPAN = timedelta(minutes=10)
STEP_SECONDS = 1.0
ARRIVAL_TIMEOUT = 10.0


@dataclass
class Stamps:
    """Registered for job `webhook.deliver` in `runtime.wakeups`: `set()` is called after each
    commit that wrote webhook outbox rows, so it records when hits became durable."""

    times: list[float] = field(default_factory=list)

    def set(self) -> None:
        self.times.append(time.monotonic())


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, arrival - t0
    commits: list[float] = field(default_factory=list)  # seconds, hit commit - t0
    targets: int = 0
    fired: int = 0
    ticks: int = 0
    delivered: int = 0


def busiest_window(filings: Sequence[DetectedFiling], ciks: set[int]) -> datetime:
    """Start of the 10-minute bucket in which the most distinct catalog CIKs file."""
    buckets: dict[datetime, set[int]] = defaultdict(set)
    for filing in filings:
        at = filing.accepted_at
        buckets[at.replace(minute=at.minute - at.minute % 10, second=0)] |= (
            filing.ciks_for(MATCH_ROLES) & ciks
        )
    return max(buckets, key=lambda start: (len(buckets[start]), start))


def pick_companies(start: datetime) -> list[Company]:
    """Up to `TARGETS` catalog companies filing in `[start, start + SPAN)`, first filer first."""
    by_cik = {company.cik: company for company in catalog_companies()}
    inside = sorted(
        (f for f in recorded_filings() if start <= f.accepted_at < start + SPAN),
        key=lambda f: (f.accepted_at, f.accession_number),
    )
    picked: dict[int, Company] = {}
    for filing in inside:
        for cik in sorted(filing.ciks_for(MATCH_ROLES)):
            if cik in by_cik and len(picked) < TARGETS:
                picked.setdefault(cik, by_cik[cik])
    return list(picked.values())


async def create_targets(runtime: Runtime, companies: Sequence[Company], url: str) -> None:
    """One paid account per `paid_plan_slots` companies, one target per company, all through
    the real account and target services; windows from now to the end of the span + 10 min."""
    clock, slots = runtime.clock, runtime.settings.paid_plan_slots
    end = iso_z(clock.now() + SPAN + timedelta(minutes=10))
    for first in range(0, len(companies), slots):
        async with transaction(runtime.sessions) as session:
            account = await accounts.create_account(
                session,
                name=f"bench-{first // slots}",
                plan="paid",
                tokens=10,
                admin=False,
                now=clock.now(),
            )
            for company in companies[first : first + slots]:
                body = CreateTargetRequest(
                    ticker=company.ticker, end_time=end, webhook_url=f"{url}/hook/{company.cik}"
                )
                await create_target(session, runtime, account, body)


async def wait_for(server: LocalServer, arrived: asyncio.Event, count: int) -> None:
    """Until the receiver holds `count` requests; `TimeoutError` after `ARRIVAL_TIMEOUT` s."""
    async with asyncio.timeout(ARRIVAL_TIMEOUT):
        while len(server.requests) < count:
            arrived.clear()
            if len(server.requests) < count:
                await arrived.wait()


async def drive(
    watcher: Watcher,
    clock: ManualClock,
    server: LocalServer,
    arrived: asyncio.Event,
    stamps: Stamps,
) -> Outcome:
    """Step the clock through the span (+ feed lag + 5 s), one tick per step; see module doc."""
    outcome = Outcome()
    lag = MAX_PUBLIC_LAG
    steps = int((SPAN + lag).total_seconds() / STEP_SECONDS) + 5
    for _ in range(steps):
        clock.advance(STEP_SECONDS)
        committed = len(stamps.times)
        t0 = time.monotonic()
        hits = await watcher.tick()
        outcome.ticks += 1
        if not hits:
            continue
        await wait_for(server, arrived, outcome.fired + hits)
        fresh = server.requests[outcome.fired : outcome.fired + hits]
        outcome.latencies += [request.received_at - t0 for request in fresh]
        outcome.commits += [stamp - t0 for stamp in stamps.times[committed:]]
        outcome.fired += hits
    return outcome


async def delivered_count(runtime: Runtime) -> int:
    async with transaction(runtime.sessions) as session:
        query = select(func.count()).where(WebhookDelivery.status == "delivered")
        return int((await session.execute(query)).scalar_one())


async def measure_app(
    app: FastAPI, clock: ManualClock, server: LocalServer, arrived: asyncio.Event
) -> Outcome:
    """Inside the app's lifespan: catch-up poll, targets, then `drive` with a delivery task."""
    runtime: Runtime = app.state.runtime
    watcher: Watcher = app.state.watcher
    await watcher.tick()  # the first poll pages back through the whole visible feed: not timed
    companies = pick_companies(clock.now())
    await create_targets(runtime, companies, server.url)
    stamps = Stamps()
    runtime.wakeups.register(DELIVER_WEBHOOK, stamps)
    stop = asyncio.Event()
    worker = asyncio.create_task(JobRunner(runtime, DELIVER).run(stop))
    try:
        outcome = await drive(watcher, clock, server, arrived, stamps)
    finally:
        stop.set()
        await worker
    outcome.targets = len(companies)
    outcome.delivered = await delivered_count(runtime)
    return outcome


async def measure(database_url: str) -> Outcome:
    """Build the app on `database_url` at the busiest window's start and measure."""
    ciks = {company.cik for company in catalog_companies()}
    clock = ManualClock(busiest_window(recorded_filings(), ciks))
    settings = Settings(
        database_url=database_url,
        catalog_path=CATALOG_PATH,
        webhook_allow_networks=["127.0.0.1/32"],
    )
    loop, arrived = asyncio.get_running_loop(), asyncio.Event()

    def receive(_request: Request) -> Reply:
        loop.call_soon_threadsafe(arrived.set)
        return Reply(200)

    options = ServeOptions(mode="replay", replay_dir=ATOM_DIR, clock=clock, run_workers=False)
    app = create_app(settings, options)
    with LocalServer(receive) as server:
        async with app.router.lifespan_context(app):
            return await measure_app(app, clock, server, arrived)


MAX_PUBLIC_LAG = timedelta(seconds=118)  # acceptance -> feed at most (43 s + 75 s, timing/)


def rows(outcome: Outcome) -> list[Row]:
    """p50, p99 and count rows; latencies in ms."""
    ms = [seconds * 1e3 for seconds in outcome.latencies]
    commit_ms = [seconds * 1e3 for seconds in outcome.commits]
    name = "latency: feed page in → webhook at receiver"
    lag = "EDGAR acceptance → feed lag (recorded, MANIFEST)"
    return [
        (
            f"{name}, p50",
            f"{percentile(ms, 50):.1f} ms (hit committed at {percentile(commit_ms, 50):.1f} ms)",
            f"{lag}: median 30 s",
        ),
        (
            f"{name}, p99",
            f"{percentile(ms, 99):.1f} ms (max {max(ms):.1f} ms)",
            f"{lag}: p95 46 s; plus ≤ 1 s poll interval",
        ),
        (
            f"{name}, count",
            f"{len(ms)} webhooks · {outcome.delivered} delivered · {outcome.ticks} ticks",
            f"{outcome.targets} targets created, each should fire once",
        ),
    ]


def run() -> list[Row]:
    """Rows: webhook latency p50 / p99 (ms) and the count, on a temporary SQLite database."""
    with tempfile.TemporaryDirectory(prefix="sniper-bench-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'latency.db'}"
        upgrade(url)
        outcome = asyncio.run(measure(url))
    if not outcome.latencies:
        raise RuntimeError("no webhook arrived: nothing fired during the replayed span")
    return rows(outcome)
