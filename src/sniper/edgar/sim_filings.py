"""The filings a `SimulatedEdgar` serves: two recorded EDGAR days and the measured publication lags.

A recorded day is a list of `RecordedFiling` (accession, form, acceptance, entities, the recorded
`<entry>` bytes when there are any). `publish(day, LagModel.recorded(csv), seed)` turns it into
`SimFiling`s by drawing, per filing, when EDGAR Archives starts serving it (`archives_at`) and when
the Atom feed starts showing it (`feed_at`) from the real lags in
`shared/edgar/timing/fastest_way_etag_results.csv` (100 filings, 2025-12-23):

- archives lag = `sgml_lmt - index_lmt` (acceptance -> the `.txt` exists): 18..43 s, median 28 s;
- feed lag = `detectedTime - sgml_lmt` (Archives -> an RSS poller saw it): -1..75 s, median 1 s,
  p95 18 s (a filing can reach the feed a second *before* Archives serves it).

Days: `crawl_day(atom_dir)` (the recorded getcurrent crawl, 3,315 filings accepted 2025-12-11 16:31
to 2025-12-12 18:02 ET) and `datamule_day(log)` (`datamule_rss_receive_log_2025-05-05.txt`, 1,630
filings seen 15:27 to 17:45 EDT by a 300 ms RSS poller).
"""

from __future__ import annotations

import csv
import logging
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sniper.edgar.atom import FilingEntity, eastern_zone, group_filings
from sniper.edgar.replay import load_crawl

log = logging.getLogger(__name__)

DATAMULE_FEED_LAG = timedelta(seconds=30)
"""Acceptance -> feed lag assumed for the datamule log (the median measured on the recorded crawl
against the submissions JSON: 30 s, p95 46 s; see shared/edgar/MANIFEST.md)."""

_DATAMULE_LINE = re.compile(
    r"Submission Type: (?P<form>[^,]+), Accession: (?P<acc>\d{1,18}), "
    r"CIKs: \[(?P<ciks>[^\]]*)\], received_time: "
    r"(?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) E[SD]T\s*"
)
_OWNERSHIP_FORMS = frozenset({"3", "4", "5"})
_SUBJECT_FORMS = (
    "SCHEDULE 13D", "SCHEDULE 13G", "SC 13D", "SC 13G", "SC 13E3", "SC TO-", "SC 14D9", "SC14D9",
    "DFAN14A", "PREC14A", "425", "FWP", "CB", "F-6", "25-NSE",
)  # fmt: skip
_UPDATED = re.compile(rb"<updated>[^<]*</updated>")
_FILED = re.compile(rb"(Filed:&lt;/b&gt; )(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class RecordedFiling:
    """One filing of a recorded day: dashed `accession_number`, `form_type`, `accepted_at` (aware
    UTC), `entities` with feed roles, and its recorded `<entry>` elements (empty: synthesize)."""

    accession_number: str
    form_type: str
    accepted_at: datetime
    entities: tuple[FilingEntity, ...]
    raw_entries: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class SimFiling:
    """One filing as the simulated EDGAR publishes it (every instant aware UTC).

    `archives_at`: Archives serves its folder from then on; `feed_at`: the getcurrent feed (and
    the submissions JSON) list it from then on; `raw_entries`: recorded `<entry>` XML to serve
    verbatim, or empty to synthesize one entry per entity.
    """

    accession_number: str
    form_type: str
    accepted_at: datetime
    entities: tuple[FilingEntity, ...]
    archives_at: datetime
    feed_at: datetime
    raw_entries: tuple[bytes, ...] = ()

    @property
    def first_public(self) -> datetime:
        """The first instant anything public shows the filing: `min(archives_at, feed_at)`."""
        return min(self.archives_at, self.feed_at)


@dataclass(frozen=True, slots=True)
class LagModel:
    """Empirical publication lags in seconds: `archives` (acceptance -> Archives) and `feed`
    (Archives -> feed), each sampled independently with replacement by `draw`."""

    archives: tuple[float, ...]
    feed: tuple[float, ...]

    @classmethod
    def recorded(cls, path: Path) -> LagModel:
        """Load `fastest_way_etag_results.csv` (columns accessionNumber, detectedTime, index_lmt,
        sgml_lmt; ISO 8601 UTC). Raises `ValueError` for a file without rows or bad stamps."""
        archives: list[float] = []
        feed: list[float] = []
        with Path(path).open(newline="") as handle:
            for row in csv.DictReader(handle):
                accepted, sgml = _utc(row["index_lmt"]), _utc(row["sgml_lmt"])
                archives.append((sgml - accepted).total_seconds())
                feed.append((_utc(row["detectedTime"]) - sgml).total_seconds())
        if not archives:
            raise ValueError(f"no lag rows in {path}")
        return cls(tuple(archives), tuple(feed))

    def draw(self, rng: random.Random) -> tuple[float, float]:
        """One `(archives_lag, feed_lag)` pair in seconds, each drawn from its recorded list."""
        return rng.choice(self.archives), rng.choice(self.feed)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).astimezone(UTC)


