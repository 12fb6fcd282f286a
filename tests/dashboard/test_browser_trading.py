"""In chromium, against `sniper serve --replay`: the sign-in page and the trading page pass
axe-core; an admin flips the emergency switch (reason and confirmation required) and the client
then sees new entries denied and its resume refused; the client rotates its webhook secret
(revealed once) and sees its balance and usage chart."""

from __future__ import annotations

import asyncio

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests.dashboard.conftest import Served, sign_in
from tests.support.browser import screenshot, serious_violations, wait_for


def _sign_out(driver: WebDriver) -> None:
    driver.find_element(By.XPATH, "//button[text()='Sign out']").click()
    wait_for(driver, lambda d: d.current_url.endswith("/dashboard/login"), "signed out")


def _flow(driver: WebDriver, served: Served) -> None:
    driver.get(f"{served.base}/dashboard/login")
    assert serious_violations(driver) == []
    screenshot(driver, "sign-in")
    sign_in(driver, served.base, served.keys["root"])
    driver.get(f"{served.base}/dashboard/trading")
    assert "allowed" in driver.find_element(By.ID, "gate").text
    driver.find_element(By.ID, "emergency-reason").send_keys("exchange outage")
    driver.find_element(By.ID, "emergency-set").click()  # not confirmed: the browser refuses
    assert driver.current_url.endswith("/dashboard/trading")
    assert "emergency" not in driver.find_element(By.ID, "trading-status").text
    confirm = driver.find_element(By.ID, "emergency-confirm")
    confirm.send_keys(Keys.SPACE)  # the keyboard ticks it
    assert confirm.is_selected()
    driver.find_element(By.ID, "emergency-set").click()
    wait_for(driver, lambda d: "emergency_applied" in d.page_source, "emergency applied")
    assert "denied" in driver.find_element(By.ID, "gate").text
    assert serious_violations(driver) == []
    screenshot(driver, "trading-admin")
    _sign_out(driver)
    sign_in(driver, served.base, served.keys["alice"])
    driver.get(f"{served.base}/dashboard/trading")
    assert "denied" in driver.find_element(By.ID, "gate").text
    assert driver.find_elements(By.ID, "emergency-set") == []  # no admin switches
    driver.find_element(By.ID, "cmd-resume").click()
    wait_for(driver, lambda d: "resume refused" in d.page_source, "resume refused")
    assert "exchange outage" in driver.find_element(By.ID, "flags").text
    assert serious_violations(driver) == []
    screenshot(driver, "trading")
    _deliveries_and_account(driver, served)


def _deliveries_and_account(driver: WebDriver, served: Served) -> None:
    driver.get(f"{served.base}/dashboard/deliveries")
    before = driver.find_element(By.ID, "secret-prefix").text
    driver.find_element(By.ID, "rotate").click()
    revealed = wait_for(driver, lambda d: d.find_elements(By.ID, "revealed-secret"), "secret")
    assert revealed[0].text.startswith("whsec_")
    assert driver.find_element(By.ID, "secret-prefix").text != before
    assert serious_violations(driver) == []  # its screenshot (with an attempt): targets test
    driver.get(f"{served.base}/dashboard/deliveries")
    assert driver.find_elements(By.ID, "revealed-secret") == []  # shown once
    driver.get(f"{served.base}/dashboard/account")
    assert driver.find_element(By.ID, "token-balance").text == "1000"
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#usage-chart .main-svg"), "chart")
    assert serious_violations(driver) == []
    screenshot(driver, "account")


async def test_admin_emergency_denies_entries(browser: WebDriver, served: Served) -> None:
    await asyncio.to_thread(_flow, browser, served)
