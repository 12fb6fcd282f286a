"""Structured logs (issue 16 item 2): a real `sniper serve --replay` subprocess with
`SNIPER_LOG_FORMAT=json` fires a target (SONY's 6-K, accepted 15:45:47Z) whose webhook a local
receiver takes, and a client stops its trading with an `X-Request-ID`. Its output holds one
JSON line per event (`target.hit`, `webhook.attempt`, `trading.control_changed` with that
request id) and never the API key, the webhook secret or the signature."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import httpx
import pytest

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.migrate import upgrade_async
from sniper.kit import logs, metrics
from sniper.kit.logs import EVENTS, console_formatter
from sniper.kit.redact import RedactingFilter
from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner, Schedule, run_schedule
from tests.conftest import Harness, running
from tests.notify.helpers import fire_hits
from tests.notify.receiver import Receiver
from tests.notify.test_crash_restart import SPEED
from tests.support.http_server import Reply, Request
from tests.support.paths import ATOM_DIR, CATALOG_PATH
from tests.support.serve import serving, wait_until

SONY_6K = "0001104659-25-120538"
SETUP_AT = datetime(2025, 12, 12, 15, 45, tzinfo=UTC)
DEADLINE_SECONDS = 180.0  # generous: a loaded two-core machine
PATH_TOKEN = "t0ken-in-the-path"  # what chat webhooks carry in their URLs


def hook(receiver: Receiver) -> str:
    return f"{receiver.url}/hooks/{PATH_TOKEN}?sig={PATH_TOKEN}"


async def _account_and_target(database_url: str, webhook_url: str) -> tuple[str, str]:
    """Account `demo` with a SONY target and a fresh webhook secret, set up in-process at
    15:45:00Z; returns (API key, webhook secret)."""
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
        rotated = await h.client.post("/api/v1/webhooks/secret", headers={"X-API-Key": key})
        assert rotated.status_code == 200, rotated.text
        return key, str(rotated.json()["secret"])


def _events(log: Path) -> list[dict[str, Any]]:
    """The JSON lines of `log` that are structured events (`logger` `sniper.events`)."""
    found = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == EVENTS:
                found.append(record)
    return found


def _named(log: Path, name: str) -> list[dict[str, Any]]:
    return [record for record in _events(log) if record["event"] == name]


def test_json_logs_have_one_line_per_hit_and_attempt_and_no_secret(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    def script(_request: Request) -> Reply:
        return Reply(200, b"ok")

    env = cli_env | {
        "SNIPER_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "SNIPER_POLL_INTERVAL": "0.2",
        "SNIPER_LOG_FORMAT": "json",
    }
    log = tmp_path / "serve.log"
    with Receiver(script) as receiver:
        key, secret = asyncio.run(_account_and_target(env["SNIPER_DATABASE_URL"], hook(receiver)))
        replay = ["--replay", str(ATOM_DIR), "--speed", SPEED, "--start", "2025-12-12T15:45:30Z"]
        with serving(env, log, *replay) as served:
            base = served.base
            wait_until(lambda: bool(_named(log, "webhook.attempt")), "the webhook attempt")
            stopped = httpx.post(
                f"{base}/api/v1/trading/stop",
                headers={"X-API-Key": key, "X-Request-ID": "obs-stop-1"},
                timeout=10,
            )
            assert stopped.status_code == 200, stopped.text
            wait_until(lambda: bool(_named(log, "trading.control_changed")), "the control event")
        signature = receiver.received[0].request.headers["webhook-signature"]

    [hit] = _named(log, "target.hit")
    assert hit["accession_number"] == SONY_6K
    assert hit["ticker"] == "SONY"
    assert hit["target_id"].startswith("tgt_")
    assert hit["level"] == "info"
    [attempt] = _named(log, "webhook.attempt")
    assert attempt["delivery_status"] == "delivered"
    assert attempt["status_code"] == 200
    assert attempt["receiver"] == receiver.url, "the origin only: a URL's path may be a key"
    [control] = _named(log, "trading.control_changed")
    assert control["request_id"] == "obs-stop-1"
    assert control["command"] == "stop"
    text = log.read_text()
    secrets = (key, key[len("snp_") :], secret, secret[len("whsec_") :], signature, PATH_TOKEN)
    for secret_text in secrets:
        assert secret_text not in text
    assert '"logger": "sniper.access"' in text, "the access log is JSON too"


async def test_an_event_in_a_request_carries_its_request_id(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    caplog.set_level(logging.INFO, logger=EVENTS)
    alice = await h.account("alice")
    answer = await h.client.post(
        "/api/v1/trading/pause", headers={"X-API-Key": alice, "X-Request-ID": "pause-7"}
    )
    assert answer.status_code == 200, answer.text
    [event] = [r.msg for r in caplog.records if r.name == EVENTS]
    assert isinstance(event, dict)
    assert event["event"] == "trading.control_changed"
    assert event["request_id"] == "pause-7"
    assert event["command"] == "pause"
    assert alice not in caplog.text


def test_the_console_format_shows_an_event_as_its_name_and_fields() -> None:
    """What `sniper serve` prints by default for an event: the usual line, the event's name
    and `key=value` pairs, a key in a field redacted."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(console_formatter())
    handler.addFilter(RedactingFilter())
    events = logging.getLogger(EVENTS)
    events.addHandler(handler)
    level = events.level
    events.setLevel(logging.INFO)  # as `sniper serve` sets it
    try:
        key = "snp_" + "A1b2" * 10
        logs.event("leader.changed", {"schedule": "edgar.poll", "leader": True, "note": key})
    finally:
        events.removeHandler(handler)
        events.setLevel(level)
    line = stream.getvalue().strip()
    assert line.endswith(
        "INFO sniper.events: leader.changed schedule=edgar.poll leader=True note=snp_[redacted]"
    ), line


