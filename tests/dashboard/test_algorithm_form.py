"""The Algorithms page's create form over HTTP (in process, the real app and database): CSRF
checked, the API's own 400 message for the same input shown beside the field it names (a
model-level one above the form), and a valid form making the draft the API lists."""

from __future__ import annotations

from markupsafe import escape

from sniper.dashboard.algorithm_form import request_body
from tests.conftest import Harness
from tests.dashboard.test_session import CSRF
from tests.trading.algorithms.support import BASE, auth

FORM = {
    "name": "SMA Swing",
    "timeframe": "1d",
    "symbols": "NASDAQ:AAPL, NYSE:IBM",
    "positionSizing.method": "percentage",
    "positionSizing.value": "10",
    "entryConditions.conditions.0.indicator": "SMA",
    "entryConditions.conditions.0.period": "20",
    "entryConditions.conditions.0.operator": "crosses_above",
    "entryConditions.conditions.0.value": "150",
    "exitConditions.stopLoss.value": "3",
}


async def _csrf(harness: Harness, key: str) -> str:
    assert (await harness.client.post("/dashboard/login", data={"api_key": key})).is_redirect
    found = CSRF.search((await harness.client.get("/dashboard/algorithms")).text)
    assert found is not None
    return found.group(1)


async def _api_message(harness: Harness, key: str, form: dict[str, str]) -> str:
    answer = await harness.client.post(BASE, json=request_body(form), headers=auth(key))
    assert answer.status_code == 400, answer.text
    message: str = answer.json()["error"]["message"]
    return message


async def test_bad_input_shows_the_apis_message_beside_the_field(harness: Harness) -> None:
    key = await harness.account("alice")
    csrf = await _csrf(harness, key)
    refused = await harness.client.post("/dashboard/algorithms", data=FORM)
    assert refused.status_code == 403  # no CSRF token
    cases = {
        "a-positionSizing-value-error": FORM | {"positionSizing.value": "-5"},
        "a-entryConditions-conditions-0-period-error": FORM
        | {"entryConditions.conditions.0.period": "fourteen"},
        "a-symbols-error": FORM | {"symbols": "aapl"},
        "a-form-error": FORM | {"symbols": "NASDAQ:AAPL, NASDAQ:AAPL"},
    }
    for element_id, form in cases.items():
        page = await harness.client.post("/dashboard/algorithms", data=form | {"csrf": csrf})
        assert page.status_code == 400, page.text
        message = escape(await _api_message(harness, key, form))  # as Jinja escapes it
        assert f'id="{element_id}" class="field-error" role="alert">{message}<' in page.text


async def test_a_valid_form_makes_the_draft_the_api_lists(harness: Harness) -> None:
    key = await harness.account("alice")
    csrf = await _csrf(harness, key)
    made = await harness.client.post("/dashboard/algorithms", data=FORM | {"csrf": csrf})
    assert made.status_code == 303, made.text
    page = await harness.client.get(made.headers["location"])
    assert "Algorithm SMA Swing (alg_" in page.text
    [listed] = (await harness.client.get(BASE, headers=auth(key))).json()["data"]
    assert (listed["name"], listed["status"]) == ("SMA Swing", "draft")
    assert listed["symbols"] == ["NASDAQ:AAPL", "NYSE:IBM"]
    condition = listed["entryConditions"]["conditions"][0]
    assert (condition["type"], condition["indicator"], condition["period"]) == (
        "indicator_value",
        "SMA",
        20,
    )
    assert listed["exitConditions"]["stopLoss"]["type"] == "percentage"
    assert listed["positionSizing"]["value"] == 10
