"""Thin routes of `/api/v1/webhooks` (Finradar sniper surface: snake_case, errors through the
SniperError tree). Another account's delivery is a 404. Decisions: `notify/service.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sniper.accounts.auth import AccountOutsideTransaction, CurrentAccount
from sniper.deps import RuntimeDep, SessionDep
from sniper.kit.pagination import Offset
from sniper.models import Account
from sniper.notify import service
from sniper.notify.schemas import (
    DeliveryList,
    DeliveryMeta,
    DeliveryOut,
    RotatedSecret,
    SecretInfo,
    WebhookTestRequest,
    WebhookTestResult,
)
from sniper.notify.webhook_secrets import display_prefix, previous_secret, rotate_secret
from sniper.runtime import Runtime

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.get("/deliveries", response_model=DeliveryList)
async def list_deliveries(
    session: SessionDep,
    account: CurrentAccount,
    target_id: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> DeliveryList:
    """The account's deliveries, newest first, each with its attempts; `meta` for paging.
    Filters `target_id` and `status` (`pending` | `delivered` | `dead`) combine."""
    rows, total = await service.list_deliveries(
        session, account, target_id=target_id, status=status, limit=limit, offset=offset
    )
    return DeliveryList(
        deliveries=[DeliveryOut.of(row) for row in rows],
        meta=DeliveryMeta(total=total, limit=limit, offset=offset),
    )


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut, status_code=202)
async def redeliver(
    delivery_id: str, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> DeliveryOut:
    """Queue the delivery again (same `delivery_id`, even if dead); 202 with the delivery.
    Re-enables a disabled endpoint; 404 if not the account's; 409 while being attempted."""
    delivery = await service.redeliver(session, runtime, account, delivery_id)
    return DeliveryOut.of(delivery)


@router.post("/test", response_model=WebhookTestResult)
async def send_test_event(
    runtime: RuntimeDep,
    account: AccountOutsideTransaction,
    body: WebhookTestRequest | None = None,
) -> WebhookTestResult:
    """Send a signed `webhook.test` event now to `url` or the account's `webhook_url` and
    report the receiver's answer; 400 naming the field when there is no URL or it is unsafe.
    No transaction is open during the HTTP call (the key is checked in one of its own)."""
    url = body.url if body is not None else None
    delivery_id, sent_to, result = await service.send_test_event(runtime, account, url)
    return WebhookTestResult(
        delivery_id=delivery_id,
        url=sent_to,
        delivered=result.outcome.ok,
        status_code=result.status_code,
        latency_ms=round(result.latency_ms, 1),
        response_excerpt=result.response_excerpt,
        error=result.error,
    )


@router.get("/secret", response_model=SecretInfo)
async def get_secret(runtime: RuntimeDep, account: CurrentAccount) -> SecretInfo:
    """Display prefixes of the signing secret (and of the previous one while it still signs)."""
    return _secret_info(runtime, account)


@router.post("/secret", response_model=RotatedSecret)
async def rotate(
    session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> RotatedSecret:
    """Rotate: returns the new secret once; the old one keeps signing alongside it for
    `SNIPER_WEBHOOK_SECRET_OVERLAP` (24 h), as a second `v1,` signature."""
    now = runtime.clock.now()
    secret = await rotate_secret(
        session, account, now=now, overlap=runtime.settings.webhook_secret_overlap
    )
    info = _secret_info(runtime, account)
    return RotatedSecret(
        secret=secret,
        secret_prefix=info.secret_prefix,
        previous_secret_prefix=info.previous_secret_prefix,
        previous_secret_expires_at=info.previous_secret_expires_at,
    )


def _secret_info(runtime: Runtime, account: Account) -> SecretInfo:
    now = runtime.clock.now()
    previous = previous_secret(account, now)
    return SecretInfo(
        secret_prefix=display_prefix(account.webhook_secret),
        previous_secret_prefix=display_prefix(previous) if previous else None,
        previous_secret_expires_at=account.webhook_previous_secret_expires_at if previous else None,
    )
