"""`sniper 13f parse` and `sniper cusip seed` as a user runs them (subprocesses)."""

from __future__ import annotations

import json

from tests.filings.standins import FIGI_CSV
from tests.support.cli import sniper
from tests.support.paths import SHARED_EDGAR

F13 = SHARED_EDGAR / "13f"


def test_parse_prints_the_summary(cli_env: dict[str, str]) -> None:
    result = sniper(cli_env, "13f", "parse", str(F13 / "full_submission/0001619124-21-000002.txt"))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "form │ 13F-HR" in out
    assert "rows │ 5" in out
    assert "value total │ $732,158,000" in out
    assert "thousands (filing_date)" in out
    assert "cover rows │ 5 (match)" in out


def test_parse_json_has_the_holdings(cli_env: dict[str, str]) -> None:
    path = F13 / "sec_samples/Sample_13F-HRA.xml"
    result = sniper(cli_env, "13f", "parse", "--json", str(path))
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["form_type"], body["amendment_type"]) == ("13F-HR/A", "RESTATEMENT")
    assert body["rows"] == len(body["holdings"]) == 169
    assert body["cross_check"]["value_note"] == "mismatch"
    assert body["holdings"][0]["voting_authority"] == {"sole": 0, "shared": 0, "none": 79296}


def test_parse_with_a_filing_date_for_a_bare_table(cli_env: dict[str, str]) -> None:
    table = F13 / "extracted/0001619124-21-000002/Q4202013FHOLDINGSACTIAMNV.xml"
    result = sniper(cli_env, "13f", "parse", "--json", "--filed", "2023-02-01", str(table))
    body = json.loads(result.stdout)
    assert (body["unit"], body["unit_rule"]) == ("thousands", "implied_price_override")
    assert body["value_total_dollars"] == 732_158_000
    assert sniper(cli_env, "13f", "parse", "--filed", "yesterday", str(table)).returncode == 2


def test_parse_refuses_other_documents(cli_env: dict[str, str]) -> None:
    result = sniper(cli_env, "13f", "parse", str(SHARED_EDGAR / "atom/getcurrent_start0.xml"))
    assert result.returncode == 1
    assert "not a 13F" in result.stderr
    missing = sniper(cli_env, "13f", "parse", str(F13 / "nope.xml"))
    assert missing.returncode == 1


def test_cusip_seed_loads_the_cache(cli_env: dict[str, str]) -> None:
    assert sniper(cli_env, "migrate").returncode == 0
    result = sniper(cli_env, "cusip", "seed", str(FIGI_CSV))
    assert result.returncode == 0, result.stderr
    # 9,995 rows, 1,703 without a FIGI; 124 of those repeat a mapped CUSIP in lowercase (which
    # OpenFIGI does not read), the other 1,579 are known misses.
    assert result.stdout.strip() == (
        "seeded 9871 CUSIPs (8292 mapped, 1579 known misses); 124 rows skipped"
    )
    again = sniper(cli_env, "cusip", "seed", str(FIGI_CSV))
    assert again.stdout == result.stdout  # an upsert: seeding twice changes nothing
    bad = sniper(cli_env, "cusip", "seed", str(F13 / "xsd/eis_13FDocument.xsd"))
    assert bad.returncode == 1
    assert "cusip" in bad.stderr
