"""`sniper init` and `.env` (issue 16 item 4): a fresh secret key, sane defaults, no silent
overwrite, and every command run in that directory reads it; usage errors are one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.cli import SNIPER
from tests.support.paths import ATOM_DIR, CATALOG_PATH, SHARED_EDGAR


def _bare_env() -> dict[str, str]:
    """The caller's environment without any SNIPER_* setting: only `.env` configures."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SNIPER_")}


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SNIPER, *args], cwd=cwd, env=_bare_env(), capture_output=True, text=True, timeout=60
    )


def _settings(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return dict(pairs)


def test_init_writes_a_fresh_secret_and_refuses_to_overwrite(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    made = _run(first, "init", "--shared", str(SHARED_EDGAR.parent))
    assert made.returncode == 0, made.stderr
    assert "SNIPER_CATALOG_PATH set" in made.stderr
    env = _settings(first / ".env")
    assert len(env["SNIPER_SECRET_KEY"]) >= 40
    assert env["SNIPER_SECRET_KEY"] != "sniper-dev-secret-change-me"
    assert env["SNIPER_CATALOG_PATH"] == str(CATALOG_PATH)
    assert env["SNIPER_DATABASE_URL"] == "sqlite+aiosqlite:///./sniper.db"
    assert (first / ".env").stat().st_mode & 0o077 == 0, "only the owner reads the secret"
    assert _run(second, "init").returncode == 0
    assert _settings(second / ".env")["SNIPER_SECRET_KEY"] != env["SNIPER_SECRET_KEY"]
    before = (first / ".env").read_text()
    again = _run(first, "init")
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "error: .env exists; keep it, or run `sniper init --force` to replace it"
    )
    assert (first / ".env").read_text() == before
    assert _run(first, "init", "--force").returncode == 0
    assert (first / ".env").read_text() != before


def test_commands_read_the_env_file_of_the_working_directory(tmp_path: Path) -> None:
    """`sniper init` then `sniper migrate` with no SNIPER_* in the environment: the database
    is the one `.env` names, beside it."""
    assert _run(tmp_path, "init").returncode == 0
    migrated = _run(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "sqlite+aiosqlite:///./sniper.db" in migrated.stderr
    assert (tmp_path / "sniper.db").is_file()
    assert _run(tmp_path, "accounts", "create", "acme").returncode == 0
    key = _run(tmp_path, "keys", "create", "acme")
    assert key.returncode == 0
    assert key.stdout.startswith("snp_")


def test_the_repository_commits_an_env_example() -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    assert "SNIPER_SECRET_KEY=" in example.read_text()


def test_init_names_a_shared_dir_without_a_catalog(tmp_path: Path) -> None:
    result = _run(tmp_path, "init", "--shared", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: --shared ")
    assert not (tmp_path / ".env").exists()


def test_replay_without_a_catalog_setting_finds_the_recording_s_own(tmp_path: Path) -> None:
    """No SNIPER_CATALOG_PATH: `--replay shared/edgar/atom` reads shared/edgar/reference's
    catalog (the check passes; a bad --start is then the only complaint)."""
    result = _run(tmp_path, "serve", "--replay", str(ATOM_DIR), "--start", "nope")
    assert result.returncode == 2
    assert "--start 'nope'" in result.stderr
    assert "SNIPER_CATALOG_PATH" not in result.stderr


def _one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: "), result.stderr
    return line


def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = _run(tmp_path, "trading", "soft-pause")
    assert _one_line(missing, 2) == (
        "error: Missing option '--reason'. (see 'sniper trading soft-pause --help')"
    )
    bad_int = _run(tmp_path, "serve", "--port", "abc")
    assert "Invalid value for '--port'" in _one_line(bad_int, 2)
    unknown = _run(tmp_path, "nosuch")
    assert _one_line(unknown, 2) == "error: No such command 'nosuch'. (see 'sniper --help')"
    no_name = _run(tmp_path, "accounts", "create")
    assert _one_line(no_name, 2).startswith("error: Missing argument 'name'.")
    assert "Traceback" not in missing.stderr + bad_int.stderr + unknown.stderr


def test_version(tmp_path: Path) -> None:
    result = _run(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout == "sniper 0.1.0\n"


def test_bad_settings_and_flags_name_what_is_wrong(tmp_path: Path) -> None:
    env = _bare_env() | {"SNIPER_POLL_INTERVAL": "abc"}
    bad = subprocess.run(
        [*SNIPER, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert _one_line(bad, 2).startswith("error: setting SNIPER_POLL_INTERVAL: ")
    speed = _run(tmp_path, "serve", "--replay", str(ATOM_DIR), "--speed", "0")
    assert _one_line(speed, 2) == "error: --speed 0.0: must be > 0 (x real time)"
    port = _run(tmp_path, "serve", "--port", "99999")
    assert "Invalid value for '--port'" in _one_line(port, 2)


def test_a_past_until_says_which_clock_it_is_on(tmp_path: Path) -> None:
    assert _run(tmp_path, "init").returncode == 0
    assert _run(tmp_path, "migrate").returncode == 0
    past = _run(tmp_path, "trading", "soft-pause", "--reason", "x", "--until", "2020-01-01")
    line = _one_line(past, 1)
    assert line.startswith("error: --until 2020-01-01T00:00:00Z is not in the future: it is ")
    assert line.endswith("(system clock)")
