"""The WebSocket paths over plain HTTP (issue 10: F1 fuzzes them too): 426 with `Upgrade:
websocket`, in the surface's own error shape, and listed in the OpenAPI document."""

from __future__ import annotations

from tests.conftest import Harness


async def test_plain_http_on_a_websocket_path_is_a_426_in_the_surface_shape(
    harness: Harness,
) -> None:
    main = await harness.client.get("/ws/main-api", params={"apiKey": "snp_x"})
    assert main.status_code == 426
    assert main.headers["upgrade"] == "websocket"
    assert main.json()["error"]["code"] == "UPGRADE_REQUIRED"
    control = await harness.client.get("/ws/subscribe")
    assert control.status_code == 426
    assert control.headers["upgrade"] == "websocket"
    assert control.json() == {
        "detail": "Connect with a WebSocket client: /ws/subscribe is a WebSocket endpoint"
    }
    paths = (await harness.client.get("/openapi.json")).json()["paths"]
    assert "426" in paths["/ws/main-api"]["get"]["responses"]
    assert "426" in paths["/ws/subscribe"]["get"]["responses"]
