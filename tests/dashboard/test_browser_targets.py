"""In chromium, against `sniper serve --replay` (2025-12-12 from 15:45:30Z at 1x): sign in
with the keyboard, open Live, create a SONY target in another tab and see its 6-K hit arrive
live; stop another target; each page passes axe-core with no serious violation and is saved
as a screenshot."""

from __future__ import annotations

import asyncio

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.dashboard.conftest import Served, sign_in
from tests.support.browser import screenshot, serious_violations, wait_for


def _create(driver: WebDriver, ticker: str, minutes: str) -> None:
    driver.find_element(By.ID, "f-ticker").send_keys(ticker)
    driver.find_element(By.ID, "f-duration_minutes").send_keys(minutes)
    driver.find_element(By.ID, "f-duration_minutes").submit()
    wait_for(driver, lambda d: "created" in d.page_source, f"the {ticker} target created")


def _flow(driver: WebDriver, served: Served) -> None:
    sign_in(driver, served.base, served.keys["alice"])
    driver.get(f"{served.base}/dashboard/live")
    wait_for(driver, lambda d: "Connected" in d.find_element(By.ID, "live-state").text, "ws")
    live = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(f"{served.base}/dashboard/targets")
    driver.find_element(By.ID, "f-ticker").send_keys("ZZZQQX")
    driver.find_element(By.ID, "f-ticker").submit()
    error = wait_for(driver, lambda d: d.find_elements(By.ID, "f-ticker-error"), "field error")
    assert "unknown ticker" in error[0].text
    driver.find_element(By.ID, "f-ticker").clear()
    _create(driver, "SONY", "60")
    _create(driver, "XOM", "60")
    assert "2 of 5 slots used" in driver.find_element(By.ID, "slots").text
    assert serious_violations(driver) == []
    screenshot(driver, "targets")
    driver.switch_to.window(live)
    wait_for(
        driver,
        lambda d: "sniper.filing_hit" in d.find_element(By.ID, "live-events").text,
        "SONY's hit pushed to the live page",
    )
    row = driver.find_element(By.CSS_SELECTOR, "#live-events tr.live-sniper-filing_hit").text
    assert "SONY" in row, row
    assert "6-K" in row, row
    assert serious_violations(driver) == []
    screenshot(driver, "live")
    driver.get(f"{served.base}/dashboard/targets?tab=active")
    driver.find_element(By.CSS_SELECTOR, "button[aria-label^='Stop target XOM']").click()
    wait_for(driver, lambda d: "stopped" in d.find_element(By.ID, "main").text, "XOM stopped")
    stopped = driver.find_element(By.ID, "targets").text
    assert "XOM" in stopped, stopped
    assert "manual_stop" in stopped, stopped
    assert "SONY" in stopped, stopped
    assert "filing_hit" in stopped, stopped


async def test_create_fire_live_and_stop(browser: WebDriver, served: Served) -> None:
    await asyncio.to_thread(_flow, browser, served)
