"""Mounts each feature's router and lists the event catalogue in OpenAPI: the webhook bodies
under `webhooks` (OpenAPI 3.1), every WebSocket frame as the `PushFrame` schema."""

from __future__ import annotations

from fastapi import FastAPI

from sniper import health, monitoring, status
from sniper.accounts import endpoints as accounts
from sniper.dashboard import endpoints as dashboard
from sniper.filings import endpoints as filings
from sniper.kit.http import render_unmatched
from sniper.notify import endpoints as webhooks
from sniper.notify import events, ws
from sniper.targets import endpoints as targets
from sniper.trading.algorithms import backtest_endpoints as backtests
from sniper.trading.algorithms import endpoints as algorithms
from sniper.trading.algorithms.routing import X3Route
from sniper.trading.control import endpoints as trading_control
from sniper.trading.control import ws as trading_ws
from sniper.trading.control.push import Broadcast
from sniper.trading.control.routing import DetailRoute

PushFrame = events.MainApiFrame | Broadcast
"""Every frame a WebSocket client receives: `/ws/main-api` events (told apart by `event`) and
`/ws/subscribe` broadcasts (`type` `broadcast`)."""


def mount(app: FastAPI) -> None:
    app.include_router(targets.router)
    app.include_router(accounts.router)
    app.include_router(filings.router)
    app.include_router(webhooks.router)
    app.include_router(status.router)
    app.include_router(health.router)
    app.include_router(monitoring.router)
    app.include_router(ws.router)
    app.include_router(trading_control.router)
    app.include_router(trading_control.admin_router)
    app.include_router(trading_ws.router)
    app.include_router(algorithms.router)
    app.include_router(backtests.router)
    # x3algo paths answer unknown routes in x3algo's error body (error-codes page).
    for prefix in ("/api/trading", "/api/backtests"):
        render_unmatched(app, prefix, X3Route.render_http)
    # 55-tech paths answer them in its `{"detail": ..}` body (errors page).
    for prefix in ("/api/v1/trading", "/api/v1/admin/trading"):
        render_unmatched(app, prefix, DetailRoute.render_http)
    _webhooks(app)
    dashboard.mount(app)  # the dashboard pages and the offline /docs, /redoc


def _webhooks(app: FastAPI) -> None:
    """The bodies Sniper POSTs to webhook URLs, signed per Standard Webhooks v1 (`webhook-id`
    = `delivery_id`, `webhook-timestamp`, `webhook-signature`)."""

    @app.webhooks.post("sniper.filing_hit")
    async def filing_hit(body: events.FilingHit) -> None:
        """A target caught its filing: sent once per hit to the target's `webhook_url` (or the
        account's default), retried until a 2xx."""

    @app.webhooks.post("webhook.test")
    async def webhook_test(body: events.WebhookTest) -> None:
        """Sent by `POST /api/v1/webhooks/test` to check an endpoint."""
