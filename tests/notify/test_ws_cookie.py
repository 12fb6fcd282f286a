"""`/ws/main-api` accepts the dashboard's signed session cookie (so the Live page embeds no
key); a forged or absent cookie, or one sent from another origin, leaves the connection
unauthenticated: without a key it is refused 4401 as before."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import websockets

from sniper.accounts import session_cookie
from sniper.config import Settings
from tests.notify.ws_support import Live, live, refusal

REFUSED = ({"type": "error", "message": "invalid or missing API key"}, 4401)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Live]:
    async with live(settings) as served:
        yield served


def _cookie(server: Live, key: str) -> str:
    return session_cookie.encode(server.h.runtime.settings.secret_key, key)


async def test_a_signed_session_cookie_authenticates(server: Live) -> None:
    key = await server.h.account("alice")
    headers = {"Cookie": f"sniper_session={_cookie(server, key)}"}
    async with websockets.connect(
        f"{server.ws_base}/ws/main-api", additional_headers=headers
    ) as ws:
        frame = json.loads(await ws.recv())
    assert frame["type"] == "authenticated", frame


@pytest.mark.parametrize("case", ["forged", "absent", "other-origin"])
async def test_without_a_valid_cookie_or_key_it_is_refused(server: Live, case: str) -> None:
    key = await server.h.account("alice")
    headers: dict[str, str] = {}
    if case == "forged":
        forged = session_cookie.encode("not-the-server-secret", key)
        headers["Cookie"] = f"sniper_session={forged}"
    elif case == "other-origin":
        headers["Cookie"] = f"sniper_session={_cookie(server, key)}"
        headers["Origin"] = "http://evil.example"
    async with websockets.connect(
        f"{server.ws_base}/ws/main-api", additional_headers=headers
    ) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        frame, code, _ = await refusal(ws)
    assert (frame, code) == REFUSED


async def test_the_live_page_embeds_no_key(server: Live) -> None:
    key = await server.h.account("alice")
    answer = await server.h.client.post("/dashboard/login", data={"api_key": key})
    assert answer.status_code == 303, answer.text
    page = await server.h.client.get("/dashboard/live")
    assert page.status_code == 200
    assert "snp_" not in page.text
    assert key not in page.text
