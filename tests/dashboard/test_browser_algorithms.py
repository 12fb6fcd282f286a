"""In chromium, against `sniper serve --replay`: an algorithm made through the API is listed
with its status and paper P&L; the create form refuses a bad sizing value with the API's own
message beside the field, then creates a draft that is listed; a backtest queued from the
dashboard's form completes (the serve process's backtest job) and its page shows the plotly
equity chart and trades."""

from __future__ import annotations

import asyncio

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.dashboard.conftest import Served, sign_in
from tests.support.browser import screenshot, serious_violations, wait_for
from tests.trading.algorithms.support import complete


def _completed(driver: WebDriver) -> bool:
    if "completed" in driver.find_element(By.ID, "bt-status").text:
        return True
    driver.refresh()
    return False


FORM = {  # element id: what the visitor types or picks
    "a-name": "SMA Swing",
    "a-strategyType": "swing",
    "a-timeframe": "1d",
    "a-symbols": "NASDAQ:AAPL, NYSE:IBM",
    "a-positionSizing-method": "percentage",
    "a-positionSizing-value": "-5",  # refused: must be greater than 0
    "a-entryConditions-conditions-0-indicator": "SMA",
    "a-entryConditions-conditions-0-period": "20",
    "a-entryConditions-conditions-0-operator": "crosses_above",
    "a-entryConditions-conditions-0-value": "150",
    "a-exitConditions-stopLoss-value": "3",
    "a-riskParameters-maxOpenPositions": "2",
}


def _fill(driver: WebDriver) -> None:
    for element_id, value in FORM.items():
        element = driver.find_element(By.ID, element_id)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.send_keys(value)
    driver.find_element(By.ID, "a-create").click()


def _create_in_form(driver: WebDriver) -> None:
    _fill(driver)
    error = wait_for(
        driver, lambda d: d.find_elements(By.ID, "a-positionSizing-value-error"), "field error"
    )
    assert error[0].text == "positionSizing.value: Input should be greater than 0", error[0].text
    assert serious_violations(driver) == []
    screenshot(driver, "algorithms-error")
    value = driver.find_element(By.ID, "a-positionSizing-value")
    assert driver.find_element(By.ID, "a-name").get_attribute("value") == "SMA Swing"
    value.clear()
    value.send_keys("10")
    driver.find_element(By.ID, "a-create").click()
    notice = wait_for(driver, lambda d: d.find_elements(By.CLASS_NAME, "notice"), "created")
    assert "SMA Swing" in notice[0].text, notice[0].text
    listed = driver.find_element(By.ID, "algorithms").text
    assert "SMA Swing" in listed, listed
    assert "NASDAQ:AAPL, NYSE:IBM" in listed, listed
    assert "draft" in listed, listed


def _flow(driver: WebDriver, served: Served) -> None:
    sign_in(driver, served.base, served.keys["alice"])
    driver.get(f"{served.base}/dashboard/algorithms")
    assert "RSI Momentum Strategy" in driver.find_element(By.ID, "algorithms").text
    _create_in_form(driver)
    assert serious_violations(driver) == []
    screenshot(driver, "algorithms")
    picker = Select(driver.find_element(By.ID, "bt-algorithm"))
    [api_made] = [o.text for o in picker.options if o.text.startswith("RSI Momentum Strategy")]
    picker.select_by_visible_text(api_made)
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
