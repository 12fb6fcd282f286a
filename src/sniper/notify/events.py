"""The event catalogue: every webhook body and every push frame, as pydantic models (DESIGN.md
"Notifications"). `sniper.api` lists them in OpenAPI: the webhook bodies under `webhooks`, the
frames as the `PushFrame` schema.

Webhook bodies (`WebhookBody`, keyed by `event_type`):

- `sniper.filing_hit`: `event_type`, `occurred_at` (EDGAR acceptance time), `delivery_id`,
  `target_id`, `payload{ticker, issuer_cik (10 digits), company_name, accession_number,
  form_type, filed_at, filing_url, filing_index_url, detected_at, detection_source}`;
- `webhook.test`: the same envelope with `target_id` null and a fixed message.

`/ws/main-api` frames (`MainApiFrame`, `{"type":"event","event":..,"data":{..}}`, keyed by
`event`): `sniper.filing_hit` (the webhook body as `data`), `sniper.target_activated` /
`_expired` / `_stopped`, `sniper.processing_state`, `webhook.endpoint_disabled`. The trading
control plane's `/ws/subscribe` frames are `trading.control.push.Broadcast`. Times are ISO 8601
UTC (`iso_z`).

Socket.IO `/sec` `new_filing` and `/13f` `new_13f_filing` bodies (`NewFiling`, `notify.sio`)
are a hit in the Finradar stream shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from sniper.edgar.accession import archives_urls
from sniper.edgar.atom import DetectedFiling, eastern_zone
from sniper.kit.ids import base62
from sniper.kit.timefmt import UTCStamp, iso_z
from sniper.models import Target

LifecycleEvent = Literal[
    "sniper.target_activated", "sniper.target_expired", "sniper.target_stopped"
]


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


class HitPayload(BaseModel):
    """The filing a target caught; `detection_source` names the source that saw it first
    (`atom`, `archives`, `submissions`)."""

    ticker: str
    issuer_cik: str = Field(description="10 digits, zero-padded")
    company_name: str
    accession_number: str
    form_type: str
    filed_at: UTCStamp = Field(description="EDGAR acceptance time")
    filing_url: str
    filing_index_url: str
    detected_at: UTCStamp
    detection_source: str


class FilingHit(BaseModel):
    """Webhook body of a hit; the `sniper.filing_hit` frame carries it as `data`."""

    event_type: Literal["sniper.filing_hit"] = "sniper.filing_hit"
    occurred_at: UTCStamp = Field(description="EDGAR acceptance time")
    delivery_id: str = Field(description="the webhook-id header")
    target_id: str
    payload: HitPayload


class WebhookTestPayload(BaseModel):
    message: str


class WebhookTest(BaseModel):
    """Body of `POST /api/v1/webhooks/test`'s event: no target."""

    event_type: Literal["webhook.test"] = "webhook.test"
    occurred_at: UTCStamp
    delivery_id: str
    target_id: None = None
    payload: WebhookTestPayload


WebhookBody = Annotated[FilingHit | WebhookTest, Field(discriminator="event_type")]


class TargetState(BaseModel):
    target_id: str
    ticker: str
    status: str
    resolution_reason: str | None
    start_time: UTCStamp
    end_time: UTCStamp
    stopped_at: UTCStamp | None


class ProcessingState(BaseModel):
    """Where the parse and enrichment of a hit's filing stand (`detected`, `parsing`, `parsed`,
    `enriched`, `parse_failed`)."""

    target_id: str
    ticker: str
    accession_number: str
    processing_state: str | None
    filing_uuid: str | None
    holdings_count: int | None
    parsed_at: UTCStamp | None
    enriched_at: UTCStamp | None
    error: str | None


class EndpointDisabled(BaseModel):
    """The account's endpoint `url` gets no more webhooks until the URL is set again or a
    delivery is redelivered."""

    url: str
    reason: str
    disabled_at: UTCStamp
    first_failure_at: UTCStamp | None


class EventFrame(BaseModel):
    """`{"id":N,"type":"event","event":..,"data":{..}}` on `/ws/main-api`; `id` is the event's
    place in the account's log (`?last_event_id=N` resumes after it)."""

    id: int | None = Field(
        default=None, description="log id, increasing per account; `?last_event_id=` resumes"
    )
    type: Literal["event"] = "event"


class HitFrame(EventFrame):
    event: Literal["sniper.filing_hit"] = "sniper.filing_hit"
    data: FilingHit


class LifecycleFrame(EventFrame):
    event: LifecycleEvent
    data: TargetState


class ProcessingFrame(EventFrame):
    event: Literal["sniper.processing_state"] = "sniper.processing_state"
    data: ProcessingState


