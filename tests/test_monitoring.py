"""Prometheus metrics (issue 16 item 2): `GET /metrics` for an admin key only, the same
metrics without a key on `SNIPER_METRICS_PORT`, and the counters a user watches move when the
replayed day fires a real target (XOM's Form 4, accepted 15:05:12Z)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from random import Random

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.notify.helpers import fire_hits
from tests.notify.receiver import Receiver
from tests.support.cli import sniper
from tests.support.http_server import Reply, Request
from tests.support.paths import ATOM_DIR

XOM_FORM_4 = "0000034088-25-000124"


def _auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition: (name, sorted labels) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> float:
    """The sum of `name` over all its label sets (0 when absent)."""
    return sum(value for (sample, _), value in samples.items() if sample == name)


async def _scrape(h: Harness, key: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await h.client.get("/metrics", headers=_auth(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


async def test_a_hit_moves_the_hit_poll_lag_and_edgar_metrics(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    alice = await h.account("alice", tokens=10)
    window = {"start_time": "2025-12-12T15:00:00Z", "end_time": "2025-12-12T16:00:00Z"}
    created = await h.client.post(
        "/api/v1/sniper/targets", json={"ticker": "XOM"} | window, headers=_auth(alice)
    )
    assert created.status_code == 200, created.text
    before = await _scrape(h, root)

    status = "ACTIVE"
    while status != "STOPPED":
        assert h.clock.now() < datetime(2025, 12, 12, 15, 30, tzinfo=UTC), "XOM never fired"
        h.clock.advance(timedelta(seconds=30))
        await h.watcher.tick()
        listed = await h.client.get("/api/v1/sniper/targets", headers=_auth(alice))
        (target,) = listed.json()["targets"]
        status = target["status"]
    assert target["last_event"]["accession_number"] == XOM_FORM_4

    after = await _scrape(h, root)
    assert _total(after, "sniper_hits_total") == _total(before, "sniper_hits_total") + 1
    assert _total(after, "sniper_polls_total") > _total(before, "sniper_polls_total")
    for name in (
        "sniper_detection_lag_from_acceptance_seconds_count",
        "sniper_detection_lag_from_first_public_seconds_count",
        "sniper_edgar_requests_total",
    ):
        assert _total(after, name) > _total(before, name), name
    assert ("sniper_edgar_requests_total", (("source", "atom"), ("status", "200"))) in after
    assert after[("sniper_webhook_retry_queue_depth", ())] == 0
    assert after[("sniper_job_lag_seconds", (("job", "webhook.deliver"),))] == 0


async def test_metrics_on_the_api_need_an_admin_key(harness: Harness) -> None:
    h = harness
    alice = await h.account("alice")
    root = await h.account("root", admin=True)
    anonymous = await h.client.get("/metrics")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
    assert (await h.client.get("/metrics", headers=_auth("snp_" + "x" * 40))).status_code == 401
    # an account that is no admin does not learn the route exists (every admin route's answer)
    assert (await h.client.get("/metrics", headers=_auth(alice))).status_code == 404
    answer = await h.client.get("/metrics", headers=_auth(root))
    assert answer.status_code == 200
    assert "# TYPE sniper_hits_total counter" in answer.text
    assert "sniper_websocket_connections 0.0" in answer.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_metrics_port_serves_them_without_a_key(
    settings: Settings, clock: ManualClock
) -> None:
    port = _free_port()
    exposed = settings.model_copy(update={"metrics_port": port})
    url = f"http://127.0.0.1:{port}"
    async with running(exposed, clock) as h, httpx.AsyncClient(base_url=url) as scraper:
        answer = await scraper.get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        samples = _samples(answer.text)
        assert ("sniper_webhook_retry_queue_depth", ()) in samples
        assert ("sniper_job_lag_seconds", (("job", "filing.process"),)) in samples
        assert (await scraper.get("/api/v1/status")).status_code == 404
        assert (await h.client.get("/metrics")).status_code == 401, "the API still wants a key"
    with pytest.raises(httpx.ConnectError):
        await httpx.AsyncClient().get(f"{url}/metrics")


def _down(_request: Request) -> Reply:
    return Reply(503, b"down")


async def test_a_failing_receiver_shows_in_job_lag_retry_depth_and_outcomes(
    settings: Settings, clock: ManualClock
) -> None:
    slow = settings.model_copy(update={"webhook_retry_delays": [60.0, 60.0]})
    lag = ("sniper_job_lag_seconds", (("job", "webhook.deliver"),))
    retrying = ("sniper_webhook_deliveries_total", (("outcome", "retrying"),))
    with Receiver(_down) as receiver:
        async with running(slow, clock) as h:
            root = await h.account("root", admin=True)
            alice = await h.account("alice", webhook_url=f"{receiver.url}/hook")
            await fire_hits(h, alice, ["XOM"])
            h.clock.advance(10)
            waiting = await _scrape(h, root)
            assert waiting[lag] >= 10, "the delivery has been due 10 s, nobody ran it"
            assert waiting[("sniper_webhook_retry_queue_depth", ())] == 0
            assert await JobRunner(h.runtime, DELIVER, rng=Random(1)).run_due() == 1
            failed = await _scrape(h, root)
    assert len(receiver.received) == 1
    assert failed[("sniper_webhook_retry_queue_depth", ())] == 1
    assert failed[lag] == 0, "the retry is due in about 60 s"
    assert failed[retrying] == waiting.get(retrying, 0) + 1


def test_serve_refuses_a_metrics_port_in_use_in_one_line(cli_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = cli_env | {"SNIPER_METRICS_PORT": str(port)}
        result = sniper(env, "serve", "--port", "0", "--replay", str(ATOM_DIR))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: SNIPER_METRICS_PORT: cannot listen on 127.0.0.1:{port} (Address already in use)"
    ]
