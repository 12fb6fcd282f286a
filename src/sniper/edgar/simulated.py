"""A simulated EDGAR that answers like www.sec.gov and data.sec.gov over HTTP, on a `Clock`.

`SimulatedEdgar(filings, clock)` serves `SimFiling`s (from `sim_filings.publish` over a recorded
day) and decides every answer at `clock.now()` when the request arrives. The core is
`respond(method, path_with_query) -> SimReply`; `asgi` is a raw ASGI3 app over it (replay mode:
`httpx.ASGITransport(app=sim.asgi)` under the real `SecClient`); tests put `respond` behind a
real local HTTP server (`tests/edgar/sim_support.py`). All hosts share one path space:

- `GET /cgi-bin/browse-edgar?action=getcurrent&count=N&start=S&type=T&output=atom`: the Latest
  Filings feed of the filings with `feed_at <= now`, newest acceptance first (ties: accession
  descending), one `<entry>` per entity; `start`/`count` slice entries. `count` must be 10, 20,
  40, 80 or 100 (absent: 40), else 400 with a one-line text body (what EDGAR answers for other
  values is not recorded); `start >= feed_end` (5100) answers EDGAR's recorded 503 page; `type`
  is a prefix match on the form, as on EDGAR (`type=4` also returns 424B2).
- `GET /Archives/edgar/data/{cik}/{acc18}/{acc}-index-headers.html`, `{acc}-index.htm`,
  `{acc}.txt`: 200 with the synthesized header page (`sim_pages.header_page`; all three serve
  it, `.txt` as text/plain) once `archives_at <= now`, if `cik` is one of the filing's entities;
  the same names under `/Archives/edgar/data/{acc18}/` (no CIK: the folder EDGAR serves by
  accession alone) answer alike for any filer; a filing with a recorded full submission
  (`documents`, see `sim_documents`) answers `{acc}.txt` with those bytes instead;
  anything else under `/Archives/` answers S3's 403 `AccessDenied` (application/xml), which is
  what EDGAR answers for a key that does not exist yet.
- `GET /submissions/CIK##########.json`: the CIK's filings with `feed_at <= now` (data.sec.gov
  refreshes about when the feed does), newest first; none yet: 404 `NoSuchKey` XML.
- anything else: 404; a method other than GET: 405.

SEC's fair-access limit: a request that is more than the `max_rps`-th within the last second of
clock time (counting itself) gets the "Request Rate Threshold Exceeded" page (403 text/html), and
so does every request for `block` (10 minutes) after it; requests during a block are counted
but do not extend it. Every request is recorded as `(clock.now(), path)` in `requests`.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from sniper.clock import Clock
from sniper.edgar.sim_filings import (
    LagModel,
    RecordedFiling,
    SimFiling,
    crawl_day,
    datamule_day,
    parse_datamule_log,
    publish,
)
from sniper.edgar.sim_pages import (
    ErrorBodies,
    feed_document,
    feed_entries,
    header_page,
    submissions_document,
)

__all__ = [
    "ErrorBodies",
    "LagModel",
    "RecordedFiling",
    "SimFiling",
    "SimReply",
    "SimulatedEdgar",
    "crawl_day",
    "datamule_day",
    "parse_datamule_log",
    "peak_per_second",
    "publish",
]

FEED_COUNTS = frozenset({10, 20, 40, 80, 100})
"""The page sizes EDGAR's getcurrent accepts."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = 1_000_000
_ARCHIVES = re.compile(r"/Archives/edgar/data/(?:(\d{1,10})/)?(\d{18})/([^/]+)")
_SUBMISSIONS = re.compile(r"/submissions/CIK(\d{10})\.json")
_KEY = re.compile(rb"<Key>[^<]*</Key>")
_BULK = 256  # releasing more filings than this at once: re-sort instead of inserting

Message = MutableMapping[str, Any]


def peak_per_second(instants: Iterable[datetime]) -> int:
    """The most of `instants` in any 1 s (0 when none)."""
    times = sorted(_micros(at) for at in instants)
    peak = low = 0
    for high, now in enumerate(times):
        while times[low] <= now - _SECOND:
            low += 1
        peak = max(peak, high - low + 1)
    return peak


