"""The route class behind an API surface that renders its own error bodies (DESIGN.md "API
surfaces": one exception tree, one renderer per surface).

A subclass of `SurfaceRoute` names three renderers; the route catches, inside the route
handler, a `RequestValidationError`, any `SniperError` (from the endpoint or a dependency such
as the 401 of `CurrentAccount`) and an `HTTPException` FastAPI raises itself (400 for a body
that is not UTF-8), and answers with the surface's renderer. Any other exception is logged with
its stack and answered as a 500 `SniperError` ("Unexpected server-side failure") in the
surface's own shape, never the sniper envelope of the app-wide handler. Every surface sends the
same headers (`sniper.kit.http.error_headers`).

A rendered error still rolls the request's transaction back, as everywhere else: the route marks
the request (`ERROR_RENDERED` in its scope) and the transaction dependency
(`sniper.deps.get_session`) rolls back instead of committing. An endpoint that must keep a write
with an error answer (the audit row of a refused control command) returns that answer instead
of raising it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from sniper.errors import SniperError
from sniper.kit.http import UNEXPECTED, validation_errors

logger = logging.getLogger(__name__)
ERROR_RENDERED = "sniper.error_rendered"


class SurfaceRoute(APIRoute):
    """An `APIRoute` whose errors the subclass renders (module docstring)."""

    @staticmethod
    def render_validation(request: Request, errors: Any) -> Response:
        """The answer to request validation `errors` (pydantic's list)."""
        raise NotImplementedError

    @staticmethod
    def render_error(request: Request, error: SniperError) -> Response:
        """The answer to `error`."""
        raise NotImplementedError

    @staticmethod
    def render_http(request: Request, exc: HTTPException) -> Response:
        """The answer to an `HTTPException` FastAPI raised itself."""
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        surface = type(self)

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception:
                request.scope[ERROR_RENDERED] = True
                raise

        async def rendering(request: Request) -> Response:
            try:
                return await route(request)
            except RequestValidationError as exc:
                return surface.render_validation(request, validation_errors(exc))
            except SniperError as exc:
                return surface.render_error(request, exc)
            except HTTPException as exc:
                return surface.render_http(request, exc)
            except Exception:
                logger.exception("unhandled error on %s %s", request.method, request.url.path)
                return surface.render_error(request, SniperError(UNEXPECTED))

        return rendering
