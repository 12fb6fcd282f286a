"""Webhook logic behind the hit transaction and the `/api/v1/webhooks` routes. Never commits.

Decisions (DESIGN.md "Notifications"):

- A hit to a **disabled endpoint** is stored `dead` on arrival (`last_error` says why) and sends
  nothing: it stays listed and can be redelivered once the receiver works again.
- **Redeliver** re-queues the same `delivery_id` with a fresh retry round, whatever its status
  (delivered and dead included). If its endpoint is disabled, redelivering re-enables it: the
  account asked for this URL to be tried again. A delivery being attempted right now is a 409.
- **Re-enabling** also happens when the account sets the URL again (`reenable_endpoint`).
- A **test event** is sent at once, signed like any webhook, and its result returned; it is not
  stored, not retried and does not touch the endpoint's health.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.errors import BadRequest, Conflict, NotFound
from sniper.kit.wake import DELIVER_WEBHOOK
from sniper.models import Account, WebhookDelivery
from sniper.notify import events
from sniper.notify import repository as repo
from sniper.notify.sender import AttemptResult, send_webhook
from sniper.notify.ssrf import UnsafeWebhookUrl, check_webhook_url
from sniper.notify.tasks import encode_body
from sniper.notify.webhook_secrets import signing_secrets
from sniper.runtime import Runtime

STATUSES = ("pending", "delivered", "dead")


async def enqueue_webhook(
    session: AsyncSession,
    runtime: Runtime,
    *,
    delivery_id: str,
    account_id: int,
    target_id: str | None,
    url: str,
    body: events.WebhookBody,
) -> WebhookDelivery:
    """Write the outbox row of one webhook in the caller's transaction (the hit's) and wake the
    worker once it commits. `body.event_type` names the event. Dead on arrival, without a
    wake-up, when the (account, url) endpoint is disabled."""
    now = runtime.clock.now()
    endpoint = await repo.endpoint_for(session, account_id, url, now=now)
    delivery = WebhookDelivery(
        id=delivery_id,
        account_id=account_id,
        endpoint_id=endpoint.id,
        target_id=target_id,
        event_type=body.event_type,
        url=url,
        payload=body.model_dump(mode="json"),
        status="pending",
        round=1,
        next_attempt_at=now,
        created_at=now,
    )
    if endpoint.status != "active":
        delivery.status = "dead"
        delivery.last_error = f"endpoint disabled: {endpoint.disabled_reason}"
    session.add(delivery)
    if delivery.status == "pending":
        runtime.wakeups.wake_on_commit(session, DELIVER_WEBHOOK)
    return delivery


async def reenable_endpoint(session: AsyncSession, account_id: int, url: str) -> bool:
    """Re-enable the account's disabled webhook endpoint for `url` (call it when the account sets
    its webhook URL again). Returns True if it was disabled. Deliveries that died meanwhile stay
    dead; redeliver them one by one."""
    return await repo.reenable(session, account_id, url)


async def list_deliveries(
    session: AsyncSession,
    account: Account,
    *,
    target_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[WebhookDelivery], int]:
    """`(page, total)` of the account's deliveries, newest first; 400 for an unknown status."""
    if status is not None and status.lower() not in STATUSES:
        raise BadRequest(
            f"status: must be one of {', '.join(STATUSES)}", details={"field": "status"}
        )
    return await repo.list_page(
        session,
        account.id,
        target_id=target_id,
        status=status.lower() if status else None,
        limit=limit,
        offset=offset,
    )


async def redeliver(
    session: AsyncSession, runtime: Runtime, account: Account, delivery_id: str
) -> WebhookDelivery:
    """Queue `delivery_id` again now, same id, a new retry round; re-enables its endpoint.

    Raises NotFound (404) for an unknown or another account's delivery, Conflict (409
    `DELIVERY_IN_FLIGHT`) while a worker holds it."""
    delivery = await repo.get_owned(session, account.id, delivery_id, for_update=True)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id!r} not found")
    now = runtime.clock.now()
    lease = delivery.lease_expires_at
    if delivery.status == "pending" and lease is not None and lease > now:
        raise Conflict(
            "delivery is being attempted right now; retry in a moment",
            code="DELIVERY_IN_FLIGHT",
            details={"delivery_id": delivery_id},
        )
    await repo.reenable(session, account.id, delivery.url)
    delivery.status, delivery.round, delivery.next_attempt_at = "pending", delivery.round + 1, now
    delivery.lease_expires_at = delivery.delivered_at = None
    delivery.last_status_code = delivery.last_error = None
    await session.flush()
    runtime.wakeups.wake_on_commit(session, DELIVER_WEBHOOK)
    reloaded = await repo.get_owned(session, account.id, delivery_id)
    assert reloaded is not None
    return reloaded


async def send_test_event(
    runtime: Runtime, account: Account, url: str | None
) -> tuple[str, str, AttemptResult]:
    """POST a signed `webhook.test` event to `url`, or the account's default `webhook_url`;
    returns `(delivery_id, url, result)`. Call it outside any database transaction.

    Raises BadRequest (400, `details.field` = "url", or "webhook_url" for the default) when
    there is no URL or the SSRF guard refuses it.
    """
    field = "url" if url is not None else "webhook_url"
    chosen = (url.strip() if url is not None else account.webhook_url) or None
    if chosen is None:
        raise BadRequest(
            "url: give a url, or set the account's default webhook_url first",
            details={"field": "url"},
        )
    settings = runtime.settings
    try:
        await check_webhook_url(
            chosen, allow_networks=settings.webhook_allow_networks, resolver=runtime.resolver
        )
    except UnsafeWebhookUrl as exc:
        raise BadRequest(
            f"{field}: {exc}", code="INVALID_WEBHOOK_URL", details={"field": field}
        ) from exc
    delivery_id = events.new_delivery_id()
    now = runtime.clock.now()
    body = events.webhook_test(delivery_id=delivery_id, occurred_at=now)
    result = await send_webhook(
        runtime.webhook_http,
        chosen,
        secret=signing_secrets(account, now),
        delivery_id=delivery_id,
        body=encode_body(body.model_dump(mode="json")),
        timestamp=runtime.wall_clock.now(),
        allow_networks=settings.webhook_allow_networks,
        resolver=runtime.resolver,
        timeout_seconds=settings.webhook_timeout.total_seconds(),
    )
    return delivery_id, chosen, result
