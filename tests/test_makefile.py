"""`make test` exits with the status of the tests it ran (issue 10 item 12), with and without
SNIPER_TEST_DATABASE_URL. Each run points pytest at one tiny test file through PYTEST_ADDOPTS,
so it takes about a second; `-o .venv/.installed` keeps `install` from ever reinstalling."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import ROOT

MAKE = shutil.which("make")
SKIPPED_NOTE = "SNIPER_TEST_DATABASE_URL not set: PostgreSQL run skipped"
# Never opened: the tiny test files use no database.
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/unused"

pytestmark = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")


def _make_test(
    tmp_path: Path, test_body: str, database_url: str
) -> subprocess.CompletedProcess[str]:
    """`make test` in the repository on a one-test file whose body is `test_body`."""
    test_file = tmp_path / "test_tiny.py"
    test_file.write_text(f"def test_tiny() -> None:\n    {test_body}\n")
    # A make running this suite must not hand its jobserver or flags to this one.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.pop("SNIPER_TEST_DATABASE_URL", None)
    if database_url:
        env["SNIPER_TEST_DATABASE_URL"] = database_url
    env["PYTEST_ADDOPTS"] = f"-p no:cacheprovider --rootdir={tmp_path} {test_file}"
    return subprocess.run(
        [str(MAKE), "-o", ".venv/.installed", "test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("database_url", ["", POSTGRES_URL], ids=["sqlite-only", "both"])
def test_make_test_fails_when_a_test_fails(tmp_path: Path, database_url: str) -> None:
    result = _make_test(tmp_path, "assert 1 == 2", database_url)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    if not database_url:
        assert SKIPPED_NOTE in result.stdout


@pytest.mark.parametrize("database_url", ["", POSTGRES_URL], ids=["sqlite-only", "both"])
def test_make_test_passes_when_the_tests_pass(tmp_path: Path, database_url: str) -> None:
    result = _make_test(tmp_path, "assert 1 == 1", database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("1 passed") == (1 if not database_url else 2)
    if not database_url:
        assert SKIPPED_NOTE in result.stdout
