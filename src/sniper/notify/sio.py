"""Finradar's Socket.IO streams: namespaces `/sec` and `/13f` on path `/socket.io`, served by
python-socketio beside the FastAPI app on the same port (`SocketIOMiddleware`).

Pages: uat.finradarapi.com/docs/webhooks/main-api-stream/ws-websocket-namespace-sec and
.../13f-live-stream/ws-websocket-namespace-13f (llms/main-api-stream.txt, 13f-live-stream.txt).

Auth, first match: the Socket.IO `auth` payload `{"api_key": ..}` (also `apiKey`, `token`),
the handshake's `X-API-Key` or `Authorization: Bearer` header, `?api_key=` or `?apiKey=`. The
admission is `/ws/main-api`'s (`notify.ws.admitted`): a missing, malformed, unknown or revoked
key, the per-account connection cap (shared with the WebSocket endpoints) and the rate limit
refuse the connect; the client's `connect_error` has `message` ("invalid or missing API key",
"too many connections: 5 open for this account", ...) and `data` `{"code": 4401 | 4429}`.
An open connection re-checks its key every `SNIPER_WS_AUTH_RECHECK`; once it was revoked the
server emits `error` `{"message": "API key revoked", "code": 4401}` and disconnects.

What is pushed (only the connected account's, never another's; not Finradar's firehose of
every EDGAR filing: Sniper knows the filings its targets catch):

- `/sec`: a hit as `new_filing` (`events.NewFiling`); every other `/ws/main-api` frame
  (`sniper.target_activated` / `_expired` / `_stopped`, `sniper.processing_state`,
  `webhook.endpoint_disabled`) under its event name with the frame's `data`;
- `/13f`: a hit on a 13F form (`13F-HR`, `13F-HR/A`, `13F-NT`, ...) as `new_13f_filing`, and
  `13f_heartbeat` `{"event": "13f_heartbeat", "timestamp"}` every `SNIPER_WS_HEARTBEAT` (30 s,
  the page's keep-alive interval).

Frames come from this process's `PushHub` (topic `main`), which the `Publisher` feeds from
every process (Redis pub/sub when `SNIPER_REDIS_URL` is set), so one mechanism carries events
to plain WebSocket and Socket.IO clients alike; no Socket.IO Redis manager is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import socketio
from starlette.types import ASGIApp, Receive, Scope, Send

from sniper.kit.timefmt import iso_z
from sniper.notify import events
from sniper.notify.hub import Message, Subscription, SubscriptionClosed
from sniper.notify.pump import REVOKED, Recheck, Refused, until_revoked
from sniper.notify.ws import admitted
from sniper.runtime import Runtime

logger = logging.getLogger(__name__)
SOCKETIO_PATH = "socket.io"
Translate = Callable[[Message], tuple[str, dict[str, Any]] | None]


def sec_event(frame: Message) -> tuple[str, dict[str, Any]] | None:
    """`/sec`: (event name, body) of a `/ws/main-api` frame."""
    if frame.get("event") == "sniper.filing_hit":
        hit = events.FilingHit.model_validate(frame["data"])
        return "new_filing", events.new_filing(hit).model_dump(mode="json")
    return str(frame["event"]), frame["data"]


def form_13f_event(frame: Message) -> tuple[str, dict[str, Any]] | None:
    """`/13f`: `new_13f_filing` for a hit on a 13F form, nothing for other frames."""
    if frame.get("event") != "sniper.filing_hit":
        return None
    hit = events.FilingHit.model_validate(frame["data"])
    if not hit.payload.form_type.startswith("13F"):
        return None
    body = events.new_filing(hit)
    body.event = "new_13f_filing"
    body.accession_no = body.accession_number
    body.filer_name = body.company_name
    return "new_13f_filing", body.model_dump(mode="json")


def api_key(environ: Mapping[str, Any], auth: object) -> object:
    """The key of a connect: `auth` payload, then headers, then query (see the module)."""
    if isinstance(auth, dict):
        for name in ("api_key", "apiKey", "token"):
            if auth.get(name):
                return auth[name]
    if environ.get("HTTP_X_API_KEY"):
        return environ["HTTP_X_API_KEY"]
    scheme, _, token = str(environ.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    params = parse_qs(str(environ.get("QUERY_STRING", "")))
    for name in ("api_key", "apiKey"):
        if params.get(name):
            return params[name][0]
    return None


@dataclass
class _Open:
    """What a connection holds until it disconnects: its admission and its push task."""

    stack: contextlib.AsyncExitStack
    task: asyncio.Task[None]


class FilingStream(socketio.AsyncNamespace):  # type: ignore[misc]
    """One Finradar namespace: admits a connection like `/ws/main-api` and pushes the
    account's frames that `translate` maps to an event."""

    def __init__(
        self,
        namespace: str,
        runtime: Callable[[], Runtime],
        translate: Translate,
        heartbeat: str | None = None,
    ):
        """`heartbeat`: the event emitted every `SNIPER_WS_HEARTBEAT`, if any."""
        super().__init__(namespace)
        self._runtime = runtime
        self._translate = translate
        self._heartbeat = heartbeat
        self._open: dict[str, _Open] = {}

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        """Admit or refuse (`ConnectionRefusedError`: `connect_error` on the client)."""
        runtime = self._runtime()
        stack = contextlib.AsyncExitStack()
        try:
            admission = await stack.enter_async_context(admitted(runtime, api_key(environ, auth)))
            subscription = stack.enter_context(runtime.hub.subscribe(admission.account_id))
        except Refused as refused:
            await stack.aclose()
            raise socketio.exceptions.ConnectionRefusedError(
                refused.message, {"code": refused.code}
            ) from None
        except BaseException:
            await stack.aclose()
            raise
        task = asyncio.create_task(self._push(sid, subscription, admission.recheck))
        self._open[sid] = _Open(stack, task)

    async def on_disconnect(self, sid: str, reason: str | None = None) -> None:
        """Stop pushing and give the account's connection slot back."""
        opened = self._open.pop(sid, None)
        if opened is None:
            return
        if opened.task is not asyncio.current_task():
            opened.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await opened.task
        await opened.stack.aclose()

    async def _push(self, sid: str, subscription: Subscription, recheck: Recheck) -> None:
        """Forward and beat until the key is revoked (then refuse) or the connection is gone
        without a disconnect event (it left while `on_connect` was still admitting it)."""
        helpers = [asyncio.create_task(self._forward(sid, subscription))]
        if self._heartbeat is not None:
            helpers.append(asyncio.create_task(self._beat(sid, self._heartbeat)))
        revoked = asyncio.create_task(until_revoked(recheck))
        absent = asyncio.create_task(self._until_absent(sid, recheck.every_seconds))
        try:
            done, _ = await asyncio.wait({revoked, absent}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in [*helpers, revoked, absent]:
                task.cancel()
            await asyncio.gather(*helpers, revoked, absent, return_exceptions=True)
        if absent in done:
            await self.on_disconnect(sid)
            return
        await self.emit("error", {"message": REVOKED, "code": 4401}, to=sid)
        await self.disconnect(sid)

    async def _until_absent(self, sid: str, every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            eio_sid = self.server.manager.eio_sid_from_sid(sid, self.namespace)
            socket = self.server.eio.sockets.get(eio_sid) if eio_sid else None
            if socket is None or socket.closed:
                return

    async def _forward(self, sid: str, subscription: Subscription) -> None:
        with contextlib.suppress(SubscriptionClosed):
            while True:
                frame = await subscription.get()
                try:
                    event = self._translate(frame)
                    if event is not None:
                        await self.emit(event[0], event[1], to=sid)
                except Exception:
                    logger.exception("Socket.IO push failed on %s", self.namespace)

    async def _beat(self, sid: str, event: str) -> None:
        runtime = self._runtime()
        while True:
            await asyncio.sleep(runtime.settings.ws_heartbeat.total_seconds())
            await self.emit(
                event, {"event": event, "timestamp": iso_z(runtime.clock.now())}, to=sid
            )


def server(runtime: Callable[[], Runtime]) -> socketio.AsyncServer:
    """The Socket.IO server with the `/sec` and `/13f` namespaces; `runtime()` is called per
    connect (the lifespan builds the runtime after the app)."""
    sio = socketio.AsyncServer(
        async_mode="asgi", cors_allowed_origins="*", logger=False, engineio_logger=False
    )
    sio.register_namespace(FilingStream("/sec", runtime, sec_event))
    sio.register_namespace(FilingStream("/13f", runtime, form_13f_event, "13f_heartbeat"))
    return sio


class SocketIOMiddleware:
    """Send `/socket.io/` traffic to `sio` and everything else (lifespan included) to `app`."""

    def __init__(self, app: ASGIApp, sio: socketio.AsyncServer) -> None:
        self._app = socketio.ASGIApp(sio, other_asgi_app=app, socketio_path=SOCKETIO_PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)
