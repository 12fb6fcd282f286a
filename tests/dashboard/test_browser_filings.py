"""In chromium, against `sniper serve --replay` as `make run` serves it (the recorded 13F
submissions placed into the replayed day, the recorded OpenFIGI answers behind the local
stand-in): create a MET 13F-HR target before MetLife's placed 13F-HR is accepted (2025-12-11
23:31:54Z), wait until the Targets page shows it enriched, then its filing page shows the
documents and the holdings table in dollars with ticker and FIGI, totals, sorting by value."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from sniper.config import Settings
from sniper.edgar.sim_documents import DEMO_OFFSET
from sniper.edgar.sim_filings import crawl_day
from sniper.kit.timefmt import iso_z
from tests.dashboard.conftest import serving, sign_in
from tests.filings.test_demo_replay import FIGI_CSV, METLIFE_13F, SPY_FIGI, SUBMISSIONS
from tests.support.browser import screenshot, serious_violations, wait_for
from tests.support.paths import ATOM_DIR

LEAD = timedelta(minutes=30)  # replay time from --start to MetLife's acceptance: 60 s at 30x
SPEED = "30"
ENRICHED = "processing: enriched (6 holdings)"


def _metlife_accepted_at() -> datetime:
    """Where the replay places MetLife's 13F-HR: `DEMO_OFFSET` after the day's first filing."""
    return min(f.accepted_at for f in crawl_day(ATOM_DIR)) + DEMO_OFFSET


def _enriched(driver: WebDriver, base: str) -> bool:
    """The stopped tab reloaded (the hit stops the target): MET's 13F enriched?"""
    driver.get(f"{base}/dashboard/targets?tab=stopped")
    return ENRICHED in driver.find_element(By.ID, "main").text


def _create_met_target(driver: WebDriver, base: str, key: str) -> None:
    sign_in(driver, base, key)
    driver.find_element(By.ID, "f-ticker").send_keys("MET")
    driver.find_element(By.ID, "f-duration_minutes").send_keys("120")
    driver.find_element(By.ID, "f-form_types").send_keys("13F-HR")
    driver.find_element(By.ID, "f-ticker").submit()
    wait_for(driver, lambda d: "created" in d.page_source, "the MET target created")
    wait_for(driver, lambda d: _enriched(d, base), "MET's 13F-HR enriched")


def _check_holdings(driver: WebDriver) -> None:
    rows = driver.find_elements(By.CSS_SELECTOR, "#holdings tbody tr")
    assert len(rows) == 6
    assert "6 holdings; total value $" in driver.find_element(By.ID, "totals").text
    table = driver.find_element(By.ID, "holdings").text
    assert "SPY" in table, table  # the ticker and FIGI from the OpenFIGI stand-in
    assert SPY_FIGI in table, table
    value = driver.find_element(By.XPATH, "//th/button[text()='Value ($)']")
    value.click()
    value.click()  # descending
    values = [
        int(cell.get_attribute("data-value") or 0)
        for cell in driver.find_elements(By.CSS_SELECTOR, "#holdings tbody td:nth-child(7)")
    ]
    assert values == sorted(values, reverse=True), values
    assert len(set(values)) > 1, values


def _flow(driver: WebDriver, base: str, key: str) -> None:
    _create_met_target(driver, base, key)
    driver.get(f"{base}/dashboard/filings")
    assert METLIFE_13F in driver.find_element(By.ID, "filings").text
    assert serious_violations(driver) == []
    screenshot(driver, "filings")
    driver.find_element(By.LINK_TEXT, METLIFE_13F).click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "holdings"), "the holdings table")
    facts = driver.find_element(By.ID, "filing").text
    assert "METLIFE INC" in facts, facts
    assert _metlife_accepted_at().strftime("%Y-%m-%d %H:%M:%S") in facts, facts
    _check_holdings(driver)
    assert driver.find_elements(By.CSS_SELECTOR, "#documents tbody tr a")
    assert serious_violations(driver) == []
    screenshot(driver, "filing-13f")


async def test_13f_holdings_table(browser: WebDriver, settings: Settings, tmp_path: Path) -> None:
    demo = {
        "SNIPER_REPLAY_SUBMISSIONS_PATH": str(SUBMISSIONS),
        "SNIPER_REPLAY_OPENFIGI_PATH": str(FIGI_CSV),
        "SNIPER_POLL_INTERVAL": "0.2",
    }
    start = iso_z(_metlife_accepted_at() - LEAD)
    async with serving(settings, tmp_path, start=start, speed=SPEED, env=demo) as served:
        await asyncio.to_thread(_flow, browser, served.base, served.keys["alice"])
