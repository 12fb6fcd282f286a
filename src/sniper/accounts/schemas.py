"""Bodies of the Finradar account endpoints (`/api/v1/account/...`, `/api/v1/user/`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sniper.kit.timefmt import UTCStamp

# 55-tech odds display preference (seed 004 `oddsFormat`), default `decimal`.
OddsFormat = Literal["american", "decimal", "hong_kong", "fractional"]


class Balance(BaseModel):
    """`current_balance` and `monthly_quota` are tokens; `next_refill_at` is null (no automatic
    monthly refill yet: tokens are granted with `sniper accounts grant`)."""

    current_balance: int
    plan: str
    monthly_quota: int
    sniper_slots: int
    suspended: bool
    next_refill_at: str | None


class DailyUsage(BaseModel):
    date: str  # YYYY-MM-DD, UTC
    tokens_used: int
    events: int


class EndpointUsage(BaseModel):
    endpoint: str
    tokens_used: int
    events: int


class Usage(BaseModel):
    """Debits in the last `window_days` UTC days; `daily` newest first, days without activity
    omitted; `top_endpoints` at most 10, most tokens first."""

    window_days: int
    total_tokens_used: int
    daily: list[DailyUsage]
    top_endpoints: list[EndpointUsage]


class Transaction(BaseModel):
    """One ledger row: signed `delta` (tokens), `type` debit/refund/refill/grant/adjustment,
    `endpoint` the endpoint or event that caused it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: UTCStamp
    type: str
    delta: int
    balance_after: int
    endpoint: str = Field(validation_alias="cause")
    reference: str | None
    metadata: dict[str, Any] = Field(validation_alias="details")


class Transactions(BaseModel):
    transactions: list[Transaction]


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    plan: str
    is_admin: bool
    webhook_url: str | None
    odds_format: OddsFormat
    created_at: UTCStamp


class UserUpdate(BaseModel):
    """`PUT /api/v1/user/`, at least one field: `webhook_url` is the account default (≤ 512
    chars), `""` or null clears it; `odds_format` the odds display preference of the trading
    control surface (seed 004 `oddsFormat`). A field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    webhook_url: Annotated[str | None, Field(max_length=512)] = None
    odds_format: OddsFormat | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UserUpdate:
        if not self.model_fields_set:
            raise ValueError("send webhook_url and/or odds_format")
        return self
