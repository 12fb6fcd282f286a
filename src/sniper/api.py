"""Mounts each feature's router."""

from __future__ import annotations

from fastapi import FastAPI

from sniper import status
from sniper.accounts import endpoints as accounts
from sniper.filings import endpoints as filings
from sniper.notify import endpoints as webhooks
from sniper.notify import ws
from sniper.targets import endpoints as targets
from sniper.trading.algorithms import backtest_endpoints as backtests
from sniper.trading.algorithms import endpoints as algorithms
from sniper.trading.control import endpoints as trading_control
from sniper.trading.control import ws as trading_ws


def mount(app: FastAPI) -> None:
    app.include_router(targets.router)
    app.include_router(accounts.router)
    app.include_router(filings.router)
    app.include_router(webhooks.router)
    app.include_router(status.router)
    app.include_router(ws.router)
    app.include_router(trading_control.router)
    app.include_router(trading_control.admin_router)
    app.include_router(trading_ws.router)
    app.include_router(algorithms.router)
    app.include_router(backtests.router)
