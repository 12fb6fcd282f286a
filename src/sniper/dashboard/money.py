"""Deliveries page (attempts with status code, latency and response excerpt; redeliver; the
webhook secret's prefix, rotation revealing the new secret once; the default webhook URL) and
Account page (balance and plan, tokens used per day charted by plotly.js, transactions)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sniper.accounts import ledger
from sniper.accounts.schemas import Transaction
from sniper.accounts.service import update_webhook_url
from sniper.dashboard import session
from sniper.dashboard.pages import VisitorDep, act, render
from sniper.deps import RuntimeDep, SessionDep
from sniper.notify import service as notify
from sniper.notify.schemas import DeliveryOut
from sniper.notify.webhook_secrets import display_prefix, rotate_secret

router = APIRouter(prefix="/dashboard", include_in_schema=False)
DELIVERIES = "/dashboard/deliveries"


async def _deliveries(
    request: Request, db: SessionDep, who: session.Visitor, revealed: str | None = None
) -> HTMLResponse:
    rows, total = await notify.list_deliveries(
        db, who.account, target_id=None, status=None, limit=50, offset=0
    )
    page = render(
        request,
        "deliveries.html",
        who,
        "Deliveries",
        deliveries=[DeliveryOut.of(row) for row in rows],
        total=total,
        secret_prefix=display_prefix(who.account.webhook_secret),
        revealed=revealed,
    )
    page.headers["Cache-Control"] = "no-store"  # a revealed secret is shown once
    return page


@router.get("/deliveries", response_class=HTMLResponse)
async def deliveries_page(request: Request, db: SessionDep, who: VisitorDep) -> Response:
    """The newest 50 deliveries with their attempts, the secret's prefix, the default URL."""
    return await _deliveries(request, db, who)


@router.post("/deliveries/{delivery_id}/redeliver", response_class=HTMLResponse)
async def redeliver(
    delivery_id: str, request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Queue a delivery again (CSRF-checked)."""
    await session.form(request, who)

    async def run() -> str:
        delivery = await notify.redeliver(db, runtime, who.account, delivery_id)
        return f"Delivery {delivery.id} queued again"

    return await act(request, DELIVERIES, run)


@router.post("/deliveries/secret", response_class=HTMLResponse)
async def rotate(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Rotate the signing secret; this answer shows the new one, once (not stored in a URL)."""
    await session.form(request, who)
    secret = await rotate_secret(
        db, who.account, now=runtime.clock.now(), overlap=runtime.settings.webhook_secret_overlap
    )
    return await _deliveries(request, db, who, revealed=secret)


@router.post("/deliveries/webhook-url", response_class=HTMLResponse)
async def webhook_url(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Set (or, blank, clear) the account's default webhook URL; 400s shown as the problem."""
    fields = await session.form(request, who)

    async def run() -> str:
        await update_webhook_url(db, runtime, who.account, fields.get("webhook_url", "").strip())
        return "Default webhook URL saved"

    return await act(request, DELIVERIES, run)


@router.get("/account", response_class=HTMLResponse)
async def account_page(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Balance and plan, usage over 30 days (a chart), the newest 50 transactions."""
    usage = await ledger.usage(db, who.account.id, days=30, now=runtime.clock.now())
    rows = await ledger.transactions(db, who.account.id, 50)
    daily = sorted(usage.daily, key=lambda d: d.day)
    return render(
        request,
        "account.html",
        who,
        "Account",
        slots=runtime.settings.plan_slots(who.account.plan),
        usage=usage,
        chart={"days": [d.day for d in daily], "tokens": [d.tokens_used for d in daily]},
        transactions=[Transaction.model_validate(row) for row in rows],
    )
