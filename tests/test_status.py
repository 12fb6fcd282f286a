"""`GET /api/v1/status` reports mode, clock time, source, counts and the next replayed filings."""

from __future__ import annotations

from tests.conftest import Harness


async def test_status_in_replay(harness: Harness) -> None:
    before = (await harness.client.get("/api/v1/status")).json()
    assert before["mode"] == "replay"
    assert before["clock_time"] == "2025-12-12T14:00:00Z"
    assert before["source"]["filings"] == 3315
    assert before["counts"]["filings_detected"] == 0
    upcoming = before["upcoming"]
    assert len(upcoming) == 5
    assert all(item["accepted_at"] > "2025-12-12T13:59:30Z" for item in upcoming)
    assert upcoming[0] == {
        "ticker": "PPIH",
        "form_type": "10-Q",
        "accepted_at": "2025-12-12T13:59:57Z",
        "accession_number": "0001437749-25-037631",
    }
    key = await harness.account()
    await harness.client.post(
        "/api/v1/sniper/targets", headers={"X-API-Key": key}, json={"ticker": "PPIH"}
    )
    harness.clock.advance(120)  # PPIH files an 8-K at 14:00:34, in the feed 30 s later
    await harness.watcher.tick()
    after = (await harness.client.get("/api/v1/status")).json()
    assert after["counts"]["filings_detected"] > 1000, "the first poll reads the visible feed"
    assert after["counts"]["hits"] == 1
    assert after["watcher"]["polls"] == 1
    assert after["watcher"]["last_poll_at"] == "2025-12-12T14:02:00Z"
