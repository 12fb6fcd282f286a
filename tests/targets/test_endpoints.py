"""The three sniper endpoints as seeds 000-002 and DESIGN.md specify them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Harness

TARGET_FIELDS = {
    "target_id",
    "ticker",
    "status",
    "start_time",
    "end_time",
    "form_types",
    "webhook_url",
    "resolution_reason",
    "last_event",
    "created_at",
    "filing_uuid",
    "processing_state",
    "holdings_count",
    "parsed_at",
    "enriched_at",
    "candidate_urls",
}


async def _public_resolver(host: str, port: int) -> list[str]:
    return {"customer.example.com": ["93.184.215.14"]}.get(host, [])


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def create(h: Harness, key: str, **body: Any) -> Any:
    return await h.client.post("/api/v1/sniper/targets", json=body, headers=_auth(key))


async def test_seed_001_sample_request_returns_every_field(harness: Harness) -> None:
    harness.runtime.resolver = _public_resolver
    key = await harness.account()
    response = await create(
        harness,
        key,
        ticker="TSLA",
        start_time="2025-12-12T20:00:00Z",
        end_time="2025-12-12T22:00:00Z",
        form_types=["10-K", "10-Q", "8-K"],
        webhook_url="https://customer.example.com/sniper-callback",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == TARGET_FIELDS
    assert re.fullmatch(r"tgt_[0-9A-Za-z]{12}", body["target_id"])
    # predicted from TSLA's submissions JSON, which the replay's simulated EDGAR serves
    predicted = body.pop("candidate_urls")
    assert predicted, "no candidate URLs predicted for TSLA"
    tsla_folder = "https://www.sec.gov/Archives/edgar/data/1318605/"
    assert all(c["url"].startswith(tsla_folder) for c in predicted)
    assert body | {"target_id": None} == {
        "target_id": None,
        "ticker": "TSLA",
        "status": "CREATED",
        "start_time": "2025-12-12T20:00:00Z",
        "end_time": "2025-12-12T22:00:00Z",
        "form_types": ["10-K", "10-Q", "8-K"],
        "webhook_url": "https://customer.example.com/sniper-callback",
        "resolution_reason": None,
        "last_event": None,
        "created_at": "2025-12-12T14:00:00Z",
        "filing_uuid": None,
        "processing_state": None,
        "holdings_count": None,
        "parsed_at": None,
        "enriched_at": None,
    }
    assert response.headers["x-request-id"]


async def test_defaults_activate_now_for_sixty_minutes_and_normalize_ticker(
    harness: Harness,
) -> None:
    key = await harness.account()
    body = (await create(harness, key, ticker=" brk.b ")).json()
    assert body["ticker"] == "BRK-B"
    assert body["status"] == "ACTIVE"
    assert (body["start_time"], body["end_time"]) == (
        "2025-12-12T14:00:00Z",
        "2025-12-12T15:00:00Z",
    )
    assert body["form_types"] is None
    assert body["webhook_url"] is None


async def test_account_default_webhook_url_is_used(harness: Harness) -> None:
    key = await harness.account(webhook_url="http://127.0.0.1:9/hook")
    body = (await create(harness, key, ticker="AAPL")).json()
    assert body["webhook_url"] == "http://127.0.0.1:9/hook"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"ticker": "NOPE-ZZ"}, "ticker", "UNKNOWN_TICKER"),
        ({}, "ticker", "BAD_REQUEST"),
        ({"ticker": 5}, "ticker", "BAD_REQUEST"),
        ({"ticker": "AAPL", "duration_minutes": 0}, "duration_minutes", "BAD_REQUEST"),
        ({"ticker": "AAPL", "duration_minutes": 1441}, "duration_minutes", "BAD_REQUEST"),
        ({"ticker": "AAPL", "duration_minutes": "60"}, "duration_minutes", "BAD_REQUEST"),
        (
            {"ticker": "AAPL", "duration_minutes": 30, "end_time": "2025-12-12T15:00:00Z"},
            "end_time",
            "BAD_REQUEST",
        ),
        ({"ticker": "AAPL", "end_time": "2025-12-13T14:00:01Z"}, "end_time", "BAD_REQUEST"),
        (
            {
                "ticker": "AAPL",
                "start_time": "2025-12-12T16:00:00Z",
                "end_time": "2025-12-12T15:00:00Z",
            },
            "end_time",
            "BAD_REQUEST",
        ),
        ({"ticker": "AAPL", "start_time": "2025-12-12T13:58:59Z"}, "start_time", "BAD_REQUEST"),
        ({"ticker": "AAPL", "start_time": "tomorrow"}, "start_time", "BAD_REQUEST"),
        ({"ticker": "AAPL", "end_time": "2025-13-45T99:00:00Z"}, "end_time", "BAD_REQUEST"),
        ({"ticker": "AAPL", "form_types": ["8-K", "<script>"]}, "form_types", "BAD_REQUEST"),
        ({"ticker": "AAPL", "form_types": []}, "form_types", "BAD_REQUEST"),
        ({"ticker": "AAPL", "form_types": "8-K"}, "form_types", "BAD_REQUEST"),
        (
            {"ticker": "AAPL", "webhook_url": "ftp://x.example/hook"},
            "webhook_url",
            "INVALID_WEBHOOK_URL",
        ),
        (
            {"ticker": "AAPL", "webhook_url": "http://10.0.0.8/hook"},
            "webhook_url",
            "INVALID_WEBHOOK_URL",
        ),
    ],
)
async def test_invalid_create_is_400_naming_the_field(
    harness: Harness, body: dict[str, Any], field: str, code: str
) -> None:
    key = await harness.account()
    response = await create(harness, key, **body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["status"] == "error"
    assert error["request_id"]
    assert error["timestamp"]
    assert error["error"]["code"] == code
    assert error["error"]["details"]["field"] == field
    assert field in error["error"]["message"]
    listed = await harness.client.get("/api/v1/sniper/targets", headers=_auth(key))
    assert listed.json()["meta"]["total"] == 0  # nothing half-written


async def test_start_within_sixty_seconds_in_the_past_counts_as_now(harness: Harness) -> None:
    key = await harness.account()
    body = (await create(harness, key, ticker="AAPL", start_time="2025-12-12T13:59:10Z")).json()
    assert body["status"] == "ACTIVE"
    assert body["start_time"] == "2025-12-12T14:00:00Z"


async def test_end_in_the_past_is_refused(harness: Harness) -> None:
    key = await harness.account()
    response = await create(
        harness,
        key,
        ticker="AAPL",
        start_time="2025-12-12T13:59:30Z",
        end_time="2025-12-12T13:59:50Z",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "end_time"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer snp_wrong"},
        {"X-API-Key": "nope"},
        {"Authorization": "Basic x"},
    ],
)
async def test_missing_or_wrong_key_is_401(harness: Harness, headers: dict[str, str]) -> None:
    for method, path in [
        ("GET", "/api/v1/sniper/targets"),
        ("POST", "/api/v1/sniper/targets"),
        ("POST", "/api/v1/sniper/targets/tgt_abc123def456/stop"),
    ]:
        response = await harness.client.request(method, path, headers=headers, json={})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_three_auth_forms(harness: Harness) -> None:
    key = await harness.account()
    for kwargs in (
        {"headers": {"Authorization": f"Bearer {key}"}},
        {"headers": {"X-API-Key": key}},
        {"params": {"apiKey": key}},
    ):
        response = await harness.client.get("/api/v1/sniper/targets", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200


async def test_free_plan_has_no_slots(harness: Harness) -> None:
    key = await harness.account(plan="free")
    response = await create(harness, key, ticker="AAPL")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "SNIPER_SLOTS_EXHAUSTED"
    assert error["details"]["slots"] == 0


async def test_slots_count_overlapping_windows_and_stop_frees_one(harness: Harness) -> None:
    key = await harness.account()
    ids = [(await create(harness, key, ticker="AAPL")).json()["target_id"] for _ in range(5)]
    refused = await create(harness, key, ticker="MSFT")
    assert refused.status_code == 402
    assert refused.json()["error"]["details"] == {
        "slots": 5,
        "in_use": 5,
        "earliest_free_at": "2025-12-12T15:00:00Z",
    }
    later = await create(harness, key, ticker="MSFT", start_time="2025-12-12T15:00:00Z")
    assert later.status_code == 200, "a window starting when the others end does not overlap"
    stopped = await harness.client.post(f"/api/v1/sniper/targets/{ids[0]}/stop", headers=_auth(key))
    assert stopped.json()["slots_available"] == 1
    assert (await create(harness, key, ticker="MSFT")).status_code == 200


async def test_insufficient_tokens(harness: Harness) -> None:
    key = await harness.account(tokens=0)
    response = await create(harness, key, ticker="AAPL")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_TOKENS"
    assert error["details"] | {"next_refill_at": None} == {
        "current_balance": 0,
        "required_cost": 1,
        "plan": "paid",
        "next_refill_at": None,
        "upgrade_url": "/pricing",
    }


async def test_list_meta_filters_order_and_pagination(harness: Harness) -> None:
    key = await harness.account()
    made = []
    for ticker in ["AAPL", "MSFT", "AAPL"]:
        made.append((await create(harness, key, ticker=ticker)).json()["target_id"])
        harness.clock.advance(1)
    await harness.client.post(f"/api/v1/sniper/targets/{made[1]}/stop", headers=_auth(key))
    body = (await harness.client.get("/api/v1/sniper/targets", headers=_auth(key))).json()
    assert [t["target_id"] for t in body["targets"]] == made[::-1]
    assert body["meta"] == {
        "total": 3,
        "limit": 50,
        "offset": 0,
        "active_count": 2,
        "slots_available": 3,
    }
    assert all(set(t) == TARGET_FIELDS for t in body["targets"])
    page = (
        await harness.client.get(
            "/api/v1/sniper/targets", headers=_auth(key), params={"limit": 1, "offset": 1}
        )
    ).json()
    assert [t["target_id"] for t in page["targets"]] == [made[1]]
    assert page["meta"]["total"] == 3
    for params, ids in [
        ({"status": "ACTIVE"}, [made[2], made[0]]),
        ({"status": "STOPPED"}, [made[1]]),
        ({"ticker": "aapl"}, [made[2], made[0]]),
        ({"ticker": "AAPL", "status": "STOPPED"}, []),
    ]:
        got = (
            await harness.client.get("/api/v1/sniper/targets", headers=_auth(key), params=params)
        ).json()
        assert [t["target_id"] for t in got["targets"]] == ids, params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"status": "DONE"}, "status"),
    ],
)
async def test_bad_list_parameters_are_400(
    harness: Harness, params: dict[str, Any], field: str
) -> None:
    key = await harness.account()
    response = await harness.client.get("/api/v1/sniper/targets", headers=_auth(key), params=params)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


async def test_stop_is_idempotent_and_matches_seed_000(harness: Harness) -> None:
    key = await harness.account()
    target_id = (await create(harness, key, ticker="TSLA")).json()["target_id"]
    harness.clock.advance(timedelta(minutes=5))
    first = await harness.client.post(
        f"/api/v1/sniper/targets/{target_id}/stop", headers=_auth(key)
    )
    assert first.status_code == 200
    assert first.json() == {
        "target_id": target_id,
        "ticker": "TSLA",
        "status": "STOPPED",
        "resolution_reason": "manual_stop",
        "stopped_at": "2025-12-12T14:05:00Z",
        "slots_available": 5,
    }
    harness.clock.advance(60)
    again = await harness.client.post(
        f"/api/v1/sniper/targets/{target_id}/stop", headers=_auth(key)
    )
    assert again.status_code == 200
    assert again.json() == first.json()


async def test_stop_unknown_or_foreign_target_is_404(harness: Harness) -> None:
    alice = await harness.account("alice")
    bob = await harness.account("bob")
    target_id = (await create(harness, alice, ticker="AAPL")).json()["target_id"]
    for path_id in [target_id, "tgt_000000000000", "not-an-id"]:
        response = await harness.client.post(
            f"/api/v1/sniper/targets/{path_id}/stop", headers=_auth(bob)
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    bob_list = (await harness.client.get("/api/v1/sniper/targets", headers=_auth(bob))).json()
    assert bob_list["targets"] == []
    alice_list = (await harness.client.get("/api/v1/sniper/targets", headers=_auth(alice))).json()
    assert alice_list["targets"][0]["status"] == "ACTIVE"


async def test_malformed_json_body_is_400(harness: Harness) -> None:
    key = await harness.account()
    response = await harness.client.post(
        "/api/v1/sniper/targets",
        content=b'{"ticker": "AAPL",\n "start_time": }',
        headers={**_auth(key), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "body: not valid JSON: Expecting value at line 2, column 16"
    assert error["details"]["field"] == "body"
    assert error["details"]["fields"] == ["body"]
