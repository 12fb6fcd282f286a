"""Event bodies shared by the webhook and the WebSocket push (DESIGN.md "Notifications").

`sniper.filing_hit` body: `event_type`, `occurred_at` (EDGAR acceptance time), `delivery_id`,
`target_id`, `payload{ticker, issuer_cik (10 digits), company_name, accession_number, form_type,
filed_at, filing_url, filing_index_url, detected_at, detection_source}`. `webhook.test` has the
same envelope with `target_id` null. Push frames: `{"type":"event","event":..,"data":{..}}`,
including `webhook.endpoint_disabled`. Times are ISO 8601 UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sniper.edgar.accession import archives_urls
from sniper.edgar.atom import DetectedFiling
from sniper.kit.ids import base62
from sniper.kit.timefmt import iso_z
from sniper.models import Target


def new_delivery_id() -> str:
    """`dlv_` + 22 base62 characters; the Standard Webhooks `webhook-id`."""
    return "dlv_" + base62(22)


def last_event(filing: DetectedFiling) -> dict[str, str]:
    """The `last_event` summary stored on a target that ended `filing_hit` (seed 002)."""
    return {
        "accession_number": filing.accession_number,
        "form_type": filing.form_type,
        "filed_at": iso_z(filing.accepted_at),
    }


def filing_hit_body(
    target: Target, filing: DetectedFiling, *, delivery_id: str, detected_at: datetime
) -> dict[str, Any]:
    """The webhook body of a hit; the WebSocket push carries the same dict as `data`."""
    filing_url, index_url = archives_urls(target.cik, filing.accession_number)
    names = {entity.cik: entity.name for entity in filing.entities}
    return {
        "event_type": "sniper.filing_hit",
        "occurred_at": iso_z(filing.accepted_at),
        "delivery_id": delivery_id,
        "target_id": target.id,
        "payload": {
            "ticker": target.ticker,
            "issuer_cik": f"{target.cik:010d}",
            "company_name": names.get(target.cik, target.company_name),
            "accession_number": filing.accession_number,
            "form_type": filing.form_type,
            "filed_at": iso_z(filing.accepted_at),
            "filing_url": filing_url,
            "filing_index_url": index_url,
            "detected_at": iso_z(detected_at),
            "detection_source": filing.source,
        },
    }


def push(event: str, data: dict[str, Any]) -> dict[str, Any]:
    """A WebSocket frame on `/ws/main-api`."""
    return {"type": "event", "event": event, "data": data}


def lifecycle_event(event: str, target: Target) -> dict[str, Any]:
    """`sniper.target_activated` / `_expired` / `_stopped` push frames."""
    return push(
        event,
        {
            "target_id": target.id,
            "ticker": target.ticker,
            "status": target.status,
            "resolution_reason": target.resolution_reason,
            "start_time": iso_z(target.start_time),
            "end_time": iso_z(target.end_time),
            "stopped_at": iso_z(target.stopped_at) if target.stopped_at else None,
        },
    )


def webhook_test_body(*, delivery_id: str, occurred_at: datetime) -> dict[str, Any]:
    """The body of a `webhook.test` event: the hit envelope with a fixed payload, no target."""
    return {
        "event_type": "webhook.test",
        "occurred_at": iso_z(occurred_at),
        "delivery_id": delivery_id,
        "target_id": None,
        "payload": {"message": "Sniper test event: your endpoint is reachable and verifies."},
    }


def endpoint_disabled_event(
    *, url: str, reason: str, disabled_at: datetime, first_failure_at: datetime | None
) -> dict[str, Any]:
    """`webhook.endpoint_disabled` push frame: the account's endpoint `url` gets no more
    webhooks until the URL is set again or a delivery is redelivered."""
    return push(
        "webhook.endpoint_disabled",
        {
            "url": url,
            "reason": reason,
            "disabled_at": iso_z(disabled_at),
            "first_failure_at": iso_z(first_failure_at) if first_failure_at else None,
        },
    )
