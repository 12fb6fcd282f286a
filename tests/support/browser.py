"""Debian's chromium through chromedriver (Selenium), headless, for the dashboard tests; axe-core
(the `axe.min.js` the `axe-core-python` wheel ships, injected from disk: no network) for the
accessibility check; screenshots into `docs/screenshots/`."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_SECONDS = 90.0  # generous: a loaded two-core machine
SERIOUS = ("serious", "critical")


def _axe_js() -> str:
    spec = importlib.util.find_spec("axe_core_python")
    assert spec is not None
    assert spec.origin is not None
    return (Path(spec.origin).parent / "axe.min.js").read_text()


@contextmanager
def chromium() -> Iterator[WebDriver]:
    """A headless chromium (1280x1000) driven by Debian's chromedriver; quit at the end."""
    assert CHROMIUM, "tests skip when chromium is absent"
    assert CHROMEDRIVER, "tests skip when chromedriver is absent"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,1000")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], what: str) -> Any:
    """`condition(driver)` once truthy (polled), else fail naming `what`."""
    ignored = (NoSuchElementException, StaleElementReferenceException)  # a page mid-navigation
    wait = WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=ignored)
    return wait.until(condition, what)


def serious_violations(driver: WebDriver) -> list[str]:
    """axe-core's serious and critical violations of the current page, `id: help (n nodes)`."""
    driver.execute_script(_axe_js())
    driver.set_script_timeout(WAIT_SECONDS)
    violations: list[dict[str, Any]] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations), e => done([{id: 'axe-error',"
        " impact: 'critical', help: String(e), nodes: []}]));"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in violations
        if v.get("impact") in SERIOUS
    ]


def screenshot(driver: WebDriver, name: str) -> Path:
    """Save the current page as `docs/screenshots/{name}.png`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(1000, min(int(height) + 40, 4000)))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    return path