@dataclass(frozen=True, slots=True)
class SimReply:
    """One simulated answer: HTTP `status`, `body` bytes, response `headers`."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _micros(instant: datetime) -> int:
    """Microseconds since the Unix epoch (exact, so 1 s window edges are exact)."""
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _text(status: int, message: str) -> SimReply:
    return SimReply(status, message.encode("ascii"), {"Content-Type": "text/plain"})


class _FeedIndex:
    """The feed's entries in EDGAR order, grown as `feed_at` passes (bisect on sorted keys)."""

    def __init__(self, filings: Iterable[SimFiling]) -> None:
        self._pending = sorted(filings, key=lambda f: (f.feed_at, f.accession_number))
        self._times = [_micros(f.feed_at) for f in self._pending]
        self._rows = [
            (
                -_micros(f.accepted_at),
                -int(f.accession_number.replace("-", "")),
                f.form_type.upper(),
            )
            for f in self._pending
        ]
        self._entries = [feed_entries(f) for f in self._pending]
        self._reset()

    def _reset(self) -> None:
        self._released = 0
        self._at = -(2**62)
        self.keys: list[tuple[int, int, int]] = []
        self.bodies: list[bytes] = []
        self.forms: list[str] = []

    def advance(self, now: int) -> None:
        """Show every filing with `feed_at <= now` (µs); a clock moved back starts over."""
        if now < self._at:
            self._reset()
        self._at = now
        upto = bisect_right(self._times, now)
        if upto - self._released > _BULK:
            self._rebuild(upto)
            return
        for i in range(self._released, upto):
            accepted, accession, form = self._rows[i]
            for j, body in enumerate(self._entries[i]):
                key = (accepted, accession, j)
                at = bisect_left(self.keys, key)
                self.keys.insert(at, key)
                self.bodies.insert(at, body)
                self.forms.insert(at, form)
        self._released = upto

    def _rebuild(self, upto: int) -> None:
        rows = list(zip(self.keys, self.bodies, self.forms, strict=True))
        for i in range(self._released, upto):
            accepted, accession, form = self._rows[i]
            rows += [((accepted, accession, j), b, form) for j, b in enumerate(self._entries[i])]
        rows.sort(key=lambda row: row[0])
        self.keys = [row[0] for row in rows]
        self.bodies = [row[1] for row in rows]
        self.forms = [row[2] for row in rows]
        self._released = upto


