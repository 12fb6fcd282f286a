"""A scriptable webhook receiver on 127.0.0.1 for the delivery tests.

`Receiver(script)` runs a real HTTP server in threads; `script(request)` decides each answer:
`Reply(status, body, headers)`, `Hang(seconds)` (say nothing that long, past the sender's
timeout, then answer 200 to nobody) or `Close()` (drop the connection without a response).
Every request is kept in `received` with the action taken (`request.received_at` is
`time.monotonic()` on arrival); `max_concurrent` is the most requests handled at once.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.support.http_server import Reply, Request


@dataclass(frozen=True)
class Hang:
    seconds: float


@dataclass(frozen=True)
class Close:
    pass


Action = Reply | Hang | Close
Script = Callable[[Request], Action]


@dataclass
class Received:
    request: Request
    action: Action

    @property
    def webhook_id(self) -> str:
        return self.request.headers.get("webhook-id", "")

    @property
    def acknowledged(self) -> bool:
        """The receiver answered 2xx (the sender may still have given up waiting)."""
        return isinstance(self.action, Reply) and 200 <= self.action.status < 300


def per_delivery(actions: list[Action]) -> Script:
    """A script answering the n-th request of each webhook-id with `actions[n]` (the last one
    once they run out)."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def script(request: Request) -> Action:
        with lock:
            n = seen[request.headers["webhook-id"]]
            seen[request.headers["webhook-id"]] += 1
        return actions[min(n, len(actions) - 1)]

    return script


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops connections when 64 requests arrive at once


class Receiver:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.received: list[Received] = []
        self.max_concurrent = 0
        self._active = 0
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.handle_error = lambda *_args: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def by_id(self) -> dict[str, list[Received]]:
        """Requests grouped by `webhook-id`, in arrival order."""
        groups: dict[str, list[Received]] = defaultdict(list)
        for item in list(self.received):
            groups[item.webhook_id].append(item)
        return dict(groups)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()  # wake hanging handlers
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, request: Request) -> Action:
        with self._lock:
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
        try:
            action = self.script(request)
            with self._lock:
                self.received.append(Received(request, action))
            if isinstance(action, Hang):
                self._release.wait(action.seconds)
            return action
        finally:
            with self._lock:
                self._active -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request("POST", self.path, headers, body, time.monotonic())
                action = owner._handle(request)
                if isinstance(action, Close):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                reply = action if isinstance(action, Reply) else Reply(200)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return _Handler
