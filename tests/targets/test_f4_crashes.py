"""Figure F4 of RELIABILITY.md: exactly-once transitions under crashes.

1,000 targets on 4 accounts watch tickers of the recorded EDGAR crawl between 19:31Z and 22:15Z
on 2025-12-12 (seeded, `tests/support/f4_plan.py`: aimed at real filings, random windows, form
filters that miss, tickers that filed nothing; 323 fire, 677 expire). Real `sniper worker
--replay` processes replay that stretch at 200x on one replay timeline (each restart starts
where the timeline is) — one worker on SQLite, the design's single worker; three on PostgreSQL,
sharing the leader lock and the SKIP LOCKED delivery claims — and are SIGKILLed at seeded random
moments after each comes up (0.05-1 s on SQLite; 0.3-2 s on PostgreSQL, where a hit costs more
round trips: a leader killed sooner than its poll's transaction takes never commits it, and its
successor inherits a bigger backlog), each replaced at once: at least 60 kills on either
database (~70 on SQLite, ~100 on PostgreSQL). Workers start through a fork server
(`tests/support/forkserver.py`: the real command line in ~0.15 s instead of ~2.5 s), which is
what fits 60 kills into CI's time. The first worker is left alone until its first poll has
committed the feed's backlog from before the replay start (~1,800 filings in one transaction,
which a kill would roll back every time).

The blackout: from 21:00Z on the replay timeline, for 15 s of real time (50 minutes of replay, the
busy hour) and at least until it has turned 30 requests away (a loaded machine may deliver
nothing in 15 s), the webhook receiver on 127.0.0.1 answers 503 or drops the connection, so hits
pile up as retries while workers keep dying. Then the receiver recovers, the replay runs past
every window's expiry, and the last workers run until every target is stopped and no delivery is
pending.

What a user sees must equal an oracle computed with the pure matcher over the recorded crawl:
every target that should fire fired once, on the right filing (the first matching one the
service detected: where EDGAR published a later accession of the same filer first, through an
Archives probe or a feed entry inserted late, that one), and every other one expired;
each fired target reached the receiver under one `webhook-id` (repeats only as retries of that
id), every request correctly signed; the ledger holds one debit per hit and nothing else.

Settings scaled to the replay speed: expiry grace 10 min (3 s real; the default 120 s is 0.6 s),
webhook lease 300 s of replay (1.5 s real; the HTTP timeout is 1 s real), retries 0.3 s then at
most 2 s of real time apart, up to 100 attempts, 8 deliveries in flight per endpoint.

The second test pins what the first found: a sweep must not expire a target at a time later
than the poll before it read the feed (`Watcher.tick`).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from sniper.accounts.service import create_api_key, require_account
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.engine import create_engine
from sniper.db.session import transaction
from sniper.edgar.sources import AtomSource
from sniper.models import Account, Detection, LedgerEntry
from sniper.notify.signing import verify
from sniper.targets.schemas import CreateTargetRequest
from sniper.targets.service import create_target
from tests.conftest import Harness, running
from tests.notify.receiver import Action, Close, Received, Receiver
from tests.support import f4_plan
from tests.support.cli import cli_environment
from tests.support.crashloop import CrashLoop, Timeline
from tests.support.f4_plan import Created
from tests.support.forkserver import ForkServer
from tests.support.http_server import Reply, Request
from tests.support.paths import ATOM_DIR

SEED = 20251212
TARGETS, ACCOUNTS, TOKENS = 1_000, 4, 1_000
KILLS = 60
START = datetime(2025, 12, 12, 19, 30, tzinfo=UTC)  # targets created, replay starts
FIRST_START, LAST_END = START + timedelta(minutes=1), datetime(2025, 12, 12, 22, 15, tzinfo=UTC)
GRACE = timedelta(minutes=10)
DONE = LAST_END + GRACE  # every window has fired or expired
SPEED = 200.0
BLACKOUT_AT, BLACKOUT_SECONDS = datetime(2025, 12, 12, 21, 0, tzinfo=UTC), 15.0
BLACKOUT_REFUSALS = 30  # the blackout lasts until it turned this many requests away
WORKERS = {"sqlite": 1, "postgresql": 3}
LIFE = {"sqlite": (0.05, 1.0), "postgresql": (0.3, 2.0)}  # real seconds a worker lives
SETTLE_LIMIT = 900.0  # real seconds; only guards against a hang, however loaded the machine


async def _create(h: Harness, plan: list[f4_plan.Body], url: str) -> list[Created]:
    """The accounts and, through the service, every planned target (100 per transaction)."""
    names = [f"f4-{n}" for n in range(ACCOUNTS)]
    for name in names:
        await h.account(name, tokens=TOKENS)
    created: list[Created] = []
    for first in range(0, len(plan), 100):
        async with transaction(h.runtime.sessions) as session:
            owners = [await require_account(session, name) for name in names]
            for n, body in enumerate(plan[first : first + 100], start=first):
                owner = owners[n % ACCOUNTS]
                request = CreateTargetRequest.model_validate(
                    body | {"webhook_url": f"{url}/hooks/{owner.name}"}
                )
                t = await create_target(session, h.runtime, owner, request)
                forms = None if t.form_types is None else list(t.form_types)
                created.append(Created(t.id, owner.name, t.cik, t.start_time, t.end_time, forms))
    return created


class Blackout:
    """The receiver's script: 200 after 20 ms, except during the blackout, when it answers 503
    or (every third request) drops the connection.

    The blackout ends on a condition, not a clock: once `BLACKOUT_SECONDS` of real time have
    passed *and* `BLACKOUT_REFUSALS` requests were turned away. On a loaded machine the workers
    may deliver nothing in the first 15 s; the blackout then lasts until it has bitten."""

    def __init__(self) -> None:
        self.until: float | None = None
        self.refused = 0
        self._lock = threading.Lock()

    def begin(self) -> None:
        if self.until is None:
            self.until = time.monotonic() + BLACKOUT_SECONDS

    def _refusing(self) -> bool:
        if self.until is None:
            return False
        return time.monotonic() < self.until or self.refused < BLACKOUT_REFUSALS

    def __call__(self, request: Request) -> Action:
        with self._lock:
            refusing = self._refusing()
            if refusing:
                self.refused += 1
                refused = self.refused
        if refusing:
            return Close() if refused % 3 == 0 else Reply(503, b"down")
        time.sleep(0.02)  # a request in flight is a moment a kill can interrupt
        return Reply(200, b"ok")


def _worker_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return cli_environment(tmp_path) | {
        "SNIPER_DATABASE_URL": database_url,
        "SNIPER_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
        "SNIPER_EXPIRY_GRACE": str(GRACE.total_seconds()),
        "SNIPER_POLL_INTERVAL": "0.25",
        "SNIPER_WEBHOOK_TIMEOUT": "1",
        "SNIPER_WEBHOOK_LEASE": str(1.5 * SPEED),
        "SNIPER_WEBHOOK_ENDPOINT_CONCURRENCY": "8",
        "SNIPER_WEBHOOK_RETRY_DELAYS": str(0.3 * SPEED),
        "SNIPER_WEBHOOK_BACKOFF_CAP": str(2 * SPEED),
        "SNIPER_WEBHOOK_MAX_ATTEMPTS": "100",
    }


async def _count(database_url: str, query: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(text(query)) or 0)
    finally:
        await engine.dispose()


async def _settled(database_url: str) -> bool:
    """Every target stopped and no webhook delivery waiting."""
    open_targets = "SELECT count(*) FROM sniper_targets WHERE status <> 'STOPPED'"
    pending = "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"
    return not await _count(database_url, open_targets) and not await _count(database_url, pending)


async def _crash_and_settle(crash: CrashLoop, blackout: Blackout, database_url: str) -> None:
    """Let the first poll commit; SIGKILL workers until the replay passed DONE and KILLS
    happened (the blackout on the way); let the survivors settle everything; stop them."""
    timeline = crash.timeline
    while not await _count(database_url, "SELECT count(*) FROM edgar_detections"):
        crash.step(killing=False)
        await asyncio.sleep(0.05)
    while timeline.now() < DONE or crash.kills < KILLS:
        if timeline.now() >= BLACKOUT_AT:
            blackout.begin()
        crash.step(killing=True)
        await asyncio.sleep(0.02)
    deadline = time.monotonic() + SETTLE_LIMIT
    while not await _settled(database_url):
        assert time.monotonic() < deadline, "the workers never settled"
        crash.step(killing=False)
        await asyncio.sleep(0.2)
    crash.stop()


async def test_f4_sigkills_and_a_blackout_fire_every_target_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    filings = f4_plan.crawl()
    blackout = Blackout()
    setup = settings.model_copy(update={"paid_plan_slots": TARGETS, "expiry_grace": GRACE})
    backend = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    with Receiver(blackout) as receiver:
        async with running(setup, ManualClock(START)) as h:
            plan = f4_plan.plan(rng, filings, FIRST_START, LAST_END, TARGETS)
            created = await _create(h, plan, receiver.url)
        timeline = Timeline(START, SPEED)
        with (
            ForkServer(_worker_env(tmp_path, settings.database_url)) as server,
            CrashLoop(
                server,
                timeline,
                replay_dir=ATOM_DIR,
                logs=tmp_path,
                workers=WORKERS[backend],
                rng=rng,
                life=LIFE[backend],
            ) as crash,
        ):
            await _crash_and_settle(crash, blackout, settings.database_url)
    seen = await _first_seen(setup)
    expected = f4_plan.expected(created, filings, seen)
    print(
        f"F4: {crash.kills} kills, {len(expected)}/{TARGETS} fired, {_summary(receiver)}, "
        f"{blackout.refused} refused in the blackout"
    )
    assert crash.kills >= KILLS
    assert blackout.refused > 0, "the blackout turned webhooks away"
    assert TARGETS // 5 < len(expected) < TARGETS // 2, "a good share fire, most expire"
    async with running(setup, ManualClock(DONE)) as h:
        keys = await _keys(h)
        await _assert_targets(h, keys, created, expected)
        await _assert_ledger(h, keys, created, expected)
        secrets = await _secrets(h)
    _assert_webhooks(receiver, created, expected, secrets)


async def _first_seen(settings: Settings) -> dict[str, datetime]:
    """Accession -> when the service first detected it (any source), from the detections."""
    async with (
        running(settings, ManualClock(DONE)) as h,
        transaction(h.runtime.sessions) as session,
    ):
        rows = await session.execute(select(Detection.accession_number, Detection.detected_at))
        return {str(accession): at for accession, at in rows}


def _complete(item: Received) -> bool:
    """The whole body arrived (a sender SIGKILLed mid-request leaves it short)."""
    return len(item.request.body) == int(item.request.headers.get("content-length", "-1"))


def _summary(receiver: Receiver) -> str:
    groups = receiver.by_id().values()
    twice = sum(sum(i.acknowledged and _complete(i) for i in group) > 1 for group in groups)
    cut = sum(not _complete(item) for item in receiver.received)
    return f"{len(receiver.received)} requests ({cut} cut short), {twice} ids acknowledged twice"


async def _keys(h: Harness) -> dict[str, str]:
    """A fresh API key per account, to read what its owner sees."""
    keys = {}
    async with transaction(h.runtime.sessions) as session:
        for n in range(ACCOUNTS):
            account = await require_account(session, f"f4-{n}")
            keys[account.name] = await create_api_key(
                session, account, secret_key=h.runtime.settings.secret_key, now=h.clock.now()
            )
    return keys


async def _listed(h: Harness, key: str) -> list[dict[str, object]]:
    """Every target of the key's account, through `GET /api/v1/sniper/targets`."""
    targets: list[dict[str, object]] = []
    while True:
        response = await h.client.get(
            "/api/v1/sniper/targets",
            params={"limit": 200, "offset": len(targets)},
            headers={"X-API-Key": key},
        )
        assert response.status_code == 200, response.text
        page = response.json()["targets"]
        if not page:
            return targets
        targets.extend(page)


