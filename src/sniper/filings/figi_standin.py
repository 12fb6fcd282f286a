"""A local OpenFIGI stand-in for replay mode, answering from recorded OpenFIGI results.

`shared/edgar/openfigi/zyuTony_13f_database/openfigi_results.csv` holds real `/v3/mapping`
answers for 9,995 13F CUSIPs, one row per CUSIP (columns `cusip`, `figi`, `name`, `ticker`,
`exchCode`, `compositeFIGI`, `securityType`, `marketSector`, `shareClassFIGI`,
`securityType2`, `securityDescription`; a row without `figi` is a recorded miss).
`FigiStandIn(csv_path)` is a raw ASGI3 app: `POST /v3/mapping` with a JSON array of jobs
answers one element per job, in order, as OpenFIGI does: `{"data": [listing]}` for a recorded
CUSIP, `{"warning": "No identifier found."}` otherwise, `{"error": "Invalid idValue format."}`
for a job that is not an `ID_CUSIP` string; a body that is not a JSON array is a 400, another
path 404, another method 405. `standin_client` mounts it under the real `OpenFigiClient` with
`httpx.ASGITransport`, so nothing leaves the machine.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx

from sniper.filings.openfigi import NO_IDENTIFIER, OpenFigiClient, build_openfigi_client

Message = MutableMapping[str, Any]
STANDIN_BASE = "http://openfigi.replay"
LISTING_FIELDS = (
    "figi", "name", "ticker", "exchCode", "compositeFIGI", "securityType", "marketSector",
    "shareClassFIGI", "securityType2", "securityDescription",
)  # fmt: skip


@functools.lru_cache(maxsize=2)
def recorded_listings(path: Path) -> dict[str, dict[str, str | None]]:
    """CUSIP -> its recorded listing (empty cells None); rows without a FIGI are left out.
    Raises `OSError` for an unreadable file, `KeyError` for a CSV without those columns."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return {
            row["cusip"].strip().upper(): {name: row[name] or None for name in LISTING_FIELDS}
            for row in csv.DictReader(handle)
            if row.get("figi")
        }


class FigiStandIn:
    """`POST /v3/mapping` answered from `csv_path` (module docstring). `requests` counts the
    mapping requests, `jobs` the jobs they carried."""

    def __init__(self, csv_path: Path) -> None:
        self.listings = recorded_listings(Path(csv_path))
        self.requests = 0
        self.jobs = 0

    def answer(self, job: object) -> dict[str, object]:
        """One job's answer element."""
        if not isinstance(job, dict) or job.get("idType") != "ID_CUSIP":
            return {"error": "Invalid idValue format."}
        value = job.get("idValue")
        if not isinstance(value, str):
            return {"error": "Invalid idValue format."}
        listing = self.listings.get(value.strip().upper())
        return {"data": [listing]} if listing else {"warning": NO_IDENTIFIER}

    def respond(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        """`(status, JSON body)` for one request."""
        if path != "/v3/mapping":
            return 404, b'{"error": "Not Found"}'
        if method != "POST":
            return 405, b'{"error": "Method Not Allowed"}'
        try:
            jobs = json.loads(body)
        except ValueError:
            jobs = None
        if not isinstance(jobs, list):
            return 400, b'{"error": "Request body must be a JSON array of jobs."}'
        self.requests += 1
        self.jobs += len(jobs)
        return 200, json.dumps([self.answer(job) for job in jobs]).encode()

    async def __call__(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, payload = self.respond(scope["method"], scope["path"], body)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode("ascii")),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def standin_client(csv_path: Path, *, timeout_seconds: float) -> OpenFigiClient:
    """A keyless `OpenFigiClient` over `httpx.ASGITransport` to a `FigiStandIn(csv_path)`;
    the caller closes it with `await client.aclose()`. Raises like `recorded_listings`."""
    transport = httpx.ASGITransport(app=FigiStandIn(csv_path))
    return build_openfigi_client(
        base_url=STANDIN_BASE, api_key=None, timeout_seconds=timeout_seconds, transport=transport
    )
