"""Emergency and system stop survive a process restart and clear only through an admin with a
reason (DESIGN.md "Trading control plane"); the `sniper trading` commands (DESIGN.md "CLI").
Real `sniper` subprocesses on one SQLite file, as an operator runs them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from sniper import cli
from sniper.accounts import service as accounts
from sniper.db.engine import create_engine, session_factory
from sniper.db.migrate import upgrade
from sniper.db.session import transaction
from tests.conftest import REPLAY_NOON as NOW
from tests.support.cli import SNIPER, cli_environment, sniper
from tests.support.paths import ATOM_DIR

SECRET = "restart-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`sniper serve --replay` in a subprocess; yields its base URL, stops it with SIGINT."""
    port = _free_port()
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [*SNIPER, "serve", "--port", str(port), "--replay", str(ATOM_DIR)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    httpx.get(f"{base}/api/v1/status", timeout=1)
                    break
                assert process.poll() is None, log_path.read_text()
                time.sleep(0.1)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)


def _setup(env: dict[str, str]) -> tuple[str, str]:
    """Migrate, create an admin `root` and a client `alice` (in-process: it is the servers and
    the operator's commands that must be real processes); return their keys."""
    upgrade(env["SNIPER_DATABASE_URL"])

    async def create() -> tuple[str, str]:
        engine = create_engine(env["SNIPER_DATABASE_URL"])
        try:
            async with transaction(session_factory(engine)) as session:
                keys = []
                for name, is_admin in (("root", True), ("alice", False)):
                    account = await accounts.create_account(
                        session, name=name, plan="paid", tokens=0, admin=is_admin, now=NOW
                    )
                    keys.append(
                        await accounts.create_api_key(session, account, secret_key=SECRET, now=NOW)
                    )
                return keys[0], keys[1]
        finally:
            await engine.dispose()

    return asyncio.run(create())


def _post(base: str, key: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(f"{base}{path}", headers={"X-API-Key": key}, json=body, timeout=10)


def _status(base: str, key: str) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/v1/trading/status", headers={"X-API-Key": key}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_emergency_survives_a_restart(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli_env = cli_env | {"SNIPER_SECRET_KEY": SECRET}
    root, alice = _setup(cli_env)
    log = tmp_path / "serve.log"
    with _server(cli_env, log) as base:
        set_ = _post(base, root, "/api/v1/admin/trading/emergency", {"reason": "exchange outage"})
        assert set_.json()["result"] == "emergency_applied", set_.text
        before = _status(base, alice)
        assert (before["status"], before["emergencyActive"]) == ("emergency", True)
    stopped = sniper(cli_env, "trading", "system-stop", "--reason", "maintenance window")
    assert (stopped.returncode, stopped.stdout) == (0, "system_stop_applied\n"), stopped.stderr
    with _server(cli_env, log) as base:
        after = _status(base, alice)
        assert (after["status"], after["systemReason"]) == ("emergency", "exchange outage")
        assert (after["emergencyActive"], after["systemStopped"]) == (True, True)
        path = "/api/v1/admin/trading/emergency/clear"
        hidden = _post(base, alice, path, {"reason": "please"})
        assert (hidden.status_code, hidden.json()) == (404, {"detail": "Not Found"})
        assert _post(base, root, path).status_code == 422  # no reason
        assert _post(base, root, path, {"reason": ""}).status_code == 422
        cleared = _post(base, root, path, {"reason": "exchange back"})
        assert cleared.json()["result"] == "emergency_cleared", cleared.text
        assert _status(base, alice)["status"] == "system_stopped"
    listed = sniper(cli_env, "trading", "status", "--json")
    body = json.loads(listed.stdout)
    assert body["status"] == "system_stopped"
    assert body["systemStop"]["setBy"] == "cli"
    assert body["emergency"]["clearReason"] == "exchange back"
    assert [c["clientName"] for c in body["clients"]] == ["root", "alice"]


def test_cli_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command table in-process (`typer.testing.CliRunner`); the restart test above runs
    the same commands as real processes."""
    env = cli_environment(tmp_path)
    upgrade(env["SNIPER_DATABASE_URL"])
    for name in [n for n in os.environ if n.startswith("SNIPER_")]:
        monkeypatch.delenv(name)
    runner = CliRunner()
    runs = [
        (["emergency", "--reason", "fire"], 0, "emergency_applied"),
        (["emergency", "--reason", "again"], 0, "already_emergency"),
        (
            ["soft-pause", "--reason", "roll", "--until", "2199-01-01T00:00:00Z"],
            0,
            "soft_pause_applied",
        ),
        (["clear", "emergency", "--reason", "out"], 0, "emergency_cleared"),
        (["clear", "emergency", "--reason", "out"], 0, "already_cleared"),
        (["clear", "soft-pause", "--reason", "done"], 0, "soft_pause_cleared"),
        (["system-stop", "--reason", "halt"], 0, "system_stop_applied"),
        (["clear", "system-stop", "--reason", "go"], 0, "system_stop_cleared"),
        (["soft-pause", "--reason", "x", "--until", "2000-01-01T00:00:00Z"], 1, ""),
        (["soft-pause", "--reason", "x", "--until", "someday"], 2, ""),
        (["emergency", "--reason", "  "], 2, ""),
        (["emergency"], 2, ""),
        (["clear", "everything", "--reason", "x"], 2, ""),
    ]
    for args, code, out in runs:
        result = runner.invoke(cli.app, ["trading", *args], env=env)
        assert (result.exit_code, result.stdout.strip()) == (code, out), (args, result.output)
    table = runner.invoke(cli.app, ["trading", "status"], env=env)
    assert table.exit_code == 0
    assert "system: live" in table.stdout
    listed = json.loads(runner.invoke(cli.app, ["trading", "status", "--json"], env=env).stdout)
    assert listed["emergency"]["setBy"] == listed["emergency"]["clearedBy"] == "cli"
    assert listed["systemStop"]["clearReason"] == "go"
