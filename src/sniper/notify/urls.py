"""Validation of a customer's webhook URL field (target or account default)."""

from __future__ import annotations

from sniper.errors import BadRequest
from sniper.notify.ssrf import UnsafeWebhookUrl, check_webhook_url
from sniper.runtime import Runtime


async def validate_webhook_url(runtime: Runtime, url: str | None) -> str | None:
    """The trimmed URL, or None for null/blank. Raises 400 `INVALID_WEBHOOK_URL` naming the
    `webhook_url` field when the SSRF guard refuses it (https only, public addresses only,
    except networks in SNIPER_WEBHOOK_ALLOW_NETWORKS)."""
    url = url.strip() if url else None
    if not url:
        return None
    try:
        await check_webhook_url(
            url, allow_networks=runtime.settings.webhook_allow_networks, resolver=runtime.resolver
        )
    except UnsafeWebhookUrl as exc:
        raise BadRequest(
            f"webhook_url: {exc}", code="INVALID_WEBHOOK_URL", details={"field": "webhook_url"}
        ) from exc
    return url
