"""Prometheus `/metrics` (issue 16 item 2): the metrics of `sniper.kit.metrics`, in the text
exposition format (`text/plain; version=0.0.4`).

Two ways to scrape it:

- `GET /metrics` on the API with an admin's API key (`AdminAccount`: no key or a bad one 401,
  a key of an account that is no admin 404, as every admin route answers);
- without a key on a port of its own when `SNIPER_METRICS_PORT` is set, bound to
  `SNIPER_METRICS_HOST` (default 127.0.0.1): `metrics_server`, started by the lifespan of
  `sniper serve` and `sniper worker` alike (a worker has no other HTTP face). Only `GET
  /metrics` answers there (200); any other path is 404.

The gauges that describe the database are read at scrape time (`refresh`): the webhook retry
queue depth and the lag of each job queue (`sniper_job_lag_seconds{job}`: how long the oldest
due row has waited past its due time, service clock; 0 when none is due); the WebSocket gauge
counts the connections this process holds now.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import uvicorn
from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sniper.accounts.auth import AdminAccount
from sniper.db.session import transaction
from sniper.deps import RuntimeDep
from sniper.filings.repository import JOBS as FILING_JOBS
from sniper.kit import metrics
from sniper.kit.openapi import error_responses
from sniper.kit.wake import DELIVER_WEBHOOK, PROCESS_FILING, RUN_BACKTEST
from sniper.models import WebhookAttempt, WebhookDelivery
from sniper.notify.repository import DELIVERIES
from sniper.runtime import Runtime
from sniper.trading.algorithms.store import BACKTESTS
from sniper.worker.claim import JobTable

router = APIRouter(tags=["monitoring"])
QUEUES: tuple[tuple[str, JobTable], ...] = (
    (DELIVER_WEBHOOK, DELIVERIES),
    (PROCESS_FILING, FILING_JOBS),
    (RUN_BACKTEST, BACKTESTS),
)


class MetricsServerError(Exception):
    """`SNIPER_METRICS_HOST`:`SNIPER_METRICS_PORT` cannot be bound (in use, no such address)."""


@router.get(
    "/metrics",
    description=__doc__,
    responses={
        200: {
            "description": "The metrics, Prometheus text format 0.0.4",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **error_responses(401, 404, 429),
    },
)
async def scrape(runtime: RuntimeDep, _: AdminAccount) -> Response:
    """The process's metrics, for an admin's API key."""
    return await exposition(runtime)


async def exposition(runtime: Runtime) -> Response:
    """Refresh the scrape-time gauges, then render every metric."""
    await refresh(runtime)
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def refresh(runtime: Runtime) -> None:
    """Set the gauges read at scrape time: retry queue depth, job lag, WebSockets."""
    now = runtime.clock.now()
    async with transaction(runtime.sessions, read_only=True) as session:
        metrics.RETRY_QUEUE_DEPTH.set(await _retry_queue_depth(session))
        for name, table in QUEUES:
            oldest = await session.scalar(
                select(func.min(table.column(table.due))).where(table.is_due(now))
            )
            metrics.JOB_LAG.labels(job=name).set(_seconds_since(oldest, now))
    metrics.WEBSOCKET_CONNECTIONS.set(runtime.hub.connections.open_count())


async def _retry_queue_depth(session: AsyncSession) -> int:
    """Pending deliveries with an attempt in their current round: waiting for a retry."""
    attempted = exists().where(
        WebhookAttempt.delivery_id == WebhookDelivery.id,
        WebhookAttempt.round == WebhookDelivery.round,
    )
    query = select(func.count()).where(WebhookDelivery.status == "pending", attempted)
    return int(await session.scalar(query) or 0)


def _seconds_since(instant: datetime | None, now: datetime) -> float:
    if instant is None:
        return 0.0
    if instant.tzinfo is None:  # an aggregate SQLite hands back naive (UTC)
        instant = instant.replace(tzinfo=UTC)
    return max(0.0, (now - instant).total_seconds())


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the process's own server or loop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def metrics_app(runtime: Runtime) -> ASGIApp:
    """The ASGI app of the metrics port: `GET /metrics`, no key; anything else 404."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
            response = await exposition(runtime)
        else:
            response = PlainTextResponse("Not Found: the metrics are at /metrics", 404)
        await response(scope, receive, send)

    return app


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port`; raises `MetricsServerError` naming the setting."""
    try:
        return socket.create_server((host, port), family=_family(host))
    except OSError as exc:
        reason = (exc.strerror or str(exc)).split(" (while attempting")[0]
        raise MetricsServerError(
            f"SNIPER_METRICS_PORT: cannot listen on {host}:{port} ({reason})"
        ) from exc


def check_port(host: str, port: int) -> None:
    """Bind `host`:`port` once and let it go: `sniper serve` and `sniper worker` refuse a port
    in use in one line (`MetricsServerError`) before starting."""
    _listen(host, port).close()


@contextlib.asynccontextmanager
async def metrics_server(runtime: Runtime, host: str, port: int) -> AsyncIterator[None]:
    """Serve `metrics_app` on `host`:`port` until the block ends. Raises `MetricsServerError`
    when the address cannot be bound."""
    sock = _listen(host, port)
    # no access line per scrape (Prometheus scrapes every 15 s)
    config = uvicorn.Config(metrics_app(runtime), lifespan="off", log_config=None, access_log=False)
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="metrics.serve")
    try:
        yield
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
        sock.close()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


async def start(runtime: Runtime, stack: contextlib.AsyncExitStack) -> None:
    """In the lifespan: serve the metrics port until `stack` closes, when
    `SNIPER_METRICS_PORT` is set (raises `MetricsServerError` if it cannot be bound)."""
    settings = runtime.settings
    if settings.metrics_port is not None:
        server = metrics_server(runtime, settings.metrics_host, settings.metrics_port)
        await stack.enter_async_context(server)