def crawl_day(directory: Path) -> list[RecordedFiling]:
    """The filings of a recorded getcurrent crawl (`shared/edgar/atom/`), oldest acceptance first
    (ties: accession ascending), each with its recorded `<entry>` bytes in feed order.

    Uses `replay.load_crawl` (entries repeated across pages kept once) and
    `atom.group_filings`; raises `FileNotFoundError` when `directory` has no pages.
    """
    recorded = load_crawl(Path(directory)).entries
    raw: dict[str, list[bytes]] = {}
    for item in recorded:
        raw.setdefault(item.entry.accession_number, []).append(item.raw)
    filings = [
        RecordedFiling(
            f.accession_number,
            f.form_type,
            f.accepted_at,
            f.entities,
            tuple(raw[f.accession_number]),
        )
        for f in group_filings(item.entry for item in recorded)
    ]
    filings.sort(key=lambda f: (f.accepted_at, f.accession_number))
    return filings


def datamule_day(path: Path) -> list[RecordedFiling]:
    """The filings of `datamule_rss_receive_log_2025-05-05.txt`, in log order (see
    `parse_datamule_log`); malformed lines are skipped and their count logged."""
    with Path(path).open(encoding="utf-8") as handle:
        filings, malformed = parse_datamule_log(handle)
    if malformed:
        log.warning("%s: %d malformed lines skipped", path, malformed)
    return filings


def parse_datamule_log(lines: Iterable[str]) -> tuple[list[RecordedFiling], int]:
    """Parse datamule RSS receive-log lines into `(filings, malformed_line_count)`.

    A line reads `Submission Type: 13F-HR, Accession: 205351025000002, CIKs: ['830588'],
    received_time: 2025-05-05 15:27:17 EDT`: the accession lost its leading zeros (left-pad to 18
    digits, then dash); `received_time` (ET) is when the poller saw it in the feed, so acceptance
    is taken as `received_time - DATAMULE_FEED_LAG` (30 s, the measured median acceptance -> feed
    lag). Names are not in the log: `"CIK {cik}"`. Roles: see `datamule_entities`. Blank lines
    are ignored; a repeated accession keeps its first line (the repeat counts as malformed).
    """
    filings: list[RecordedFiling] = []
    seen: set[str] = set()
    malformed = 0
    for line in lines:
        if not line.strip():
            continue
        filing = _datamule_filing(line)
        if filing is None or filing.accession_number in seen:
            malformed += 1
            continue
        seen.add(filing.accession_number)
        filings.append(filing)
    return filings, malformed


def _datamule_filing(line: str) -> RecordedFiling | None:
    match = _DATAMULE_LINE.fullmatch(line.strip())
    if match is None:
        return None
    ciks = [int(c) for c in re.findall(r"'(\d{1,10})'", match["ciks"])]
    if not ciks or 0 in ciks:
        return None
    digits = match["acc"].zfill(18)
    seen_at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=eastern_zone())
    return RecordedFiling(
        accession_number=f"{digits[:10]}-{digits[10:12]}-{digits[12:]}",
        form_type=match["form"].strip(),
        accepted_at=seen_at.astimezone(UTC) - DATAMULE_FEED_LAG,
        entities=datamule_entities(match["form"].strip(), ciks),
    )


