"""What the filing pipeline reaches out to, built once by the app's lifespan (`Runtime.pipeline`).

Live mode: EDGAR Archives at `SNIPER_EDGAR_BASE_URL` through the one shared `SecClient` (SEC's
10 requests per second cover every source), submissions JSON at https://data.sec.gov, OpenFIGI at
https://api.openfigi.com. Replay and API-only modes reach nothing unless the matching
`SNIPER_EDGAR_ARCHIVES_BASE_URL`, `SNIPER_EDGAR_SUBMISSIONS_BASE_URL` or
`SNIPER_OPENFIGI_BASE_URL` is set (tests and demos point them at local stand-ins).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sniper.config import Settings
from sniper.edgar.client import SecClient, build_sec_client
from sniper.filings.openfigi import OpenFigiClient, build_openfigi_client

LIVE_SUBMISSIONS = "https://data.sec.gov"
LIVE_OPENFIGI = "https://api.openfigi.com"
# Replay against a local stand-in needs no contact; SecClient still insists on the form.
STAND_IN_USER_AGENT = "Sniper stand-in replay@localhost.localdomain"


@dataclass
class PipelineResources:
    """`sec` fetches from `archives_base` (filing indexes and documents) and
    `submissions_base` (per-CIK submissions JSON); either base None means "not available".
    """

    sec: SecClient | None = None
    archives_base: str | None = None
    submissions_base: str | None = None
    openfigi: OpenFigiClient | None = None


def _base(explicit: str | None, live_default: str, live: bool) -> str | None:
    if explicit:
        return explicit.rstrip("/")
    return live_default.rstrip("/") if live else None


async def build_pipeline_resources(
    settings: Settings, mode: str, sec: SecClient | None, stack: contextlib.AsyncExitStack
) -> PipelineResources:
    """Resources for `mode` (`live`, `replay`, `off`); clients it creates are closed by
    `stack`. `sec` is the live-mode client, reused so every SEC request shares its limit."""
    live = mode == "live"
    archives = _base(settings.edgar_archives_base_url, settings.edgar_base_url, live)
    submissions = _base(settings.edgar_submissions_base_url, LIVE_SUBMISSIONS, live)
    client = sec if live else None
    if client is None and (archives or submissions):
        client = build_sec_client(
            user_agent=settings.edgar_user_agent or STAND_IN_USER_AGENT,
            max_rps=settings.edgar_max_rps,
            timeout_seconds=settings.edgar_timeout.total_seconds(),
        )
        stack.push_async_callback(client.aclose)
    figi_base = _base(settings.openfigi_base_url, LIVE_OPENFIGI, live)
    openfigi = None
    if figi_base is not None:
        openfigi = build_openfigi_client(
            base_url=figi_base,
            api_key=settings.openfigi_api_key,
            timeout_seconds=settings.edgar_timeout.total_seconds(),
        )
        stack.push_async_callback(openfigi.aclose)
    return PipelineResources(client, archives, submissions, openfigi)
