"""Settings: one class, read once from `SNIPER_*` environment variables (and `.env`), fail fast.

This is the only module that reads the environment. Durations are `timedelta` (env values accept
seconds, e.g. `SNIPER_EXPIRY_GRACE=120`, or ISO 8601 durations).
"""

from __future__ import annotations

import ipaddress
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Standard Webhooks v1's example retry schedule, in seconds after each failed attempt.
STANDARD_WEBHOOKS_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, 72000.0, 86400.0)


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
    edgar_max_rps: float = Field(default=10.0, gt=0)  # hard cap, every request (SEC: 10/s)
    edgar_plan_rps: int = Field(default=8, ge=1)  # what the detection planner plans per second
    edgar_timeout: timedelta = timedelta(seconds=10)
    catalog_path: Path | None = None
    catalog_url: str = "https://www.sec.gov/files/company_tickers.json"
    catalog_refresh: timedelta = timedelta(days=1)
    poll_interval: timedelta = timedelta(seconds=1)
    feed_page_size: Literal[10, 20, 40, 80, 100] = 20  # page 0's count (EDGAR's counts)
    feed_max_start: int = Field(default=5000, ge=0)
    feed_deep_interval: timedelta = timedelta(seconds=30)  # the deeper re-read's period
    feed_deep_entries: int = Field(default=300, ge=0, le=5100)  # ... and depth
    backstop_interval: timedelta = timedelta(seconds=45)  # submissions JSON per watched CIK
    probe_lookahead: int = Field(default=12, ge=1, le=100)  # max numbers past a prefix's head
    replay_seed: int = 0  # seeds the replay's Archives and feed lags
    # The recorded lags the replay draws from; None: <replay dir>/../timing/ (shared/edgar/).
    replay_timing_path: Path | None = None
    # 13F demo (`make run` sets both): recorded full submissions the replay places into its
    # day and serves under their Archives paths, and the recorded OpenFIGI mapping CSV a local
    # OpenFIGI stand-in answers from (sniper.filings.figi_standin). None: off.
    replay_submissions_path: Path | None = None
    replay_openfigi_path: Path | None = None

    # Notifications.
    webhook_allow_networks: Annotated[list[IPNetwork], NoDecode] = Field(default_factory=list)
    webhook_timeout: timedelta = timedelta(seconds=15)
    # Seconds to wait after failed attempt n (Standard Webhooks' example schedule: 5 s, 5 min,
    # 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h; with the first attempt that is 10, the last
    # ~75 h after the first), each +-`webhook_jitter`; then the delivery is dead.
    webhook_retry_delays: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: list(STANDARD_WEBHOOKS_DELAYS)
    )
    webhook_max_attempts: int | None = Field(default=None, ge=1)  # None: len(delays) + 1
    webhook_backoff_cap: timedelta = timedelta(hours=24)  # delays past the schedule double to it
    webhook_jitter: float = Field(default=0.2, ge=0, lt=1)
    webhook_retry_after_max: timedelta = timedelta(hours=1)  # a receiver's Retry-After, clamped
    webhook_lease: timedelta = timedelta(seconds=60)  # a claim's hold; must exceed the timeout
    webhook_disable_after: timedelta = timedelta(days=5)  # failing with no success (Svix)
    webhook_endpoint_concurrency: int = Field(default=4, ge=1)
    webhook_max_in_flight: int = Field(default=64, ge=1)  # per worker process
    webhook_secret_overlap: timedelta = timedelta(hours=24)  # old secret still signs this long
    ws_heartbeat: timedelta = timedelta(seconds=30)
    # How often an open WebSocket re-checks its API key (a revoked key's sockets close).
    ws_auth_recheck: timedelta = Field(default=timedelta(seconds=5), gt=timedelta(0))
    # Open WebSockets per account over both endpoints, counted per process (55-tech: 5 per client).
    ws_max_connections_per_account: int = Field(default=5, ge=1)
    # `/ws/main-api` event log a reconnecting client resumes from (`?last_event_id=`): the
    # newest SNIPER_WS_EVENT_LOG_SIZE events per account, none older than SNIPER_WS_EVENT_LOG_AGE.
    ws_event_log_size: int = Field(default=1000, ge=1)
    ws_event_log_age: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))

    # Workers.
    sweep_interval: timedelta = timedelta(seconds=1)

    # The service clock in the database (sniper.serviceclock): a replaying process writes it
    # every `service_clock_interval`; the CLI stamps rows with it unless it is older than
    # `service_clock_stale` (no replay running: wall time).
    service_clock_interval: timedelta = Field(default=timedelta(seconds=5), gt=timedelta(0))
    service_clock_stale: timedelta = Field(default=timedelta(seconds=30), gt=timedelta(0))

    # HTTP surface: per-account rate limits (a moving window, `limits` notation such as
    # "600/minute"), shared across processes through Redis when `redis_url` is set
    # ("redis://127.0.0.1:6379/0"; in-process memory otherwise), request body cap, and how long an
    # Idempotency-Key answer is kept.
    redis_url: str | None = None
    redis_key_prefix: str = Field(default="sniper", min_length=1)
    free_plan_rate_limit: str = "60/minute"
    paid_plan_rate_limit: str = "600/minute"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    idempotency_ttl: timedelta = timedelta(hours=24)
    # How long a process remembers which account a key belongs to on hot read routes
    # (`sniper.accounts.keycache`); 0 looks every request's key up.
    api_key_cache_ttl: timedelta = Field(default=timedelta(seconds=5), ge=timedelta(0))

    # Metrics and logs (sniper.monitoring, sniper.kit.logs): `/metrics` without a key on a port
    # of its own when set (else only on the API, for an admin key); JSON lines or console.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    log_format: Literal["console", "json"] = "console"

    # Filing pipeline (sniper.filings). Base URLs default to SEC / OpenFIGI in live mode only;
    # in replay and API-only mode they are off unless set (tests point them at local stand-ins),
    # so nothing leaves the machine. Without an archives source a hit ends `parse_failed`.
    edgar_archives_base_url: str | None = None  # live default: edgar_base_url
    edgar_submissions_base_url: str | None = None  # live default: https://data.sec.gov
    openfigi_api_key: str | None = None
    openfigi_base_url: str | None = None  # live default: https://api.openfigi.com
    filing_job_max_attempts: int = Field(default=5, ge=1)
    filing_job_retry_base: timedelta = timedelta(seconds=30)  # doubles per attempt
    filing_job_retry_cap: timedelta = timedelta(hours=1)
    filing_job_lease: timedelta = timedelta(minutes=5)
    candidate_urls_timeout: timedelta = timedelta(seconds=2)
    candidate_urls_max: int = Field(default=10, ge=0, le=50)

    # Trading algorithms (sniper.trading). Paper runs play daily bars through the service clock:
    # one bar every `paper_bar_interval` of clock time, from `paper_from`. Bars come from
    # `market_data_dir/<TICKER>.csv` when that file exists, else the bundled sample
    # (bokeh-sampledata, and hvsampledata's AAPL 2019-2024; see sniper.trading.engine.marketdata).
    paper_bar_interval: timedelta = timedelta(seconds=60)
    paper_from: date = date(2012, 3, 1)
    paper_initial_balance: float = Field(default=100_000.0, gt=0)
    paper_tick: timedelta = timedelta(seconds=1)  # how often the runner looks for due bars
    market_data_dir: Path | None = None

    @field_validator("replay_submissions_path", "replay_openfigi_path", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        """An empty `SNIPER_REPLAY_*_PATH` turns the 13F demo's recordings off (`make run
        DEMO_13F= DEMO_FIGI=`), not the current directory."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "expiry_grace",
        "catalog_refresh",
        "edgar_timeout",
        "poll_interval",
        "feed_deep_interval",
        "backstop_interval",
        "webhook_timeout",
        "webhook_backoff_cap",
        "webhook_retry_after_max",
        "webhook_lease",
        "webhook_disable_after",
        "webhook_secret_overlap",
        "ws_heartbeat",
        "ws_auth_recheck",
        "ws_event_log_age",
        "sweep_interval",
        "service_clock_interval",
        "service_clock_stale",
        "idempotency_ttl",
        "api_key_cache_ttl",
        "filing_job_retry_base",
        "filing_job_retry_cap",
        "filing_job_lease",
        "candidate_urls_timeout",
        "paper_bar_interval",
        "paper_tick",
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

    @field_validator("webhook_retry_delays")
    @classmethod
    def _non_negative_delays(cls, value: list[float]) -> list[float]:
        if any(delay < 0 for delay in value):
            raise ValueError("webhook retry delays must be >= 0 seconds")
        return value

    @model_validator(mode="after")
    def _lease_outlasts_timeout(self) -> Settings:
        if self.webhook_lease <= self.webhook_timeout:
            raise ValueError("webhook_lease must be longer than webhook_timeout")
        return self

    @field_validator("free_plan_rate_limit", "paid_plan_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        limits.parse(value)  # ValueError on anything `limits` cannot read: fail at startup
        return value

    def plan_rate_limit(self, plan: str) -> str:
        """Request limit of `plan` per account, e.g. "600/minute" (free 60/min, paid 600/min)."""
        return self.paid_plan_rate_limit if plan == "paid" else self.free_plan_rate_limit

    def plan_tokens(self, plan: str) -> int:
        """Monthly token quota of `plan` (Finradar: free 2,000, paid 200,000)."""
        return self.paid_plan_tokens if plan == "paid" else self.free_plan_tokens

    def plan_slots(self, plan: str) -> int:
        """Concurrent sniper slots of `plan` (`free` or `paid`)."""
        return self.paid_plan_slots if plan == "paid" else self.free_plan_slots
