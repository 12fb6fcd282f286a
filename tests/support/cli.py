"""Run the `sniper` command line in a subprocess, as a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import CATALOG_PATH

SNIPER = [sys.executable, "-m", "sniper"]


def cli_environment(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without SNIPER_* settings, plus a SQLite file in `tmp_path`
    and the recorded ticker catalog."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNIPER_")}
    env |= {
        "SNIPER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "SNIPER_CATALOG_PATH": str(CATALOG_PATH),
    }
    return env


def sniper(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`sniper ARGS...`, captured, 60 s at most."""
    return subprocess.run([*SNIPER, *args], env=env, capture_output=True, text=True, timeout=60)
