"""Rendering shared by the dashboard's pages: the templates, the navigation, the signed-in
visitor dependency and the post-redirect-get answer of a form action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sniper.dashboard import session as signin
from sniper.dashboard.session import Visitor
from sniper.deps import RuntimeDep, SessionDep
from sniper.errors import SniperError
from sniper.kit.surface import ERROR_RENDERED

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
LOGIN = "/dashboard/login"
NAV = (
    ("/dashboard/targets", "Targets"),
    ("/dashboard/live", "Live"),
    ("/dashboard/deliveries", "Deliveries"),
    ("/dashboard/filings", "Filings"),
    ("/dashboard/trading", "Trading control"),
    ("/dashboard/algorithms", "Algorithms"),
    ("/dashboard/account", "Account"),
)


async def current_visitor(request: Request, session: SessionDep, runtime: RuntimeDep) -> Visitor:
    """The signed-in visitor; `SignedOut` (a redirect to the sign-in page) otherwise."""
    return await signin.visitor(request, session, runtime.settings.secret_key)


VisitorDep = Annotated[Visitor, Depends(current_visitor)]


def render(
    request: Request,
    template: str,
    who: Visitor | None,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page `template` with the navigation, the visitor, `?notice=` / `?problem=` (set by
    `act`) and `context`. A 4xx marks the request so its transaction rolls back."""
    if status_code >= 400:
        request.scope[ERROR_RENDERED] = True
    values = {
        "who": who,
        "title": title,
        "nav": NAV,
        "here": request.url.path,
        "notice": request.query_params.get("notice"),
        "problem": request.query_params.get("problem"),
    }
    return TEMPLATES.TemplateResponse(request, template, values | context, status_code=status_code)


def back(path: str, *, notice: str | None = None, problem: str | None = None) -> RedirectResponse:
    """303 to `path` with the message the next page shows."""
    query = {k: v for k, v in (("notice", notice), ("problem", problem)) if v}
    joiner = "&" if "?" in path else "?"
    return RedirectResponse(path + (joiner + urlencode(query) if query else ""), status_code=303)


async def act(
    request: Request, path: str, action: Callable[[], Awaitable[str]]
) -> RedirectResponse:
    """Run a form's `action` (which returns the notice to show) and redirect to `path`; a
    `SniperError` rolls the transaction back and shows its message as the problem instead."""
    try:
        notice = await action()
    except SniperError as exc:
        request.scope[ERROR_RENDERED] = True
        return back(path, problem=exc.message)
    return back(path, notice=notice)


async def signed_out(request: Request, exc: Exception) -> Response:
    """The `SignedOut` handler: to the sign-in page, the stale cookie removed."""
    del exc
    response = RedirectResponse(LOGIN, status_code=303)
    signin.sign_out(response)
    return response
