"""F9: tenant isolation. Two accounts over every `{id}` route of the OpenAPI document: bob gets
404 `NOT_FOUND` for each of alice's resources, reads and writes alike, and alice's state is
unchanged afterwards; bob's collection reads never show alice's ids (DESIGN.md: "A resource
owned by another account is a 404, never a 403")."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sniper.db.session import transaction
from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.targets import lifecycle
from tests.conftest import Harness

Maker = Callable[[Harness, str], Awaitable[str]]


def _auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def _target(h: Harness, key: str) -> str:
    created = await h.client.post(
        "/api/v1/sniper/targets", json={"ticker": "AAPL"}, headers=_auth(key)
    )
    assert created.status_code == 200, created.text
    return str(created.json()["target_id"])


async def _delivery(h: Harness, key: str) -> str:
    """A hit on a fresh target with a webhook URL makes one delivery."""
    target_id = await _target(h, key)
    filing = DetectedFiling(
        accession_number="0000320193-25-000777",
        form_type="8-K",
        accepted_at=h.clock.now(),
        index_url="https://www.sec.gov/Archives/edgar/data/320193/000032019325000777/"
        "0000320193-25-000777-index.htm",
        entities=(FilingEntity(320193, "Apple Inc.", "Filer"),),
    )
    async with transaction(h.runtime.sessions) as session:
        assert await lifecycle.record_hit(session, h.runtime, target_id, filing) is not None
    listed = await h.client.get(
        "/api/v1/webhooks/deliveries", params={"target_id": target_id}, headers=_auth(key)
    )
    [delivery] = listed.json()["deliveries"]
    return str(delivery["delivery_id"])


# Every path parameter that names an account's resource, and how to make one; and the parameters
# that name public reference data every account may read (EDGAR filings, CUSIP mappings). A new
# `{id}` route fails `test_every_id_route_is_covered` until its parameter is in one of the two.
MAKERS: dict[str, Maker] = {"target_id": _target, "delivery_id": _delivery}
SHARED = {"accession_number", "cusip", "ticker"}


def _id_operations(h: Harness, *, owned_only: bool = True) -> list[tuple[str, str, list[str]]]:
    """(method, path template, path parameters) of every operation on an account's resource."""
    document = h.app.openapi()  # type: ignore[attr-defined]
    found = []
    for path, operations in document["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        if params and not (owned_only and set(params) <= SHARED):
            found.extend((method.upper(), path, params) for method in operations)
    return found


def _collection_reads(h: Harness) -> list[str]:
    document = h.app.openapi()  # type: ignore[attr-defined]
    return [
        path
        for path, operations in document["paths"].items()
        if "{" not in path and "get" in operations and operations["get"].get("security")
    ]


async def _snapshot(h: Harness, key: str) -> dict[str, object]:
    """Alice's view through every collection read."""
    views = {}
    for path in _collection_reads(h):
        response = await h.client.get(path, headers=_auth(key))
        body = response.json()
        if isinstance(body, dict):
            body.pop("request_id", None)
            body.pop("timestamp", None)
        views[path] = (response.status_code, body)
    return views


async def test_every_id_route_is_covered(harness: Harness) -> None:
    operations = _id_operations(harness, owned_only=False)
    assert operations, "the API has {id} routes"
    unknown = {p for _, _, params in operations for p in params if p not in {*MAKERS, *SHARED}}
    assert not unknown, f"add {sorted(unknown)} to MAKERS (account-owned) or SHARED (public)"
    assert {p for _, _, params in _id_operations(harness) for p in params} == set(MAKERS)


async def test_f9_cross_account_reads_and_writes_are_404(harness: Harness) -> None:
    h = harness
    alice = await h.account("alice", tokens=100, webhook_url="http://127.0.0.1:9/hook")
    bob = await h.account("bob", tokens=100)
    await _target(h, bob)  # bob has resources of his own
    ids = {name: await make(h, alice) for name, make in MAKERS.items()}
    before = await _snapshot(h, alice)
    calls = 0
    for method, path, params in _id_operations(h):
        url = path.format(**{p: ids[p] for p in params})
        response = await h.client.request(method, url, headers=_auth(bob), json={})
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
        calls += 1
    assert calls == len(_id_operations(h))
    assert await _snapshot(h, alice) == before, "bob's calls changed nothing of alice's"
    for path in _collection_reads(h):
        text = (await h.client.get(path, headers=_auth(bob))).text
        for value in ids.values():
            assert value not in text, (path, value)
    for method, path, params in _id_operations(h):
        url = path.format(**{p: ids[p] for p in params})
        own = await h.client.request(method, url, headers=_auth(alice), json={})
        assert own.status_code < 400, (method, url, own.text)
