"""A real `sniper serve --replay` subprocess on the test database, accounts made with the
`sniper` CLI, and a headless chromium signed in to its dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from sniper.config import Settings
from tests.support.browser import CHROMEDRIVER, CHROMIUM, chromium, wait_for
from tests.support.cli import SNIPER, cli_environment, sniper
from tests.support.paths import ATOM_DIR

DEADLINE_SECONDS = 90.0
REPLAY_START = "2025-12-12T15:45:30Z"  # SONY's 6-K is accepted at 15:45:47Z
REPLAY_SPEED = "1"
ACCOUNTS = {"alice": ("--plan", "paid", "--tokens", "1000"), "root": ("--plan", "paid", "--admin")}


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless chromium; the test is skipped only when chromium or chromedriver is absent."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed (.ci/run installs them)")
    with chromium() as driver:
        yield driver


@dataclass
class Served:
    """The serving process's URL and the API keys of `ACCOUNTS` (`root` is an admin)."""

    base: str
    keys: dict[str, str]


def _key(env: dict[str, str], name: str, *flags: str) -> str:
    """Create account `name` (`flags` as `sniper accounts create` takes them); its key."""
    created = sniper(env, "accounts", "create", name, *flags)
    assert created.returncode == 0, created.stderr
    made = sniper(env, "keys", "create", name)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _answers(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while True:
            assert process.poll() is None, f"sniper serve exited with {process.returncode}"
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/api/v1/status")).status_code == 200:
                    return
            assert time.monotonic() < deadline, "sniper serve did not answer"
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    tmp_path: Path,
    *,
    start: str = REPLAY_START,
    speed: str = REPLAY_SPEED,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Served]:
    """`sniper serve --replay` from `start` (ISO 8601 UTC) at `speed`x on the test database,
    `env` added to its environment, with the accounts made first (the replay clock starts
    with the process); stopped with SIGINT at the end."""
    environment = cli_environment(tmp_path) | {
        "SNIPER_DATABASE_URL": settings.database_url,
        "SNIPER_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
    }
    environment |= env or {}
    migrated = await asyncio.to_thread(sniper, environment, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    keys = {
        name: await asyncio.to_thread(_key, environment, name, *flags)
        for name, flags in ACCOUNTS.items()
    }
    port = _free_port()
    command = [*SNIPER, "serve", "--port", str(port), "--replay", str(ATOM_DIR)]
    command += ["--start", start, "--speed", speed]
    with (tmp_path / "stdout").open("wb") as out, (tmp_path / "stderr").open("wb") as err:
        process = subprocess.Popen(command, env=environment, stdout=out, stderr=err)
    try:
        base = f"http://127.0.0.1:{port}"
        await _answers(base, process)
        yield Served(base, keys)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        await asyncio.to_thread(process.wait, DEADLINE_SECONDS)


@pytest.fixture
async def served(settings: Settings, tmp_path: Path) -> AsyncIterator[Served]:
    """`serving` from 15:45:30Z on 2025-12-12 at 1x (SONY's 6-K comes 17 s in)."""
    async with serving(settings, tmp_path) as running:
        yield running


def sign_in(driver: WebDriver, base: str, key: str) -> None:
    """Sign in on the dashboard with `key`, by keyboard: type it and press Enter."""
    driver.get(f"{base}/dashboard/login")
    field = driver.find_element(By.ID, "api_key")
    field.send_keys(key + "\n")
    wait_for(driver, lambda d: d.current_url.endswith("/dashboard/targets"), "the targets page")
