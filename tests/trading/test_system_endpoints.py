"""Admin system flags, the `{"detail": ..}` error bodies, the audit views and `oddsFormat`
(seed 004; DESIGN.md "API surfaces", "Trading control plane")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Harness
from tests.trading.support import admin, auth, call, client_status

KINDS = [
    ("emergency", "emergency_applied", "already_emergency", "emergency_cleared", "emergency"),
    ("system-stop", "system_stop_applied", "already_system_stopped", "system_stop_cleared", None),
    ("soft-pause", "soft_pause_applied", "already_soft_paused", "soft_pause_cleared", None),
]
FLAG_OF = {
    "emergency": "emergencyActive",
    "system-stop": "systemStopped",
    "soft-pause": "softPaused",
}
STATUS_OF = {"emergency": "emergency", "system-stop": "system_stopped", "soft-pause": "soft_paused"}


@pytest.mark.parametrize(("path", "applied", "repeated", "cleared", "_"), KINDS)
async def test_set_repeat_and_clear_each_system_flag(
    harness: Harness, path: str, applied: str, repeated: str, cleared: str, _: Any
) -> None:
    h = harness
    root = await h.account("root", admin=True)
    key = await h.account("alice")
    set_ = await admin(h, root, path, "first")
    assert set_["result"] == applied
    assert set_["status"] == STATUS_OF[path]
    assert set_[FLAG_OF[path]] is True
    assert set_["systemReason"] == "first"
    h.clock.advance(timedelta(seconds=90))
    again = await admin(h, root, path, "second")
    assert again["result"] == repeated
    assert again["systemReason"] == "first"
    assert again["systemDurationSeconds"] == 90
    seen = await client_status(h, key)
    assert (seen["status"], seen["tradingActive"], seen["systemTradingBlocked"]) == (
        STATUS_OF[path],
        False,
        True,
    )
    assert (seen["systemReason"], seen["systemDurationSeconds"]) == ("first", 90)
    done = await admin(h, root, f"{path}/clear", "all good")
    assert (done["result"], done["status"], done[FLAG_OF[path]]) == (cleared, "live", False)
    assert (await admin(h, root, f"{path}/clear", "again"))["result"] == "already_cleared"
    assert (await client_status(h, key))["status"] == "live"


async def test_soft_pause_until_ends_it_and_must_be_in_the_future(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    key = await h.account("alice")
    past = await admin(h, root, "soft-pause", status=422, until="2025-12-12T13:59:59Z")
    assert past["detail"][0]["loc"] == ["body", "until"]
    assert past["detail"][0]["msg"] == "until must be in the future"
    paused = await admin(h, root, "soft-pause", "rollover", until="2025-12-12T14:10:00Z")
    assert paused["softPause"]["until"] == "2025-12-12T14:10:00Z"
    assert (await client_status(h, key))["status"] == "soft_paused"
    h.clock.advance(timedelta(minutes=10))
    assert (await client_status(h, key))["status"] == "live"
    assert (await admin(h, root, "soft-pause/clear", "late"))["result"] == "already_cleared"
    again = await admin(h, root, "soft-pause", "again")
    assert again["result"] == "soft_pause_applied"
    assert again["softPause"]["until"] is None


async def test_system_flags_stack_by_precedence(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    key = await h.account("alice")
    await call(h, key, "pause")
    await admin(h, root, "soft-pause", "soft")
    await admin(h, root, "emergency", "fire")
    await admin(h, root, "system-stop", "halt")
    order = [("emergency", "system_stopped"), ("system-stop", "soft_paused")]
    for path, next_status in [*order, ("soft-pause", "manual_paused")]:
        assert (await admin(h, root, f"{path}/clear", "ok"))["result"].endswith("_cleared")
        assert (await client_status(h, key))["status"] == next_status


async def test_auth_errors_are_fastapi_detail_bodies(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    missing = await h.client.post("/api/v1/trading/stop", headers={"X-Request-ID": "rid-1"})
    assert missing.status_code == 401
    assert missing.json() == {"detail": missing.json()["detail"]}
    assert "API key" in missing.json()["detail"]
    assert missing.headers["x-request-id"] == "rid-1"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = await h.client.get("/api/v1/trading/status", headers=auth("snp_wrong"))
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid or revoked API key"})
    for path in ["emergency", "soft-pause/clear", "system-stop"]:
        hidden = await h.client.post(
            f"/api/v1/admin/trading/{path}", headers=auth(key), json={"reason": "x"}
        )
        assert (hidden.status_code, hidden.json()) == (404, {"detail": "Not Found"})
    for read in ["status", "audit"]:
        hidden = await h.client.get(f"/api/v1/admin/trading/{read}", headers=auth(key))
        assert (hidden.status_code, hidden.json()) == (404, {"detail": "Not Found"})


async def test_validation_and_conflict_errors(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    root = await h.account("root", admin=True)
    no_reason = await h.client.post("/api/v1/admin/trading/emergency/clear", headers=auth(root))
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["type"] == "missing"
    blank = await admin(h, root, "emergency", "   ", status=422)
    assert blank["detail"][0]["loc"] == ["body", "reason"]
    bad_json = await h.client.post(
        "/api/v1/trading/pause",
        headers=auth(key) | {"content-type": "application/json"},
        content=b"{not json",
    )
    assert bad_json.status_code == 422  # 55-tech's errors page: every validation error
    (entry,) = bad_json.json()["detail"]
    assert entry["type"] == "json_invalid"
    assert entry["loc"] == ["body"]
    assert entry["msg"] == (
        "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"
    )
    assert bad_json.headers["x-request-id"]
    not_utf8 = await h.client.post(
        "/api/v1/admin/trading/emergency",
        headers=auth(root) | {"content-type": "application/json"},
        content=b'{"reason": "\xff"}',
    )
    assert (not_utf8.status_code, not_utf8.json()) == (
        400,
        {"detail": "There was an error parsing the body"},
    )
    await admin(h, root, "emergency", "fire")
    blocked = await call(h, key, "resume", status=409)
    assert blocked == {"detail": blocked["detail"]}
    assert "emergency: fire" in blocked["detail"]


async def test_admin_status_lists_every_client(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    alice = await h.account("alice")
    await h.account("bob")
    await call(h, alice, "stop", json={"reason": "holiday"})
    response = await h.client.get("/api/v1/admin/trading/status", headers=auth(root))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "live"
    assert [c["clientName"] for c in body["clients"]] == ["root", "alice", "bob"]
    by_name = {c["clientName"]: c for c in body["clients"]}
    assert by_name["alice"]["status"] == "manual_stopped"
    assert by_name["alice"]["manualStopReason"] == "holiday"
    assert by_name["bob"]["status"] == "live"


async def test_audit_rows_own_and_admin_views(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    alice = await h.account("alice")
    bob = await h.account("bob")
    stopped = await h.client.post(
        "/api/v1/trading/stop", headers=auth(alice) | {"X-Request-ID": "alice-stop-1"}
    )
    await call(h, alice, "stop")
    await call(h, bob, "pause")
    await admin(h, root, "emergency", "fire")
    own = (await h.client.get("/api/v1/trading/audit", headers=auth(alice))).json()["entries"]
    assert [(e["command"], e["result"]) for e in own] == [
        ("stop", "already_stopped"),
        ("stop", "stop_applied"),
    ]
    first = own[1]
    assert first["requestId"] == stopped.headers["x-request-id"] == "alice-stop-1"
    assert first["actor"] == f"account:{first['client']}"
    assert first["before"] == {"manualPaused": False, "manualStopped": False, "status": "live"}
    assert first["after"]["status"] == "manual_stopped"
    assert first["httpStatus"] == 200
    everything = await h.client.get("/api/v1/admin/trading/audit", headers=auth(root))
    entries = everything.json()["entries"]
    assert [e["command"] for e in entries] == ["emergency", "pause", "stop", "stop"]
    assert entries[0]["client"] is None
    assert entries[0]["scope"] == "system"
    assert entries[0]["after"] == {"active": True, "reason": "fire", "until": None}
    page = await h.client.get(
        "/api/v1/admin/trading/audit",
        headers=auth(root),
        params={"limit": 1, "beforeId": entries[1]["id"], "client": first["client"]},
    )
    assert [e["id"] for e in page.json()["entries"]] == [entries[2]["id"]]


async def test_audit_ids_beyond_the_id_range_are_a_422_not_a_500(harness: Harness) -> None:
    """Schemathesis (F1) found a 500: a `beforeId` past INTEGER reached the database."""
    h = harness
    root = await h.account("root", admin=True)
    for path, params in [
        ("/api/v1/trading/audit", {"beforeId": 2**64}),
        ("/api/v1/admin/trading/audit", {"beforeId": 2**31}),
        ("/api/v1/admin/trading/audit", {"client": 2**40}),
    ]:
        response = await h.client.get(path, headers=auth(root), params=params)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][0] == "query"


async def test_odds_format_preference(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    assert (await client_status(h, key))["oddsFormat"] == "decimal"
    put = await h.client.put("/api/v1/user/", headers=auth(key), json={"odds_format": "hong_kong"})
    assert put.status_code == 200
    assert put.json()["user"]["odds_format"] == "hong_kong"
    assert put.json()["user"]["webhook_url"] is None
    assert (await client_status(h, key))["oddsFormat"] == "hong_kong"
    assert (await call(h, key, "pause"))["oddsFormat"] == "hong_kong"
    for bad in [{"odds_format": "moneyline"}, {}]:
        refused = await h.client.put("/api/v1/user/", headers=auth(key), json=bad)
        assert refused.status_code == 400
        assert refused.json()["status"] == "error"
    user = await h.client.get("/api/v1/user/", headers=auth(key))
    assert user.json()["user"]["odds_format"] == "hong_kong"
