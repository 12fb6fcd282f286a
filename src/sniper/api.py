"""Mounts each feature's router."""

from __future__ import annotations

from fastapi import FastAPI

from sniper import status
from sniper.accounts import endpoints as accounts
from sniper.notify import ws
from sniper.targets import endpoints as targets


def mount(app: FastAPI) -> None:
    app.include_router(targets.router)
    app.include_router(accounts.router)
    app.include_router(status.router)
    app.include_router(ws.router)
