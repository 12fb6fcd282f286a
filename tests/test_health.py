"""`GET /healthz` and `GET /readyz` (issue 16 item 2): liveness without the database, readiness
with it, turning 503 when the database is really gone; the poll leader's state as reported by
the leader loop."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.engine import create_engine
from sniper.db.migrate import upgrade
from sniper.worker.leader import while_leading
from tests.conftest import Harness, running


async def test_healthz_and_readyz_answer_without_a_key(harness: Harness) -> None:
    live = await harness.client.get("/healthz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok"},
        "failing": [],
        "leader": None,  # this app runs no loops (the tests tick the watcher)
        "last_poll_at": None,
    }
    harness.clock.advance(60)
    await harness.watcher.tick()
    polled = (await harness.client.get("/readyz")).json()
    # the service clock (replay time); the planner's second moved it on by one
    assert polled["last_poll_at"] == "2025-12-12T14:01:01Z"


async def test_health_paths_are_in_the_openapi_document(harness: Harness) -> None:
    paths = (await harness.client.get("/openapi.json")).json()["paths"]
    assert set(paths["/healthz"]) == {"get"}
    assert {"200", "503"} <= set(paths["/readyz"]["get"]["responses"])


async def test_readyz_is_503_when_the_database_is_gone(
    settings: Settings, clock: ManualClock, tmp_path: Path
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    url = f"sqlite+aiosqlite:///{folder / 'gone.db'}"
    await asyncio.to_thread(upgrade, url)
    own = settings.model_copy(update={"database_url": url})
    async with running(own, clock) as h:
        assert (await h.client.get("/readyz")).status_code == 200
        shutil.rmtree(folder)
        await h.runtime.engine.dispose()  # pooled connections kept the deleted file open
        ready = await h.client.get("/readyz")
        assert ready.status_code == 503, ready.text
        body = ready.json()
        assert body["status"] == "unavailable"
        assert body["failing"] == ["database"]
        assert body["checks"]["database"] == "OperationalError"
        live = await h.client.get("/healthz")
        assert (live.status_code, live.json()) == (200, {"status": "ok"})


async def test_the_leader_loop_reports_winning_and_stepping_down(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'leader.db'}")
    stop = asyncio.Event()
    changes: list[bool] = []

    async def tick() -> None:
        assert changes == [True], "leading while it ticks"
        stop.set()

    try:
        await while_leading(engine, stop, tick, 0.0, on_lead=changes.append)
    finally:
        await engine.dispose()
    assert changes == [True, False]
