"""Install like a package (issue 16 item 4): a built wheel, installed into a fresh venv outside
the repository, runs `sniper --version`, `init`, `migrate` and `serve --replay` (answering
`/healthz`) with nothing from the checkout: migrations come from the package.

Dependencies come from PyPI under constraints.txt (pip's cache makes reruns quick)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.paths import ATOM_DIR, CATALOG_PATH, ROOT, SHARED_EDGAR

INSTALL_TIMEOUT = 900  # seconds: a cold pip cache downloads every dependency


@dataclass(frozen=True)
class Installed:
    sniper: Path  # the venv's `sniper` script
    python: Path
    work: Path  # a directory outside the repository
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.sniper), *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    wheels = base / "wheels"
    _pip("wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT))
    (wheel,) = wheels.glob("sniper-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt")]
    done = subprocess.run(
        [*install, str(wheel)], capture_output=True, text=True, timeout=INSTALL_TIMEOUT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    work = base / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNIPER_", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return Installed(venv / "bin" / "sniper", python, work, env)


def test_the_package_is_the_installed_one(installed: Installed) -> None:
    where = subprocess.run(
        [str(installed.python), "-c", "import sniper; print(sniper.__file__)"],
        cwd=installed.work,
        env=installed.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "site-packages" in where
    assert str(ROOT) not in where
    assert installed.run("--version").stdout == "sniper 0.1.0\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(installed: Installed) -> Iterator[str]:
    """`sniper init`, `sniper migrate`, then `sniper serve --replay` from the venv; yields
    the base URL once `/healthz` answers."""
    made = installed.run("init", "--force", "--shared", str(SHARED_EDGAR.parent))
    assert made.returncode == 0, made.stderr
    assert f"SNIPER_CATALOG_PATH={CATALOG_PATH}" in (installed.work / ".env").read_text()
    migrated = installed.run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (installed.work / "sniper.db").is_file(), "the database .env names, beside it"
    port = _free_port()
    log = (installed.work / "serve.log").open("w")
    command = [str(installed.sniper), "serve", "--port", str(port), "--replay", str(ATOM_DIR)]
    process = subprocess.Popen(
        command, cwd=installed.work, env=installed.env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        log.close()


def test_init_migrate_and_serve_a_replay(installed: Installed, served: str) -> None:
    health = httpx.get(f"{served}/healthz", timeout=5)
    assert health.status_code == 200, (installed.work / "serve.log").read_text()[-2000:]
    assert health.json() == {"status": "ok"}
    assert httpx.get(f"{served}/api/v1/status").json() == {"status": "ok", "mode": "replay"}
    created = installed.run("accounts", "create", "demo", "--plan", "paid")
    assert created.returncode == 0, created.stderr
    assert created.stderr.strip().endswith("(replay clock)")
    key = installed.run("keys", "create", "demo").stdout.strip()
    status = httpx.get(f"{served}/api/v1/status", headers={"X-API-Key": key}).json()
    assert status["source"]["filings"] == 3315
