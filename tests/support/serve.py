"""A real `sniper serve` subprocess for the tests that need the process itself (restarts, kill -9,
logs, several processes on one database): one way to start it, wait for it and stop it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.cli import SNIPER

DEADLINE = 120.0  # seconds: generous, the suite shares two busy cores


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(base: str, path: str = "/api/v1/status") -> bool:
    """Whether `base + path` answers 200 now."""
    try:
        return httpx.get(f"{base}{path}", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(condition: Callable[[], object], what: str, seconds: float = DEADLINE) -> None:
    """Poll `condition` every 50 ms until it is truthy; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@dataclass(frozen=True)
class Served:
    """A running server: its process and base URL (`http://127.0.0.1:PORT`)."""

    process: subprocess.Popen[bytes]
    base: str


@contextlib.contextmanager
def serving(
    env: dict[str, str],
    log: Path,
    *args: str,
    port: int | None = None,
    command: Sequence[str] = SNIPER,
    cwd: Path | None = None,
) -> Iterator[Served]:
    """`COMMAND serve --port PORT ARGS` with stdout and stderr appended to `log`; yields once
    `/api/v1/status` answers (fails with the log's tail if the process exits first). Stopped
    with SIGINT at the end of the block unless the test already stopped or killed it."""
    port = port or free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), *args],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: process.poll() is not None or answers(base), "sniper serve to answer")
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        yield Served(process, base)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.asynccontextmanager
async def aserving(
    env: dict[str, str], log: Path, *args: str, port: int | None = None
) -> AsyncIterator[Served]:
    """`serving` for async tests: start and stop run in a thread, so the loop keeps going."""
    manager = serving(env, log, *args, port=port)
    served = await asyncio.to_thread(manager.__enter__)
    try:
        yield served
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)
