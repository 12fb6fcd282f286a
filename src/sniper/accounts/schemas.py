"""Bodies of the Finradar account endpoints (`/api/v1/account/...`, `/api/v1/user/`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sniper.kit.timefmt import UTCStamp

# 55-tech odds display preference (seed 004 `oddsFormat`), default `decimal`.
OddsFormat = Literal["american", "decimal", "hong_kong", "fractional"]


class Balance(BaseModel):
    """`current_balance` and `monthly_quota` are tokens; `suspended` is true at a zero balance;
    `next_refill_at` and `billing_cycle_end` are null (no automatic monthly refill yet: tokens
    are granted with `sniper accounts grant`)."""

    current_balance: int
    plan: str
    monthly_quota: int
    sniper_slots: int
    suspended: bool
    next_refill_at: str | None
    billing_cycle_end: str | None


class DailyUsage(BaseModel):
    day: str  # ISO-8601 date (YYYY-MM-DD), UTC
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
    `endpoint` the endpoint or event that caused it; `metadata` always carries `request_id`
    (the `X-Request-ID` of the call that caused the row; null for a filing hit or a CLI grant).
    Source: uat.finradarapi.com/docs/account/token-pricing/get-api-v1-account-transactions."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: UTCStamp
    type: str
    delta: int
    balance_after: int
    endpoint: str = Field(validation_alias="cause")
    reference: str | None
    metadata: dict[str, Any] = Field(validation_alias="details")

    @field_validator("metadata", mode="after")
    @classmethod
    def _with_request_id(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {"request_id": None, **value}


class Transactions(BaseModel):
    transactions: list[Transaction]


class User(BaseModel):
    """The Finradar user object (uat.finradarapi.com/docs/account/user-data/get-api-v1-user):
    `usertype` `user`/`admin`, `plan`, the notification preferences `webhook_url` (null when
    none), `notify_email`, `notify_browser`; plus Sniper's `name`, `is_admin`, `odds_format`
    (55-tech `oddsFormat`) and `created_at`."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    usertype: Literal["user", "admin"]
    plan: str
    is_admin: bool
    webhook_url: str | None
    notify_email: bool
    notify_browser: bool
    odds_format: OddsFormat
    created_at: UTCStamp


class UserUpdated(BaseModel):
    """`PUT /api/v1/user/`: `message` (`Profile updated successfully`) and the updated `user`
    (same shape as `GET /api/v1/user/`)."""

    message: str
    user: User


class UserProfile(BaseModel):
    """`GET /api/v1/user/`: the authenticated `user`."""

    user: User


class UserUpdate(BaseModel):
    """`PUT /api/v1/user/`, at least one field: `webhook_url` is the account default (≤ 512
    chars), `""` or null clears it; `notify_email`, `notify_browser` booleans (JSON true/false
    only); `odds_format` the odds display preference of the trading control surface (seed 004
    `oddsFormat`). A field left out stays as it is. Other fields are refused (400 naming them).
    Source: uat.finradarapi.com/docs/account/user-data/put-api-v1-user."""

    model_config = ConfigDict(extra="forbid")

    webhook_url: Annotated[str | None, Field(max_length=512)] = None
    notify_email: Annotated[bool | None, Field(strict=True)] = None
    notify_browser: Annotated[bool | None, Field(strict=True)] = None
    odds_format: OddsFormat | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UserUpdate:
        if not self.model_fields_set:
            raise ValueError("send webhook_url, notify_email, notify_browser and/or odds_format")
        return self
