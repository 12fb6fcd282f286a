"""A raised error rolls the request's transaction back on every surface, also where the
surface's route renders the error itself (`kit.surface`): nothing half-written stays. A refused
trading-control command keeps its audit row because its endpoint answers the 409, it does not
raise it."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from sniper.db.session import transaction
from sniper.deps import SessionDep
from sniper.errors import Conflict
from sniper.models import TradingControlAudit
from sniper.trading.algorithms.routing import X3Route
from sniper.trading.control import repository
from sniper.trading.control.routing import DetailRoute
from tests.conftest import Harness
from tests.trading.support import admin, call


async def _audit_rows(h: Harness) -> int:
    async with transaction(h.runtime.sessions, read_only=True) as session:
        return int(await session.scalar(select(func.count()).select_from(TradingControlAudit)))


def _mount_half_writer(h: Harness) -> None:
    for name, route_class in (("detail", DetailRoute), ("x3", X3Route)):
        router = APIRouter(route_class=route_class)

        @router.post(f"/_probe/{name}")
        async def half_write(session: SessionDep) -> None:
            repository.add_audit(
                session,
                account_id=None,
                command="probe",
                actor="test",
                reason=None,
                result="half",
                http_status=200,
                before={},
                after={},
                request_id=None,
                now=h.clock.now(),
            )
            await session.flush()
            raise Conflict("refused after a write")

        h.app.include_router(router)


async def test_a_rendered_error_rolls_the_write_back(harness: Harness) -> None:
    h = harness
    _mount_half_writer(h)
    detail = await h.client.post("/_probe/detail")
    assert (detail.status_code, detail.json()) == (409, {"detail": "refused after a write"})
    x3 = await h.client.post("/_probe/x3")
    assert x3.status_code == 409
    assert await _audit_rows(h) == 0


async def test_a_refused_command_keeps_its_audit_row(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    key = await h.account("alice")
    await admin(h, root, "emergency", "fire")
    before = await _audit_rows(h)
    await call(h, key, "resume", status=409)
    assert await _audit_rows(h) == before + 1
