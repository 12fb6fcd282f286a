"""The 13F demo on real data (issue 16, item 1): a real `sniper serve --replay` subprocess with
the recorded 13F submissions placed into the replayed day and the recorded OpenFIGI answers
behind a local stand-in. A MET target fires on MetLife's 13F-HR, which goes `detected ->
parsing -> parsed -> enriched`; the filing, its holdings, tickers and FIGIs show through the
HTTP API, as the README's curl walk-through shows them."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sniper.config import Settings
from sniper.edgar.sim_documents import DEMO_OFFSET
from sniper.edgar.sim_filings import crawl_day
from sniper.kit.timefmt import iso_z
from tests.support.cli import SNIPER, cli_environment, sniper
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

METLIFE_13F = "0001140361-23-013281"  # the first placed submission (file-name order)
ANIX_8K = "0001493152-25-027321"  # a recorded feed entry only, accepted 2.5 min after MET
SUBMISSIONS = SHARED_EDGAR / "13f/full_submission"
FIGI_CSV = SHARED_EDGAR / "openfigi/zyuTony_13f_database/openfigi_results.csv"
SPY_FIGI = "BBG000BDTBL9"  # openfigi_results.csv's row for 78462F103 (SPDR S&P 500 ETF)
LEAD = timedelta(minutes=20)  # replay time from --start to MetLife's placed acceptance
DEADLINE = 150.0  # seconds of wall time; the 13F is accepted 40 s after the start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(condition: Callable[[], Any], what: str, log: Path) -> Any:
    deadline = time.monotonic() + DEADLINE
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{log.read_text()}"
        time.sleep(0.1)
    return value


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/status", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serving(env: dict[str, str], log: Path, start: str) -> Iterator[str]:
    """`sniper serve --replay` from `start` at 30x; yields the base URL once it answers."""
    port = _free_port()
    args = ["--replay", str(ATOM_DIR), "--speed", "30", "--start", start]
    with log.open("a") as out:
        process = subprocess.Popen(
            [*SNIPER, "serve", "--port", str(port), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: process.poll() is not None or _answers(base), "the server", log)
        assert process.poll() is None, log.read_text()
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)


def _demo_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return cli_environment(tmp_path) | {
        "SNIPER_DATABASE_URL": settings.database_url,
        "SNIPER_REPLAY_SUBMISSIONS_PATH": str(SUBMISSIONS),
        "SNIPER_REPLAY_OPENFIGI_PATH": str(FIGI_CSV),
        "SNIPER_POLL_INTERVAL": "0.2",
    }


def _first_acceptance() -> datetime:
    return min(f.accepted_at for f in crawl_day(ATOM_DIR))


def _metlife_accepted_at() -> str:
    # 20 replay minutes (40 s at 30x) for the server to start and the targets to be created
    # before MetLife's acceptance, on a busy machine too.
    return iso_z(_first_acceptance() + DEMO_OFFSET - LEAD)


async def test_a_13f_target_goes_from_detected_to_enriched_with_tickers(
    settings: Settings, tmp_path: Path
) -> None:
    env = _demo_env(settings, tmp_path)
    assert sniper(env, "migrate").returncode == 0
    created = sniper(env, "accounts", "create", "demo", "--plan", "paid", "--tokens", "1000")
    assert created.returncode == 0, created.stderr
    key = sniper(env, "keys", "create", "demo").stdout.strip()
    headers = {"X-API-Key": key}
    secret = sniper(env, "webhooks", "secret", "demo").stdout.strip()
    log = tmp_path / "serve.log"
    with serving(env, log, _metlife_accepted_at()) as base, httpx.Client(base_url=base) as api:
        target = api.post(
            "/api/v1/sniper/targets",
            headers=headers,
            json={"ticker": "MET", "duration_minutes": 60, "form_types": ["13F-HR"]},
        )
        assert target.status_code == 200, target.text
        shown = api.get("/api/v1/webhooks/secret", headers=headers).json()
        assert secret.startswith(shown["secret_prefix"])  # the CLI prints the signing secret
        ordinary = api.post(
            "/api/v1/sniper/targets",
            headers=headers,
            json={"ticker": "ANIX", "duration_minutes": 60, "form_types": ["8-K"]},
        )
        assert ordinary.status_code == 200, ordinary.text
        done = _wait_for(lambda: _in_state(api, headers, "MET", "enriched"), "MET enriched", log)
        assert done["ticker"] == "MET"
        assert done["holdings_count"] == 6
        assert done["parsed_at"] is not None
        assert done["enriched_at"] is not None
        assert done["filing_uuid"] is not None
        _assert_filing_and_holdings(api, headers)
        _wait_for(lambda: _in_state(api, headers, "ANIX", "parsed"), "the 8-K parsed", log)
        _assert_ordinary_filing(api, headers)


def _in_state(
    api: httpx.Client, headers: dict[str, str], ticker: str, state: str
) -> dict[str, Any] | None:
    listed = api.get("/api/v1/sniper/targets", headers=headers).json()["targets"]
    rows = [t for t in listed if t["ticker"] == ticker and t["processing_state"] == state]
    return rows[0] if rows else None


def _assert_ordinary_filing(api: httpx.Client, headers: dict[str, str]) -> None:
    """A replayed filing without recorded documents: a record from its header, no failure."""
    filing = api.get(f"/api/v1/sec/filings/{ANIX_8K}", headers=headers)
    assert filing.status_code == 200, filing.text
    record = filing.json()["data"]
    assert (record["form_type"], record["filer_cik"]) == ("8-K", "0000715446")
    assert record["form_13f"] is None


def _assert_filing_and_holdings(api: httpx.Client, headers: dict[str, str]) -> None:
    filing = api.get(f"/api/v1/sec/filings/{METLIFE_13F}", headers=headers)
    assert filing.status_code == 200, filing.text
    record = filing.json()["data"]
    assert record["form_type"] == "13F-HR"
    assert record["filer_name"] == "METLIFE INC"
    assert record["form_13f"]["holdings_count"] == 6
    assert record["form_13f"]["report_type"] == "13F COMBINATION REPORT"  # as MetLife filed it
    accepted = datetime.fromisoformat(record["accepted_at"].replace("Z", "+00:00"))
    assert accepted == _first_acceptance() + DEMO_OFFSET  # placed into the replayed day
    page = api.get(f"/api/v1/form-13f/filings/{METLIFE_13F}/holdings", headers=headers)
    assert page.status_code == 200, page.text
    holdings = page.json()["data"]["holdings"]
    assert len(holdings) == 6
    assert all(h["ticker"] for h in holdings), holdings
    spy = next(h for h in holdings if h["cusip"] == "78462F103")
    assert (spy["ticker"], spy["figi"]) == ("SPY", SPY_FIGI)  # MetLife reported no FIGI
    looked_up = api.get("/api/v1/cusip/lookup/78462F103", headers=headers)
    assert looked_up.status_code == 200, looked_up.text
    mapping = looked_up.json()["data"]
    assert (mapping["ticker"], mapping["figi"]) == ("SPY", SPY_FIGI)  # the recorded answer
