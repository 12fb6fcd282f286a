"""Matching rules of DESIGN.md "What fires", on the pure matcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.targets.matcher import Candidate, CikIndex, canonical_form, matches

T0 = datetime(2025, 12, 12, 15, 0, tzinfo=UTC)


def filing(form: str, *entities: tuple[int, str], at: datetime = T0) -> DetectedFiling:
    return DetectedFiling(
        accession_number="0001104659-25-120538",
        form_type=form,
        accepted_at=at,
        index_url="https://www.sec.gov/x-index.htm",
        entities=tuple(FilingEntity(cik, f"co{cik}", role) for cik, role in entities),
    )


def target(cik: int = 1, forms: list[str] | None = None, minutes: int = 60) -> Candidate:
    return Candidate.of(
        "tgt_abc123def456",
        cik,
        T0 - timedelta(minutes=minutes),
        T0 + timedelta(minutes=minutes),
        forms,
    )


@pytest.mark.parametrize(
    ("role", "fires"),
    [
        ("Filer", True),
        ("Issuer", True),
        ("Subject", True),
        ("Reporting", False),
        ("Filed by", False),
    ],
)
def test_roles(role: str, fires: bool) -> None:
    assert matches(target(), filing("4", (1, role))) is fires


@pytest.mark.parametrize(
    ("wanted", "form", "fires"),
    [
        (None, "8-K", True),
        (["8-K"], "8-K", True),
        (["8-K"], "8-K/A", False),
        (["8-k "], "8-K", True),
        (["SC 13D"], "SCHEDULE 13D", True),
        (["SC 13G/A"], "SCHEDULE 13G/A", True),
        (["SCHEDULE 13G"], "SCHEDULE 13G/A", False),
        (["10-K", "10-Q"], "10-Q", True),
        (["10-K"], "10-K405", False),
    ],
)
def test_form_filter(wanted: list[str] | None, form: str, fires: bool) -> None:
    assert matches(target(forms=wanted), filing(form, (1, "Filer"))) is fires


def test_window_bounds_are_inclusive() -> None:
    candidate = target(minutes=0)
    assert matches(candidate, filing("8-K", (1, "Filer"), at=T0))
    assert not matches(candidate, filing("8-K", (1, "Filer"), at=T0 + timedelta(seconds=1)))


def test_index_finds_only_the_listed_ciks() -> None:
    index = CikIndex([target(cik) for cik in range(1, 1001)])
    found = index.match(filing("8-K", (7, "Filer"), (8, "Reporting"), (9, "Subject")))
    assert sorted(c.cik for c in found) == [7, 9]
    assert len(index) == 1000


def test_canonical_form_collapses_whitespace() -> None:
    assert canonical_form("  sc   13d/a ") == "SCHEDULE 13D/A"
