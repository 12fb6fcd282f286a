"""Issue 10 item 10: an account holds at most `SNIPER_WS_MAX_CONNECTIONS_PER_ACCOUNT` (5) open
WebSockets over both endpoints in one process, and every connect counts against its rate
limit; either refusal is an error frame and close 4429. Closing a socket frees its slot."""

from __future__ import annotations

import json
from typing import Any

import websockets

from sniper.config import Settings
from tests.notify.ws_support import Live, live, refusal, wait_for

CAP_REASON = "too many connections: 5 open for this account"
SUBSCRIBE_CAP_REASON = "Connection limit exceeded"  # docs.55-tech.com/mm-api/errors


Refusal = tuple[dict[str, Any], int | None, str | None]


async def _refused_on_both_endpoints(server: Live, key: str) -> list[Refusal]:
    """(error frame, close code, reason) of a `/ws/main-api` and a `/ws/subscribe` connect."""
    seen: list[Refusal] = []
    async with websockets.connect(f"{server.ws_base}/ws/main-api?apiKey={key}") as ws:
        seen.append(await refusal(ws))
    async with websockets.connect(f"{server.ws_base}/ws/subscribe") as ws:
        await ws.send(json.dumps({"type": "subscribe", "apiKey": key}))
        seen.append(await refusal(ws))
    return seen


async def test_connections_over_the_cap_are_refused_until_one_closes(
    settings: Settings,
) -> None:
    assert Settings.model_fields["ws_max_connections_per_account"].default == 5
    async with live(settings) as server:
        key = await server.h.account("alice")
        bob = await server.main_api(await server.h.account("bob"))
        sockets = [await server.main_api(key) for _ in range(3)]
        sockets += [await server.subscribe(key) for _ in range(2)]
        expected = [
            ({"type": "error", "message": reason}, 4429, reason)
            for reason in (CAP_REASON, SUBSCRIBE_CAP_REASON)
        ]
        assert await _refused_on_both_endpoints(server, key) == expected
        await bob.close()  # another account's socket is no slot of alice's
        await sockets.pop(0).close()
        hub = server.h.runtime.hub
        await wait_for(lambda: hub.connections.open_count() == len(sockets))
        sockets.append(await server.subscribe(key))  # the freed slot is taken again
        assert await _refused_on_both_endpoints(server, key) == expected
        for ws in sockets:
            await ws.close()
        await wait_for(lambda: hub.connections.open_count() == 0)


async def test_every_connect_counts_against_the_rate_limit(settings: Settings) -> None:
    async with live(settings, paid_plan_rate_limit="3/minute") as server:
        key = await server.h.account("alice")
        async with await server.main_api(key), await server.subscribe(key):
            response = await server.h.client.get(
                "/api/v1/trading/status", headers={"X-API-Key": key}
            )
            assert response.status_code == 200  # the third request of the minute
            for frame, code, reason in await _refused_on_both_endpoints(server, key):
                assert (frame["type"], code) == ("error", 4429)
                assert reason == frame["message"]
                assert str(reason).startswith("rate limit exceeded: 3 per 60 s")
            response = await server.h.client.get(
                "/api/v1/trading/status", headers={"X-API-Key": key}
            )
            assert response.status_code == 429  # connects and requests share one budget
