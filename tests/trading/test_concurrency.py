"""100 interleaved pause / stop / resume / start calls from several clients end in a state equal
to some serial order of them, with exactly one audit row each (issue 5 "Done when").

The serial order is the one the audit rows record: per client, their ids follow the row lock
(PostgreSQL `FOR UPDATE`) or the database write lock (SQLite `BEGIN IMMEDIATE`). Replaying the
rows in that order through the command table must reproduce every row's before and after, every
answer the clients got, and the final stored flags; a lost update would break the chain.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from sniper.db.session import transaction
from sniper.models import TradingClientControl, TradingControlAudit
from tests.conftest import Harness
from tests.trading.support import TABLE, auth

CALLS = 100
COMMANDS = ["pause", "stop", "resume", "start"]


def _status(paused: bool, stopped: bool) -> str:
    return "manual_stopped" if stopped else "manual_paused" if paused else "live"


async def _fire(h: Harness, keys: list[str]) -> dict[str, dict[str, Any]]:
    """All calls at once; returns the answers by request id."""
    rng = random.Random(20261121)
    plan = [(f"call-{n}", rng.choice(keys), rng.choice(COMMANDS)) for n in range(CALLS)]

    async def one(request_id: str, key: str, command: str) -> tuple[str, dict[str, Any]]:
        headers = auth(key) | {"X-Request-ID": request_id}
        response = await h.client.post(f"/api/v1/trading/{command}", headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["x-request-id"] == request_id
        return request_id, response.json()

    return dict(await asyncio.gather(*(one(*call) for call in plan)))


async def test_interleaved_commands_serialize(harness: Harness) -> None:
    h = harness
    keys = [await h.account(name) for name in ("alice", "bob", "carol", "dave")]
    answers = await _fire(h, keys)
    async with transaction(h.runtime.sessions) as session:
        rows = (
            (await session.execute(select(TradingControlAudit).order_by(TradingControlAudit.id)))
            .scalars()
            .all()
        )
        stored = {
            row.account_id: (row.manual_paused, row.manual_stopped)
            for row in (await session.execute(select(TradingClientControl))).scalars()
        }
    assert sorted(row.request_id or "" for row in rows) == sorted(answers), "one row per call"
    state: dict[int, tuple[bool, bool]] = defaultdict(lambda: (False, False))
    for row in rows:
        assert row.account_id is not None
        before = state[row.account_id]
        result, after = TABLE[(before, row.command)]
        assert row.before == {
            "manualPaused": before[0],
            "manualStopped": before[1],
            "status": _status(*before),
        }
        assert (row.after["manualPaused"], row.after["manualStopped"]) == after
        answer = answers[row.request_id or ""]
        assert (row.result, answer["result"]) == (result, result)
        assert answer["client"] == str(row.account_id)
        assert (answer["manualPaused"], answer["manualStopped"]) == after
        assert answer["status"] == _status(*after)
        state[row.account_id] = after
    assert stored == dict(state)
    assert len(stored) == 4
