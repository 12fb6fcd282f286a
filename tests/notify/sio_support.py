"""A python-socketio `AsyncClient` of the Finradar streams (`/sec`, `/13f`) that records what
it receives, for the Socket.IO tests against the app under a real uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import socketio

from sniper.notify import events

DEADLINE_SECONDS = 30.0  # generous: the suite runs on a loaded two-core machine
EVENTS = (
    "new_filing",
    "new_13f_filing",
    "sniper.target_activated",
    "sniper.target_stopped",
    "sniper.target_expired",
    "sniper.processing_state",
    "13f_heartbeat",
    "error",
)


class StreamClient:
    """One Socket.IO client on `namespace`: `received` queues `(event, body)` in order,
    `refusal` holds the `connect_error` data, `disconnected` is set when the server drops it."""

    def __init__(self, namespace: str = "/sec") -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.refusal: Any = None
        self.disconnected = asyncio.Event()
        for event in EVENTS:
            self.sio.on(event, self._recorder(event), namespace=namespace)
        self.sio.on("connect_error", self._refused, namespace=namespace)
        self.sio.on("disconnect", self._gone, namespace=namespace)

    def _recorder(self, event: str) -> Any:
        async def record(body: Any) -> None:
            await self.received.put((event, body))

        return record

    async def _refused(self, data: Any) -> None:
        self.refusal = data

    async def _gone(self, *_: Any) -> None:
        self.disconnected.set()

    async def connect(self, base: str, **options: Any) -> None:
        """Connect over WebSocket; raises `socketio.exceptions.ConnectionError` if refused."""
        await self.sio.connect(
            base,
            namespaces=[self.namespace],
            transports=["websocket"],
            wait_timeout=DEADLINE_SECONDS,
            **options,
        )

    async def next(self, event: str) -> Any:
        """The body of the next `event` received (earlier other events are skipped)."""
        async with asyncio.timeout(DEADLINE_SECONDS):
            while True:
                name, body = await self.received.get()
                if name == event:
                    return body

    async def first_of(self, *names: str) -> tuple[str, Any]:
        """The first received `(event, body)` among `names`."""
        async with asyncio.timeout(DEADLINE_SECONDS):
            while True:
                name, body = await self.received.get()
                if name in names:
                    return name, body


@contextlib.asynccontextmanager
async def stream(base: str, namespace: str = "/sec", **options: Any) -> AsyncIterator[StreamClient]:
    """A connected `StreamClient`, disconnected at the end of the block."""
    client = StreamClient(namespace)
    await client.connect(base, **options)
    try:
        yield client
    finally:
        await client.sio.disconnect()


def hit_13f_frame(target_id: str) -> dict[str, object]:
    """A `sniper.filing_hit` frame of a 13F-HR (the recorded day has no 13F hit on XOM)."""
    accepted = datetime(2025, 12, 12, 16, 0, tzinfo=UTC)
    payload = events.HitPayload(
        ticker="BRK-B",
        issuer_cik="0001067983",
        company_name="BERKSHIRE HATHAWAY INC",
        accession_number="0001067983-25-000001",
        form_type="13F-HR",
        filed_at=accepted,
        filing_url="https://www.sec.gov/Archives/edgar/data/1067983/000106798325000001/",
        filing_index_url="https://www.sec.gov/Archives/edgar/data/1067983/000106798325000001/",
        detected_at=accepted,
        detection_source="atom",
    )
    hit = events.FilingHit(
        occurred_at=accepted, delivery_id="dlv_test", target_id=target_id, payload=payload
    )
    return events.HitFrame(data=hit).model_dump(mode="json")
