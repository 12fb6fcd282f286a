"""Local stand-ins for EDGAR Archives, data.sec.gov and OpenFIGI, serving the recorded files in
`shared/edgar/` (read in place, never copied), plus an Atom page announcing one recorded
filing so that the replay source detects it."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from sniper.edgar import sgml
from sniper.edgar.atom import eastern_zone
from tests.support.http_server import Reply, Request
from tests.support.paths import SHARED_EDGAR

_FOLDER = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/(.+)$")
FIGI_CSV = SHARED_EDGAR / "openfigi/zyuTony_13f_database/openfigi_results.csv"
FIGI_429 = SHARED_EDGAR / "openfigi/pyopenfigi_cassettes/test_too_many_mapping_requests.24.429.txt"


def _dashed(digits: str) -> str:
    return f"{digits[:10]}-{digits[10:12]}-{digits[12:]}"


def full_submission(accession: str) -> Path | None:
    """The recorded full submission (.txt / .nc) of `accession`, if there is one."""
    for path in (SHARED_EDGAR / "13f/full_submission").iterdir():
        if accession in path.name and path.suffix in (".txt", ".nc"):
            return path
    path = SHARED_EDGAR / "filings" / accession / f"{accession}.txt"
    return path if path.exists() else None


def archives_file(path: str) -> Path | None:
    """The recorded file EDGAR would serve at Archives `path`, if recorded."""
    match = _FOLDER.match(path.split("?", 1)[0])
    if match is None:
        return None
    accession, name = _dashed(match[2]), match[3]
    if name == f"{accession}-index.htm":
        candidate = SHARED_EDGAR / "filing_index" / f"{accession}-index.html"
    elif name == f"{accession}.txt":
        return full_submission(accession)
    else:
        candidate = SHARED_EDGAR / "13f/extracted" / accession / name
        if not candidate.exists():
            candidate = SHARED_EDGAR / "filings" / accession / name
    return candidate if candidate.exists() else None


def edgar_handler(request: Request) -> Reply:
    """Archives folders and `/submissions/CIK##########.json` from the recordings; 404 else."""
    if request.path.startswith("/submissions/"):
        found = SHARED_EDGAR / "submissions" / request.path.rsplit("/", 1)[1]
        return Reply(200, found.read_bytes()) if found.exists() else Reply(404, b"Not Found")
    found = archives_file(request.path)
    if found is None:
        return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>")
    return Reply(200, found.read_bytes())


def feed_announcing(directory: Path, accession: str) -> Path:
    """Write `directory/getcurrent_start0.xml`: one Atom entry per entity of the recorded
    submission `accession`, with its real acceptance time (the replay source reads it)."""
    source = full_submission(accession)
    assert source is not None, accession
    header = sgml.parse_header(source.read_bytes())
    assert header.accepted_at is not None
    assert header.form_type is not None
    updated = header.accepted_at.astimezone(eastern_zone()).isoformat()
    entries = []
    for entity in header.entities:
        folder = (
            f"https://www.sec.gov/Archives/edgar/data/{entity.cik}/{accession.replace('-', '')}"
        )
        entries.append(
            f"<entry><title>{escape(header.form_type)} - {escape(entity.name)} "
            f"({entity.cik:010d}) ({entity.role})</title>"
            f'<link rel="alternate" type="text/html" href="{folder}/{accession}-index.htm"/>'
            f"<updated>{updated}</updated>"
            f'<category scheme="https://www.sec.gov/" label="form type" '
            f'term="{escape(header.form_type)}"/>'
            f"<id>urn:tag:sec.gov,2008:accession-number={accession}</id></entry>"
        )
    page = (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Latest Filings</title>'
        f"<updated>{updated}</updated>{''.join(entries)}</feed>\n"
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "getcurrent_start0.xml"
    path.write_text(page, encoding="iso-8859-1")
    return path


def recorded_figi_rows() -> dict[str, dict[str, str]]:
    """CUSIP -> the recorded OpenFIGI listing (rows without a FIGI are OpenFIGI misses)."""
    with FIGI_CSV.open(newline="") as handle:
        return {row["cusip"]: row for row in csv.DictReader(handle) if row["figi"]}


_LISTING_FIELDS = (
    "figi", "name", "ticker", "exchCode", "compositeFIGI", "securityType", "marketSector",
    "shareClassFIGI", "securityType2", "securityDescription",
)  # fmt: skip


@dataclass
class OpenFigiStandIn:
    """`POST /v3/mapping` answered from the recorded CSV: a listing per known CUSIP, OpenFIGI's
    "No identifier found." warning otherwise, and the recorded 429 (body and `ratelimit-*`
    headers) for the first `rate_limited` requests. `batches` records each request's CUSIPs."""

    rate_limited: int = 0
    rows: dict[str, dict[str, str]] = field(default_factory=recorded_figi_rows)
    batches: list[list[str]] = field(default_factory=list)
    api_keys: list[str | None] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/v3/mapping":
            return Reply(404, b"Not Found")
        jobs = json.loads(request.body)
        self.api_keys.append(request.headers.get("x-openfigi-apikey"))
        if self.rate_limited > 0:
            self.rate_limited -= 1
            headers = {"ratelimit-limit": "25", "ratelimit-remaining": "0", "ratelimit-reset": "42"}
            return Reply(429, FIGI_429.read_bytes(), headers)
        self.batches.append([job["idValue"] for job in jobs])
        answers = [self._answer(job) for job in jobs]
        return Reply(200, json.dumps(answers).encode(), {"Content-Type": "application/json"})

    def _answer(self, job: dict[str, str]) -> dict[str, object]:
        assert job["idType"] == "ID_CUSIP", job
        assert job["exchCode"] == "US", job
        row = self.rows.get(job["idValue"])
        if row is None:
            return {"warning": "No identifier found."}
        return {"data": [{name: row[name] or None for name in _LISTING_FIELDS}]}
