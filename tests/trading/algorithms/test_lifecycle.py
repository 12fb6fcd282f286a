"""The lifecycle table through the API: every state x command → HTTP status, body, and the
state `GET` shows afterwards (seed 003 and its surroundings; `service` module docstring)."""

from __future__ import annotations

from typing import Any

import pytest

from sniper.db.session import transaction
from sniper.trading.algorithms import store
from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, auth, command, create, error_of

STATES = ("draft", "stopped", "active", "paused", "error", "archived")
COMMANDS = ("start", "stop", "pause", "resume", "patch", "delete")
OK = {
    "start": "Algorithm started successfully",
    "stop": "Algorithm stopped successfully",
    "pause": "Algorithm paused successfully",
    "resume": "Algorithm resumed successfully",
}
NOT_FOUND = (404, "NOT_FOUND", "Algorithm not found")
# (state, command) → (HTTP status, state after (None: gone), error code, error message)
TABLE: dict[tuple[str, str], tuple[int, str | None, str | None, str | None]] = {
    ("draft", "start"): (200, "active", None, None),
    ("draft", "stop"): (422, "draft", "UNPROCESSABLE_ENTITY", "Algorithm not active"),
    ("draft", "pause"): (422, "draft", "UNPROCESSABLE_ENTITY", "Algorithm not active"),
    ("draft", "resume"): (422, "draft", "UNPROCESSABLE_ENTITY", "Algorithm not paused"),
    ("draft", "patch"): (200, "stopped", None, None),
    ("draft", "delete"): (204, None, None, None),
    ("stopped", "start"): (200, "active", None, None),
    ("stopped", "stop"): (422, "stopped", "UNPROCESSABLE_ENTITY", "Algorithm not active"),
    ("stopped", "pause"): (422, "stopped", "UNPROCESSABLE_ENTITY", "Algorithm not active"),
    ("stopped", "resume"): (422, "stopped", "UNPROCESSABLE_ENTITY", "Algorithm not paused"),
    ("stopped", "patch"): (200, "stopped", None, None),
    ("stopped", "delete"): (204, None, None, None),
    ("active", "start"): (422, "active", "UNPROCESSABLE_ENTITY", "Algorithm already active"),
    ("active", "stop"): (200, "stopped", None, None),
    ("active", "pause"): (200, "paused", None, None),
    ("active", "resume"): (422, "active", "UNPROCESSABLE_ENTITY", "Algorithm not paused"),
    ("active", "patch"): (403, "active", "FORBIDDEN", "Cannot update active algorithm"),
    ("active", "delete"): (403, "active", "FORBIDDEN", "Cannot delete active algorithm"),
    ("paused", "start"): (
        422,
        "paused",
        "UNPROCESSABLE_ENTITY",
        "Algorithm is paused; resume it",
    ),
    ("paused", "stop"): (200, "stopped", None, None),
    ("paused", "pause"): (422, "paused", "UNPROCESSABLE_ENTITY", "Algorithm already paused"),
    ("paused", "resume"): (200, "active", None, None),
    ("paused", "patch"): (403, "paused", "FORBIDDEN", "Cannot update paused algorithm"),
    ("paused", "delete"): (403, "paused", "FORBIDDEN", "Cannot delete paused algorithm"),
    ("error", "start"): (200, "active", None, None),
    ("error", "stop"): (422, "error", "UNPROCESSABLE_ENTITY", "Algorithm not active"),
    ("error", "pause"): (422, "error", "UNPROCESSABLE_ENTITY", "Algorithm not active"),
    ("error", "resume"): (422, "error", "UNPROCESSABLE_ENTITY", "Algorithm not paused"),
    ("error", "patch"): (200, "stopped", None, None),
    ("error", "delete"): (204, None, None, None),
} | {("archived", name): (404, None, *NOT_FOUND[1:]) for name in COMMANDS}


async def _in_state(h: Harness, key: str, state: str) -> dict[str, Any]:
    """A complete algorithm brought to `state` the way a user (or the engine, for `error`)
    would."""
    algorithm = await create(h, key)
    algorithm_id = algorithm["id"]
    if state == "stopped":
        response = await h.client.patch(
            f"{BASE}/{algorithm_id}", json={"description": "ready"}, headers=auth(key)
        )
        assert response.json()["status"] == "stopped"
    if state in ("active", "paused", "error"):
        await command(h, key, algorithm_id, "start")
    if state == "paused":
        await command(h, key, algorithm_id, "pause")
    if state == "error":
        async with transaction(h.runtime.sessions) as session:
            assert await store.mark_error(session, algorithm_id, "feed lost", h.clock.now())
    if state == "archived":
        response = await h.client.delete(f"{BASE}/{algorithm_id}", headers=auth(key))
        assert response.status_code == 204
    return algorithm


async def _send(h: Harness, key: str, algorithm_id: str, name: str) -> Any:
    url = f"{BASE}/{algorithm_id}"
    if name == "patch":
        body = {"riskParameters": {"maxOpenPositions": 2}}
        return await h.client.patch(url, json=body, headers=auth(key))
    if name == "delete":
        return await h.client.delete(url, headers=auth(key))
    return await h.client.post(f"{url}/{name}", headers=auth(key))


async def _check(h: Harness, key: str, state: str, name: str) -> None:
    case = f"{state} x {name}"
    algorithm = await _in_state(h, key, state)
    status, after, code, message = TABLE[(state, name)]
    response = await _send(h, key, algorithm["id"], name)
    assert response.status_code == status, (case, response.text)
    if code is not None:
        assert error_of(response, status, code)["message"] == message, case
    elif name in OK:
        assert response.json() == {
            "id": algorithm["id"],
            "name": algorithm["name"],
            "status": after,
            "active": after == "active",
            "message": OK[name],
        }, case
    elif name == "patch":
        assert response.json()["riskParameters"]["maxOpenPositions"] == 2, case
    shown = await h.client.get(f"{BASE}/{algorithm['id']}", headers=auth(key))
    if after is None:
        error_of(shown, 404, "NOT_FOUND")
        return
    assert shown.status_code == 200, case
    assert (shown.json()["status"], shown.json()["active"]) == (after, after == "active"), case


@pytest.mark.parametrize("state", STATES)
async def test_every_state_and_command(harness: Harness, state: str) -> None:
    key = await harness.account()
    for name in COMMANDS:
        await _check(harness, key, state, name)


async def test_stop_keeps_performance_and_restart_is_allowed(harness: Harness) -> None:
    """Seed 003: "Algorithm can be restarted at any time"; stop twice is 422 the second time."""
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    await command(h, key, algorithm["id"], "start")
    await command(h, key, algorithm["id"], "stop")
    error = error_of(
        await h.client.post(f"{BASE}/{algorithm['id']}/stop", headers=auth(key)),
        422,
        "UNPROCESSABLE_ENTITY",
    )
    assert error["message"] == "Algorithm not active"
    restarted = await command(h, key, algorithm["id"], "start")
    assert (restarted["status"], restarted["active"]) == ("active", True)
