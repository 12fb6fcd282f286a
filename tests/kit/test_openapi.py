"""The OpenAPI document declares what the API answers (RELIABILITY F1), and the answers agree."""

from __future__ import annotations

from typing import Any

from tests.conftest import Harness

AUTH_SCHEMES = [{"BearerKey": []}, {"HeaderKey": []}, {"QueryKey": []}]


def _document(h: Harness) -> dict[str, Any]:
    document: dict[str, Any] = h.app.openapi()  # type: ignore[attr-defined]
    return document


def test_error_statuses_and_security_are_declared(harness: Harness) -> None:
    document = _document(harness)
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"status", "request_id", "timestamp", "error"}
    paths = document["paths"]
    create = paths["/api/v1/sniper/targets"]["post"]
    assert {"200", "400", "401", "402", "409", "413", "422", "429"} <= set(create["responses"])
    assert create["security"] == AUTH_SCHEMES
    assert "Retry-After" in create["responses"]["429"]["headers"]
    [header] = [p for p in create["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    stop = paths["/api/v1/sniper/targets/{target_id}/stop"]["post"]
    assert {"200", "400", "401", "404", "429"} <= set(stop["responses"])
    assert "security" not in paths["/api/v1/status"]["get"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if operation.get("security"):
                assert {"401", "429"} <= set(operation["responses"]), (method, path)
            statuses = operation["responses"]
            schema = statuses.get("422", {}).get("content", {}).get("application/json", {})
            assert "HTTPValidationError" not in str(schema), (method, path)


async def test_405_allows_every_method_of_the_path(harness: Harness) -> None:
    response = await harness.client.delete("/api/v1/sniper/targets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["status"] == "error"
    assert response.headers["x-request-id"] == response.json()["request_id"]


async def test_huge_offsets_are_400_not_a_database_overflow(harness: Harness) -> None:
    key = await harness.account()
    for offset in (10**20, 1_000_000_001):
        response = await harness.client.get(
            "/api/v1/sniper/targets", params={"offset": offset}, headers={"X-API-Key": key}
        )
        assert response.status_code == 400
        assert response.json()["error"]["details"]["field"] == "offset"
    fine = await harness.client.get(
        "/api/v1/sniper/targets", params={"offset": 1_000_000_000}, headers={"X-API-Key": key}
    )
    assert fine.status_code == 200


def test_the_event_catalogue_is_listed(harness: Harness) -> None:
    """Webhook bodies under `webhooks`; every WebSocket frame in the `PushFrame` schema."""
    document = _document(harness)
    webhooks = document["webhooks"]
    for event, model in (("sniper.filing_hit", "FilingHit"), ("webhook.test", "WebhookTest")):
        body = webhooks[event]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"]["$ref"] == f"#/components/schemas/{model}"
    schemas = document["components"]["schemas"]
    [main_api, broadcast] = schemas["PushFrame"]["anyOf"]
    assert set(main_api["discriminator"]["mapping"]) == {
        "sniper.filing_hit",
        "sniper.target_activated",
        "sniper.target_expired",
        "sniper.target_stopped",
        "sniper.processing_state",
        "webhook.endpoint_disabled",
    }
    assert broadcast == {"$ref": "#/components/schemas/Broadcast"}
    assert set(schemas["HitPayload"]["required"]) >= {"accession_number", "detection_source"}
