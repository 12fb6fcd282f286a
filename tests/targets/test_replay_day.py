"""The real 2025-12-12 crawl replayed: targets fire on the filings their tickers made that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Harness


def _auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def _targets(h: Harness, key: str) -> dict[str, dict[str, Any]]:
    body = (await h.client.get("/api/v1/sniper/targets", headers=_auth(key))).json()
    return {t["ticker"] + ":" + (",".join(t["form_types"] or ["*"])): t for t in body["targets"]}


async def _play_until(h: Harness, until: datetime, step: timedelta) -> None:
    while h.clock.now() < until:
        h.clock.advance(step)
        await h.watcher.tick()


async def test_a_replayed_day_fires_the_right_targets(harness: Harness) -> None:
    h = harness
    key = await h.account("alice", tokens=10)
    more = await h.account("bob", tokens=10)
    window = {"start_time": "2025-12-12T14:00:00Z", "end_time": "2025-12-12T17:00:00Z"}
    plans = [
        (key, {"ticker": "XOM"}),  # Form 4, XOM as issuer, 15:05:12
        (key, {"ticker": "SONY", "form_types": ["6-K"]}),  # 6-K at 15:45:47
        (key, {"ticker": "FIAC", "form_types": ["SC 13G/A"]}),  # SCHEDULE 13G/A subject, 15:43:10
        (key, {"ticker": "LPX", "form_types": ["10-Q"]}),  # files 10-Q/A only: no match
        (more, {"ticker": "XOM", "form_types": ["8-K"]}),  # XOM filed no 8-K that day
    ]
    for owner, body in plans:
        response = await h.client.post(
            "/api/v1/sniper/targets", json=body | window, headers=_auth(owner)
        )
        assert response.status_code == 200, response.text
    expired_early = await h.client.post(
        "/api/v1/sniper/targets",
        headers=_auth(more),
        json={
            "ticker": "JLL",
            "start_time": "2025-12-12T14:00:00Z",
            "end_time": "2025-12-12T15:00:00Z",
        },  # JLL's Form 4 came at 15:43:11
    )
    assert expired_early.status_code == 200

    await _play_until(h, datetime(2025, 12, 12, 17, 5, tzinfo=UTC), timedelta(seconds=45))

    alice = await _targets(h, key)
    assert alice["XOM:*"]["status"] == "STOPPED"
    assert alice["XOM:*"]["resolution_reason"] == "filing_hit"
    assert alice["XOM:*"]["last_event"] == {
        "accession_number": "0000034088-25-000124",
        "form_type": "4",
        "filed_at": "2025-12-12T15:05:12Z",
    }
    assert alice["SONY:6-K"]["last_event"]["accession_number"] == "0001104659-25-120538"
    assert alice["FIAC:SC 13G/A"]["last_event"] == {
        "accession_number": "0001854479-25-000002",
        "form_type": "SCHEDULE 13G/A",
        "filed_at": "2025-12-12T15:43:10Z",
    }
    assert alice["LPX:10-Q"]["resolution_reason"] == "window_expired"
    assert alice["LPX:10-Q"]["last_event"] is None
    bob = await _targets(h, more)
    assert bob["XOM:8-K"]["resolution_reason"] == "window_expired"
    assert bob["JLL:*"]["resolution_reason"] == "window_expired"
    balance = await _balance(h, "alice")
    assert balance == 10 - 3, "one token per hit, nothing for expiries"


async def _balance(h: Harness, name: str) -> int:
    from sniper.accounts.service import require_account
    from sniper.db.session import transaction

    async with transaction(h.runtime.sessions) as session:
        return (await require_account(session, name)).token_balance


async def test_late_detection_inside_the_grace_still_fires(harness: Harness) -> None:
    """XOM's Form 4 was accepted 15:05:12 and shows in the feed 30 s later; a window that ended
    at 15:05:30 is expired only after the 120 s grace, so the hit wins."""
    h = harness
    key = await h.account()
    await h.client.post(
        "/api/v1/sniper/targets",
        headers=_auth(key),
        json={
            "ticker": "XOM",
            "start_time": "2025-12-12T14:00:00Z",
            "end_time": "2025-12-12T15:05:30Z",
        },
    )
    h.clock.set(datetime(2025, 12, 12, 15, 5, 30, tzinfo=UTC))
    await h.watcher.tick()  # not yet visible (acceptance + 30 s lag = 15:05:42)
    assert (await _targets(h, key))["XOM:*"]["status"] == "ACTIVE"
    h.clock.set(datetime(2025, 12, 12, 15, 6, 0, tzinfo=UTC))
    await h.watcher.tick()
    target = (await _targets(h, key))["XOM:*"]
    assert target["resolution_reason"] == "filing_hit"
    assert target["last_event"]["accession_number"] == "0000034088-25-000124"


async def test_a_filed_by_role_does_not_fire(harness: Harness) -> None:
    """Only filer, issuer and subject roles match. Janus Henderson (JHG) appears that day only as
    the "Filed by" party of SCHEDULE 13G/A 0001274173-25-000351 (accepted 18:06:43Z)."""
    h = harness
    key = await h.account()
    response = await h.client.post(
        "/api/v1/sniper/targets",
        headers=_auth(key),
        json={
            "ticker": "JHG",
            "start_time": "2025-12-12T17:30:00Z",
            "end_time": "2025-12-12T18:30:00Z",
        },
    )
    assert response.json()["status"] == "CREATED"
    await _play_until(h, datetime(2025, 12, 12, 18, 35, tzinfo=UTC), timedelta(minutes=5))
    target = (await _targets(h, key))["JHG:*"]
    assert target["resolution_reason"] == "window_expired"
    assert target["last_event"] is None
