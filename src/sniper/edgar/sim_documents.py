"""Recorded full submissions placed into a replayed day, so the simulated EDGAR serves them.

`shared/edgar/13f/full_submission/` holds real 13F-HR submissions (SGML `.txt` and `.nc`) from
2021-2025. `place_submissions(directory, day)` puts each into the recorded day `day` (a list of
`RecordedFiling`, e.g. `crawl_day(atom_dir)`) as a filing accepted `DEMO_OFFSET` after the day's
first acceptance, the next ones `DEMO_SPACING` apart (in file-name order), so they appear in
the feed and the Archives like any other filing of the day. Each keeps its real accession
number, form, entities and documents; its header's acceptance time and filing date are
re-stamped to the placed acceptance (ET), as `sim_filings.publish` re-dates shifted entries.

`SimulatedEdgar(..., documents=placed.documents)` then answers `{acc}.txt` with the recorded
bytes and `{acc}-index.htm` with 404 (not recorded), which sends the pipeline to the full text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sniper.edgar import sgml
from sniper.edgar.atom import FilingEntity, eastern_zone
from sniper.edgar.sim_filings import RecordedFiling

DEMO_OFFSET = timedelta(hours=2)
"""The first placed submission's acceptance: this long after the day's first acceptance."""
DEMO_SPACING = timedelta(minutes=15)
"""Between two placed submissions' acceptances."""

_ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")
_ACCEPTED = re.compile(rb"(<ACCEPTANCE-DATETIME>\s*)\d{14}")
_FILED_TXT = re.compile(rb"(FILED AS OF DATE:\s*)\d{8}")
_FILED_NC = re.compile(rb"(<FILING-DATE>)\d{8}")


@dataclass(frozen=True)
class PlacedSubmissions:
    """`day`: the recorded day with the submissions added (oldest acceptance first);
    `documents`: dashed accession -> the re-stamped full submission bytes."""

    day: list[RecordedFiling]
    documents: dict[str, bytes]


def submission_files(directory: Path) -> list[Path]:
    """The `.txt` / `.nc` files of `directory` whose name holds an accession, by name."""
    return sorted(
        p
        for p in Path(directory).iterdir()
        if p.suffix in (".txt", ".nc") and _ACCESSION.search(p.name)
    )


def restamp(body: bytes, accepted_at: datetime) -> bytes:
    """`body` with its header's acceptance time and filing date set to `accepted_at` (ET)."""
    local = accepted_at.astimezone(eastern_zone())
    stamp = local.strftime("%Y%m%d%H%M%S").encode("ascii")
    day = local.strftime("%Y%m%d").encode("ascii")
    body = _ACCEPTED.sub(lambda m: m[1] + stamp, body, count=1)
    body = _FILED_TXT.sub(lambda m: m[1] + day, body, count=1)
    return _FILED_NC.sub(lambda m: m[1] + day, body, count=1)


def place_submissions(
    directory: Path,
    day: list[RecordedFiling],
    *,
    offset: timedelta = DEMO_OFFSET,
    spacing: timedelta = DEMO_SPACING,
) -> PlacedSubmissions:
    """Place every submission of `directory` into `day` (module docstring). A submission
    whose accession the day already holds, or whose header names no form or entity, is
    skipped. Raises `ValueError` for an empty `day`, `OSError` for an unreadable directory."""
    if not day:
        raise ValueError("no recorded filings to place the submissions among")
    taken = {f.accession_number for f in day}
    first = min(f.accepted_at for f in day)
    placed: list[RecordedFiling] = []
    documents: dict[str, bytes] = {}
    for path in submission_files(directory):
        data = path.read_bytes()
        header = sgml.parse_header(data)
        found = _ACCESSION.search(path.name)
        accession = header.accession_number or (found[0] if found else "")
        if accession in taken or not header.form_type or not header.entities:
            continue
        accepted = (first + offset + spacing * len(placed)).astimezone(UTC)
        entities = tuple(FilingEntity(e.cik, e.name, e.role) for e in header.entities)
        placed.append(RecordedFiling(accession, header.form_type, accepted, entities))
        documents[accession] = restamp(data, accepted)
        taken.add(accession)
    merged = sorted([*day, *placed], key=lambda f: (f.accepted_at, f.accession_number))
    return PlacedSubmissions(merged, documents)
