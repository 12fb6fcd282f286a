"""The job runtime: every background job is declared once and run by one loop.

Two kinds of declaration, both named `entity.verb`:

- `Job`: a job table (webhook deliveries, filing jobs, backtests). `claim` leases due rows in
  one committed transaction (`sniper.worker.claim`), `run` handles one claim outside it; each
  claim runs as its own task, at most `concurrency(settings)` at a time per process (a run
  that called `release_slot`, its outside work done, no longer counts). A commit that writes
  rows for the job wakes its loop at once (`runtime.wakeups`, keyed by the job's name,
  `wake_on_commit`); rows written by other processes, and retries falling due, are found by
  the poll every `poll_seconds`. A claim whose run raises is logged and left to its lease:
  it falls due again when the lease ends, in whichever process claims it first.
- `Schedule`: a tick every `interval(settings)` seconds (the tick's own duration counts against
  it). With a `lock` key it runs in one process at a time: the leader election and its fencing
  (`sniper.worker.leader.while_leading`).

A job's retry policy is part of its declaration (`retry`, a `kit.retry.Backoff` built from the
settings); `run` receives it in its `JobContext` with the process's jitter source.

The registry, `sniper.app.JOBS`, lists every declaration; this package imports no feature.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sniper.config import Settings
from sniper.kit import logs, metrics
from sniper.kit.retry import Backoff
from sniper.kit.waits import first_of
from sniper.runtime import Runtime
from sniper.worker.leader import wait_or_stop, while_leading

logger = logging.getLogger(__name__)
C = TypeVar("C")
BATCH = 50  # most rows one claim takes
REFILL_DELAY = 0.01  # seconds: gather finished runs into one claim
_RELEASE: ContextVar[Callable[[], None] | None] = ContextVar("sniper_job_release", default=None)


@dataclass(frozen=True)
class JobContext:
    """What a job's functions get: the process's runtime, the job's retry policy (None for
    jobs that do not retry), the random source of its jitter (tests seed it) and `state`, what
    the job keeps across runs in this runner (the delivery job's batch recorder), by name."""

    runtime: Runtime
    backoff: Backoff | None = None
    rng: random.Random = field(default_factory=random.Random)
    state: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Job(Generic[C]):
    """A queue job. `claim(context, limit, in_flight, skip)` leases and returns up to `limit`
    due claims, none whose `key` is in `skip`, in its own transaction (`in_flight`: keys this
    process is running now, for per-endpoint limits); `run(context, claim)` does the work."""

    name: str
    claim: Callable[[JobContext, int, Collection[Any], Collection[Any]], Awaitable[Sequence[C]]]
    run: Callable[[JobContext, C], Awaitable[object]]
    key: Callable[[C], Hashable]
    concurrency: Callable[[Settings], int]
    retry: Callable[[Settings], Backoff] | None = None
    poll_seconds: float = 1.0


@dataclass(frozen=True)
class Schedule:
    """A periodic job. `start(runtime)` builds the process's tick function (it may keep state,
    like the paper runner's engines); `lock` makes it a one-process job; `enabled(runtime)`
    says whether this process runs it at all; `immediately=False` waits one interval first."""

    name: str
    start: Callable[[Runtime], Callable[[], Awaitable[object]]]
    interval: Callable[[Settings], float]
    lock: int | None = None
    enabled: Callable[[Runtime], bool] = lambda runtime: True
    immediately: bool = True


Declaration = Job[Any] | Schedule


def release_slot() -> None:
    """For a job's `run`: its outside work (the HTTP call) is done and only its bookkeeping is
    left, so the runner's loop may start another run in its slot (`concurrency` counts runs
    doing outside work). The claim stays in flight, not claimable again, until `run` returns.
    Does nothing outside `JobRunner.run` (`run_due`, direct calls)."""
    release = _RELEASE.get()
    if release is not None:
        release()


class JobRunner(Generic[C]):
    """Runs one `Job` in this process: `run(stop)` is its loop, `run_due()` one pass (tests,
    tools)."""

    def __init__(self, runtime: Runtime, job: Job[C], *, rng: random.Random | None = None):
        self.job = job
        backoff = job.retry(runtime.settings) if job.retry is not None else None
        self.context = JobContext(runtime, backoff, rng or random.Random())
        self.in_flight: set[Hashable] = set()
        self.wake = asyncio.Event()
        self._freed = asyncio.Event()
        self._busy: set[object] = set()  # one per run holding a slot of the room (`run`)

    async def claim(self, limit: int, *, skip: Collection[Hashable] = ()) -> list[C]:
        """Lease up to `limit` due claims (none in `skip` or in flight); they count as in flight
        here until `run_one` ends."""
        busy = self.in_flight | set(skip)
        claims = list(await self.job.claim(self.context, limit, self.in_flight, busy))
        self.in_flight.update(self.job.key(claim) for claim in claims)
        return claims

    async def run_one(self, claim: C) -> object:
        """Run the job on `claim`; an error is logged (the claim's lease retries it)."""
        try:
            return await self.job.run(self.context, claim)
        except Exception:
            logger.exception("%s %s failed", self.job.name, self.job.key(claim))
            return None
        finally:
            self.in_flight.discard(self.job.key(claim))

    async def run_due(self) -> int:
        """Run every claim due now at most once, in waves of up to `concurrency`; returns how
        many were claimed. A retry that falls due during the pass waits for the next one."""
        attempted: set[Hashable] = set()
        limit = min(self.job.concurrency(self.context.runtime.settings), BATCH)
        while claims := await self.claim(limit, skip=attempted):
            attempted.update(self.job.key(claim) for claim in claims)
            await asyncio.gather(*(self.run_one(claim) for claim in claims))
        return len(attempted)

    async def run(self, stop: asyncio.Event, idle_seconds: float | None = None) -> None:
        """Until `stop`: claim while there is room, run each claim as its own task, then wait
        for a wake-up, a finished run or `idle_seconds` (default: the job's poll). Finished runs
        trigger a claim after `REFILL_DELAY`, so one claim refills the room several freed. Runs
        still going at the end are cancelled; their leases make them due again."""
        idle = self.job.poll_seconds if idle_seconds is None else idle_seconds
        running: set[asyncio.Task[object]] = set()
        unregister = self.context.runtime.wakeups.register(self.job.name, self.wake)
        try:
            while not stop.is_set():
                self.wake.clear()  # before claiming: a wake during the pass triggers another
                self._freed.clear()
                for claim in await self._claim_room(len(self._busy)):
                    self._start(claim, running)
                await first_of(self.wake, self._freed, stop, timeout=idle)
                if self._freed.is_set() and not self.wake.is_set():
                    await asyncio.sleep(REFILL_DELAY)
        finally:
            unregister()
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _claim_room(self, running: int) -> list[C]:
        room = self.job.concurrency(self.context.runtime.settings) - running
        if room <= 0:
            return []
        try:
            return await self.claim(min(room, BATCH))
        except Exception:
            logger.exception("claiming %s failed", self.job.name)
            return []

    def _start(self, claim: C, running: set[asyncio.Task[object]]) -> None:
        """Run `claim` as its own task, holding one slot of the room until it ends or calls
        `release_slot`."""
        slot = object()
        self._busy.add(slot)

        def release() -> None:
            if slot in self._busy:
                self._busy.discard(slot)
                self._freed.set()

        async def run() -> object:
            _RELEASE.set(release)
            try:
                return await self.run_one(claim)
            finally:
                release()

        task = asyncio.create_task(run(), name=self.job.name)
        running.add(task)
        task.add_done_callback(running.discard)


async def run_schedule(runtime: Runtime, schedule: Schedule, stop: asyncio.Event) -> None:
    """Tick `schedule` until `stop` (see `Schedule`); a failing tick is logged, the loop goes on.
    Leadership shows in `runtime.leading`, the `sniper_leader{schedule}` gauge and, for a
    schedule with a lock, a `leader.changed` event each time it is won or lost."""
    tick = schedule.start(runtime)
    interval = schedule.interval(runtime.settings)

    async def guarded() -> None:
        try:
            await tick()
        except Exception:
            logger.exception("%s tick failed", schedule.name)

    if not schedule.immediately:
        await wait_or_stop(stop, interval)

    def on_lead(leading: bool) -> None:
        changed = runtime.leading.get(schedule.name, False) != leading
        runtime.leading[schedule.name] = leading
        metrics.LEADER.labels(schedule=schedule.name).set(1 if leading else 0)
        if changed and schedule.lock is not None:
            logs.event("leader.changed", {"schedule": schedule.name, "leader": leading})

    await while_leading(runtime.engine, stop, guarded, interval, key=schedule.lock, on_lead=on_lead)


def start_jobs(
    runtime: Runtime, declarations: Sequence[Declaration], stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    """Start one task per declaration this process runs (a `Schedule` whose `enabled` is False
    is left out), each named after its job."""
    tasks = []
    for declared in declarations:
        if isinstance(declared, Job):
            runner: JobRunner[Any] = JobRunner(runtime, declared)
            loop = runner.run(stop)
        elif declared.enabled(runtime):
            loop = run_schedule(runtime, declared, stop)
        else:
            continue
        tasks.append(asyncio.create_task(loop, name=declared.name))
    return tasks
