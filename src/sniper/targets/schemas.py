"""Request and response bodies of the Finradar sniper endpoints (seeds 000-002), snake_case."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from sniper.kit.timefmt import UTCStamp


class CreateTargetRequest(BaseModel):
    """`POST /api/v1/sniper/targets`. Times are ISO 8601 strings, parsed by the service so the
    400 message names the field.

    Strict JSON types, no silent coercion: `ticker`, `start_time`, `end_time` and `webhook_url`
    are JSON strings (or null where optional), `duration_minutes` a JSON integer (`"60"`, `60.0`
    and `true` are refused), `form_types` an array of strings. A wrong type is a 400 whose
    `details.field` names the field. Unknown fields are ignored.
    """

    model_config = ConfigDict(strict=True)

    ticker: Annotated[str, Field(min_length=1, max_length=16)]
    duration_minutes: Annotated[int | None, Field(ge=1, le=1440)] = None
    start_time: str | None = None
    end_time: str | None = None
    form_types: Annotated[list[str] | None, Field(max_length=50)] = None
    webhook_url: Annotated[str | None, Field(max_length=512)] = None


class CandidateUrl(BaseModel):
    accession: str
    url: str


class TargetOut(BaseModel):
    """One target as seeds 001 and 002 show it."""

    model_config = ConfigDict(from_attributes=True)

    target_id: str = Field(validation_alias="id")
    ticker: str
    status: str
    start_time: UTCStamp
    end_time: UTCStamp
    form_types: list[str] | None
    webhook_url: str | None
    resolution_reason: str | None
    last_event: dict[str, Any] | None
    created_at: UTCStamp
    filing_uuid: str | None
    processing_state: str | None
    holdings_count: int | None
    parsed_at: UTCStamp | None
    enriched_at: UTCStamp | None
    candidate_urls: list[CandidateUrl] | None


class ListMeta(BaseModel):
    total: int
    limit: int
    offset: int
    active_count: int
    slots_available: int


class TargetList(BaseModel):
    targets: list[TargetOut]
    meta: ListMeta


class StopResult(BaseModel):
    """`POST /api/v1/sniper/targets/{target_id}/stop` (seed 000)."""

    target_id: str
    ticker: str
    status: str
    resolution_reason: str | None
    stopped_at: UTCStamp | None
    slots_available: int