class SimulatedEdgar:
    """EDGAR's feed, Archives and submissions for `filings` at `clock.now()` (module docstring).

    `edgar_dir` (`shared/edgar/`) supplies the recorded error bodies; without it short
    stand-ins with the same markers are used. `documents` maps an accession to its recorded
    full submission, served as its `{acc}.txt`. Raises `ValueError` for a repeated accession.
    Thread-safe (one lock around `respond`).
    """

    def __init__(
        self,
        filings: Iterable[SimFiling],
        clock: Clock,
        *,
        max_rps: float = 10,
        block: timedelta = timedelta(minutes=10),
        feed_end: int = 5100,
        edgar_dir: Path | None = None,
        documents: Mapping[str, bytes] | None = None,
    ) -> None:
        self.filings = list(filings)
        self.documents = dict(documents or {})
        self.by_accession = {f.accession_number: f for f in self.filings}
        if len(self.by_accession) != len(self.filings):
            raise ValueError("SimulatedEdgar: an accession number is repeated")
        self.clock = clock
        self.max_rps = max_rps
        self.block = block
        self.feed_end = feed_end
        self.bodies = ErrorBodies.recorded(edgar_dir) if edgar_dir else ErrorBodies.minimal()
        self.requests: list[tuple[datetime, str]] = []
        self.blocked_until: datetime | None = None
        self.threshold_hits = 0
        self._window: deque[int] = deque()
        self._feed = _FeedIndex(self.filings)
        self._by_cik: dict[int, list[SimFiling]] = {}
        newest_first = sorted(
            self.filings, key=lambda f: (f.accepted_at, f.accession_number), reverse=True
        )
        for filing in newest_first:
            for cik in dict.fromkeys(e.cik for e in filing.entities):
                self._by_cik.setdefault(cik, []).append(filing)
        self._pages: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def first_public(self, accession: str) -> datetime:
        """When `accession` first shows anywhere (Archives or feed); `KeyError` if unknown."""
        return self.by_accession[accession].first_public

    def block_now(self) -> None:
        """Start a rate-limit block at `clock.now()` (as if the threshold had just been hit;
        `threshold_hits` is not incremented)."""
        with self._lock:
            self.blocked_until = self.clock.now() + self.block

    def peak_requests_per_second(self) -> int:
        """The most requests in any 1 s of clock time over `requests` (0 when none)."""
        return peak_per_second(at for at, _ in self.requests)

    def respond(self, method: str, path: str) -> SimReply:
        """Answer one request for `path` (path plus query string) at `clock.now()`."""
        with self._lock:
            now = self.clock.now()
            self.requests.append((now, path))
            if not self._admit(now):
                return SimReply(403, self.bodies.threshold, {"Content-Type": "text/html"})
            if method.upper() != "GET":
                reply = _text(405, "Method Not Allowed")
                return SimReply(405, reply.body, {**reply.headers, "Allow": "GET"})
            return self._route(now, path)

    def _admit(self, now: datetime) -> bool:
        """Count the request in the sliding 1 s window; False while blocked or over the limit."""
        at, window = _micros(now), self._window
        if window and window[-1] > at:
            window.clear()  # the clock moved back
        window.append(at)
        while window[0] <= at - _SECOND:
            window.popleft()
        if self.blocked_until is not None and now < self.blocked_until:
            return False
        if len(window) > self.max_rps:
            self.blocked_until = now + self.block
            self.threshold_hits += 1
            return False
        return True

    def _route(self, now: datetime, path: str) -> SimReply:
        route, _, query = path.partition("?")
        if route == "/cgi-bin/browse-edgar":
            return self._feed_page(now, parse_qs(query, keep_blank_values=True))
        if route.startswith("/Archives/"):
            return self._archives(now, route)
        if route.startswith("/submissions/"):
            return self._submissions(now, route)
        return _text(404, "Not Found")

    def _feed_page(self, now: datetime, query: dict[str, list[str]]) -> SimReply:
        def param(name: str, default: str) -> str:
            return (query.get(name) or [default])[0].strip()

        if param("action", "") != "getcurrent" or param("output", "") != "atom":
            return _text(404, "Not Found: only the getcurrent Atom feed is simulated")
        count_text, start_text = param("count", "40"), param("start", "0") or "0"
        if not (count_text.isdigit() and int(count_text) in FEED_COUNTS):
            return _text(400, "count must be 10, 20, 40, 80 or 100")
        if not start_text.isdigit():
            return _text(400, "start must be a non-negative integer")
        start, count = int(start_text), int(count_text)
        if start >= self.feed_end:
            return SimReply(503, self.bodies.unavailable, {"Content-Type": "text/html"})
        self._feed.advance(_micros(now))
        end = min(start + count, self.feed_end)
        bodies, form = self._feed.bodies, param("type", "").upper()
        if form:
            forms = self._feed.forms
            bodies = [b for b, f in zip(bodies, forms, strict=True) if f.startswith(form)]
        document = feed_document(now, bodies[start:end])
        headers = {"Content-Type": "application/atom+xml", "Cache-Control": "no-cache"}
        return SimReply(200, document, headers)

    def _archives(self, now: datetime, route: str) -> SimReply:
        match = _ARCHIVES.fullmatch(route)
        filing = None
        if match is not None:
            digits = match[2]
            filing = self.by_accession.get(f"{digits[:10]}-{digits[10:12]}-{digits[12:]}")
        if (
            match is None
            or filing is None
            or (match[1] is not None and int(match[1]) not in {e.cik for e in filing.entities})
            or now < filing.archives_at
        ):
            return SimReply(403, self.bodies.access_denied, {"Content-Type": "application/xml"})
        acc, name = filing.accession_number, match[3]
        if name not in (f"{acc}-index-headers.html", f"{acc}-index.htm", f"{acc}.txt"):
            return SimReply(403, self.bodies.access_denied, {"Content-Type": "application/xml"})
        recorded = self.documents.get(acc)
        if recorded is not None and name == f"{acc}.txt":
            return SimReply(200, recorded, {"Content-Type": "text/plain"})
        page = self._pages.get(acc)
        if page is None:
            page = self._pages[acc] = header_page(filing)
        kind = "text/plain" if name.endswith(".txt") else "text/html"
        return SimReply(200, page, {"Content-Type": kind})

    def _submissions(self, now: datetime, route: str) -> SimReply:
        match = _SUBMISSIONS.fullmatch(route)
        cik = int(match[1]) if match else 0
        public = [f for f in self._by_cik.get(cik, ()) if f.feed_at <= now]
        if not public:
            key = escape(route.lstrip("/")).encode("ascii", "xmlcharrefreplace")
            body = _KEY.sub(b"<Key>" + key + b"</Key>", self.bodies.no_such_key)
            return SimReply(404, body, {"Content-Type": "application/xml"})
        document = submissions_document(cik, public)
        return SimReply(200, document, {"Content-Type": "application/json"})

    async def asgi(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        """Raw ASGI3 app over `respond` (HTTP scopes only; other scope types are ignored)."""
        if scope["type"] != "http":
            return
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        reply = self.respond(scope["method"], f"{path}?{query}" if query else path)
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()
        ]
        headers.append((b"content-length", str(len(reply.body)).encode("ascii")))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})
