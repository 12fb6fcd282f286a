"""WebSocket `/ws/main-api`: the owner's hits and target lifecycle events, pushed live.

Authenticate with `?apiKey=`, the dashboard's signed session cookie `sniper_session` (sent by
a page of the same origin: the cookie is ignored when the `Origin` header names another host),
or a first frame `{"type":"auth","api_key":..}` within 10 s. The
server answers `{"type":"authenticated","account_id":..,"last_event_id":N}`, then sends
`{"type":"event","event":"sniper.filing_hit","data":{..webhook body..}}` (and
`sniper.target_activated` / `_expired` / `_stopped`), `{"type":"heartbeat","timestamp":..}` every
`SNIPER_WS_HEARTBEAT`, and `{"type":"pong"}` to `{"type":"ping"}`. Every event frame carries
`id`, increasing per account: connect with `?last_event_id=N` to get the account's logged events
after N (`notify.event_log`, oldest first, at most `SNIPER_WS_EVENT_LOG_SIZE`) right after
`authenticated`, before live ones, each once. `authenticated.last_event_id` is where the
connection starts: N, or without it the newest logged id (a client that stores it and
reconnects with it misses nothing). 4400 a `last_event_id` that is not an integer >= 0.

Refusals send `{"type":"error","message":..}`, then close with the message as reason:
4401 a missing, malformed, unknown or revoked key. An open socket re-checks its key against
the database every `SNIPER_WS_AUTH_RECHECK` (5 s), so a key revoked anywhere (`sniper keys
revoke` in another process too) closes its sockets within that time, reason "API key revoked".
4429 when the account already holds `SNIPER_WS_MAX_CONNECTIONS_PER_ACCOUNT` (5) open sockets
over both WebSocket endpoints and the Socket.IO namespaces in this process ("too many
connections: 5 open for this account"; `/ws/subscribe` says "Connection limit exceeded"),
or when the connect is over the account's rate limit: every connect counts as one request
against the HTTP budget.

`admitted` is that admission (4401, 4429 and the recheck), shared with `/ws/subscribe` and
Socket.IO (`notify/sio.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

from sniper.accounts import session_cookie
from sniper.accounts.service import authenticate
from sniper.db.session import transaction
from sniper.errors import UpgradeRequired
from sniper.kit.openapi import DESCRIPTIONS, ErrorBody
from sniper.notify import event_log
from sniper.notify.hub import Subscription
from sniper.notify.pump import Recheck, Refused, pump, receive_frame, refuse
from sniper.runtime import Runtime

router = APIRouter()
AUTH_TIMEOUT_SECONDS = 10.0
INVALID_KEY = "invalid or missing API key"


@dataclass(frozen=True)
class Admission:
    """An admitted connection: its account and how `pump` re-checks its key."""

    account_id: int
    recheck: Recheck


@contextlib.asynccontextmanager
async def admitted(
    runtime: Runtime, api_key: object, *, invalid: str = INVALID_KEY, full: str | None = None
) -> AsyncIterator[Admission]:
    """Admit a connection of `api_key` (any client value) and hold one of its account's
    connection slots until the block ends.

    Raises `Refused`: 4401 with `invalid` for a key that is missing, malformed, unknown or
    revoked; 4429 when the connect is over the account's rate limit (it counts as a request)
    or the account holds `ws_max_connections_per_account` sockets in this process (the count
    is per process: `PushHub.connections`; `full` replaces that refusal's message)."""
    owner = await _key_owner(runtime, api_key)
    if owner is None:
        raise Refused(4401, invalid)
    account_id, plan = owner
    await _count_connect(runtime, account_id, plan)
    slots = runtime.hub.connections
    cap = runtime.settings.ws_max_connections_per_account
    if not slots.acquire(account_id, cap):
        raise Refused(4429, full or f"too many connections: {cap} open for this account")
    try:
        yield Admission(account_id, _recheck(runtime, api_key))
    finally:
        slots.release(account_id)


async def _key_owner(runtime: Runtime, api_key: object) -> tuple[int, str] | None:
    """(account id, plan) owning `api_key`, or None."""
    async with transaction(runtime.sessions, read_only=True) as session:
        account = await authenticate(session, api_key, secret_key=runtime.settings.secret_key)
        return None if account is None else (account.id, account.plan)


async def _count_connect(runtime: Runtime, account_id: int, plan: str) -> None:
    """Count the connect as one request of the account (`current_account`'s limiter key)."""
    if runtime.limiter is None:
        return
    decision = await runtime.limiter.hit(f"account:{account_id}", plan)
    if decision is not None and not decision.allowed:
        raise Refused(
            4429,
            f"rate limit exceeded: {decision.limit} per {decision.window_seconds} s "
            f"on the {plan} plan; retry in {decision.retry_after} s",
        )


def _recheck(runtime: Runtime, api_key: object) -> Recheck:
    async def still_valid() -> bool:
        return await _key_owner(runtime, api_key) is not None

    return Recheck(still_valid, runtime.settings.ws_auth_recheck.total_seconds())


async def _first_frame_key(websocket: WebSocket) -> object:
    """The key of an auth frame received within `AUTH_TIMEOUT_SECONDS`, else None."""
    try:
        frame = await asyncio.wait_for(receive_frame(websocket), AUTH_TIMEOUT_SECONDS)
    except TimeoutError:
        return None
    if frame is None or frame.get("type") != "auth":
        return None
    return frame.get("api_key") or frame.get("apiKey")


def _cookie_key(websocket: WebSocket, secret_key: str) -> str | None:
    """The API key of a validly signed dashboard session cookie sent from this origin, else
    None (no cookie, a forged or expired one, or an `Origin` whose host is not this `Host`).
    Whether the key is revoked is `admitted`'s check, as for every other key."""
    origin = websocket.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != websocket.headers.get("host"):
        return None
    decoded = session_cookie.decode(secret_key, websocket.cookies.get(session_cookie.COOKIE))
    return None if decoded is None else decoded[0]


def add_handshake(
    router: APIRouter,
    path: str,
    *,
    body: type[BaseModel],
    summary: str,
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> None:
    """Give the WebSocket at `path` its HTTP face on `router`: a GET without the WebSocket
    upgrade answers 426 `UPGRADE_REQUIRED` with `Upgrade: websocket`, in the error `body` of
    the router's surface, and is listed in the OpenAPI document (so F1 fuzzes it) with the
    surface's other error `responses` (its invalid-parameter answer)."""

    async def handshake(
        _api_key: Annotated[str | None, Query(alias="apiKey", description="The API key.")] = None,
    ) -> Any:
        raise UpgradeRequired(f"Connect with a WebSocket client: {path} is a WebSocket endpoint")

    router.add_api_route(
        path,
        handshake,
        methods=["GET"],
        name=f"{path.strip('/').replace('/', '_')}_handshake",
        status_code=426,
        response_model=body,
        responses={**(responses or {}), 426: {"description": DESCRIPTIONS[426]}},
        summary=f"WebSocket: {summary} (plain HTTP answers 426)",
        tags=["websocket"],
    )


add_handshake(router, "/ws/main-api", body=ErrorBody, summary="hits and target events")


@router.websocket("/ws/main-api")
async def main_api(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        resume_after = _last_event_id(websocket)
        api_key = (
            websocket.query_params.get("apiKey")
            or _cookie_key(websocket, runtime.settings.secret_key)
            or await _first_frame_key(websocket)
        )
        async with admitted(runtime, api_key) as admission:
            with runtime.hub.subscribe(admission.account_id) as subscription:
                missed, position = await _resume(runtime, subscription, resume_after)
                authenticated = {"type": "authenticated", "account_id": admission.account_id}
                await websocket.send_json(authenticated | {"last_event_id": position})
                for frame in missed:
                    await websocket.send_json(frame)
                await pump(
                    websocket,
                    [subscription],
                    heartbeat_seconds=runtime.settings.ws_heartbeat.total_seconds(),
                    now=runtime.clock.now,
                    recheck=admission.recheck,
                )
    except Refused as refused:
        await refuse(websocket, refused)
    except WebSocketDisconnect:
        return


def _last_event_id(websocket: WebSocket) -> int | None:
    """`?last_event_id=` as an int >= 0, None when absent; raises `Refused` 4400 otherwise."""
    raw = websocket.query_params.get("last_event_id")
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Refused(4400, "last_event_id must be an integer >= 0")
    return int(raw)


async def _resume(
    runtime: Runtime, subscription: Subscription, after: int | None
) -> tuple[list[event_log.Frame], int]:
    """(the logged frames after `after`, the position the connection starts from). Without
    `after` nothing is replayed and the position is the account's newest logged id (0 when
    none). `subscription` is already open, so an event committed meanwhile is not lost: it is
    made to skip what the position or the replay already covers."""
    account_id = subscription.account_id
    async with transaction(runtime.sessions, read_only=True) as session:
        if after is None:
            position = await event_log.newest(session, account_id)
            subscription.skip_through(position)
            return [], position
        frames = await event_log.since(
            session, account_id, after, runtime.settings.ws_event_log_size
        )
    if frames:
        subscription.skip_through(frames[-1]["id"])
    return frames, after
