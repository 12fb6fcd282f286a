"""The detection planner in live mode against a local HTTP stand-in that plays EDGAR (issue 11).

`SNIPER_EDGAR_BASE_URL`, `..._ARCHIVES_BASE_URL` and `..._SUBMISSIONS_BASE_URL` point at a
`SimulatedEdgar` served by a real HTTP server in this process; the app and the stand-in share
one `ManualClock`. Nothing of Sniper's own is mocked: requests are counted where they arrive.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sniper.config import Settings
from sniper.db.session import transaction
from sniper.edgar import probes
from sniper.edgar.atom import FilingEntity
from sniper.edgar.client import RateLimited
from sniper.edgar.simulated import SimFiling, SimulatedEdgar
from sniper.filings.tasks import PROCESS
from sniper.models import Detection
from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.edgar._recorded import USER_AGENT
from tests.edgar.sim_support import T0, clock_of, serve_simulated, sim_filing, simulated
from tests.support.http_server import LocalServer, Reply

NVIDIA = (FilingEntity(1045810, "NVIDIA CORP", "Filer"),)
EARLIER = "0001045810-25-000229"  # NVIDIA's own prefix: the next one is -000230
NVIDIA_8K = "0001045810-25-000230"


@contextlib.asynccontextmanager
async def live(settings: Settings, sim: SimulatedEdgar) -> AsyncIterator[Harness]:
    """The app in live mode with every EDGAR base URL on a local server playing `sim`."""
    with serve_simulated(sim) as server:
        configured = settings.model_copy(
            update={
                "edgar_user_agent": USER_AGENT,
                "edgar_base_url": server.url,
                "edgar_archives_base_url": server.url,
                "edgar_submissions_base_url": server.url,
            }
        )
        async with running(configured, clock_of(sim), mode="live") as h:
            yield h


async def play(h: Harness, until: datetime) -> None:
    """Tick once per whole second of the clock up to `until` (a tick spends its second)."""
    while h.clock.now() < until:
        h.clock.set(h.clock.now().replace(microsecond=0) + timedelta(seconds=1))
        await h.watcher.tick()


async def detection(h: Harness, accession: str) -> Detection | None:
    async with transaction(h.runtime.sessions) as session:
        return await session.get(Detection, accession)


def fillers(count: int, first: datetime) -> list[SimFiling]:
    """`count` filings by other companies through one agent, accepted 2 s apart from `first`,
    on Archives 20 s later and in the feed 1 s after that."""
    return [
        sim_filing(
            f"0001193125-25-{500 + n:06d}",
            first + timedelta(seconds=2 * n),
            20,
            1,
            (FilingEntity(900_000 + n, f"FILER {n}", "Filer"),),
        )
        for n in range(count)
    ]


async def test_a_filing_inserted_late_below_a_seen_page_0_is_detected(settings: Settings) -> None:
    late = sim_filing("0001213900-25-000777", T0 + timedelta(seconds=5), 28, 95)
    sim = simulated(late, *fillers(30, T0 + timedelta(seconds=10)))
    newer_above = [
        f for f in sim.filings if f.accepted_at > late.accepted_at and f.feed_at <= late.feed_at
    ]
    assert len(newer_above) > 20, "when it reaches the feed it sits below page 0 (count=20)"
    async with live(settings, sim) as h:
        await play(h, late.feed_at + timedelta(seconds=45))
        found = await detection(h, late.accession_number)
    assert found is not None
    assert found.source == "atom"
    assert found.detected_at - late.feed_at <= timedelta(seconds=31), "the deep re-read"


async def _nvidia_hit(
    settings: Settings, sim: SimulatedEdgar, receiver: LocalServer
) -> tuple[Harness, dict[str, object]]:
    """NVIDIA's 8-K under a target from T0: play until its feed entry is in too, run the
    filing pipeline; returns the harness and `GET /api/v1/sec/filings/{accession}`."""
    async with live(settings, sim) as h:
        key = await h.account("alice", webhook_url=f"{receiver.url}/hook")
        created = await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": "NVDA", "duration_minutes": 60},
        )
        assert created.status_code == 200, created.text
        await play(h, sim.by_accession[NVIDIA_8K].feed_at + timedelta(seconds=3))
        await JobRunner(h.runtime, DELIVER).run_due()
        await JobRunner(h.runtime, PROCESS).run_due()
        filing = await h.client.get(f"/api/v1/sec/filings/{NVIDIA_8K}", headers={"X-API-Key": key})
        assert filing.status_code == 200, filing.text
        return h, filing.json()["data"]


async def test_a_probe_hit_fires_once_and_the_feed_entry_only_adds_its_time(
    settings: Settings,
) -> None:
    earlier = sim_filing(EARLIER, T0 - timedelta(hours=2), 28, 1, NVIDIA)
    eight_k = sim_filing(NVIDIA_8K, T0 + timedelta(seconds=60), 28, 20, NVIDIA)
    sim = simulated(earlier, eight_k, *fillers(20, T0))
    with LocalServer(lambda request: Reply(204)) as receiver:
        h, filing = await _nvidia_hit(settings, sim, receiver)
        async with running(h.runtime.settings, h.clock, mode="off") as after:
            found = await detection(after, NVIDIA_8K)
    assert found is not None
    assert found.source == "archives"
    assert eight_k.archives_at <= found.detected_at < eight_k.archives_at + timedelta(seconds=2)
    assert found.first_seen is not None
    assert set(found.first_seen) == {"archives", "atom"}
    assert datetime.fromisoformat(found.first_seen["atom"]) >= eight_k.feed_at
    assert filing["detection"] == {
        "source": "archives",
        "detected_at": found.first_seen["archives"],
        "first_seen": found.first_seen,
    }
    bodies = [r.body for r in receiver.requests]
    assert len(bodies) == 1, "the feed's later entry fires nothing"
    assert b'"detection_source":"archives"' in bodies[0].replace(b" ", b"")


async def test_a_not_yet_public_path_is_one_miss_never_retried(settings: Settings) -> None:
    eight_k = sim_filing(NVIDIA_8K, T0 + timedelta(seconds=60), 28, 20, NVIDIA)
    sim = simulated(eight_k)
    async with live(settings, sim) as h:
        sec = h.runtime.planner.sec if h.runtime.planner else None
        assert sec is not None
        found = await probes.probe(sec, h.runtime.planner.urls.archives, 1045810, NVIDIA_8K)
        assert found is None
        assert [path for _, path in sim.requests] == [
            f"/Archives/edgar/data/1045810/{NVIDIA_8K.replace('-', '')}/"
            f"{NVIDIA_8K}-index-headers.html"
        ]
        assert (sec.requests_sent, sec.retries) == (1, 0)
        h.clock.set(eight_k.archives_at)
        hit = await probes.probe(sec, h.runtime.planner.urls.archives, 1045810, NVIDIA_8K)
    assert hit is not None
    assert (hit.form_type, hit.accepted_at, hit.entities) == ("8-K", eight_k.accepted_at, NVIDIA)


async def test_the_rate_threshold_page_pauses_every_source(settings: Settings) -> None:
    earlier = sim_filing(EARLIER, T0 - timedelta(hours=2), 28, 1, NVIDIA)
    sim = simulated(earlier, *fillers(20, T0))
    async with live(settings, sim) as h:
        key = await h.account("alice")
        await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": "NVDA", "duration_minutes": 60},
        )
        await play(h, T0 + timedelta(seconds=5))
        sim.block_now()
        blocked_at, before = h.clock.now(), len(sim.requests)
        await play(h, blocked_at + timedelta(minutes=9, seconds=58))
        during = len(sim.requests) - before
        status = (await h.client.get("/api/v1/status", headers={"X-API-Key": key})).json()
        pipeline = h.runtime.pipeline.sec
        assert pipeline is not None
        try:
            await pipeline.get(f"{h.runtime.settings.edgar_base_url}/Archives/x")
            raise AssertionError("the pipeline's request went out during the block")
        except RateLimited:
            pass
        await play(h, blocked_at + timedelta(minutes=10, seconds=5))
        after = len(sim.requests) - before
    assert during == 1, "the request that got the page, then nothing from any source"
    assert status["detection"]["paused_until"] is not None
    assert after > 5, "every source resumes once the 10 minutes are over"
