"""What both clients share around a `Call`: the request arguments, the answer's parsing and
error mapping, and the settings (base URL, key, timeout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from sniper.client.calls import Call
from sniper.client.errors import from_response

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0
USER_AGENT = "sniper-client"


@dataclass(frozen=True)
class Connection:
    """Where and as whom: `base_url` (`http://127.0.0.1:8000`), the API key, `timeout` seconds."""

    base_url: str
    api_key: str
    timeout: float = DEFAULT_TIMEOUT

    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key, "User-Agent": USER_AGENT}

    def ws_url(self, path: str) -> str:
        """`ws://` (or `wss://`) URL of `path` on the server."""
        base = self.base_url.rstrip("/")
        if base.startswith("https://"):
            return "wss://" + base.removeprefix("https://") + path
        return "ws://" + base.removeprefix("http://") + path


def request_args(call: Call[Any]) -> dict[str, Any]:
    """Keyword arguments of `httpx.(Async)Client.request` for `call`."""
    args: dict[str, Any] = {"params": call.query(), "headers": dict(call.headers)}
    if call.body is not None:
        args["json"] = call.body
    return args


def result(call: Call[T], response: httpx.Response) -> T:
    """The parsed answer; raises the `SniperAPIError` subclass of an error status."""
    if response.status_code >= 400:
        raise from_response(response)
    return call.parse(response.json() if response.content else None)