def datamule_entities(form: str, ciks: Sequence[int]) -> tuple[FilingEntity, ...]:
    """Feed roles for a datamule line's CIKs (the log has no roles, and its CIK order is not the
    feed's: in its multi-CIK form 4 lines the issuer comes first only about half the time).

    - 3, 4, 5 (and /A): the lowest CIK is the Issuer (issuers register long before their
      insiders: true for 79% of the recorded crawl's multi-entity forms 3/4/5), the rest
      Reporting; a lone CIK is Reporting (every lone form-4 CIK the crawl also holds is one);
    - 144 (and /A): the lowest CIK is the Subject, the rest Reporting; a lone CIK is Subject;
    - schedules 13D/13G, tender offers, proxy contests, 425, FWP, CB, F-6, 25-NSE (the crawl's
      "Filed by" forms): the first CIK is the Subject, the rest "Filed by";
    - every other form: all Filer (co-registrants, as the crawl's multi-CIK 424B2 and 8-K show).
    """
    base = form.upper().removesuffix("/A")
    ciks = list(dict.fromkeys(ciks))
    if base in _OWNERSHIP_FORMS or base == "144":
        owner_role = "Subject" if base == "144" else "Issuer"
        if len(ciks) == 1:
            return (_entity(ciks[0], "Subject" if base == "144" else "Reporting"),)
        head = min(ciks)
        rest = [c for c in ciks if c != head]
        return (_entity(head, owner_role), *(_entity(c, "Reporting") for c in rest))
    if base.startswith(_SUBJECT_FORMS):
        return (_entity(ciks[0], "Subject"), *(_entity(c, "Filed by") for c in ciks[1:]))
    return tuple(_entity(c, "Filer") for c in ciks)


def _entity(cik: int, role: str) -> FilingEntity:
    return FilingEntity(cik, f"CIK {cik}", role)


def publish(
    recorded: Iterable[RecordedFiling],
    lags: LagModel,
    seed: int,
    shift: timedelta = timedelta(0),
) -> list[SimFiling]:
    """Publication times for a recorded day, in accession order.

    Per filing (drawn with `random.Random(seed)` in accession order, so one seed gives one
    schedule): `archives_at = accepted_at + shift + archives_lag`, `feed_at = archives_at +
    feed_lag`. `shift` moves every instant (live tests re-base a recorded day onto the system
    clock); recorded `<entry>` bytes then get their `<updated>` and "Filed:" date rewritten.
    """
    rng = random.Random(seed)
    published: list[SimFiling] = []
    for filing in sorted(recorded, key=lambda f: f.accession_number):
        archives_lag, feed_lag = lags.draw(rng)
        accepted = filing.accepted_at + shift
        archives_at = accepted + timedelta(seconds=archives_lag)
        raw = filing.raw_entries
        if shift and raw:
            raw = tuple(_shift_entry(r, filing.accepted_at, accepted) for r in raw)
        published.append(
            SimFiling(
                accession_number=filing.accession_number,
                form_type=filing.form_type,
                accepted_at=accepted,
                entities=filing.entities,
                archives_at=archives_at,
                feed_at=archives_at + timedelta(seconds=feed_lag),
                raw_entries=raw,
            )
        )
    return published


def _shift_entry(raw: bytes, old: datetime, new: datetime) -> bytes:
    """A recorded `<entry>` re-dated from acceptance `old` to `new` (both aware)."""
    zone = eastern_zone()
    stamp = new.astimezone(zone).isoformat(timespec="seconds").encode("ascii")
    days = new.astimezone(zone).date() - old.astimezone(zone).date()
    text = _UPDATED.sub(b"<updated>" + stamp + b"</updated>", raw)

    def filed(match: re.Match[bytes]) -> bytes:
        day = datetime.strptime(match[2].decode("ascii"), "%Y-%m-%d").date() + days
        return match[1] + day.isoformat().encode("ascii")

    return _FILED.sub(filed, text)
