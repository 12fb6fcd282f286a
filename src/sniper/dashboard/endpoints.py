"""The dashboard's routes: sign-in and sign-out, and `mount`, which adds every page's router,
the static assets, the offline docs and the `SignedOut` redirect to the app. Pages call the
same services as the API, in the request's transaction (`SessionDep`), never HTTP."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from sniper.accounts.service import authenticate
from sniper.dashboard import docs, filings, money, operations, research, session, targets
from sniper.dashboard.pages import HERE, LOGIN, VisitorDep, render, signed_out
from sniper.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    """`/` opens the dashboard."""
    return RedirectResponse("/dashboard/targets", status_code=303)


@router.get("/dashboard")
async def dashboard() -> RedirectResponse:
    """`/dashboard` opens the targets page."""
    return RedirectResponse("/dashboard/targets", status_code=303)


@router.get(LOGIN, response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    """The sign-in form (an API key)."""
    return render(request, "login.html", None, "Sign in")


@router.post(LOGIN, response_class=HTMLResponse)
async def login(request: Request, db: SessionDep, runtime: RuntimeDep) -> Response:
    """Check the posted `api_key`; 303 to the targets page with the session cookie set, or
    the form again (401) with the reason beside the field."""
    fields = await session.form(request)
    key = fields.get("api_key", "").strip()
    account = await authenticate(db, key, secret_key=runtime.settings.secret_key)
    if account is None:
        reason = "Enter an API key" if not key else "Invalid or revoked API key"
        return render(request, "login.html", None, "Sign in", 401, field_error=reason)
    response = RedirectResponse("/dashboard/targets", status_code=303)
    session.sign_in(
        response, runtime.settings.secret_key, key, secure=request.url.scheme == "https"
    )
    return response


@router.post("/dashboard/logout")
async def logout(request: Request, who: VisitorDep) -> Response:
    """End the session (CSRF-checked) and go back to the sign-in page."""
    await session.form(request, who)
    response = RedirectResponse(LOGIN, status_code=303)
    session.sign_out(response)
    return response


def mount(app: FastAPI) -> None:
    """Add the dashboard, its static files (`/dashboard/static`) and the offline docs."""
    app.add_exception_handler(session.SignedOut, signed_out)
    app.include_router(router)
    app.include_router(targets.router)
    app.include_router(operations.router)
    app.include_router(money.router)
    app.include_router(research.router)
    app.include_router(filings.router)
    app.mount("/dashboard/static", StaticFiles(directory=HERE / "static"), name="dashboard")
    docs.mount(app)
