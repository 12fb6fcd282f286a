"""The `sniper` command line as a user runs it: real subprocesses, same settings as the server."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.cli import SNIPER, sniper
from tests.support.paths import ATOM_DIR
from tests.support.serve import serving


def test_accounts_and_keys(cli_env: dict[str, str]) -> None:
    assert sniper(cli_env, "migrate").returncode == 0
    created = sniper(cli_env, "accounts", "create", "acme", "--plan", "paid", "--tokens", "50")
    assert created.returncode == 0, created.stderr
    key = sniper(cli_env, "keys", "create", "acme")
    assert key.returncode == 0
    assert key.stdout.startswith("snp_")
    assert key.stdout.count("\n") == 1, "only the key"
    assert len(key.stdout.strip()) == 44
    again = sniper(cli_env, "accounts", "create", "acme")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    missing = sniper(cli_env, "keys", "create", "nobody")
    assert missing.returncode == 1
    assert "no account named" in missing.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker"]])
def test_live_mode_refuses_without_a_user_agent(
    cli_env: dict[str, str], command: list[str]
) -> None:
    result = sniper(cli_env, *command)
    assert result.returncode == 2
    assert "SNIPER_EDGAR_USER_AGENT" in result.stderr


@pytest.fixture
def replay_server(cli_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`sniper serve --replay` in a subprocess at 120x from 15:30Z; yields (base URL, key)."""
    sniper(cli_env, "migrate")
    sniper(cli_env, "accounts", "create", "demo", "--plan", "paid", "--tokens", "10")
    key = sniper(cli_env, "keys", "create", "demo").stdout.strip()
    replay = ["--replay", str(ATOM_DIR), "--speed", "120", "--start", "2025-12-12T15:30:00Z"]
    with serving(cli_env, tmp_path / "serve.log", *replay) as served:
        yield served.base, key


def test_serve_replay_fires_a_target_created_with_http(replay_server: tuple[str, str]) -> None:
    """As `make run` does: a target for SONY (6-K at 15:45:47Z) fires during the replay."""
    base, key = replay_server
    assert httpx.get(f"{base}/api/v1/status").json() == {"status": "ok", "mode": "replay"}
    status = httpx.get(f"{base}/api/v1/status", headers={"X-API-Key": key}).json()
    assert status["mode"] == "replay"
    assert status["source"]["filings"] == 3315
    created = httpx.post(
        f"{base}/api/v1/sniper/targets",
        headers={"X-API-Key": key},
        json={"ticker": "SONY", "duration_minutes": 120},
    )
    assert created.status_code == 200, created.text
    # SONY's 6-K is 16 replay minutes (8 s real at 120x) after the start: room for a slow
    # start-up on a loaded machine; the window (120 replay minutes) lasts 60 s real.
    deadline = time.monotonic() + 120
    target = created.json()
    while time.monotonic() < deadline and target["status"] != "STOPPED":
        time.sleep(0.5)
        target = httpx.get(f"{base}/api/v1/sniper/targets", headers={"X-API-Key": key}).json()[
            "targets"
        ][0]
    assert target["resolution_reason"] == "filing_hit"
    assert target["last_event"]["accession_number"] == "0001104659-25-120538"
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["leader"] is True, "SQLite: the one process leads the poll"
    assert ready.json()["last_poll_at"] > "2025-12-12T15:45:47Z", "replay time, after the hit"


def _one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The command failed with `code` and said so in one `error: ...` line on stderr."""
    assert result.returncode == code, (result.returncode, result.stderr)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: "), result.stderr
    return line


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_bad_replay_flags_are_one_line_and_exit_2(cli_env: dict[str, str], command: str) -> None:
    missing = sniper(cli_env, command, "--replay", "/nonexistent")
    assert "--replay needs a directory, got /nonexistent" in _one_error_line(missing, 2)
    replay = ["--replay", str(ATOM_DIR)]
    not_a_date = sniper(cli_env, command, *replay, "--start", "notadate")
    assert "--start 'notadate'" in _one_error_line(not_a_date, 2)
    year_9999 = sniper(cli_env, command, *replay, "--start", "9999-12-31T23:59:59Z")
    assert "must lie between" in _one_error_line(year_9999, 2)


def _first_stderr_line(env: dict[str, str], *args: str) -> str:
    """The first line `sniper ARGS...` writes to stderr (the process is killed after it)."""
    process = subprocess.Popen(
        [*SNIPER, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(process.stderr.readline).result(timeout=120).strip()
    finally:
        process.kill()
        process.wait()
        pool.shutdown()
        process.stderr.close()


def test_a_start_after_the_last_filing_warns_and_still_runs(cli_env: dict[str, str]) -> None:
    """A restarted worker may resume past the last filing (deliveries, expiries are still
    due): it runs, and says that nothing new will be detected."""
    sniper(cli_env, "migrate")
    line = _first_stderr_line(cli_env, "worker", "--replay", str(ATOM_DIR), "--start", "2030-01-01")
    assert line == (
        "warning: --start 2030-01-01T00:00:00Z is after the replay's last filing "
        f"({ATOM_DIR} covers 2025-12-11T21:31:54Z to 2025-12-12T23:03:15Z): nothing new "
        "will be detected"
    )


def test_serve_without_a_catalog_is_one_line(cli_env: dict[str, str]) -> None:
    env = {k: v for k, v in cli_env.items() if k != "SNIPER_CATALOG_PATH"}
    result = sniper(env, "serve", "--workers", "0", "--port", "0")
    assert "SNIPER_CATALOG_PATH" in _one_error_line(result, 2)
    missing_env = env | {"SNIPER_CATALOG_PATH": "/nonexistent.json"}
    missing = sniper(missing_env, "serve", "--workers", "0", "--port", "0")
    assert "SNIPER_CATALOG_PATH /nonexistent.json is not a file" in _one_error_line(missing, 2)


def test_algorithms_list_of_an_unknown_account_exits_1(cli_env: dict[str, str]) -> None:
    assert sniper(cli_env, "migrate").returncode == 0
    result = sniper(cli_env, "algorithms", "list", "--account", "nobody")
    assert _one_error_line(result, 1) == "error: no account named 'nobody'"
    assert result.stdout == ""
    assert sniper(cli_env, "accounts", "create", "acme").returncode == 0
    assert sniper(cli_env, "algorithms", "list", "--account", "acme", "--json").stdout == "[]\n"


def test_an_unexpected_failure_is_one_line(cli_env: dict[str, str]) -> None:
    """Not migrated: the query fails; one line, exit 1, no traceback."""
    result = sniper(cli_env, "algorithms", "list")
    line = _one_error_line(result, 1)
    assert line.startswith("error: unexpected OperationalError: ")
    assert "no such table" in line
