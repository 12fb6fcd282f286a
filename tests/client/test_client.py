"""`sniper.client` against a real `sniper serve --replay` subprocess: every typed method answers
with its model, every error surface comes back as the right exception."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sniper.client import (
    AsyncClient,
    AuthError,
    BadRequestError,
    Client,
    NotFoundError,
    RateLimited,
    SniperConnectionError,
    UnprocessableError,
    WebhookVerificationError,
    verify_webhook,
)
from sniper.config import Settings
from tests.client.support import free_port, make_account, serve_env, serving
from tests.conftest import REPLAY_NOON
from tests.notify.receiver import Receiver
from tests.support.http_server import Reply


@dataclass
class Server:
    base: str
    key: str
    free_key: str


@pytest.fixture
async def server(settings: Settings, tmp_path: Path) -> AsyncIterator[Server]:
    key = await make_account(settings, REPLAY_NOON, "alice")
    free_key = await make_account(settings, REPLAY_NOON, "carol", plan="free")
    env = serve_env(settings, SNIPER_FREE_PLAN_RATE_LIMIT="3/minute")
    port = free_port()
    async with serving(env, port, tmp_path / "serve.log", start="2025-12-12T14:00:00Z", speed="1"):
        yield Server(f"http://127.0.0.1:{port}", key, free_key)


async def test_targets_account_and_webhook_methods(server: Server) -> None:
    async with AsyncClient(server.base, server.key) as sniper:
        target = await sniper.create_target("SONY", duration_minutes=30)
        assert (target.ticker, target.status) == ("SONY", "ACTIVE")
        listed = await sniper.list_targets()
        assert [t.target_id for t in listed.targets] == [target.target_id]
        assert listed.meta.active_count == 1
        assert (await sniper.get_target(target.target_id)).ticker == "SONY"
        stopped = await sniper.stop_target(target.target_id)
        assert (stopped.status, stopped.resolution_reason) == ("STOPPED", "manual_stop")
        assert (await sniper.balance()).current_balance == 100
        assert (await sniper.usage(days=7)).window_days == 7
        assert isinstance((await sniper.transactions()).transactions, list)
        assert (await sniper.user()).user.name == "alice"
        updated = await sniper.update_user(notify_email=False)
        assert updated.user.notify_email is False
        assert (await sniper.deliveries()).meta.total == 0
        rotated = await sniper.rotate_webhook_secret()
        assert rotated.secret.startswith(rotated.secret_prefix.rstrip("."))
        assert (await sniper.webhook_secret()).secret_prefix == rotated.secret_prefix


async def test_sniper_surface_errors(server: Server) -> None:
    async with AsyncClient(server.base, server.key) as sniper:
        with pytest.raises(NotFoundError) as missing:
            await sniper.stop_target("tgt_nope")
        assert (missing.value.status, missing.value.code) == (404, "NOT_FOUND")
        assert missing.value.request_id
        with pytest.raises(NotFoundError):
            await sniper.get_target("tgt_nope")
        with pytest.raises(BadRequestError) as bad:
            await sniper.create_target("")
        assert bad.value.details["field"] == "ticker"
        with pytest.raises(NotFoundError):
            await sniper.redeliver("dlv_nope")
    async with AsyncClient(server.base, "sk_not_a_key") as stranger:
        with pytest.raises(AuthError) as refused:
            await stranger.balance()
        assert refused.value.status == 401


def test_rate_limited_carries_retry_after(server: Server) -> None:
    with Client(server.base, server.free_key) as sniper:
        for _ in range(3):  # SNIPER_FREE_PLAN_RATE_LIMIT=3/minute
            sniper.balance()
        with pytest.raises(RateLimited) as limited:
            sniper.balance()
    assert limited.value.status == 429
    assert limited.value.retry_after is not None
    assert limited.value.retry_after > 0


def test_unreachable_server_is_a_connection_error() -> None:
    sniper = Client(f"http://127.0.0.1:{free_port()}", "sk_x", timeout=5)
    with sniper, pytest.raises(SniperConnectionError):
        sniper.balance()


def test_trading_control_and_its_detail_errors(server: Server) -> None:
    with Client(server.base, server.key) as sniper:
        assert sniper.trading_status().status == "live"
        paused = sniper.trading("pause", reason="lunch")
        assert (paused.status, paused.result) == ("manual_paused", "pause_applied")
        assert sniper.trading("resume").status == "live"
        assert [e.command for e in sniper.trading_audit().entries][:2] == ["resume", "pause"]
    with Client(server.base, "sk_not_a_key") as stranger, pytest.raises(AuthError) as refused:
        stranger.trading_status()
    assert refused.value.message  # the `{"detail": ..}` body's text


def test_algorithms_and_backtests(server: Server) -> None:
    with Client(server.base, server.key) as sniper:
        draft = sniper.create_algorithm({"name": "Half done", "symbols": ["NASDAQ:MSFT"]})
        assert (draft.status, draft.version) == ("draft", 1)
        assert [a.id for a in sniper.list_algorithms(limit=5).data] == [draft.id]
        renamed = sniper.update_algorithm(draft.id, {"name": "Still half"})
        assert (renamed.name, renamed.version) == ("Still half", 2)
        assert sniper.get_algorithm(draft.id).name == "Still half"
        with pytest.raises(BadRequestError) as incomplete:
            sniper.algorithm(draft.id, "start")
        assert incomplete.value.code == "VALIDATION_ERROR"
        assert "strategyType" in incomplete.value.details["missingFields"]
        with pytest.raises(UnprocessableError):
            sniper.algorithm(draft.id, "pause")
        with pytest.raises(BadRequestError):
            sniper.create_backtest(draft.id, "2013-01-02", "2013-03-01", 10_000)
        assert sniper.list_backtests().data == []
        with pytest.raises(NotFoundError) as gone:
            sniper.get_backtest("bt_nope")
        assert gone.value.code == "NOT_FOUND"
        sniper.delete_algorithm(draft.id)
        with pytest.raises(NotFoundError):
            sniper.get_algorithm(draft.id)


async def test_verify_webhook_accepts_a_real_delivery_and_refuses_a_forged_one(
    server: Server,
) -> None:
    with Receiver(lambda _request: Reply(200, b"ok")) as receiver:
        async with AsyncClient(server.base, server.key) as sniper:
            secret = (await sniper.rotate_webhook_secret()).secret
            sent = await sniper.test_webhook(receiver.url)
        assert sent.delivered, sent
        [received] = receiver.received
    headers, body = received.request.headers, received.request.body
    document = verify_webhook(headers, body, secret)
    assert (document["event_type"], document["delivery_id"]) == ("webhook.test", sent.delivery_id)
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify_webhook(headers, body.replace(b"reachable", b"REACHABLE"), secret)
    with pytest.raises(WebhookVerificationError, match="webhook-id"):
        verify_webhook({k: v for k, v in headers.items() if k != "webhook-id"}, body, secret)
