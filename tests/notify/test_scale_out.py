"""The N API + M worker layout (issue 12): two `sniper serve --workers 0` processes and one
`sniper worker` on one PostgreSQL database and one Redis, all replaying the same stretch. A
target created on A fires once in the worker, and the hit reaches `/ws/main-api` clients of A
and of B; a trading-control change made through A or through the CLI reaches `/ws/subscribe`
clients of B. (`tests/worker/test_one_poller.py` pins the one EDGAR poller.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import websockets

from sniper.config import Settings
from tests.support.cli import SNIPER, cli_environment, sniper
from tests.support.paths import ATOM_DIR
from tests.support.serve import serving

REDIS_URL = "redis://127.0.0.1:6379/0"
SONY_6K = "0001104659-25-120538"  # accepted 15:45:47Z, public within 2 replay minutes
DEADLINE = 120.0  # real seconds; generous for a loaded machine


REPLAY = ["--replay", str(ATOM_DIR), "--speed", "6", "--start", "2025-12-12T15:41:00Z"]
"""6x from 15:41Z: SONY's 6-K is 48 s of real time later, room for three slow start-ups. The
worker starts last, so its replay clock trails the API processes': a target created on A
exists before the worker's clock reaches the filing."""


@contextlib.contextmanager
def running(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`sniper ARGS`, stopped with SIGINT at the end of the block."""
    with log.open("w") as out:
        process = subprocess.Popen([*SNIPER, *args], env=env, stdout=out, stderr=out)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


async def _frame(ws: Any, wanted: str) -> dict[str, Any]:
    """The next frame whose `type` or `event` is `wanted` (others skipped)."""
    async with asyncio.timeout(DEADLINE):
        while True:
            frame = json.loads(await ws.recv())
            if wanted in (frame.get("type"), frame.get("event")):
                return dict(frame)


async def _main_api(base: str, key: str) -> Any:
    ws = await websockets.connect(base.replace("http", "ws") + f"/ws/main-api?apiKey={key}")
    assert json.loads(await ws.recv())["type"] == "authenticated"
    return ws


async def _subscribe(base: str, key: str) -> Any:
    ws = await websockets.connect(base.replace("http", "ws") + "/ws/subscribe")
    await ws.send(json.dumps({"type": "subscribe", "apiKey": key, "channels": ["emergency"]}))
    assert json.loads(await ws.recv())["type"] == "subscribed"
    return ws


def _environment(settings: Settings, tmp_path: Path) -> dict[str, str]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.fail(f"Redis is not running at {REDIS_URL} (.ci/run starts it)")
    return cli_environment(tmp_path) | {
        "SNIPER_DATABASE_URL": settings.database_url,
        "SNIPER_REDIS_URL": REDIS_URL,
        "SNIPER_REDIS_KEY_PREFIX": f"scale-out-{os.getpid()}",
    }


async def test_pushes_reach_every_process(settings: Settings, tmp_path: Path) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several processes on one database: PostgreSQL (SQLite runs one process)")
    env = _environment(settings, tmp_path)
    sniper(env, "accounts", "create", "fund", "--plan", "paid", "--tokens", "10")
    sniper(env, "accounts", "create", "root", "--admin")
    key = sniper(env, "keys", "create", "fund").stdout.strip()
    admin = sniper(env, "keys", "create", "root").stdout.strip()
    with (
        serving(env, tmp_path / "a.log", "--workers", "0", *REPLAY) as served_a,
        serving(env, tmp_path / "b.log", "--workers", "0", *REPLAY) as served_b,
        running(env, tmp_path / "worker.log", "worker", *REPLAY),
    ):
        a, b = served_a.base, served_b.base  # API only: the worker below polls
        on_a, on_b, control_b = (
            await _main_api(a, key),
            await _main_api(b, key),
            await _subscribe(b, admin),
        )
        async with httpx.AsyncClient(base_url=a, headers={"X-API-Key": key}) as client:
            clock = (await client.get("/api/v1/status")).json()["clock_time"]
            assert clock < "2025-12-12T15:45:47Z", f"started too slowly: the replay is at {clock}"
            created = await client.post(
                "/api/v1/sniper/targets", json={"ticker": "SONY", "duration_minutes": 60}
            )
            assert created.status_code == 200, created.text
            hits = [await _frame(ws, "sniper.filing_hit") for ws in (on_a, on_b)]
            async with httpx.AsyncClient(base_url=b, headers={"X-API-Key": key}) as on_b_http:
                listed = await on_b_http.get("/api/v1/sniper/targets")
            emergency = await client.post(
                "/api/v1/admin/trading/emergency",
                headers={"X-API-Key": admin},
                json={"reason": "drill"},
            )
            assert emergency.status_code == 200, emergency.text
        set_on_a = await _frame(control_b, "broadcast")
        cleared = sniper(env, "trading", "clear", "emergency", "--reason", "drill over")
        assert cleared.returncode == 0, cleared.stderr
        cleared_by_cli = await _frame(control_b, "broadcast")
        for ws in (on_a, on_b, control_b):
            await ws.close()
    assert [hit["data"]["payload"]["accession_number"] for hit in hits] == [SONY_6K, SONY_6K]
    [target] = listed.json()["targets"]
    assert (target["target_id"], target["resolution_reason"]) == (
        created.json()["target_id"],
        "filing_hit",
    )
    assert target["last_event"]["accession_number"] == SONY_6K
    assert (set_on_a["channel"], set_on_a["event"]) == ("emergency", "UPDATE")
    assert set_on_a["payload"]["result"] == "emergency_applied"
    assert (cleared_by_cli["channel"], cleared_by_cli["payload"]["status"]) == ("emergency", "live")
