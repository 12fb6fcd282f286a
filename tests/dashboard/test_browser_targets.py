"""In chromium, against `sniper serve --replay` (2025-12-12 from 15:45:30Z at 1x): sign in
with the keyboard, rotate and read the webhook secret, open Live, create a SONY target with a
webhook URL at a receiver on 127.0.0.1 in another tab and see its 6-K hit arrive live with its
lag from acceptance and from first public; the receiver gets the signed webhook and the
Deliveries page shows its status code, latency and answer; stop another target; each page
passes axe-core with no serious violation and is saved as a screenshot."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from sniper.notify.signing import verify
from tests.dashboard.conftest import Served, sign_in
from tests.support.browser import screenshot, serious_violations, wait_for
from tests.support.http_server import LocalServer, Reply, Request

RECEIVER_ANSWER = b'{"received": "by the test receiver"}'


def _receiver(request: Request) -> Reply:
    del request
    return Reply(202, RECEIVER_ANSWER, {"Content-Type": "application/json"})


def _create(driver: WebDriver, ticker: str, minutes: str, webhook_url: str = "") -> None:
    driver.find_element(By.ID, "f-ticker").send_keys(ticker)
    driver.find_element(By.ID, "f-duration_minutes").send_keys(minutes)
    if webhook_url:
        driver.find_element(By.ID, "f-webhook_url").send_keys(webhook_url)
    driver.find_element(By.ID, "f-duration_minutes").submit()
    wait_for(driver, lambda d: "created" in d.page_source, f"the {ticker} target created")


def _rotated_secret(driver: WebDriver, base: str) -> str:
    """Rotate the signing secret on the Deliveries page; the new secret it reveals once."""
    driver.get(f"{base}/dashboard/deliveries")
    driver.find_element(By.ID, "rotate").click()
    revealed = wait_for(driver, lambda d: d.find_elements(By.ID, "revealed-secret"), "secret")
    return str(revealed[0].text)


def _signed_hit(receiver: LocalServer, secret: str) -> dict[str, object]:
    """The receiver's one webhook, verified with `secret` (at its own timestamp: the replay
    clock is in 2025); its JSON body."""
    [request] = receiver.requests
    sent_at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
    verify(secret, request.headers, request.body, now=sent_at)
    body: dict[str, object] = json.loads(request.body)
    return body


def _attempts(driver: WebDriver, base: str) -> list[WebElement]:
    """The Deliveries page reloaded; its attempt items (the attempt is recorded once the
    receiver has answered, so just after the receiver sees the request)."""
    driver.get(f"{base}/dashboard/deliveries")
    return driver.find_elements(By.CSS_SELECTOR, "#deliveries li.attempt")


def _check_deliveries(driver: WebDriver, base: str, receiver: LocalServer, secret: str) -> None:
    wait_for(driver, lambda d: receiver.requests, "the webhook at the local receiver")
    hit = _signed_hit(receiver, secret)
    assert "SONY" in json.dumps(hit), hit
    attempts = wait_for(driver, lambda d: _attempts(d, base), "the attempt on Deliveries")
    row = driver.find_element(By.CSS_SELECTOR, "#deliveries tbody tr").text
    assert f"{receiver.url}/hook" in row, row
    attempt = attempts[0].text
    assert re.search(r"HTTP 202, \d+ ms, success", attempt), attempt
    assert RECEIVER_ANSWER.decode() in attempt, attempt
    assert serious_violations(driver) == []
    screenshot(driver, "deliveries")


def _lags(driver: WebDriver) -> list[str]:
    """The hit row's "from acceptance" and "from first public" cells, once both are filled."""
    row = driver.find_element(By.CSS_SELECTOR, "#live-events tr.live-sniper-filing_hit")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")[-2:]]
    return cells if all(cells) else []


def _check_lags(driver: WebDriver) -> None:
    """Both lags shown in seconds; first public (Archives or feed) comes after acceptance,
    so its lag is no longer."""
    accepted, public = wait_for(driver, _lags, "the hit's lag from first public")
    assert re.fullmatch(r"\d+\.\d s", accepted), accepted
    assert re.fullmatch(r"\d+\.\d s", public), public
    assert float(public[:-2]) <= float(accepted[:-2]), (public, accepted)


def _flow(driver: WebDriver, served: Served, receiver: LocalServer) -> None:
    sign_in(driver, served.base, served.keys["alice"])
    secret = _rotated_secret(driver, served.base)
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
    _create(driver, "SONY", "60", f"{receiver.url}/hook")
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
    _check_lags(driver)
    assert serious_violations(driver) == []
    screenshot(driver, "live")
    _check_deliveries(driver, served.base, receiver, secret)
    driver.get(f"{served.base}/dashboard/targets?tab=active")
    driver.find_element(By.CSS_SELECTOR, "button[aria-label^='Stop target XOM']").click()
    wait_for(driver, lambda d: "stopped" in d.find_element(By.ID, "main").text, "XOM stopped")
    stopped = driver.find_element(By.ID, "targets").text
    assert "XOM" in stopped, stopped
    assert "manual_stop" in stopped, stopped
    assert "SONY" in stopped, stopped
    assert "filing_hit" in stopped, stopped


async def test_create_fire_live_and_stop(browser: WebDriver, served: Served) -> None:
    with LocalServer(_receiver) as receiver:
        await asyncio.to_thread(_flow, browser, served, receiver)
