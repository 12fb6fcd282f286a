"""Helpers for the SimulatedEdgar tests: hand-built filings on a ManualClock, feed reads, and
the simulator behind a real local HTTP server (`tests.support.http_server.LocalServer`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sniper.clock import ManualClock
from sniper.edgar.atom import FeedEntry, FilingEntity, parse_feed_document
from sniper.edgar.simulated import LagModel, SimFiling, SimulatedEdgar
from tests.support.http_server import Handler, LocalServer, Reply, Request
from tests.support.paths import SHARED_EDGAR

LAGS_CSV = SHARED_EDGAR / "timing/fastest_way_etag_results.csv"
FEED = (
    "/cgi-bin/browse-edgar?action=getcurrent&count={count}&start={start}&type={type}"
    "&owner=include&output=atom"
)
T0 = datetime(2025, 12, 12, 21, 0, tzinfo=UTC)  # 16:00 ET
APPLE = (FilingEntity(320193, "Apple Inc.", "Filer"),)
FORM4 = (
    FilingEntity(1405109, "Su Lisa T", "Reporting"),
    FilingEntity(2488, "ADVANCED MICRO DEVICES INC", "Issuer"),
)
SCHEDULE = (
    FilingEntity(1100663, "AT&T INC.", "Subject"),
    FilingEntity(2052113, "X", "Filed by"),
)


@lru_cache(maxsize=1)
def recorded_lags() -> LagModel:
    """The measured lags (`shared/edgar/timing/fastest_way_etag_results.csv`), loaded once."""
    return LagModel.recorded(LAGS_CSV)


def sim_filing(
    accession: str,
    accepted: datetime,
    archives_after: float,
    feed_after: float,
    entities: tuple[FilingEntity, ...] = APPLE,
    form: str = "8-K",
) -> SimFiling:
    """A filing on Archives `archives_after` s after `accepted`, in the feed `feed_after` s on."""
    archives_at = accepted + timedelta(seconds=archives_after)
    feed_at = archives_at + timedelta(seconds=feed_after)
    return SimFiling(accession, form, accepted, entities, archives_at, feed_at)


def simulated(*filings: SimFiling, start: datetime = T0, max_rps: float = 10) -> SimulatedEdgar:
    """A SimulatedEdgar over `filings` on a ManualClock at `start`, recorded error bodies."""
    return SimulatedEdgar(filings, ManualClock(start), max_rps=max_rps, edgar_dir=SHARED_EDGAR)


def clock_of(sim: SimulatedEdgar) -> ManualClock:
    assert isinstance(sim.clock, ManualClock)
    return sim.clock


def feed(sim: SimulatedEdgar, start: int = 0, count: int = 100, form: str = "") -> list[FeedEntry]:
    """One getcurrent page from `sim`, checked (200, Atom, every entry parses) and parsed."""
    reply = sim.respond("GET", FEED.format(count=count, start=start, type=form))
    assert reply.status == 200, reply.body[:200]
    assert reply.headers["Content-Type"] == "application/atom+xml"
    parsed = parse_feed_document(reply.body)
    assert parsed.skipped == 0
    assert parsed.updated == sim.clock.now().replace(microsecond=0)
    return list(parsed.entries)


def sim_handler(sim: SimulatedEdgar) -> Handler:
    """A LocalServer handler answering every request with `sim.respond(method, path)`."""

    def handle(request: Request) -> Reply:
        reply = sim.respond(request.method, request.path)
        return Reply(reply.status, reply.body, dict(reply.headers))

    return handle


@contextmanager
def serve_simulated(sim: SimulatedEdgar) -> Iterator[LocalServer]:
    """Serve `sim` on 127.0.0.1 for the `with` block; `server.url` is its base URL."""
    with LocalServer(sim_handler(sim)) as server:
        yield server
