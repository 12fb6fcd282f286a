"""Settings: one class, read once from `SNIPER_*` environment variables (and `.env`), fail fast.

This is the only module that reads the environment. Durations are `timedelta` (env values accept
seconds, e.g. `SNIPER_EXPIRY_GRACE=120`, or ISO 8601 durations).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SNIPER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./sniper.db"
    secret_key: str = Field(
        default="sniper-dev-secret-change-me",
        description="Server-side key for the HMAC-SHA256 digests of API keys.",
    )

    # Plans: slots and monthly tokens.
    free_plan_slots: int = Field(default=0, ge=0)
    paid_plan_slots: int = Field(default=5, ge=0)
    hit_cost: int = Field(default=1, ge=0)
    free_plan_tokens: int = Field(default=2_000, ge=0, description="Monthly quota.")
    paid_plan_tokens: int = Field(default=200_000, ge=0, description="Monthly quota.")
    expiry_grace: timedelta = timedelta(seconds=120)

    # EDGAR access.
    edgar_user_agent: str | None = None
    edgar_base_url: str = "https://www.sec.gov"
    edgar_max_rps: float = Field(default=10.0, gt=0)
    edgar_timeout: timedelta = timedelta(seconds=10)
    catalog_path: Path | None = None
    catalog_url: str = "https://www.sec.gov/files/company_tickers.json"
    catalog_refresh: timedelta = timedelta(days=1)
    poll_interval: timedelta = timedelta(seconds=1)
    feed_page_size: Literal[10, 20, 40, 80, 100] = 100  # the counts EDGAR's feed accepts
    feed_max_start: int = Field(default=5000, ge=0)
    replay_lag: timedelta = timedelta(seconds=30)

    # Notifications.
    webhook_allow_networks: Annotated[list[IPNetwork], NoDecode] = Field(default_factory=list)
    webhook_timeout: timedelta = timedelta(seconds=15)
    webhook_retry_delays: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0]
    )
    ws_heartbeat: timedelta = timedelta(seconds=30)

    # Workers.
    sweep_interval: timedelta = timedelta(seconds=1)

    @field_validator(
        "expiry_grace",
        "catalog_refresh",
        "edgar_timeout",
        "poll_interval",
        "replay_lag",
        "webhook_timeout",
        "ws_heartbeat",
        "sweep_interval",
        mode="before",
    )
    @classmethod
    def _seconds(cls, value: object) -> object:
        if isinstance(value, str) and value.replace(".", "", 1).isdigit():
            return float(value)
        return value

    @field_validator("webhook_allow_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("webhook_retry_delays", mode="before")
    @classmethod
    def _split_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return [float(part) for part in value.split(",") if part.strip()]
        return value

    def plan_tokens(self, plan: str) -> int:
        """Monthly token quota of `plan` (Finradar: free 2,000, paid 200,000)."""
        return self.paid_plan_tokens if plan == "paid" else self.free_plan_tokens

    def plan_slots(self, plan: str) -> int:
        """Concurrent sniper slots of `plan` (`free` or `paid`)."""
        return self.paid_plan_slots if plan == "paid" else self.free_plan_slots
