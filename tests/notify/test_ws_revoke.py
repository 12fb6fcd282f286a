"""Issue 10 item 9: revoking a key in another process (`sniper keys revoke`) closes its open
WebSockets on both endpoints with 4401 "API key revoked" (each socket re-checks its key every
`SNIPER_WS_AUTH_RECHECK`), and nothing pushed afterwards reaches the client."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from websockets.asyncio.client import ClientConnection

from sniper.accounts.keys import display_prefix
from sniper.accounts.service import require_account
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.trading.control.push import GLOBAL, control_hub
from tests.conftest import Harness
from tests.notify.ws_support import frames_until_closed, live
from tests.support.cli import cli_environment, sniper

RECHECK = timedelta(seconds=0.05)
REVOKED = {"type": "error", "message": "API key revoked"}


async def _revoke_in_another_process(settings: Settings, tmp_path: Path, key: str) -> None:
    env = cli_environment(tmp_path) | {"SNIPER_DATABASE_URL": settings.database_url}
    result = await asyncio.to_thread(sniper, env, "keys", "revoke", display_prefix(key))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("revoked "), result.stdout


async def _account_id(h: Harness, name: str) -> int:
    async with transaction(h.runtime.sessions, read_only=True) as session:
        return (await require_account(session, name)).id


async def _closed_as_revoked(ws: ClientConnection) -> list[str]:
    """The kinds of frames the client got before the close, which must be 4401 revoked."""
    frames = await frames_until_closed(ws)
    assert frames[-1] == REVOKED
    assert (ws.close_code, ws.close_reason) == (4401, "API key revoked")
    return [frame["type"] for frame in frames]


async def test_revoking_a_key_closes_its_main_api_socket(
    settings: Settings, tmp_path: Path
) -> None:
    async with live(settings, ws_auth_recheck=RECHECK) as server:
        key = await server.h.account("alice")
        bob = await server.main_api(await server.h.account("bob"))
        async with await server.main_api(key) as ws:
            await _revoke_in_another_process(settings, tmp_path, key)
            kinds = await _closed_as_revoked(ws)
            event = {"type": "event", "event": "sniper.target_activated", "data": {}}
            alice = await _account_id(server.h, "alice")
            assert server.h.runtime.hub.publish(alice, event) == 0, "pushed after revoke"
        assert set(kinds) <= {"heartbeat", "error"}
        await bob.send(json.dumps({"type": "ping"}))  # another account's socket stays open
        while json.loads(await bob.recv())["type"] != "pong":
            pass
        await bob.close()


async def test_revoking_a_key_closes_its_subscribe_socket(
    settings: Settings, tmp_path: Path
) -> None:
    async with live(settings, ws_auth_recheck=RECHECK) as server:
        key = await server.h.account("alice")
        async with await server.subscribe(key) as ws:
            await _revoke_in_another_process(settings, tmp_path, key)
            kinds = await _closed_as_revoked(ws)
            hub = control_hub(server.h.runtime)
            frame = {"type": "broadcast", "channel": "emergency", "event": "x", "payload": {}}
            assert hub.publish(GLOBAL, frame) == 0, "pushed after revoke"
            assert hub.publish(await _account_id(server.h, "alice"), frame) == 0
        assert set(kinds) <= {"heartbeat", "error"}


async def test_a_valid_key_survives_its_rechecks(settings: Settings) -> None:
    """Rechecks of a valid key leave the socket open: heartbeats (0.2 s apart in the test
    settings) keep coming long after several 0.05 s rechecks."""
    async with live(settings, ws_auth_recheck=RECHECK) as server:
        ws = await server.main_api(await server.h.account("alice"))
        beats = 0
        while beats < 4:
            beats += json.loads(await ws.recv())["type"] == "heartbeat"
        await ws.send(json.dumps({"type": "ping"}))
        while json.loads(await ws.recv())["type"] != "pong":
            pass
        await ws.close()
