"""Every request is logged once with method, path, status, ms, request id and account id."""

from __future__ import annotations

import logging
import re

import pytest

from tests.conftest import Harness

LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms "
    r"request_id=(?P<rid>\S+) account=(?P<account>\S+)$"
)


def _lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    records = [r for r in caplog.records if r.name == "sniper.access"]
    matches = [LINE.match(r.getMessage()) for r in records]
    assert all(matches), [r.getMessage() for r in records]
    return [m for m in matches if m]


async def test_one_line_per_request_with_its_request_id_and_account(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    key = await harness.account()
    caplog.set_level(logging.INFO, logger="sniper.access")
    ok = await harness.client.get(
        "/api/v1/sniper/targets",
        params={"apiKey": key, "limit": 5},
        headers={"X-Request-ID": "r-1"},
    )
    denied = await harness.client.post("/api/v1/sniper/targets", json={"ticker": "AAPL"})
    missing = await harness.client.get("/nowhere")
    lines = _lines(caplog)
    assert [(m["method"], m["path"], m["status"]) for m in lines] == [
        ("GET", "/api/v1/sniper/targets", "200"),
        ("POST", "/api/v1/sniper/targets", "401"),
        ("GET", "/nowhere", "404"),
    ]
    assert [m["rid"] for m in lines] == [
        "r-1",
        denied.headers["x-request-id"],
        missing.headers["x-request-id"],
    ]
    assert ok.headers["x-request-id"] == "r-1"
    assert lines[0]["account"] != "-"
    assert [m["account"] for m in lines[1:]] == ["-", "-"]
    assert key not in caplog.text, "the query string (apiKey) is never logged"
    record = next(r for r in caplog.records if r.name == "sniper.access")
    assert record.__dict__["http_status"] == 200
    assert record.__dict__["request_id"] == "r-1"
    assert isinstance(record.__dict__["duration_ms"], float)
