"""Contract: the Finradar reference pages' request examples (`finradar_reference/*.json`, each
with its page URL) replayed verbatim against the app; the documented fields, their types,
the status code and the token cost each page's badge names are checked.

The data the examples need is seeded through the repository: the CUSIP cache from the recorded
OpenFIGI CSV (plus RKLB's current CUSIP, which that CSV lacks), one Form 4 filing record of
Apple's and one 13F-HR of Berkshire's with one holding, as the pipeline would have stored them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from sniper.db.session import transaction
from sniper.filings import cusips
from sniper.filings import repository as repo
from sniper.filings.openfigi import FigiMapping
from sniper.filings.records import filing_uuid
from tests.conftest import Harness
from tests.filings.standins import FIGI_CSV

HERE = Path(__file__).parent / "finradar_reference"
EXAMPLES = [
    pytest.param(example, id=f"{path.stem}-{n}")
    for path in sorted(HERE.glob("*.json"))
    for n, example in enumerate(json.loads(path.read_text()))
]
WANTED = {"037833100", "594918104", "084670108", "084670702", "03784Y200"}
RKLB = FigiMapping(
    cusip="773121108",
    status="mapped",
    figi="BBG00YN8C8X6",
    ticker="RKLB",
    name="ROCKET LAB CORP",
    exch_code="US",
    security_type="Common Stock",
    market_sector="Equity",
)
APPLE_FORM_4 = "0000320193-26-000011"
BERKSHIRE_13F = "0000950123-26-001234"
TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _form_4(now: datetime) -> dict[str, Any]:
    folder = "https://www.sec.gov/Archives/edgar/data/320193/000032019326000011"
    return {
        "uuid": filing_uuid(APPLE_FORM_4),
        "accession_number": APPLE_FORM_4,
        "form_type": "4",
        "filer_cik": 2050912,
        "filer_name": "Reporting Person",
        "issuer_cik": 320193,
        "issuer_name": "Apple Inc.",
        "entities": [{"cik": "320193", "name": "Apple Inc.", "role": "Issuer"}],
        "accepted_at": datetime(2026, 2, 10, 23, 30, 5, tzinfo=UTC),
        "filing_date": date(2026, 2, 10),
        "period_of_report": date(2026, 2, 6),
        "filing_url": f"{folder}/{APPLE_FORM_4}.txt",
        "index_url": f"{folder}/{APPLE_FORM_4}-index.htm",
        "documents": [
            {
                "sequence": 1,
                "description": "FORM 4",
                "filename": "wk-form4.xml",
                "type": "4",
                "size": 4521,
                "url": f"{folder}/wk-form4.xml",
            },
            {
                "sequence": 2,
                "description": "FORM 4",
                "filename": "xslF345X05/wk-form4.htm",
                "type": "4",
                "size": 11022,
                "url": f"{folder}/xslF345X05/wk-form4.htm",
            },
        ],
        "source": "index",
        "created_at": now,
        "updated_at": now,
    }


def _berkshire_13f(now: datetime) -> dict[str, Any]:
    folder = "https://www.sec.gov/Archives/edgar/data/1067983/000095012326001234"
    return {
        "uuid": filing_uuid(BERKSHIRE_13F),
        "accession_number": BERKSHIRE_13F,
        "form_type": "13F-HR",
        "filer_cik": 1067983,
        "filer_name": "BERKSHIRE HATHAWAY INC",
        "issuer_cik": None,
        "issuer_name": None,
        "entities": [{"cik": "1067983", "name": "BERKSHIRE HATHAWAY INC", "role": "Filer"}],
        "accepted_at": datetime(2026, 2, 14, 21, 5, 0, tzinfo=UTC),
        "filing_date": date(2026, 2, 14),
        "period_of_report": date(2025, 12, 31),
        "filing_url": f"{folder}/{BERKSHIRE_13F}.txt",
        "index_url": f"{folder}/{BERKSHIRE_13F}-index.htm",
        "documents": [],
        "source": "index",
        "report_type": "13F HOLDINGS REPORT",
        "value_unit": "dollars",
        "unit_rule": "dollars_from_2023",
        "value_total_dollars": 57_000_000_000,
        "holdings_count": 1,
        "created_at": now,
        "updated_at": now,
    }


BERKSHIRE_AAPL = {
    "row_number": 1,
    "name_of_issuer": "APPLE INC",
    "title_of_class": "COM",
    "cusip": "037833100",
    "figi": "BBG000B9XRY4",
    "value_reported": 57_000_000_000,
    "value_dollars": 57_000_000_000,
    "amount": 238_212_764,
    "amount_type": "SH",
    "put_call": None,
    "investment_discretion": "DFND",
    "other_managers": "4,8,11",
    "voting_sole": 238_212_764,
    "voting_shared": 0,
    "voting_none": 0,
    "ticker": "AAPL",
}


async def _seed(h: Harness) -> str:
    seed = [m for m in cusips.read_seed_csv(FIGI_CSV).mappings if m.cusip in WANTED]
    async with transaction(h.runtime.sessions) as session:
        await cusips.store(session, [*seed, RKLB], now=h.clock.now())
        await repo.upsert_filing(session, _form_4(h.clock.now()))
        await repo.upsert_filing(session, _berkshire_13f(h.clock.now()))
        uuid = filing_uuid(BERKSHIRE_13F)
        await repo.replace_holdings(session, uuid, [BERKSHIRE_AAPL | {"filing_uuid": uuid}])
    return await h.account("contract", tokens=100)


def _at(body: Any, path: str) -> list[Any]:
    """Values at a dotted `path`; `name[]` fans out over an array, a number indexes one."""
    values = [body]
    for part in path.split("."):
        fan = part.endswith("[]")
        key = part.removesuffix("[]")
        step = [v[int(key)] if key.isdigit() else v[key] for v in values]
        values = [x for v in step for x in v] if fan else step
    return values


def _check_type(path: str, value: Any, declared: str) -> None:
    kinds = declared.split("|")
    if value is None:
        assert "null" in kinds, f"{path} is null, documented {declared}"
        return
    allowed = tuple(TYPES[k] for k in kinds if k != "null")
    assert isinstance(value, allowed), f"{path}={value!r} is not {declared}"
    if "boolean" not in kinds:
        assert not isinstance(value, bool), f"{path}={value!r} is not {declared}"


async def _balance(h: Harness, key: str) -> int:
    response = await h.client.get("/api/v1/account/balance", headers={"X-API-Key": key})
    return int(response.json()["data"]["current_balance"])


@pytest.mark.parametrize("example", EXAMPLES)
async def test_documented_example(harness: Harness, example: dict[str, Any]) -> None:
    key = await _seed(harness)
    request, expect = example["request"], example["expect"]
    before = await _balance(harness, key)
    response = await harness.client.request(
        request["method"],
        request["path"],
        params=request.get("query"),
        json=request.get("json"),
        headers={"X-API-Key": key},
    )
    body = response.json()
    assert response.status_code == expect["status"], (example["page"], body)
    for path, declared in expect["fields"].items():
        for value in _at(body, path):
            _check_type(path, value, declared)
    for path, wanted in expect.get("values", {}).items():
        assert _at(body, path) == [wanted], (path, body)
    for path in expect.get("absent", []):
        parent, _, leaf = path.rpartition(".")
        assert leaf not in _at(body, parent)[0]
    assert before - await _balance(harness, key) == expect["cost"]
