"""Slots never overbook under concurrent creates; a stop racing a hit ends in one terminal state;
a restart in the middle of a window loses nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from sniper.accounts.service import require_account
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.models import LedgerEntry, Target, WebhookDelivery
from sniper.targets import lifecycle
from tests.conftest import Harness, running


async def _create(h: Harness, key: str, **body: object) -> int:
    response = await h.client.post(
        "/api/v1/sniper/targets", headers={"X-API-Key": key}, json={"ticker": "AAPL"} | body
    )
    return response.status_code


async def test_fifty_concurrent_creates_never_overbook_five_slots(harness: Harness) -> None:
    h = harness
    keys = [await h.account(f"acct{i}", tokens=100) for i in range(3)]
    for key in keys:
        codes = await asyncio.gather(*(_create(h, key) for _ in range(50)))
        assert sorted(codes) == [200] * 5 + [402] * 45, codes


async def test_f2_hundred_rounds_of_32_concurrent_creates(
    settings: Settings, clock: ManualClock
) -> None:
    """RELIABILITY F2: 100 rounds x 32 concurrent creates against 5 slots, 0 rounds over."""
    unlimited = settings.model_copy(update={"paid_plan_rate_limit": "100000/minute"})
    async with running(unlimited, clock) as h:
        await _f2_rounds(h)


async def _f2_rounds(h: Harness) -> None:
    key = await h.account("acct", tokens=10)
    over = []
    for round_ in range(100):
        start = h.clock.now() + timedelta(hours=2 * round_)
        window = {"start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration_minutes": 60}
        codes = await asyncio.gather(*(_create(h, key, **window) for _ in range(32)))
        if codes.count(200) != 5:
            over.append((round_, codes.count(200)))
    async with transaction(h.runtime.sessions) as session:
        open_count = await session.scalar(select(func.count()).where(Target.status != "STOPPED"))
    assert over == []
    assert open_count == 100 * 5


def _filing_for(cik: int, accepted_at: datetime) -> DetectedFiling:
    return DetectedFiling(
        accession_number="0000320193-25-000999",
        form_type="8-K",
        accepted_at=accepted_at,
        index_url="https://www.sec.gov/Archives/edgar/data/320193/000032019325000999/"
        "0000320193-25-000999-index.htm",
        entities=(FilingEntity(cik, "Apple Inc.", "Filer"),),
    )


async def _hit(h: Harness, target_id: str, filing: DetectedFiling) -> bool:
    async with transaction(h.runtime.sessions) as session:
        return await lifecycle.record_hit(session, h.runtime, target_id, filing) is not None


async def test_stop_racing_a_hit_ends_in_exactly_one_terminal_state(harness: Harness) -> None:
    h = harness
    key = await h.account("alice", tokens=1000, webhook_url="http://127.0.0.1:9/hook")
    filing = _filing_for(320193, h.clock.now())
    outcomes = set()
    for _ in range(12):
        created = await h.client.post(
            "/api/v1/sniper/targets", headers={"X-API-Key": key}, json={"ticker": "AAPL"}
        )
        target_id = created.json()["target_id"]
        hit, stop = await asyncio.gather(
            _hit(h, target_id, filing),
            h.client.post(f"/api/v1/sniper/targets/{target_id}/stop", headers={"X-API-Key": key}),
        )
        reason = stop.json()["resolution_reason"]
        assert reason == ("filing_hit" if hit else "manual_stop")
        outcomes.add(reason)
        async with transaction(h.runtime.sessions) as session:
            deliveries = await session.scalar(
                select(func.count()).where(WebhookDelivery.target_id == target_id)
            )
            debits = await session.scalar(
                select(func.count()).where(LedgerEntry.reference == target_id)
            )
            stored = await session.get(Target, target_id)
        assert stored is not None
        assert stored.resolution_reason == reason
        assert (deliveries, debits) == ((1, 1) if hit else (0, 0))
    async with transaction(h.runtime.sessions) as session:
        account = await require_account(session, "alice")
        ledger_sum = await session.scalar(
            select(func.sum(LedgerEntry.delta)).where(LedgerEntry.account_id == account.id)
        )
    assert account.token_balance == ledger_sum


async def test_restart_mid_window_loses_nothing(settings: Settings) -> None:
    """XOM files Form 4 at 15:05:12 while the service is down; a JLL window ends during the
    outage and a TSLA window starts during it. After the restart each transition happens once."""
    clock = ManualClock(datetime(2025, 12, 12, 14, 0, tzinfo=UTC))
    async with running(settings, clock) as h:
        key = await h.account()
        for body in (
            {"ticker": "XOM", "end_time": "2025-12-12T18:00:00Z"},
            {"ticker": "JLL", "end_time": "2025-12-12T14:30:00Z"},
            {
                "ticker": "TSLA",
                "start_time": "2025-12-12T15:00:00Z",
                "end_time": "2025-12-12T16:00:00Z",
            },
        ):
            assert (
                await h.client.post("/api/v1/sniper/targets", headers={"X-API-Key": key}, json=body)
            ).status_code == 200
        await h.watcher.tick()
    clock.set(datetime(2025, 12, 12, 15, 30, tzinfo=UTC))  # down from 14:00 to 15:30
    async with running(settings, clock) as h:
        await h.watcher.tick()
        await h.watcher.tick()
        body = (await h.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})).json()
    by_ticker = {t["ticker"]: t for t in body["targets"]}
    assert by_ticker["XOM"]["resolution_reason"] == "filing_hit"
    assert by_ticker["XOM"]["last_event"]["accession_number"] == "0000034088-25-000124"
    assert by_ticker["JLL"]["resolution_reason"] == "window_expired"
    assert by_ticker["TSLA"]["status"] == "ACTIVE"
