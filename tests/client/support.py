"""A real `sniper serve --replay` subprocess on the test's database (SQLite or PostgreSQL),
restartable on the same port, and accounts made through the app in-process beforehand."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import httpx

from sniper.clock import ManualClock
from sniper.config import Settings
from tests.conftest import running
from tests.support.cli import SNIPER
from tests.support.paths import ATOM_DIR, CATALOG_PATH

DEADLINE = 120.0  # seconds: generous, the suite shares two busy cores


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `sniper serve` on `settings.database_url`, fast loops."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNIPER_")}
    return env | {
        "SNIPER_DATABASE_URL": settings.database_url,
        "SNIPER_CATALOG_PATH": str(CATALOG_PATH),
        "SNIPER_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "SNIPER_POLL_INTERVAL": "0.2",
        "SNIPER_WS_HEARTBEAT": "1",
        **extra,
    }


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/status", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.asynccontextmanager
async def serving(
    env: dict[str, str], port: int, log: Path, *, start: str, speed: str = "30"
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """`sniper serve --replay` on `port` from `start`; yields the process once it answers.
    Stopped with SIGINT at the end unless the test killed it."""
    replay = ["--replay", str(ATOM_DIR), "--speed", speed, "--start", start]
    with log.open("a") as out:
        process = subprocess.Popen(
            [*SNIPER, "serve", "--port", str(port), *replay],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_for(lambda: _answers(base) or process.poll() is not None, "serve to answer")
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


async def make_account(
    settings: Settings, at: datetime, name: str = "alice", *, plan: str = "paid"
) -> str:
    """A new account (100 tokens) made in-process at `at`; returns its API key."""
    async with running(settings, ManualClock(at)) as h:
        return await h.account(name, plan=plan)