def _gone(_request: Request) -> Reply:
    return Reply(410, b"gone")


def _event_dicts(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    found = [r.msg for r in caplog.records if r.name == EVENTS and isinstance(r.msg, dict)]
    return [event for event in found if event["event"] == name]


async def test_a_410_logs_the_attempt_and_the_disable_by_origin_only(
    settings: Settings, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=EVENTS)
    with Receiver(_gone) as receiver:
        async with running(settings, clock) as h:
            alice = await h.account("alice", webhook_url=hook(receiver))
            await fire_hits(h, alice, ["XOM"])
            assert await JobRunner(h.runtime, DELIVER, rng=Random(1)).run_due() == 1
    [hit] = _event_dicts(caplog, "target.hit")
    assert hit["ticker"] == "XOM"
    [attempt] = _event_dicts(caplog, "webhook.attempt")
    assert (attempt["status_code"], attempt["delivery_status"]) == (410, "dead")
    [disabled] = _event_dicts(caplog, "webhook.endpoint_disabled")
    assert disabled["reason"] == "HTTP 410 Gone"
    assert disabled["receiver"] == receiver.url
    assert [r.levelname for r in caplog.records if r.msg is disabled] == ["WARNING"]
    assert PATH_TOKEN not in caplog.text
    assert alice not in caplog.text


async def test_winning_and_losing_a_schedule_is_one_event_each_and_the_gauge(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=EVENTS)
    ticks = 0

    def start(_runtime: object) -> Callable[[], Awaitable[None]]:
        async def tick() -> None:
            nonlocal ticks
            ticks += 1

        return tick

    schedule = Schedule(name="obs.test", start=start, interval=lambda _: 0.05, lock=0x5E11F0)

    def gauge() -> float | None:
        return metrics.REGISTRY.get_sample_value("sniper_leader", {"schedule": "obs.test"})

    stop = asyncio.Event()
    task = asyncio.create_task(run_schedule(harness.runtime, schedule, stop))
    deadline = time.monotonic() + DEADLINE_SECONDS
    while ticks < 3:
        assert time.monotonic() < deadline, "the schedule never ticked"
        await asyncio.sleep(0.01)
    assert gauge() == 1
    stop.set()
    await task
    assert gauge() == 0
    changes = _event_dicts(caplog, "leader.changed")
    assert [(e["schedule"], e["leader"]) for e in changes] == [
        ("obs.test", True),
        ("obs.test", False),
    ]
