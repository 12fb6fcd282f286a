"""In chromium: a replayed 13F-HR hit (MetLife, the pipeline test's recorded filing, EDGAR
and OpenFIGI stand-ins on local servers) parsed and enriched, then its filing page shows the
documents and the holdings table in dollars with ticker and FIGI, totals, sorting by value.
The app runs in this process under uvicorn (the pipeline's stand-ins need its settings)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from sniper.config import Settings
from sniper.filings.tasks import PROCESS
from sniper.worker.jobs import JobRunner
from tests.dashboard.conftest import sign_in
from tests.filings.standins import OpenFigiStandIn, edgar_handler
from tests.filings.test_pipeline import METLIFE_13F, _hit, _replaying, _settings
from tests.support.browser import screenshot, serious_violations, wait_for
from tests.support.http_server import LocalServer


@contextlib.asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[str]:
    """uvicorn on a free port for an app whose lifespan already runs (lifespan off)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


def _flow(driver: WebDriver, base: str, key: str) -> None:
    sign_in(driver, base, key)
    driver.get(f"{base}/dashboard/filings")
    assert METLIFE_13F in driver.find_element(By.ID, "filings").text
    assert serious_violations(driver) == []
    screenshot(driver, "filings")
    driver.find_element(By.LINK_TEXT, METLIFE_13F).click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "holdings"), "the holdings table")
    rows = driver.find_elements(By.CSS_SELECTOR, "#holdings tbody tr")
    assert len(rows) == 6
    assert "6 holdings; total value $" in driver.find_element(By.ID, "totals").text
    assert "SPY" in driver.find_element(By.ID, "holdings").text  # tickers from OpenFIGI
    value = driver.find_element(By.XPATH, "//th/button[text()='Value ($)']")
    value.click()
    value.click()  # descending
    values = [
        int(cell.get_attribute("data-value") or 0)
        for cell in driver.find_elements(By.CSS_SELECTOR, "#holdings tbody td:nth-child(7)")
    ]
    assert values == sorted(values, reverse=True), values
    assert driver.find_elements(By.CSS_SELECTOR, "#documents tbody tr a")
    assert serious_violations(driver) == []
    screenshot(driver, "filing-13f")


async def test_13f_holdings_table(browser: WebDriver, settings: Settings, tmp_path: Path) -> None:
    with LocalServer(edgar_handler) as edgar, LocalServer(OpenFigiStandIn()) as openfigi:
        configured = _settings(
            settings, edgar_archives_base_url=edgar.url, openfigi_base_url=openfigi.url
        )
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            fired_at = datetime(2023, 3, 23, 15, 31, tzinfo=UTC)
            key, _, _ = await _hit(h, "MET", fired_at)
            h.clock.set(fired_at + timedelta(seconds=5))
            assert await JobRunner(h.runtime, PROCESS).run_due() == 1
            async with _serving(h.app) as base:  # type: ignore[arg-type]
                await asyncio.to_thread(_flow, browser, base, key)
