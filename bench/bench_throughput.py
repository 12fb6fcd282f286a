"""F12: throughput of authenticated `GET /api/v1/sniper/targets` against `sniper serve`.

Server: `python -m sniper serve --replay <recorded crawl> --port P` in a subprocess, exactly as a
user runs it (one uvicorn process with the watcher and delivery loops, access log on), on a
temporary SQLite database, and again on a fresh PostgreSQL database (created beside the one
`SNIPER_TEST_DATABASE_URL` names, dropped afterwards) when that is a `postgresql+asyncpg://` URL.
Rate limits are raised out of the way (`SNIPER_PAID_PLAN_RATE_LIMIT=100000000/minute`): the
limiter still counts every request, it never refuses. One paid account (CLI `accounts create`,
`keys create`) holding 50 active targets (API; `SNIPER_PAID_PLAN_SLOTS=50`), so each answer is
the default 50-row page.

Ceiling (`bench.ceiling_app`), measured in the same run with the same load: a bare FastAPI +
uvicorn endpoint answering the same 50-row page (saved from Sniper's answer) through the same
pydantic `response_model`, no database, no middleware. Each row gives Sniper / ceiling.

Pinning: when `taskset` exists and the machine has 2 or more CPUs, the server runs on CPU 0 and
wrk on CPU 1 (both for Sniper and the ceiling), so the load generator does not steal the
server's core; the rows say whether it was pinned.

Load: `wrk -t2 -c32 -d30s --latency` with the key in `X-API-Key` when `wrk` is on the PATH
(RELIABILITY F12 as stated; Debian package `wrk`), otherwise a generator of the same shape: 2
processes x 16 keep-alive connections, each a loop of one pre-built HTTP/1.1 request and its
response read by `Content-Length` (raw asyncio streams: an HTTP client library would take most of
the core the server needs on a 2-core machine). Numbers: requests per second over the run, p50 /
p99 latency in ms, and any non-200 answers. Target (RELIABILITY F12): ≥ 500 req/s, p99 < 100 ms.
`SNIPER_BENCH_SECONDS` shortens the run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from tests.support.paths import ATOM_DIR, CATALOG_PATH

from bench.ceiling_app import served_ceiling
from bench.data import percentile

Row = tuple[str, str, str]
PATH = "/api/v1/sniper/targets"
THREADS, CONNECTIONS = 2, 32
ROWS = 50  # targets seeded: the default page size
WRK = ("wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", "--latency")


@dataclass(frozen=True)
class Result:
    tool: str
    seconds: float
    requests: int
    errors: int  # non-200 answers and failed requests
    p50_ms: float
    p99_ms: float


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNIPER_")}
    return env | {
        "SNIPER_DATABASE_URL": database_url,
        "SNIPER_CATALOG_PATH": str(CATALOG_PATH),
        "SNIPER_PAID_PLAN_RATE_LIMIT": "100000000/minute",
        "SNIPER_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "SNIPER_PAID_PLAN_SLOTS": str(ROWS),
    }


def pin(cpu: int) -> list[str]:
    """`["taskset", "-c", cpu]` when pinning is possible (taskset, >= 2 CPUs), else `[]`."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu)]
    return []


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sniper", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sniper {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(env: dict[str, str], port: int) -> Iterator[str]:
    """`sniper serve --replay` on `port` until the block ends; yields the base URL."""
    command = [*pin(0), sys.executable, "-m", "sniper", "serve", "--port", str(port)]
    command += ["--replay", str(ATOM_DIR)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_ready(
    base: str, server: subprocess.Popen[bytes], timeout: float = 180.0, path: str = "/api/v1/status"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}")
        try:
            if httpx.get(base + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("sniper serve did not become ready")


def _seed_targets(base: str, key: str) -> dict[str, object]:
    """`ROWS` targets on the catalog's first `ROWS` tickers; returns the page Sniper answers."""
    catalog = json.loads(CATALOG_PATH.read_text())
    tickers = list(dict.fromkeys(company["ticker"] for company in catalog.values()))[:ROWS]
    with httpx.Client(base_url=base, headers={"X-API-Key": key}) as client:
        for ticker in tickers:
            client.post(PATH, json={"ticker": ticker}).raise_for_status()
        page = client.get(PATH)
    page.raise_for_status()
    body: dict[str, object] = page.json()
    assert len(body["targets"]) == ROWS, body["meta"]  # type: ignore[arg-type]
    return body


def run_wrk(base: str, key: str, seconds: int) -> Result:
    """`wrk -t2 -c32 -dNs --latency`, parsed."""
    done = subprocess.run(
        [*pin(1), *WRK, f"-d{seconds}s", "-H", f"X-API-Key: {key}", base + PATH],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    out = done.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: .*", out)
    if socket_errors:
        errors_count = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    else:
        errors_count = 0
    return Result(
        tool="wrk, server on CPU 0 and wrk on CPU 1" if pin(0) else "wrk, not pinned",
        seconds=seconds,
        requests=total,
        errors=errors_count + (int(errors.group(1)) if errors else 0),
        p50_ms=_wrk_ms(out, "50%"),
        p99_ms=_wrk_ms(out, "99%"),
    )


def _wrk_ms(out: str, label: str) -> float:
    value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


async def _connection(url: str, key: str, stop_at: float, out: list[float]) -> int:
    """One keep-alive connection looping request -> response until `stop_at`; non-200 count."""
    parts = urlsplit(url)
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nX-API-Key: {key}\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    errors = 0
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            errors += not head.startswith(b"HTTP/1.1 200")
            out.append(time.perf_counter() - started)
    finally:
        writer.close()
    return errors


async def _load(url: str, key: str, seconds: float, connections: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    errors = await asyncio.gather(
        *(_connection(url, key, stop_at, latencies) for _ in range(connections)),
        return_exceptions=True,
    )
    return latencies, sum(e if isinstance(e, int) else 1 for e in errors)


def load_process(url: str, key: str, seconds: float, connections: int) -> tuple[list[float], int]:
    """One generator process: `connections` keep-alive connections for `seconds`."""
    return asyncio.run(_load(url, key, seconds, connections))


def run_builtin(base: str, key: str, seconds: int) -> Result:
    """2 processes x 16 connections of the built-in generator."""
    context = multiprocessing.get_context("spawn")
    per_process = CONNECTIONS // THREADS
    with concurrent.futures.ProcessPoolExecutor(THREADS, mp_context=context) as pool:
        jobs = [
            pool.submit(load_process, base + PATH, key, seconds, per_process)
            for _ in range(THREADS)
        ]
        parts = [job.result() for job in jobs]
    latencies = [ms * 1e3 for part, _ in parts for ms in part]
    return Result(
        tool="built-in generator (wrk not installed)",
        seconds=seconds,
        requests=len(latencies),
        errors=sum(errors for _, errors in parts),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
    )


def _load_with(base: str, key: str, seconds: int) -> Result:
    if shutil.which("wrk"):
        return run_wrk(base, key, seconds)
    return run_builtin(base, key, seconds)


def measure(seconds: int, database_url: str, page_file: Path) -> Result:
    """Start the server on the fresh, empty database `database_url`, seed it, load it; the
    page it answered is written to `page_file` (the ceiling answers the same)."""
    env = _environment(database_url)
    _cli(env, "migrate")
    _cli(env, "accounts", "create", "bench", "--plan", "paid", "--tokens", "100")
    key = _cli(env, "keys", "create", "bench").splitlines()[-1].strip()
    with served(env, _free_port()) as base:
        page_file.write_text(json.dumps(_seed_targets(base, key)))
        return _load_with(base, key, seconds)


def measure_ceiling(seconds: int, page_file: Path) -> Result:
    """The same load against `bench.ceiling_app` answering the page in `page_file`."""
    port = _free_port()
    with served_ceiling(page_file, port, pin(0)) as server:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, server, path=PATH)
        return _load_with(base, "-", seconds)


@contextmanager
def fresh_postgres(base_url: str) -> Iterator[str]:
    """A new database beside the one `base_url` names, dropped afterwards; yields its URL."""
    name = f"sniper_bench_{os.getpid()}"
    asyncio.run(_admin(base_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(base_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _rows(result: Result, ceiling: Result, database: str) -> list[Row]:
    name = f"GET {PATH} ({database}, authenticated, {ROWS} rows, {THREADS} x {CONNECTIONS} "
    name += f"conns, {result.seconds} s)"
    ours, best = result.requests / result.seconds, ceiling.requests / ceiling.seconds
    return [
        (
            f"{name}, throughput",
            f"{ours:,.0f} req/s · {result.requests:,} requests · {result.errors} non-200",
            f"ceiling {best:,.0f} req/s (FastAPI + pydantic response_model, no DB): "
            f"{ours / best:.2f}x · target ≥ 1,000 req/s ({result.tool})",
        ),
        (
            f"{name}, latency",
            f"p50 {result.p50_ms:.1f} ms · p99 {result.p99_ms:.1f} ms",
            f"ceiling p50 {ceiling.p50_ms:.1f} ms · p99 {ceiling.p99_ms:.1f} ms: p99 "
            f"{result.p99_ms / max(ceiling.p99_ms, 1e-3):.1f}x · target p99 ≤ 50 ms",
        ),
    ]


def run() -> list[Row]:
    """Rows: requests per second and p50 / p99 latency of authenticated list calls, on SQLite
    and (when SNIPER_TEST_DATABASE_URL names one) on PostgreSQL, each beside the ceiling
    measured right after it."""
    seconds = int(os.environ.get("SNIPER_BENCH_SECONDS", "30"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sniper-bench-") as directory:
        page_file = Path(directory) / "page.json"
        sqlite_url = f"sqlite+aiosqlite:///{Path(directory) / 'throughput.db'}"
        ours = measure(seconds, sqlite_url, page_file)
        rows += _rows(ours, measure_ceiling(seconds, page_file), "SQLite")
        postgres = os.environ.get("SNIPER_TEST_DATABASE_URL", "")
        if postgres.startswith("postgresql"):
            with fresh_postgres(postgres) as url:
                ours = measure(seconds, url, page_file)
            rows += _rows(ours, measure_ceiling(seconds, page_file), "PostgreSQL")
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
