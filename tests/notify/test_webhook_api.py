"""`/api/v1/webhooks`: deliveries with their attempts, redeliver, the test event and secret
rotation, as an API user sees them (Finradar sniper surface, snake_case, 404 across accounts)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness
from tests.notify.helpers import account, auth, enqueue, fire_hits
from tests.notify.receiver import Receiver, per_delivery
from tests.support.http_server import Reply, Request

DELIVERY_FIELDS = {
    "delivery_id",
    "event_type",
    "target_id",
    "url",
    "status",
    "endpoint_status",
    "round",
    "attempt_count",
    "next_attempt_at",
    "created_at",
    "delivered_at",
    "last_status_code",
    "last_error",
    "payload",
    "attempts",
}
ATTEMPT_FIELDS = {
    "round",
    "number",
    "attempted_at",
    "status_code",
    "latency_ms",
    "response_excerpt",
    "error",
    "outcome",
}


async def _get(h: Harness, key: str, **params: Any) -> Any:
    response = await h.client.get("/api/v1/webhooks/deliveries", headers=auth(key), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _is_sniper_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == code
    assert {"request_id", "timestamp"} <= set(body)


async def test_deliveries_list_pages_filters_and_shows_attempts(harness: Harness) -> None:
    h = harness
    with Receiver(per_delivery([Reply(503, b"busy"), Reply(200, b"thanks")])) as receiver:
        key = await h.account("alice", webhook_url=receiver.url)
        xom, sony = await fire_hits(h, key, ["XOM", "SONY"])
        worker = JobRunner(h.runtime, DELIVER)
        assert await worker.run_due() == 2
        assert await worker.run_due() == 2
    first = await _get(h, key, limit=1)
    second = await _get(h, key, limit=1, offset=1)
    assert first["meta"] == {"total": 2, "limit": 1, "offset": 0}
    assert second["meta"] == {"total": 2, "limit": 1, "offset": 1}
    [newest], [oldest] = first["deliveries"], second["deliveries"]
    assert (newest["target_id"], oldest["target_id"]) == (sony, xom), "newest first"
    assert set(newest) == DELIVERY_FIELDS
    assert newest["status"] == "delivered"
    assert newest["endpoint_status"] == "active"
    assert newest["next_attempt_at"] is None
    assert newest["attempt_count"] == 2
    assert newest["payload"]["delivery_id"] == newest["delivery_id"]
    assert newest["payload"]["payload"]["ticker"] == "SONY"
    retry, success = newest["attempts"]
    assert set(retry) == ATTEMPT_FIELDS
    assert (retry["number"], retry["status_code"], retry["outcome"]) == (1, 503, "retryable")
    assert (retry["response_excerpt"], retry["error"]) == ("busy", "HTTP 503")
    assert (success["number"], success["status_code"], success["outcome"]) == (2, 200, "success")
    assert success["attempted_at"].endswith("Z")
    assert success["latency_ms"] > 0
    by_target = await _get(h, key, target_id=xom)
    assert [d["target_id"] for d in by_target["deliveries"]] == [xom]
    assert (await _get(h, key, status="dead"))["meta"]["total"] == 0
    assert (await _get(h, key, status="delivered", target_id=sony))["meta"]["total"] == 1


async def test_bad_parameters_and_missing_auth(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    bad = await h.client.get(
        "/api/v1/webhooks/deliveries", headers=auth(key), params={"status": "lost"}
    )
    _is_sniper_error(bad, 400, "BAD_REQUEST")
    assert bad.json()["error"]["details"]["field"] == "status"
    too_many = await h.client.get(
        "/api/v1/webhooks/deliveries", headers=auth(key), params={"limit": 201}
    )
    _is_sniper_error(too_many, 400, "BAD_REQUEST")
    assert too_many.json()["error"]["details"]["field"] == "limit"
    _is_sniper_error(await h.client.get("/api/v1/webhooks/deliveries"), 401, "UNAUTHORIZED")


async def test_another_accounts_delivery_is_404(harness: Harness) -> None:
    h = harness
    alice = await h.account("alice")
    bob = await h.account("bob")
    [alices] = await enqueue(h, "alice", "http://127.0.0.1:9/alice", 1)
    [bobs] = await enqueue(h, "bob", "http://127.0.0.1:9/bob", 1)
    assert [d["delivery_id"] for d in (await _get(h, alice))["deliveries"]] == [alices]
    assert [d["delivery_id"] for d in (await _get(h, bob))["deliveries"]] == [bobs]
    for delivery_id in (alices, "dlv_unknown"):
        response = await h.client.post(
            f"/api/v1/webhooks/deliveries/{delivery_id}/redeliver", headers=auth(bob)
        )
        _is_sniper_error(response, 404, "NOT_FOUND")


async def test_redeliver_requeues_the_same_delivery_even_dead_and_reenables(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account("alice")
    answers = iter([Reply(410, b"gone")])
    with Receiver(lambda _r: next(answers, Reply(200))) as receiver:
        [delivery_id] = await enqueue(h, "alice", receiver.url, 1)
        worker = JobRunner(h.runtime, DELIVER)
        assert await worker.run_due() == 1
        [dead] = (await _get(h, key))["deliveries"]
        url = f"/api/v1/webhooks/deliveries/{delivery_id}/redeliver"
        response = await h.client.post(url, headers=auth(key))
        assert response.status_code == 202, response.text
        queued = response.json()
        assert await worker.run_due() == 1
        again = (await h.client.post(url, headers=auth(key))).json()
        [claim] = await worker.claim(10)
        busy = await h.client.post(url, headers=auth(key))
        await worker.run_one(claim)
    assert (dead["status"], dead["endpoint_status"]) == ("dead", "disabled")
    assert queued["delivery_id"] == delivery_id
    assert (queued["status"], queued["round"], queued["endpoint_status"]) == (
        "pending",
        2,
        "active",
    )
    assert queued["last_error"] is None
    assert again["round"] == 3, "a delivered one can be sent again too"
    assert [(a["round"], a["number"], a["status_code"]) for a in again["attempts"]] == [
        (1, 1, 410),
        (2, 1, 200),
    ]
    _is_sniper_error(busy, 409, "DELIVERY_IN_FLIGHT")
    assert [r.webhook_id for r in receiver.received] == [delivery_id] * 3


async def _secret_now(h: Harness, key: str) -> dict[str, Any]:
    response = await h.client.get("/api/v1/webhooks/secret", headers=auth(key))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_test_event_is_signed_and_not_stored(harness: Harness) -> None:
    h = harness
    with (
        Receiver(lambda _r: Reply(202, b"got it")) as default,
        Receiver(lambda _r: Reply(500, b"nope")) as other,
    ):
        key = await h.account("alice", webhook_url=f"{default.url}/hooks")
        sent = await h.client.post("/api/v1/webhooks/test", headers=auth(key))
        failed = await h.client.post(
            "/api/v1/webhooks/test", headers=auth(key), json={"url": other.url}
        )
    assert sent.status_code == 200, sent.text
    result = sent.json()
    assert result["delivered"] is True
    assert (result["status_code"], result["response_excerpt"]) == (202, "got it")
    assert result["url"] == f"{default.url}/hooks"
    [request] = default.received
    assert request.request.headers["webhook-id"] == result["delivery_id"]
    assert failed.json()["delivered"] is False
    assert (failed.json()["status_code"], failed.json()["error"]) == (500, "HTTP 500")
    assert len(other.received) == 1
    assert (await _get(h, key))["meta"]["total"] == 0, "test events are not stored"


async def test_test_event_verifies_with_the_standardwebhooks_package(harness: Harness) -> None:
    h = harness
    with Receiver(lambda _r: Reply(200)) as receiver:
        key = await h.account("alice", webhook_url=receiver.url)
        secret = (await h.client.post("/api/v1/webhooks/secret", headers=auth(key))).json()
        h.clock.advance(timedelta(hours=25))  # only the new secret signs now
        await h.client.post("/api/v1/webhooks/test", headers=auth(key))
    [item] = receiver.received
    body = Webhook(secret["secret"]).verify(item.request.body, item.request.headers)
    assert body["event_type"] == "webhook.test"
    assert body["target_id"] is None
    assert body["delivery_id"] == item.webhook_id
    assert json.loads(item.request.body) == body


@pytest.mark.parametrize(
    ("json_body", "webhook_url", "field", "code"),
    [
        (None, None, "url", "BAD_REQUEST"),
        ({"url": ""}, None, "url", "BAD_REQUEST"),
        ({"url": "http://10.0.0.8/hook"}, None, "url", "INVALID_WEBHOOK_URL"),
        ({"url": "ftp://127.0.0.1/hook"}, None, "url", "INVALID_WEBHOOK_URL"),
        (None, "http://169.254.169.254/latest", "webhook_url", "INVALID_WEBHOOK_URL"),
    ],
)
async def test_test_event_without_a_safe_url_is_400_naming_the_field(
    harness: Harness, json_body: Any, webhook_url: str | None, field: str, code: str
) -> None:
    key = await harness.account("alice", webhook_url=webhook_url)
    response = await harness.client.post("/api/v1/webhooks/test", headers=auth(key), json=json_body)
    _is_sniper_error(response, 400, code)
    assert response.json()["error"]["details"]["field"] == field
    assert response.json()["error"]["message"].startswith(f"{field}: ")


def _verifies(secret: str, request: Request) -> bool:
    try:
        Webhook(secret).verify(request.body, request.headers)
    except WebhookVerificationError:
        return False
    return True


async def test_secret_rotation_both_sign_for_24_hours_then_only_the_new(
    harness: Harness,
) -> None:
    h = harness
    with Receiver(lambda _r: Reply(200)) as receiver:
        key = await h.account("alice")
        before = await _secret_now(h, key)
        rotated = (await h.client.post("/api/v1/webhooks/secret", headers=auth(key))).json()
        after = await _secret_now(h, key)
        worker = JobRunner(h.runtime, DELIVER)
        await enqueue(h, "alice", receiver.url, 1)
        await worker.run_due()
        h.clock.advance(timedelta(hours=24, seconds=1))
        expired = await _secret_now(h, key)
        await enqueue(h, "alice", receiver.url, 1)
        await worker.run_due()
    old_secret = await _stored_previous_secret(h)
    new_secret = rotated["secret"]
    assert before == {
        "secret_prefix": old_secret[:12],
        "previous_secret_prefix": None,
        "previous_secret_expires_at": None,
    }
    assert new_secret.startswith("whsec_")
    assert new_secret != old_secret
    assert after == {
        "secret_prefix": new_secret[:12],
        "previous_secret_prefix": old_secret[:12],
        "previous_secret_expires_at": "2025-12-13T14:00:00Z",
    }
    assert rotated == after | {"secret": new_secret}
    assert expired["previous_secret_prefix"] is None
    during, later = (item.request for item in receiver.received)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert _verifies(old_secret, during)
    assert _verifies(new_secret, during)
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    assert _verifies(new_secret, later)
    assert not _verifies(old_secret, later)


async def _stored_previous_secret(h: Harness) -> str:
    previous = (await account(h, "alice")).webhook_previous_secret
    assert previous is not None
    return previous