class EndpointDisabledFrame(EventFrame):
    event: Literal["webhook.endpoint_disabled"] = "webhook.endpoint_disabled"
    data: EndpointDisabled


MainApiFrame = Annotated[
    HitFrame | LifecycleFrame | ProcessingFrame | EndpointDisabledFrame,
    Field(discriminator="event"),
]


def filing_hit(
    target: Target, filing: DetectedFiling, *, delivery_id: str, detected_at: datetime
) -> FilingHit:
    """The webhook body of a hit."""
    filing_url, index_url = archives_urls(target.cik, filing.accession_number)
    names = {entity.cik: entity.name for entity in filing.entities}
    payload = HitPayload(
        ticker=target.ticker,
        issuer_cik=f"{target.cik:010d}",
        company_name=names.get(target.cik, target.company_name),
        accession_number=filing.accession_number,
        form_type=filing.form_type,
        filed_at=filing.accepted_at,
        filing_url=filing_url,
        filing_index_url=index_url,
        detected_at=detected_at,
        detection_source=filing.source,
    )
    return FilingHit(
        occurred_at=filing.accepted_at,
        delivery_id=delivery_id,
        target_id=target.id,
        payload=payload,
    )


def webhook_test(*, delivery_id: str, occurred_at: datetime) -> WebhookTest:
    message = "Sniper test event: your endpoint is reachable and verifies."
    return WebhookTest(
        occurred_at=occurred_at,
        delivery_id=delivery_id,
        payload=WebhookTestPayload(message=message),
    )


def lifecycle(event: LifecycleEvent, target: Target) -> LifecycleFrame:
    """`sniper.target_activated` / `_expired` / `_stopped`."""
    state = TargetState(
        target_id=target.id,
        ticker=target.ticker,
        status=target.status,
        resolution_reason=target.resolution_reason,
        start_time=target.start_time,
        end_time=target.end_time,
        stopped_at=target.stopped_at,
    )
    return LifecycleFrame(event=event, data=state)


def processing(target: Target, accession_number: str, error: str | None = None) -> ProcessingFrame:
    """The `sniper.processing_state` frame of one target."""
    state = ProcessingState(
        target_id=target.id,
        ticker=target.ticker,
        accession_number=accession_number,
        processing_state=target.processing_state,
        filing_uuid=target.filing_uuid,
        holdings_count=target.holdings_count,
        parsed_at=target.parsed_at,
        enriched_at=target.enriched_at,
        error=error,
    )
    return ProcessingFrame(data=state)


def endpoint_disabled(
    *, url: str, reason: str, disabled_at: datetime, first_failure_at: datetime | None
) -> EndpointDisabledFrame:
    data = EndpointDisabled(
        url=url, reason=reason, disabled_at=disabled_at, first_failure_at=first_failure_at
    )
    return EndpointDisabledFrame(data=data)


class NewFiling(BaseModel):
    """A hit as the Finradar Socket.IO streams send it (uat.finradarapi.com/llms/
    main-api-stream.txt, "Response fields"): `event` (`new_filing` on `/sec`,
    `new_13f_filing` on `/13f`), `accession_number` (`XXXXXXXXXX-YY-NNNNNN`; `/13f` repeats
    it as `accession_no`, its page's per-event name, and the company as `filer_name`
    (13f-live-stream.txt)), `cik` (10 digits), `ticker`,
    `form_type`, `filed_date` (`YYYY-MM-DD`, the acceptance date in ET), `accepted_at` (EDGAR
    acceptance, UTC), `filing_url`; Sniper adds `company_name`, `target_id`, `delivery_id`."""

    event: Literal["new_filing", "new_13f_filing"] = "new_filing"
    accession_number: str
    accession_no: str | None = None
    filer_name: str | None = None
    cik: str = Field(description="10 digits, zero-padded")
    ticker: str | None
    form_type: str
    filed_date: str = Field(description="YYYY-MM-DD, the acceptance date in ET")
    accepted_at: UTCStamp = Field(description="EDGAR acceptance time")
    filing_url: str
    company_name: str
    target_id: str
    delivery_id: str


def new_filing(hit: FilingHit) -> NewFiling:
    """The `/sec` `new_filing` body of a hit."""
    payload = hit.payload
    return NewFiling(
        accession_number=payload.accession_number,
        cik=payload.issuer_cik,
        ticker=payload.ticker,
        form_type=payload.form_type,
        filed_date=payload.filed_at.astimezone(eastern_zone()).date().isoformat(),
        accepted_at=payload.filed_at,
        filing_url=payload.filing_url,
        company_name=payload.company_name,
        target_id=hit.target_id,
        delivery_id=hit.delivery_id,
    )