async def _assert_targets(
    h: Harness, keys: dict[str, str], created: Sequence[Created], expected: dict[str, str]
) -> None:
    """One terminal state per target: fired on the oracle's filing, or expired."""
    listed = {str(t["target_id"]): t for key in keys.values() for t in await _listed(h, key)}
    assert sorted(listed) == sorted(t.target_id for t in created)
    assert {t["status"] for t in listed.values()} == {"STOPPED"}
    fired = {
        target_id: target["last_event"]["accession_number"]  # type: ignore[index]
        for target_id, target in listed.items()
        if target["resolution_reason"] == "filing_hit"
    }
    assert fired == expected, "fired exactly the targets the matcher says, on their filing"
    expired = {i for i, t in listed.items() if t["resolution_reason"] == "window_expired"}
    assert expired == set(listed) - set(expected)
    assert all(listed[i]["last_event"] is None for i in expired)


async def _assert_ledger(
    h: Harness, keys: dict[str, str], created: Sequence[Created], expected: dict[str, str]
) -> None:
    """Per account: one debit per hit (referencing it), the balance to match, every webhook
    delivered."""
    async with transaction(h.runtime.sessions) as session:
        rows = await session.execute(
            select(Account.name, LedgerEntry.reference, LedgerEntry.delta)
            .join(Account, Account.id == LedgerEntry.account_id)
            .where(LedgerEntry.type == "debit")
        )
        debits = sorted((name, ref, delta) for name, ref, delta in rows)
    hits = sorted((t.account, t.target_id, -1) for t in created if t.target_id in expected)
    assert debits == hits, "one debit of one token per hit"
    for name, key in keys.items():
        mine = sum(account == name for account, _, _ in hits)
        balance = await h.client.get("/api/v1/account/balance", headers={"X-API-Key": key})
        assert balance.json()["data"]["current_balance"] == TOKENS - mine
        for status, count in (("delivered", mine), ("pending", 0), ("dead", 0)):
            listed = await h.client.get(
                "/api/v1/webhooks/deliveries",
                params={"status": status, "limit": 1},
                headers={"X-API-Key": key},
            )
            assert listed.json()["meta"]["total"] == count, (name, status)


