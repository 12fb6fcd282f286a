"""Durable webhook delivery: throughput from a backlog, and latency from hit commit to receipt.

The app is built by `create_app` (loops off, system clock) on a temporary SQLite database, with the
`webhook.deliver` job's loop (`JobRunner(runtime, DELIVER).run`) as `serve` runs it (64 in
flight, 4 per endpoint). The receiver is
`tests.notify.receiver.Receiver` (a threaded HTTP server in this process, 200 to all), stamping
`time.monotonic()` on arrival. Outbox rows are written by `enqueue_webhook`, the same
function the hit transaction calls, one transaction per hit.

1. Backlog: 1,000 pending hits (10 accounts x 10 endpoints x 10 hits) are committed while the
   worker is stopped; then the worker starts and the clock runs until the 1,000th webhook has
   arrived. Deliveries per second = 1,000 / that time.
2. Latency: with the worker running, `STREAM` hits are committed one by one, one every `PACE`
   seconds (each its own transaction); latency = arrival - the moment that hit's commit
   returned. p50 / p99 / max.

Peer, measured in the same run against the same receiver: one bare `httpx.AsyncClient` posting
1,000 bodies of the same size (64 in flight, the worker's `SNIPER_WEBHOOK_MAX_IN_FLIGHT`), no
database, no signing; the backlog row gives Sniper / peer. Run on SQLite and, when
`SNIPER_TEST_DATABASE_URL` names one, on a fresh PostgreSQL database.

Claims are shared by a batch of up to 50 and records by a flush of up to 100 (a group commit,
`notify.tasks.attempt_recorder`); each attempt is one signed POST and one attempt row.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from tests.notify.receiver import Action, Receiver
from tests.support.http_server import Reply, Request
from tests.support.paths import CATALOG_PATH

from bench.bench_throughput import fresh_postgres
from bench.data import percentile
from sniper.accounts import service as accounts
from sniper.app import ServeOptions, create_app
from sniper.config import Settings
from sniper.db.migrate import upgrade
from sniper.db.session import transaction
from sniper.notify import events
from sniper.notify.service import enqueue_webhook
from sniper.notify.tasks import DELIVER
from sniper.runtime import Runtime
from sniper.worker.jobs import JobRunner

Row = tuple[str, str, str]
ACCOUNTS, ENDPOINTS, HITS_PER_ENDPOINT = 10, 10, 10
BACKLOG = ACCOUNTS * ENDPOINTS * HITS_PER_ENDPOINT
STREAM = 200
PACE = 0.02  # seconds between hits: 50 hits/s
TIMEOUT = 300.0  # a busy 2-core machine delivers slowly; the rows say how fast
IN_FLIGHT = 64  # the worker's default SNIPER_WEBHOOK_MAX_IN_FLIGHT


@dataclass
class Arrivals:
    """Receipt times by webhook-id (`time.monotonic()`), filled by the receiver's threads."""

    loop: asyncio.AbstractEventLoop
    times: dict[str, float] = field(default_factory=dict)
    event: asyncio.Event = field(default_factory=asyncio.Event)

    def receive(self, request: Request) -> Action:
        self.times[request.headers["webhook-id"]] = request.received_at
        self.loop.call_soon_threadsafe(self.event.set)
        return Reply(200)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(TIMEOUT):
            while len(self.times) < count:
                self.event.clear()
                if len(self.times) < count:
                    await self.event.wait()


async def make_accounts(runtime: Runtime) -> list[int]:
    ids = []
    async with transaction(runtime.sessions) as session:
        for number in range(ACCOUNTS):
            account = await accounts.create_account(
                session,
                name=f"bench-{number}",
                plan="paid",
                tokens=0,
                admin=False,
                now=runtime.clock.now(),
            )
            ids.append(account.id)
    return ids


async def commit_hit(runtime: Runtime, account_id: int, url: str) -> tuple[str, float]:
    """One outbox row in its own transaction; returns (delivery id, when the commit returned)."""
    delivery_id = events.new_delivery_id()
    body = events.webhook_test(delivery_id=delivery_id, occurred_at=runtime.clock.now())
    async with transaction(runtime.sessions) as session:
        await enqueue_webhook(
            session,
            runtime,
            delivery_id=delivery_id,
            account_id=account_id,
            target_id=None,
            url=url,
            body=body,
        )
    return delivery_id, time.monotonic()


async def backlog(runtime: Runtime, account_ids: list[int], base: str, arrivals: Arrivals) -> float:
    """Seconds for a started worker to deliver `BACKLOG` already committed hits."""
    for account_id in account_ids:
        for endpoint in range(ENDPOINTS):
            for _ in range(HITS_PER_ENDPOINT):
                await commit_hit(runtime, account_id, f"{base}/{account_id}/{endpoint}")
    stop = asyncio.Event()
    started = time.monotonic()
    worker = asyncio.create_task(JobRunner(runtime, DELIVER).run(stop))
    await arrivals.wait_for(BACKLOG)
    elapsed = time.monotonic() - started
    stop.set()
    await worker
    return elapsed


