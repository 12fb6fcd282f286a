"""`GET /api/v1/status` (issue 10 item 11): liveness for anyone; with an API key, mode, clock
time, source, counts and the next replayed filings; only admins see every account's counts,
the replay directory and the watcher's last error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness
from tests.support.paths import ATOM_DIR

STATUS = "/api/v1/status"


async def _status(h: Harness, key: str) -> dict[str, Any]:
    response = await h.client.get(STATUS, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _target(h: Harness, key: str, ticker: str) -> None:
    created = await h.client.post(
        "/api/v1/sniper/targets", headers={"X-API-Key": key}, json={"ticker": ticker}
    )
    assert created.status_code == 200, created.text


async def test_status_in_replay(harness: Harness) -> None:
    admin = await harness.account("root", admin=True)
    before = await _status(harness, admin)
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
    await _target(harness, await harness.account(), "PPIH")
    harness.clock.advance(120)  # PPIH files an 8-K at 14:00:34, in the feed 30 s later
    await harness.watcher.tick()
    after = await _status(harness, admin)
    assert after["counts"]["filings_detected"] > 1000, "the first poll reads the visible feed"
    assert after["counts"]["hits"] == 1
    assert after["watcher"]["polls"] == 1
    assert after["watcher"]["last_poll_at"] == after["clock_time"]
    detection = after["detection"]
    assert (detection["max_rps"], detection["plan_rps"]) == (10, 8)
    sources = detection["sources"]
    assert set(sources) == {"atom", "archives", "submissions"}
    assert sum(s["hits"] for s in sources.values()) == after["counts"]["filings_detected"]
    assert sources["atom"]["requests"] > 10, "the first read pages back through the feed"
    assert sources["submissions"]["requests"] >= 1, "the backstop reads the watched CIK at once"


async def test_without_a_key_it_is_liveness_only(harness: Harness) -> None:
    await _target(harness, await harness.account(), "PPIH")
    harness.runtime.stats.last_error = "EDGAR answered 503"
    response = await harness.client.get(STATUS)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "mode": "replay"}


async def test_an_invalid_key_is_401(harness: Harness) -> None:
    for headers in ({"X-API-Key": "snp_wrong"}, {"Authorization": "Bearer snp_wrong"}):
        response = await harness.client.get(STATUS, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"
    by_query = await harness.client.get(STATUS, params={"apiKey": "snp_wrong"})
    assert by_query.status_code == 401


@pytest.mark.parametrize("how", ["X-API-Key", "Bearer", "apiKey"])
async def test_an_account_sees_only_its_own_counts(harness: Harness, how: str) -> None:
    alice = await harness.account("alice")
    bob = await harness.account("bob")
    await _target(harness, alice, "PPIH")
    await _target(harness, bob, "SONY")
    await _target(harness, bob, "XOM")
    harness.runtime.stats.last_error = f"GET {ATOM_DIR}: boom"
    request: dict[str, Any] = {
        "X-API-Key": {"headers": {"X-API-Key": alice}},
        "Bearer": {"headers": {"Authorization": f"Bearer {alice}"}},
        "apiKey": {"params": {"apiKey": alice}},
    }[how]
    response = await harness.client.get(STATUS, **request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["targets_created"] + body["counts"]["targets_active"] == 1
    assert body["counts"]["hits"] == 0
    assert body["source"]["filings"] == 3315
    assert "replay_dir" not in body["source"]
    assert "last_error" not in body["watcher"]
    assert str(ATOM_DIR) not in response.text
    assert len(body["upcoming"]) == 5


async def test_an_admin_sees_every_account_the_replay_dir_and_the_last_error(
    harness: Harness,
) -> None:
    admin = await harness.account("root", admin=True)
    await _target(harness, await harness.account("alice"), "PPIH")
    await _target(harness, await harness.account("bob"), "SONY")
    harness.runtime.stats.last_error = "EDGAR answered 503"
    body = await _status(harness, admin)
    assert body["counts"]["targets_created"] + body["counts"]["targets_active"] == 2
    assert body["source"]["replay_dir"] == str(ATOM_DIR)
    assert body["watcher"]["last_error"] == "EDGAR answered 503"


async def test_the_openapi_document_describes_both_answers(harness: Harness) -> None:
    document: dict[str, Any] = harness.app.openapi()  # type: ignore[attr-defined]
    operation = document["paths"][STATUS]["get"]
    assert {"200", "401"} <= set(operation["responses"])
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    refs = {option["$ref"].rsplit("/", 1)[-1] for option in schema["anyOf"]}
    assert refs == {"StatusLiveness", "StatusDetail"}
