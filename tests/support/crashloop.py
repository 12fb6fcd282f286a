"""`sniper worker --replay` processes SIGKILLed at seeded random moments, on one replay timeline.

`Timeline(start, speed)` is the replay time the whole run shares: `start` plus real time elapsed
since the timeline began, times `speed`. Every worker is launched with `--start` set to the
timeline's now, so the service clock runs on across kills (each worker's own `ReplayClock`
starts when its app is built, a few hundred milliseconds of real time behind the timeline).

`CrashLoop` keeps `workers` processes of `sniper worker` alive through a `ForkServer`. Once a
worker logs that it runs, it is given a lifetime drawn from `rng` (`life` seconds, real time);
`step(killing=True)` SIGKILLs every worker whose lifetime is over, reaps it (its exit code must
be the SIGKILL: a worker that died by itself fails the test with its log), counts the kill and
launches a replacement at once. `stop()` ends the survivors with SIGTERM, the way an operator
stops a worker, and checks they exit cleanly.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sniper.kit.timefmt import iso_z
from tests.support.forkserver import ForkServer

READY = "sniper worker running"
STARTUP_LIMIT = 300.0  # real seconds a worker may take to start (a loaded machine) before failing


@dataclass
class Timeline:
    """Replay time shared by every worker of a run."""

    start: datetime
    speed: float
    t0: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        """The replay instant now (aware UTC)."""
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


@dataclass
class _Worker:
    pid: int
    log: Path
    log_offset: int
    spawned_at: float
    kill_at: float | None = None  # set once the worker reports it runs


class CrashLoop:
    """Seeded SIGKILL-and-restart of `workers` concurrent `sniper worker` processes."""

    def __init__(
        self,
        server: ForkServer,
        timeline: Timeline,
        *,
        replay_dir: Path,
        logs: Path,
        workers: int,
        rng: random.Random,
        life: tuple[float, float],
        live: bool = False,
    ) -> None:
        self.server = server
        self.timeline = timeline
        self.replay_dir = replay_dir
        self.logs = logs
        self.rng = rng
        self.life = life
        self.live = live  # `sniper worker` on live EDGAR (the env names a stand-in), no replay
        self.kills = 0
        self.spawns = 0
        self._workers = [self._spawn(n) for n in range(workers)]

    def _spawn(self, slot: int) -> _Worker:
        log = self.logs / f"worker-{slot}.log"
        log.touch()
        start = self.timeline.now()
        stamp = iso_z(start).removesuffix("Z") + f".{start.microsecond:06d}Z"
        args = ["worker", "--replay", str(self.replay_dir)]
        args += ["--speed", str(self.timeline.speed), "--start", stamp]
        if self.live:
            args = ["worker"]
        self.spawns += 1
        size = log.stat().st_size
        return _Worker(self.server.spawn(args, log), log, size, time.monotonic())

    def step(self, *, killing: bool) -> None:
        """Note workers that came up; when `killing`, SIGKILL and replace those due."""
        now = time.monotonic()
        for slot, worker in enumerate(self._workers):
            if worker.kill_at is None:
                self._check_ready(worker, now)
            elif killing and now >= worker.kill_at:
                os.kill(worker.pid, signal.SIGKILL)
                code = self.server.wait(worker.pid)
                assert code == -signal.SIGKILL, self._died(worker, code)
                self.kills += 1
                self._workers[slot] = self._spawn(slot)

    def _check_ready(self, worker: _Worker, now: float) -> None:
        with worker.log.open("rb") as log:
            log.seek(worker.log_offset)
            if READY.encode() in log.read():
                worker.kill_at = now + self.rng.uniform(*self.life)
                return
        assert now - worker.spawned_at < STARTUP_LIMIT, self._died(worker, None)

    def stop(self) -> None:
        """Wait until every worker runs, SIGTERM them and check each exits cleanly (code 0)."""
        while any(worker.kill_at is None for worker in self._workers):
            self.step(killing=False)
            time.sleep(0.02)
        workers, self._workers = self._workers, []
        for worker in workers:
            os.kill(worker.pid, signal.SIGTERM)
        for worker in workers:
            code = self.server.wait(worker.pid)
            assert code == 0, self._died(worker, code)

    def __enter__(self) -> CrashLoop:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """SIGKILL whatever still runs (a failed test), so no worker outlives it."""
        workers, self._workers = self._workers, []
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
            self.server.wait(worker.pid)

    @staticmethod
    def _died(worker: _Worker, code: int | None) -> str:
        with worker.log.open("rb") as log:
            log.seek(worker.log_offset)
            tail = log.read().decode(errors="replace")[-4000:]
        return f"worker {worker.pid} ended with {code} (or never started):\n{tail}"
