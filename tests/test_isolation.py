"""F9: tenant isolation. Two accounts over every `{id}` route of the OpenAPI document: bob gets
404 `NOT_FOUND` for each of alice's resources, reads and writes alike, and alice's state is
unchanged afterwards; bob's collection reads never show alice's ids (DESIGN.md: "A resource
owned by another account is a 404, never a 403"). Each 404 has the error body its route
documents (`ErrorBody`, or x3algo's `X3ErrorBody` on the algorithms and backtests surfaces)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sniper.db.session import transaction
from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.filings.billing import COSTS
from sniper.targets import lifecycle
from tests.conftest import Harness
from tests.trading.algorithms import support as algo

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


async def _algorithm(h: Harness, key: str) -> str:
    """A complete algorithm (`draft`), so the owner can start it."""
    return str((await algo.create(h, key, algo.complete()))["id"])


async def _backtest(h: Harness, key: str) -> str:
    """A queued backtest of a fresh algorithm (workers are off: it stays queued)."""
    body = {
        "algorithmId": await _algorithm(h, key),
        "startDate": "2010-01-04",
        "endDate": "2012-12-31",
        "initialBalance": 10_000,
    }
    created = await h.client.post("/api/backtests", json=body, headers=_auth(key))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


# Every path parameter that names an account's resource, and how to make one; and the parameters
# that name public reference data every account may read (EDGAR filings, CUSIP mappings, 13F
# funds). A new `{id}` route fails `test_every_id_route_is_covered` until its parameter is in one
# of the two.
MAKERS: dict[str, Maker] = {
    "target_id": _target,
    "delivery_id": _delivery,
    "algorithm_id": _algorithm,
    "backtest_id": _backtest,
}
SHARED = {
    "accession_number",
    "cusip",
    "cusip6",
    "ticker",
    "cik",
    "form_type",
}  # cik: a public filer
# The owner's documented answers other than success: a state command that does not apply to the
# algorithm's status (pause/resume of a stopped one) is 422 `UNPROCESSABLE_ENTITY`.
STATE_COMMAND = re.compile(r"/{algorithm_id}/(stop|pause|resume)$")


def _id_operations(h: Harness, *, owned_only: bool = True) -> list[tuple[str, str, list[str]]]:
    """(method, path template, path parameters) of every operation on an account's resource."""
    document = h.app.openapi()  # type: ignore[attr-defined]
    found = []
    for path, operations in document["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        if params and not (owned_only and set(params) <= SHARED):
            found.extend((method.upper(), path, params) for method in operations)
    return found


def _x3(h: Harness, method: str, path: str) -> bool:
    """Whether the operation documents x3algo's error body for its 404."""
    document = h.app.openapi()  # type: ignore[attr-defined]
    content = document["paths"][path][method.lower()]["responses"]["404"]["content"]
    return bool(content["application/json"]["schema"]["$ref"].endswith("/X3ErrorBody"))


def _collection_reads(h: Harness) -> list[str]:
    document = h.app.openapi()  # type: ignore[attr-defined]
    return [
        path
        for path, operations in document["paths"].items()
        if "{" not in path and "get" in operations and operations["get"].get("security")
    ]


async def _snapshot(h: Harness, key: str, ids: dict[str, str]) -> dict[str, object]:
    """Alice's view through every collection read and every read of one of her resources (an
    algorithm's `status`, `version`, `updatedAt`, a backtest's `status`, ...). Priced reads of
    public reference data (`filings.billing.COSTS`) are left out: they debit the reader, so the
    snapshot itself would change her ledger."""
    free = [p for p in _collection_reads(h) if f"GET {p}" not in COSTS]
    reads = [
        path.format(**{p: ids[p] for p in params})
        for method, path, params in _id_operations(h)
        if method == "GET"
    ]
    views = {}
    for path in [*free, *reads]:
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
    before = await _snapshot(h, alice, ids)
    h.clock.advance(timedelta(minutes=1))  # a write by bob would show in an `updatedAt`
    calls = 0
    for method, path, params in _id_operations(h):
        url = path.format(**{p: ids[p] for p in params})
        response = await h.client.request(method, url, headers=_auth(bob), json={})
        if _x3(h, method, path):
            algo.error_of(response, 404, "NOT_FOUND")
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
        calls += 1
    assert calls == len(_id_operations(h))
    assert await _snapshot(h, alice, ids) == before, "bob's calls changed nothing of alice's"
    for path in _collection_reads(h):
        text = (await h.client.get(path, headers=_auth(bob))).text
        for value in ids.values():
            assert value not in text, (path, value)
    # Alice's own calls, deletes last (they end the resource): GET, PATCH, start, stop succeed;
    # pause and resume of the stopped algorithm are its documented 422, never a 404.
    owner = sorted(_id_operations(h), key=lambda operation: operation[0] == "DELETE")
    for method, path, params in owner:
        url = path.format(**{p: ids[p] for p in params})
        own = await h.client.request(method, url, headers=_auth(alice), json={})
        if own.status_code == 422 and STATE_COMMAND.search(path):
            algo.error_of(own, 422, "UNPROCESSABLE_ENTITY")
        else:
            assert own.status_code < 400, (method, url, own.text)
