"""Input rules shared by every API surface: what no database column can hold is refused at the
edge, once, before any endpoint or dependency runs (issue 10 items 2 and 4).

- U+0000 (NUL): PostgreSQL `text` cannot store it (`invalid byte sequence for encoding "UTF8":
  0x00`), SQLite can; both answer the same 4xx.
- A lone surrogate (U+D800-U+DFFF, e.g. the JSON escape `"\\ud800"`, which Python's `json`
  accepts): no UTF-8 encoding exists, so the database driver and the JSON renderer would raise.
- A non-finite number (`1e999`, `-1e999`, `NaN`, `Infinity`): JSON has none, PostgreSQL
  `jsonb` refuses them and an engine fed `Infinity` computes nothing.

`refuse_unstorable_input` is an app-wide dependency (`create_app`): it checks every query and
header parameter the route declares, every path parameter and, when the body is JSON, every
string, object key and number in it, and raises FastAPI's `RequestValidationError` whose `loc`
names the first bad one (`("body", "formTypes", 0)`, `("query", "ticker")`) and whose `input`
is null, never the bad value. Each surface renders that error in its own shape: the sniper
400 with `details.field`, x3algo's 400 `VALIDATION_ERROR`, trading control's 422 `detail` list.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import params
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection, Request

_SURROGATE = re.compile("[\ud800-\udfff]")
Location = tuple[str | int, ...]


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored (a NUL, a lone surrogate), or None when it can."""
    if "\x00" in value:
        return "must not contain U+0000 (NUL)"
    if _SURROGATE.search(value):
        return "must not contain a lone surrogate (U+D800-U+DFFF); send valid UTF-8"
    return None


def printable(value: str) -> str:
    """`value` with NUL and lone surrogates written as escapes (`\\x00`, `\\ud800`): safe to
    echo in an error body or a log line."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def echoable(value: Any) -> Any:
    """`value` when a JSON body can carry it back (UTF-8 text, finite numbers), else None: what
    an error body may echo of a caller's input."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        return None
    return value


def json_problems(value: Any, location: Location) -> Iterator[tuple[Location, str]]:
    """Every `(location, reason)` in a parsed JSON value that cannot be stored."""
    if isinstance(value, str):
        reason = text_problem(value)
        if reason:
            yield location, reason
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield location, "must be a finite number (1e999, NaN and Infinity are refused)"
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = text_problem(key)
            if reason:
                yield (*location, printable(key)), f"object key {reason}"
            yield from json_problems(item, (*location, key if reason is None else printable(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_problems(item, (*location, index))


_DECLARED: dict[Callable[..., Any], tuple[frozenset[str], frozenset[str]]] = {}


def _declared(route: APIRoute) -> tuple[frozenset[str], frozenset[str]]:
    """The query and header parameter names `route` and its dependencies read (FastAPI's own
    list: a parameter no route declares is ignored, never stored); cached per endpoint."""
    if route.endpoint not in _DECLARED:
        _DECLARED[route.endpoint] = _names(route)
    return _DECLARED[route.endpoint]


def _names(route: APIRoute) -> tuple[frozenset[str], frozenset[str]]:
    fields = get_flat_params(route.dependant)
    query = frozenset(f.alias for f in fields if isinstance(f.field_info, params.Query))
    headers = frozenset(f.alias.lower() for f in fields if isinstance(f.field_info, params.Header))
    return query, headers


def _parameter_problems(connection: HTTPConnection) -> Iterator[tuple[Location, str]]:
    route = connection.scope.get("route")
    query, headers = _declared(route) if isinstance(route, APIRoute) else (frozenset(), frozenset())
    for name, value in connection.query_params.multi_items():
        if name in query and (reason := text_problem(value)):
            yield ("query", name), reason
    for name, value in connection.path_params.items():
        if isinstance(value, str) and (reason := text_problem(value)):
            yield ("path", name), reason
    for name, value in connection.headers.items():
        if name in headers and "\x00" in value:
            yield ("header", name), "must not contain U+0000 (NUL)"


async def _body_problems(request: Request) -> list[tuple[Location, str]]:
    if not await request.body():
        return []
    try:
        parsed = await request.json()  # the value FastAPI parsed, cached on the request
    except ValueError:  # not JSON: FastAPI reports it, or the route takes no body
        return []
    return list(json_problems(parsed, ("body",)))


async def refuse_unstorable_input(connection: HTTPConnection) -> None:
    """The app-wide dependency of the module docstring (HTTP only; WebSocket endpoints check
    their frames themselves)."""
    if connection.scope["type"] != "http":
        return
    found = list(_parameter_problems(connection))
    if not found and isinstance(connection, Request):
        found = await _body_problems(connection)
    if found:
        errors = [
            {"type": "value_error", "loc": location, "msg": reason, "input": None}
            for location, reason in found
        ]
        raise RequestValidationError(errors)
