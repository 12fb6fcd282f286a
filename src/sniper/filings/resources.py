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
from sniper.filings.figi_standin import standin_client
from sniper.filings.openfigi import OpenFigiClient, build_openfigi_client

LIVE_SUBMISSIONS = "https://data.sec.gov"
LIVE_OPENFIGI = "https://api.openfigi.com"
REPLAY_ARCHIVES = "https://www.sec.gov"  # answered by the simulated EDGAR in replay
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
    `stack`. `sec` is the mode's own SEC client (live EDGAR, or the simulated EDGAR in
    replay), reused so every SEC request shares its limit. A replay without an explicit
    archives or submissions URL fetches from the simulated EDGAR, and without an explicit
    OpenFIGI URL maps CUSIPs through the recorded stand-in (`SNIPER_REPLAY_OPENFIGI_PATH`)."""
    live = mode == "live"
    explicit = settings.edgar_archives_base_url or settings.edgar_submissions_base_url
    via_source = sec is not None and (live or (mode == "replay" and not explicit))
    archives_default = settings.edgar_base_url if live else REPLAY_ARCHIVES
    archives = _base(settings.edgar_archives_base_url, archives_default, via_source)
    submissions = _base(settings.edgar_submissions_base_url, LIVE_SUBMISSIONS, via_source)
    client = sec if via_source else None
    if client is None and (archives or submissions):
        client = build_sec_client(
            user_agent=settings.edgar_user_agent or STAND_IN_USER_AGENT,
            max_rps=settings.edgar_max_rps,
            timeout_seconds=settings.edgar_timeout.total_seconds(),
        )
        stack.push_async_callback(client.aclose)
    openfigi = _openfigi(settings, mode)
    if openfigi is not None:
        stack.push_async_callback(openfigi.aclose)
    return PipelineResources(client, archives, submissions, openfigi)


def _openfigi(settings: Settings, mode: str) -> OpenFigiClient | None:
    timeout = settings.edgar_timeout.total_seconds()
    figi_base = _base(settings.openfigi_base_url, LIVE_OPENFIGI, mode == "live")
    if figi_base is not None:
        return build_openfigi_client(
            base_url=figi_base, api_key=settings.openfigi_api_key, timeout_seconds=timeout
        )
    recorded = settings.replay_openfigi_path
    if mode == "replay" and recorded is not None:
        return standin_client(recorded, timeout_seconds=timeout)
    return None
