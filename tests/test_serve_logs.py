"""`sniper serve` never prints an API key (issue 10 item 8): a real `sniper serve --replay`
subprocess on the test database gets a WebSocket handshake and HTTP requests carrying a key in
`?apiKey=`, `?api_key=`, `X-API-Key` and Bearer, and a WebSocket refused for an unknown key;
its stdout and stderr show `apiKey=[redacted]` and never the key, at INFO and at TRACE (where
uvicorn prints every request's query string)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import httpx
import pytest
import websockets

from sniper.config import Settings
from sniper.notify.signing import new_webhook_secret
from tests.support.cli import cli_environment, sniper
from tests.support.paths import ATOM_DIR
from tests.support.serve import aserving

UNKNOWN_KEY = "wrong-but-maybe-a-typo-of-a-real-key"


async def _use_the_key(base: str, key: str) -> None:
    """What clients do with a key: a WebSocket with `?apiKey=`, HTTP with each way to send it."""
    ws_base = base.replace("http", "ws")
    async with websockets.connect(f"{ws_base}/ws/main-api?apiKey={key}") as ws:
        assert json.loads(await ws.recv())["type"] == "authenticated"
    with contextlib.suppress(websockets.exceptions.WebSocketException):
        async with websockets.connect(f"{ws_base}/ws/main-api?apiKey={UNKNOWN_KEY}") as ws:
            await ws.recv()
    targets = "/api/v1/sniper/targets"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        answers = [
            await client.get(targets, params={"apiKey": key}),
            await client.get(targets, params={"api_key": key}),
            await client.get(targets, headers={"X-API-Key": key}),
            await client.get(targets, headers={"Authorization": f"Bearer {key}"}),
            await client.get("/api/v1/status", params={"secret": new_webhook_secret()}),
        ]
    assert [answer.status_code for answer in answers] == [200, 401, 200, 200, 200]


@pytest.mark.parametrize("log_level", ["info", "trace"])
async def test_serve_never_logs_an_api_key(
    settings: Settings, tmp_path: Path, log_level: str
) -> None:
    env = cli_environment(tmp_path) | {"SNIPER_DATABASE_URL": settings.database_url}
    created = await asyncio.to_thread(sniper, env, "accounts", "create", "alice")
    assert created.returncode == 0, created.stderr
    key = (await asyncio.to_thread(sniper, env, "keys", "create", "alice")).stdout.strip()
    assert key.startswith("snp_")
    flags = ["--log-level", log_level] if log_level != "info" else []  # info: as `make run`
    log = tmp_path / "serve.log"
    async with aserving(env, log, "--replay", str(ATOM_DIR), *flags) as served:
        await _use_the_key(served.base, key)
    output = log.read_text()
    assert key[len("snp_") :] not in output, output
    assert UNKNOWN_KEY not in output, output
    assert "whsec_" not in output.replace("whsec_[redacted]", ""), output
    assert '"WebSocket /ws/main-api?apiKey=[redacted]" [accepted]' in output, output
    assert "GET /api/v1/sniper/targets 200" in output, "the access log still prints"
    if log_level == "trace":
        assert "'query_string': b'apiKey=[redacted]'" in output, output
        assert "'query_string': b'api_key=[redacted]'" in output, output
        assert "secret=whsec_[redacted]" in output, output
