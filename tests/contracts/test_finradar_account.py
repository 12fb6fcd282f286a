"""Finradar contract: the documented request examples of the account, user-data, sniper and
webhook pages (copied into `finradar_account/*.json` with each page's URL) replayed against
the app over HTTP, checking the documented status codes, response fields, types and values.

An example is `{"page", "note"?, "setup"?, "request": {method, path, query?, headers?,
json?}, "expect": {status, envelope?, error?, fields?, values?, patterns?, webhook?}}`:

- `YOUR_JWT_TOKEN` / `YOUR_API_KEY` in a header become the account's key, `{target_id}` in a
  path the id of the target `setup` made;
- `setup`: `target` (an AAPL target), `stopped_target` (one already stopped),
  `filing_hit` (an XOM target fired by the recorded 2025-12-12 Form 4, one token debited) or
  `no_tokens` (the account starts with 0 tokens instead of 100);
- `fields` maps a dotted path (`a[].b` walks every element) to its type, `string|null` style;
  `values` and `patterns` (regular expressions) check what the path holds;
- `envelope`: the body is Finradar's `{status, request_id, timestamp, data}` and paths are
  read inside `data`; `error`: the body is the error envelope;
- `webhook`: after the request, the recorded filing fires the target and the same checks run
  on the body queued for `POST {your_webhook_url}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.models import WebhookDelivery
from tests.conftest import Harness, running
from tests.notify.stubs import StubResolver

DATA = Path(__file__).parent / "finradar_account"
# The recorded XOM Form 4 (accepted 15:05:12Z) is in the feed by then.
XOM_AFTER_FILING = datetime(2025, 12, 12, 15, 6, tzinfo=UTC)
# The pages' example webhook hosts, resolved to a public address (no packet is sent).
NAMES = {
    "customer.example.com": ["93.184.216.34"],
    "your-app.example.com": ["93.184.216.34"],
}
TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}
PLACEHOLDERS = ("YOUR_JWT_TOKEN", "YOUR_API_KEY")


def _examples() -> list[Any]:
    cases = []
    for path in sorted(DATA.glob("*.json")):
        for n, example in enumerate(json.loads(path.read_text())):
            cases.append(pytest.param(example, id=f"{path.stem}-{n}"))
    return cases


@pytest.fixture
async def finradar(settings: Settings, clock: ManualClock) -> AsyncIterator[Harness]:
    async with running(settings, clock) as h:
        h.runtime.resolver = StubResolver(NAMES)
        yield h


def values_at(body: Any, path: str) -> list[Any]:
    """Every value at dotted `path`; `name[]` walks each element of the list `name`."""
    found = [body]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part.removesuffix("[]")
        found = [item[key] for item in found if isinstance(item, dict) and key in item]
        if many:
            found = [element for items in found for element in items]
    return found


def check(body: Any, expect: dict[str, Any], where: str) -> None:
    """Assert the `fields` types, `values` and `patterns` of `expect` on `body`."""
    for path, kinds in expect.get("fields", {}).items():
        allowed = tuple(TYPES[kind] for kind in kinds.split("|"))
        found = values_at(body, path)
        assert found or path.count("[]"), f"{where}: {path} missing"
        for value in found:
            # bool is an int in Python; the pages keep integer and boolean apart
            wrong = isinstance(value, bool) and bool not in allowed
            assert isinstance(value, allowed), f"{where}: {path}={value!r}"
            assert not wrong, f"{where}: {path}={value!r}"
    for path, wanted in expect.get("values", {}).items():
        found = values_at(body, path)
        if "[]" in path and isinstance(wanted, list):
            assert found == wanted, f"{where}: {path}={found!r}"
        elif "[]" in path:
            assert found, f"{where}: {path} missing"
            assert all(v == wanted for v in found), f"{where}: {path}={found!r}"
        else:
            assert found == [wanted], f"{where}: {path}={found!r}"
    for path, pattern in expect.get("patterns", {}).items():
        found = values_at(body, path)
        assert found, f"{where}: {path} missing"
        assert all(re.search(pattern, v) for v in found), f"{where}: {path}={found!r}"


async def _setup(h: Harness, key: str, setup: str | None) -> dict[str, str]:
    """Run the example's `setup`; the path substitutions it makes."""
    if setup is None:
        return {}
    auth = {"X-API-Key": key}
    if setup == "filing_hit":
        await _create(h, auth, {"ticker": "XOM", "duration_minutes": 120})
        await _fire(h)
        return {}
    target_id = await _create(h, auth, {"ticker": "AAPL"})
    if setup == "stopped_target":
        stopped = await h.client.post(f"/api/v1/sniper/targets/{target_id}/stop", headers=auth)
        assert stopped.status_code == 200, stopped.text
    return {"{target_id}": target_id}


async def _create(h: Harness, auth: dict[str, str], body: dict[str, Any]) -> str:
    created = await h.client.post("/api/v1/sniper/targets", headers=auth, json=body)
    assert created.status_code == 200, created.text
    return str(created.json()["target_id"])


async def _fire(h: Harness) -> None:
    h.clock.set(XOM_AFTER_FILING)
    await h.watcher.tick()


async def _queued_webhook(h: Harness) -> dict[str, Any]:
    async with transaction(h.runtime.sessions) as session:
        rows = (await session.execute(select(WebhookDelivery.payload))).scalars().all()
    assert len(rows) == 1, rows
    return dict(rows[0])


async def _replay(h: Harness, key: str, example: dict[str, Any], subs: dict[str, str]) -> Any:
    request = example["request"]
    path = request["path"]
    for placeholder, value in subs.items():
        path = path.replace(placeholder, value)
    headers = {name: _with_key(value, key) for name, value in request.get("headers", {}).items()}
    kwargs: dict[str, Any] = {"headers": headers, "params": request.get("query")}
    if "json" in request:
        kwargs["json"] = request["json"]
    return await h.client.request(request["method"], path, **kwargs)


def _with_key(value: str, key: str) -> str:
    for placeholder in PLACEHOLDERS:
        value = value.replace(placeholder, key)
    return value


@pytest.mark.parametrize("example", _examples())
async def test_documented_example(finradar: Harness, example: dict[str, Any]) -> None:
    h = finradar
    setup = example.get("setup")
    key = await h.account("alice", tokens=0 if setup == "no_tokens" else 100)
    subs = await _setup(h, key, None if setup == "no_tokens" else setup)
    response = await _replay(h, key, example, subs)
    expect = example["expect"]
    where = f"{example['request']['method']} {example['request']['path']} ({example['page']})"
    assert response.status_code == expect["status"], f"{where}: {response.text}"
    assert response.headers["x-request-id"]
    body = response.json()
    if expect.get("envelope"):
        assert body["status"] == "success"
        assert body["request_id"] == response.headers["x-request-id"]
        assert body["timestamp"].endswith("Z")
        body = body["data"]
    if expect.get("error"):
        assert body["status"] == "error"
        assert body["request_id"] == response.headers["x-request-id"]
        assert isinstance(body["error"]["code"], str)
        assert isinstance(body["error"]["message"], str)
    check(body, expect, where)
    if "webhook" in expect:
        await _fire(h)
        check(await _queued_webhook(h), expect["webhook"], f"webhook after {where}")


def test_every_example_names_its_page() -> None:
    for param in _examples():
        example = param.values[0]
        assert example["page"].startswith("https://uat.finradarapi.com/")
        assert {"request", "expect"} <= example.keys()
