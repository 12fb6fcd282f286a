"""In chromium, against `sniper serve --replay`: an algorithm made through the API is listed
with its status and paper P&L; a backtest queued from the dashboard's form completes (the
serve process's backtest job) and its page shows the plotly equity chart and trades."""

from __future__ import annotations

import asyncio

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.dashboard.conftest import Served, sign_in
from tests.support.browser import screenshot, serious_violations, wait_for
from tests.trading.algorithms.support import complete


def _completed(driver: WebDriver) -> bool:
    if "completed" in driver.find_element(By.ID, "bt-status").text:
        return True
    driver.refresh()
    return False


def _flow(driver: WebDriver, served: Served) -> None:
    sign_in(driver, served.base, served.keys["alice"])
    driver.get(f"{served.base}/dashboard/algorithms")
    assert "RSI Momentum Strategy" in driver.find_element(By.ID, "algorithms").text
    assert serious_violations(driver) == []
    screenshot(driver, "algorithms")
    driver.find_element(By.ID, "bt-run").click()
    wait_for(driver, lambda d: "/dashboard/backtests/" in d.current_url, "the backtest page")
    wait_for(driver, _completed, "the backtest completed")
    wait_for(
        driver,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#equity-chart .main-svg"),
        "plotly drew the equity chart",
    )
    legend = driver.find_element(By.ID, "equity-chart").text
    assert "Equity" in legend, legend
    assert "Drawdown" in legend, legend
    assert driver.find_elements(By.CSS_SELECTOR, "#trades tbody tr"), "trades listed"
    assert serious_violations(driver) == []
    screenshot(driver, "backtest")


async def test_backtest_chart(browser: WebDriver, served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base, timeout=30) as client:
        made = await client.post(
            "/api/trading/algorithms",
            json=complete(),
            headers={"X-API-Key": served.keys["alice"]},
        )
    assert made.status_code == 201, made.text
    await asyncio.to_thread(_flow, browser, served)