async def _secrets(h: Harness) -> dict[str, str]:
    async with transaction(h.runtime.sessions) as session:
        rows = await session.execute(select(Account.name, Account.webhook_secret))
        return {str(name): str(secret) for name, secret in rows}


def _assert_webhooks(
    receiver: Receiver,
    created: Sequence[Created],
    expected: dict[str, str],
    secrets: dict[str, str],
) -> None:
    """Each webhook-id is one (target, filing), acknowledged, correctly signed; each fired
    target arrived under exactly one webhook-id; nothing else arrived. Requests cut short by a
    kill (body shorter than Content-Length) are what a receiver discards, so they are left out."""
    account_of = {t.target_id: t.account for t in created}
    delivered: dict[str, str] = {}
    for webhook_id, items in receiver.by_id().items():
        whole = [item for item in items if _complete(item)]
        bodies = [json.loads(item.request.body) for item in whole]
        sent = {
            (b["delivery_id"], b["target_id"], b["payload"]["accession_number"]) for b in bodies
        }
        assert len(sent) == 1, f"webhook-id {webhook_id} carried {sent}"
        [(delivery_id, target_id, accession)] = sent
        assert delivery_id == webhook_id
        assert target_id not in delivered, f"target {target_id} sent under two webhook-ids"
        assert any(item.acknowledged for item in whole), f"{webhook_id} never acknowledged"
        account = account_of[target_id]
        for item in whole:
            assert item.request.path == f"/hooks/{account}"
            verify(secrets[account], item.request.headers, item.request.body)
        delivered[target_id] = accession
    assert delivered == expected, "every hit delivered, and nothing but hits"


