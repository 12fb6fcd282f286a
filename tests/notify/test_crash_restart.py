"""`kill -9` loses no webhook and sends none twice (DESIGN.md "Notifications"): a real
`sniper serve --replay` subprocess fires a target while the receiver answers 503 and is
SIGKILLed; the receiver recovers, the server restarts on the same database and delivers exactly
once, and the target fired once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.migrate import upgrade_async
from tests.conftest import running
from tests.notify.receiver import Action, Receiver
from tests.support.http_server import Reply, Request
from tests.support.paths import ATOM_DIR, CATALOG_PATH
from tests.support.serve import serving, wait_until

SONY_6K = "0001104659-25-120538"  # accepted 15:45:47Z
SPEED = "30"
SETUP_AT = datetime(2025, 12, 12, 15, 45, tzinfo=UTC)


def _replay(start: str) -> list[str]:
    return ["--replay", str(ATOM_DIR), "--speed", SPEED, "--start", start]


def _rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return list(connection.execute(query))


async def _account_and_target(database_url: str, webhook_url: str) -> None:
    """Migrate, then through the API in-process at 15:45:00Z (a fixed clock, so the window
    surely opens before SONY's 6-K at 15:45:47Z): account `demo` and a SONY target."""
    await upgrade_async(database_url)
    settings = Settings(
        database_url=database_url,
        catalog_path=CATALOG_PATH,
        webhook_allow_networks=["127.0.0.1/32"],  # type: ignore[list-item]
    )
    async with running(settings, ManualClock(SETUP_AT)) as h:
        key = await h.account("demo", tokens=10)
        created = await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": "SONY", "duration_minutes": 60, "webhook_url": webhook_url},
        )
        assert created.status_code == 200, created.text


def test_sigkill_with_a_failing_receiver_then_restart_delivers_exactly_once(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    healthy = False

    def script(_request: Request) -> Action:
        return Reply(200, b"ok") if healthy else Reply(503, b"down")

    env = cli_env | {
        "SNIPER_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "SNIPER_WEBHOOK_RETRY_DELAYS": "60,60,60,60,60,60",  # service-clock seconds: 2 s at 30x
        "SNIPER_WEBHOOK_TIMEOUT": "2",
        "SNIPER_POLL_INTERVAL": "0.2",
    }
    database = Path(env["SNIPER_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///"))
    log = tmp_path / "serve.log"
    with Receiver(script) as receiver:
        asyncio.run(_account_and_target(env["SNIPER_DATABASE_URL"], receiver.url))
        with serving(env, log, *_replay("2025-12-12T15:45:30Z")) as served:
            process = served.process
            wait_until(lambda: len(receiver.received) >= 1, "the first (503) attempt")
            process.kill()  # SIGKILL: no shutdown code runs
            process.wait(timeout=10)
        [(status,)] = _rows(database, "SELECT status FROM webhook_deliveries")
        assert status == "pending", log.read_text()
        healthy = True
        with serving(env, log, *_replay("2025-12-12T15:50:00Z")):
            wait_until(lambda: any(r.acknowledged for r in receiver.received), "delivery")
            time.sleep(1.0)  # 30 s of service clock: time enough for any duplicate to show
    _assert_delivered_once(database, receiver)


def _assert_delivered_once(database: Path, receiver: Receiver) -> None:
    ids = {item.webhook_id for item in receiver.received}
    assert len(ids) == 1, "every request is the one delivery"
    assert sum(item.acknowledged for item in receiver.received) == 1, "delivered exactly once"
    assert _rows(database, "SELECT id, status FROM webhook_deliveries") == [
        (ids.pop(), "delivered")
    ]
    [(status, reason, last_event)] = _rows(
        database, "SELECT status, resolution_reason, last_event FROM sniper_targets"
    )
    assert (status, reason) == ("STOPPED", "filing_hit")
    assert SONY_6K in str(last_event)
    debits = _rows(database, "SELECT delta FROM token_ledger WHERE type = 'debit'")
    assert debits == [(-1,)], "the target fired once: one debit"
    attempts = _rows(database, "SELECT outcome FROM webhook_attempts ORDER BY id")
    assert attempts[-1] == ("success",)
    assert len(receiver.received) - len(attempts) in (0, 1), "at most the killed attempt unrecorded"