async def stream(
    runtime: Runtime, account_ids: list[int], base: str, arrivals: Arrivals
) -> list[float]:
    """Latencies (s) from each hit's commit to its receipt: `STREAM` hits committed one by one
    every `PACE` s while the worker runs, as a busy day's hits come in."""
    stop = asyncio.Event()
    worker = asyncio.create_task(JobRunner(runtime, DELIVER).run(stop))
    committed = []
    for number in range(STREAM):
        account_id = account_ids[number % len(account_ids)]
        committed.append(await commit_hit(runtime, account_id, f"{base}/stream/{number % 7}"))
        await asyncio.sleep(PACE)
    await arrivals.wait_for(BACKLOG + STREAM)
    stop.set()
    await worker
    return [arrivals.times[delivery_id] - at for delivery_id, at in committed]


async def peer(base: str, arrivals: Arrivals) -> float:
    """Seconds for one bare `httpx.AsyncClient` to post `BACKLOG` bodies of a webhook's size
    to the receiver, `IN_FLIGHT` at a time."""
    body = b"x" * 400
    gate = asyncio.Semaphore(IN_FLIGHT)
    already = len(arrivals.times)

    async def post(client: httpx.AsyncClient, number: int) -> None:
        async with gate:
            headers = {"webhook-id": f"peer-{number}", "content-type": "application/json"}
            response = await client.post(
                f"{base}/peer/{number % 100}", content=body, headers=headers
            )
            response.raise_for_status()

    limits = httpx.Limits(max_connections=IN_FLIGHT)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        started = time.monotonic()
        await asyncio.gather(*(post(client, number) for number in range(BACKLOG)))
        await arrivals.wait_for(already + BACKLOG)
        return time.monotonic() - started


async def measure(app: FastAPI) -> tuple[float, list[float], float]:
    arrivals = Arrivals(asyncio.get_running_loop())
    with Receiver(arrivals.receive) as receiver:
        async with app.router.lifespan_context(app):
            runtime: Runtime = app.state.runtime
            account_ids = await make_accounts(runtime)
            seconds = await backlog(runtime, account_ids, receiver.url, arrivals)
            latencies = await stream(runtime, account_ids, receiver.url, arrivals)
            peer_seconds = await peer(receiver.url, arrivals)
    return seconds, latencies, peer_seconds


def _measure_on(url: str) -> tuple[float, list[float], float]:
    upgrade(url)
    settings = Settings(
        database_url=url,
        catalog_path=CATALOG_PATH,
        webhook_allow_networks=["127.0.0.1/32"],  # type: ignore[list-item]
    )
    return asyncio.run(measure(create_app(settings, ServeOptions(mode="off", run_workers=False))))


def run() -> list[Row]:
    """Rows: deliveries per second from a 1,000-hit backlog beside the bare-httpx peer;
    commit → receipt p50 / p99; on SQLite and (SNIPER_TEST_DATABASE_URL) PostgreSQL."""
    with tempfile.TemporaryDirectory(prefix="sniper-bench-") as directory:
        rows = _rows("SQLite", *_measure_on(f"sqlite+aiosqlite:///{Path(directory) / 'd.db'}"))
    postgres = os.environ.get("SNIPER_TEST_DATABASE_URL", "")
    if postgres.startswith("postgresql"):
        with fresh_postgres(postgres) as url:
            rows += _rows("PostgreSQL", *_measure_on(url))
    return rows


def _rows(database: str, seconds: float, latencies: list[float], peer_seconds: float) -> list[Row]:
    ms = [latency * 1e3 for latency in latencies]
    ours, best = BACKLOG / seconds, BACKLOG / peer_seconds
    return [
        (
            f"webhook delivery ({database}): 1,000 pending hits → local receiver",
            f"{ours:.0f} deliveries/s ({seconds:.1f} s; 100 endpoints, ≤ 4 each; every attempt "
            "recorded)",
            f"one bare httpx AsyncClient, {IN_FLIGHT} in flight: {best:.0f} posts/s: "
            f"{ours / best:.2f}x · target ≥ 500 deliveries/s",
        ),
        (
            f"webhook delivery ({database}): hit commit → webhook received",
            f"p50 {percentile(ms, 50):.1f} ms · p99 {percentile(ms, 99):.1f} ms · "
            f"max {max(ms):.1f} ms ({STREAM} hits, one every {PACE * 1e3:.0f} ms)",
            "woken on commit, no polling delay (idle poll 0.5 s)",
        ),
    ]


if __name__ == "__main__":  # `python -m bench.bench_delivery`: the rows, one a line
    for bench_row in run():
        print(" | ".join(bench_row))
