"""Predicted next accession numbers from the prefixes' live heads (sniper.edgar.prefixes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sniper.edgar.prefixes import Prefixes

T0 = datetime(2025, 12, 12, 21, 0, tzinfo=UTC)
AGENT = "0001193125"  # a filer agent
SELF = 1045810  # a self-filer (NVIDIA files as 0001045810-..)


def test_a_self_filer_is_predicted_at_its_head_plus_one_and_two() -> None:
    prefixes = Prefixes()
    prefixes.observe("0001045810-25-000230", {SELF}, T0)
    found = prefixes.candidates(SELF, 25, lookahead=12)
    assert [c.accession_number for c in found] == ["0001045810-25-000231", "0001045810-25-000232"]
    assert found[0].weight > found[1].weight
    assert abs(sum(c.weight for c in found) - 1.0) < 1e-9


def test_a_busy_agent_widens_the_window_past_its_head() -> None:
    prefixes = Prefixes()
    prefixes.observe(f"{AGENT}-25-000100", {SELF}, T0)  # SELF once filed through the agent
    for n in range(1, 60):  # then one number every 5 s for 5 minutes: 0.2 numbers/s
        at = T0 + timedelta(seconds=5 * n)
        prefixes.observe(f"{AGENT}-25-{100 + n:06d}", {900_000 + n}, at)
    found = [c.accession_number for c in prefixes.candidates(SELF, 25, lookahead=12)]
    head = 159
    assert found[0] == f"{AGENT}-25-{head + 1:06d}"
    assert len(found) == 1 + 9  # 1 + ceil(0.2 numbers/s x 45 s)
    assert found[-1] == f"{AGENT}-25-{head + 10:06d}"


def test_an_accession_already_seen_is_not_predicted() -> None:
    prefixes = Prefixes()
    prefixes.observe("0001045810-25-000230", {SELF}, T0)
    prefixes.observe("0001045810-25-000231", {SELF}, T0)
    found = [c.accession_number for c in prefixes.candidates(SELF, 25, lookahead=12)]
    assert found == ["0001045810-25-000232", "0001045810-25-000233"]


def test_a_company_never_seen_has_no_prediction() -> None:
    assert Prefixes().candidates(320193, 25, lookahead=12) == []


def test_the_sweep_rides_the_busiest_agents_next_numbers_for_any_company() -> None:
    prefixes = Prefixes()
    quiet = "0000950170"
    for n in range(10):  # the agent takes 10 numbers in 5 minutes, the quiet one 2
        prefixes.observe(f"{AGENT}-25-{200 + n:06d}", {900_000 + n}, T0 + timedelta(seconds=30 * n))
    prefixes.observe(f"{quiet}-25-000050", {800_001}, T0)
    prefixes.observe(f"{quiet}-25-000051", {800_002}, T0 + timedelta(seconds=60))
    found = prefixes.sweep(25, T0 + timedelta(minutes=5))
    assert {c.cik for c in found} == {0}  # no company is assumed: the accession path serves any
    ours = [c for c in found if c.accession_number.startswith(AGENT)]
    assert [c.accession_number for c in ours] == [f"{AGENT}-25-{210 + k:06d}" for k in range(3)]
    assert ours[0].weight > ours[1].weight > ours[2].weight
    theirs = [c for c in found if c.accession_number.startswith(quiet)]
    assert theirs
    assert sum(c.weight for c in ours) > sum(c.weight for c in theirs)
    assert abs(sum(c.weight for c in found) - 1.0) < 1e-9


def test_the_sweep_forgets_agents_idle_for_ten_minutes() -> None:
    prefixes = Prefixes()
    prefixes.observe(f"{AGENT}-25-000200", {900_001}, T0)
    prefixes.observe(f"{AGENT}-25-000201", {900_002}, T0 + timedelta(seconds=30))
    assert prefixes.sweep(25, T0 + timedelta(minutes=1))
    assert prefixes.sweep(25, T0 + timedelta(minutes=11)) == []


def test_an_agents_number_is_probed_in_the_folder_any_filer_gets() -> None:
    """A company's guess through a filer agent may be another company's filing: its probe asks
    the accession's own folder (CIK 0); the company's own prefix keeps the company's folder."""
    prefixes = Prefixes()
    prefixes.observe(f"{AGENT}-25-000100", {SELF}, T0)
    prefixes.observe("0001045810-25-000230", {SELF}, T0)
    folders = {c.accession_number[:10]: c.cik for c in prefixes.candidates(SELF, 25, 12, T0)}
    assert folders == {AGENT: 0, "0001045810": SELF}


def test_the_sweep_probes_fresh_holes_of_a_busy_agent_not_stale_ones() -> None:
    """A number passed by a higher one is mostly a filing on Archives whose feed entry lags:
    the sweep probes it for a minute after it was passed, above the guesses past the head."""
    prefixes = Prefixes()
    for n in (200, 201, 203, 204):  # 202 is passed at T0 + 60 s
        prefixes.observe(
            f"{AGENT}-25-{n:06d}", {900_000 + n}, T0 + timedelta(seconds=20 * n - 4000)
        )
    fresh = {c.accession_number: c.weight for c in prefixes.sweep(25, T0 + timedelta(seconds=90))}
    hole, next_one = f"{AGENT}-25-000202", f"{AGENT}-25-000205"
    assert hole in fresh
    assert fresh[hole] > fresh[next_one]
    stale = [c.accession_number for c in prefixes.sweep(25, T0 + timedelta(seconds=140))]
    assert hole not in stale
    assert next_one in stale
