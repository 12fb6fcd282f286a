"""One process of the F8 figure: the real app (in-process ASGI client) hammering one account.

Run by `multiprocessing` (spawn) from tests/kit/test_ratelimit_processes.py; not a test module.
"""

from __future__ import annotations

import asyncio
import multiprocessing.synchronize
from multiprocessing.queues import Queue

import httpx

from sniper.app import ServeOptions, create_app
from sniper.config import Settings

Outcome = tuple[int, str | None]  # (status, Retry-After header)


async def _hammer(
    settings: Settings, key: str, requests: int, barrier: multiprocessing.synchronize.Barrier
) -> list[Outcome]:
    app = create_app(settings, ServeOptions(mode="off", run_workers=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sniper.test") as client:
            await asyncio.to_thread(barrier.wait, 60)
            outcomes = []
            for _ in range(requests):
                response = await client.get(
                    "/api/v1/sniper/targets", headers={"X-API-Key": key}, params={"limit": 1}
                )
                outcomes.append((response.status_code, response.headers.get("retry-after")))
            return outcomes


def run(
    settings: Settings,
    key: str,
    requests: int,
    barrier: multiprocessing.synchronize.Barrier,
    results: Queue[list[Outcome]],
) -> None:
    """Send `requests` authenticated GETs after every process reached `barrier`; put outcomes."""
    results.put(asyncio.run(_hammer(settings, key, requests, barrier)))
