"""`sniper backtest` and `sniper algorithms list` as a user runs them: real subprocesses on the
test database, next to the API (in-process) that creates the algorithms and reads the stored
backtests."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sniper.clock import ManualClock
from sniper.config import Settings
from tests.conftest import Harness, running
from tests.support.cli import sniper
from tests.trading.algorithms.support import auth, complete, create

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def env(cli_env: dict[str, str], settings: Settings) -> dict[str, str]:
    """The CLI's environment on the test database (SQLite or PostgreSQL)."""
    return cli_env | {"SNIPER_DATABASE_URL": settings.database_url}


async def _sniper(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`sniper ARGS...` in a thread: independent commands run side by side."""
    return await asyncio.to_thread(sniper, env, *args)


def _row(output: str, label: str) -> str:
    """The value cell of the summary row `label`."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in re.split(r"[│|┃]", line) if cell.strip()]
        if cells[:1] == [label]:
            return cells[1]
    raise AssertionError(f"no {label!r} row in:\n{output}")


async def _backtests(h: Harness, key: str, algorithm_id: str) -> list[dict[str, Any]]:
    """Every backtest of the algorithm as `GET /api/backtests/{id}` shows it."""
    listed = await h.client.get(
        "/api/backtests", params={"algorithmId": algorithm_id}, headers=auth(key)
    )
    assert listed.status_code == 200, listed.text
    shown = []
    for summary in listed.json()["data"]:
        response = await h.client.get(f"/api/backtests/{summary['id']}", headers=auth(key))
        shown.append(response.json())
    return shown


async def test_backtest_prints_the_summary_and_plots_the_equity_curve(
    settings: Settings, clock: ManualClock, env: dict[str, str], tmp_path: Path
) -> None:
    png = tmp_path / "out.png"
    async with running(settings, clock, mode="off") as h:
        key = await h.account()
        algorithm = await create(h, key, complete("RSI MSFT"))
        args = ("--from", "2005-01-01", "--to", "2008-12-31", "--plot", str(png))
        ran, listed = await asyncio.gather(
            _sniper(env, "backtest", algorithm["id"], *args), _sniper(env, "algorithms", "list")
        )
        assert ran.returncode == 0, ran.stderr
        [shown] = await _backtests(h, key, algorithm["id"])
    assert (shown["status"], shown["progress"], shown["initialBalance"]) == ("completed", 100, 1e5)
    assert shown["id"] in ran.stdout
    assert "RSI MSFT" in ran.stdout
    assert (
        int(_row(ran.stdout, "trades")) == shown["results"]["totalTrades"] == len(shown["trades"])
    )
    assert shown["results"]["totalTrades"] > 0
    assert _row(ran.stdout, "final balance") == f"{shown['results']['finalBalance']:,.2f}"
    assert _row(ran.stdout, "win rate") == f"{shown['results']['winRate']:,.2f} %"
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert f"equity curve written to {png}" in ran.stderr.replace("\n", "")
    assert listed.returncode == 0, listed.stderr
    assert any(
        algorithm["id"] in line and "RSI MSFT" in line for line in listed.stdout.splitlines()
    )


async def test_backtest_refusals_and_failures_exit_1_with_the_reason(
    settings: Settings, clock: ManualClock, env: dict[str, str]
) -> None:
    dates = ("--from", "2005-01-01", "--to", "2005-12-31")
    async with running(settings, clock, mode="off") as h:
        key = await h.account()
        draft = await create(h, key, {"name": "draft", "symbols": ["NASDAQ:MSFT"]})
        no_bars = await create(h, key, complete("XOM", symbols=["NYSE:XOM"]))
        unknown, incomplete, failed = await asyncio.gather(
            _sniper(env, "backtest", "alg_doesnotexist", *dates),
            _sniper(env, "backtest", draft["id"], *dates),
            _sniper(env, "backtest", no_bars["id"], *dates, "--json"),
        )
        [stored] = await _backtests(h, key, no_bars["id"])
        drafted = await _backtests(h, key, draft["id"])
    assert unknown.returncode == 1
    assert "algorithm alg_doesnotexist not found" in unknown.stderr
    assert incomplete.returncode == 1
    assert "missing" in incomplete.stderr
    assert "entryConditions.conditions" in incomplete.stderr
    assert drafted == []  # refused before anything was stored
    assert failed.returncode == 1
    assert "NYSE:XOM" in failed.stderr
    assert stored["status"] == "failed"
    assert json.loads(failed.stdout) == stored  # --json: the backtest as the API shows it