async def test_a_poll_slower_than_the_grace_expires_nothing_it_has_not_read(
    harness: Harness,
) -> None:
    """XOM's Form 4 (accepted 15:05:12Z) is public in the replay after 15:05:30Z. A poll that
    reads the feed at 15:05:30Z and takes 5 minutes (EDGAR slow, a busy host, a fast replay)
    must not let the sweep after it expire the XOM target whose window ended 15:05:30Z (expiry
    15:07:30Z): the sweep goes by what the poll read, and the next poll fires the target."""
    h = harness
    key = await h.account()
    window = {"start_time": "2025-12-12T14:00:00Z", "end_time": "2025-12-12T15:05:30Z"}
    auth = {"X-API-Key": key}
    response = await h.client.post(
        "/api/v1/sniper/targets", headers=auth, json={"ticker": "XOM"} | window
    )
    assert response.status_code == 200, response.text
    planner = h.runtime.planner
    assert planner is not None
    read = planner.deep._fetch_page

    async def slow_page(start: int, count: int) -> bytes:
        page = await read(start, count)
        h.clock.advance(timedelta(minutes=5) if start == 0 else timedelta(0))
        return page

    planner.deep = AtomSource(slow_page, page_size=100)  # the first read of a start is deep
    h.clock.set(datetime(2025, 12, 12, 15, 5, 30, tzinfo=UTC))
    await h.watcher.tick()
    [target] = (await h.client.get("/api/v1/sniper/targets", headers=auth)).json()["targets"]
    assert target["resolution_reason"] != "window_expired"
    await h.watcher.tick()
    [target] = (await h.client.get("/api/v1/sniper/targets", headers=auth)).json()["targets"]
    assert (target["status"], target["resolution_reason"]) == ("STOPPED", "filing_hit")
    assert target["last_event"]["accession_number"] == "0000034088-25-000124"
