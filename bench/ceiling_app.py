"""The ceiling of `GET /api/v1/sniper/targets`: the same stack with no database and no middleware.

`app` is a bare FastAPI app with one route, `GET /api/v1/sniper/targets`, answering the page held
in the JSON file `SNIPER_BENCH_PAGE` names (a `TargetList` body that `sniper serve` answered,
saved by `bench.bench_throughput`) through the same pydantic `response_model` (`TargetList`):
each request validates the 50 rows from attributes (as Sniper's route does from ORM rows) and
serializes them. `served_ceiling(page, port)` runs it with uvicorn in a subprocess (httptools,
uvloop, access log off), optionally pinned to one core with `taskset`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI

from sniper.targets.schemas import ListMeta, TargetList, TargetOut

PATH = "/api/v1/sniper/targets"
_TIMES = ("start_time", "end_time", "created_at", "parsed_at", "enriched_at")


def _row(target: dict[str, Any]) -> SimpleNamespace:
    """An attribute object shaped like the ORM row (`id`, aware datetimes)."""
    fields = dict(target)
    fields["id"] = fields.pop("target_id")
    for name in _TIMES:
        if fields.get(name):
            fields[name] = datetime.fromisoformat(fields[name].replace("Z", "+00:00"))
    return SimpleNamespace(**fields)


def build(page: dict[str, Any]) -> FastAPI:
    """The ceiling app answering `page` (a `TargetList` body)."""
    rows = [_row(target) for target in page["targets"]]
    meta = page["meta"]
    ceiling = FastAPI()

    @ceiling.get(PATH, response_model=TargetList)
    async def list_targets() -> TargetList:
        return TargetList(
            targets=[TargetOut.model_validate(row) for row in rows], meta=ListMeta(**meta)
        )

    return ceiling


def _app_from_environment() -> FastAPI:
    page_file = os.environ.get("SNIPER_BENCH_PAGE")
    if not page_file:
        return FastAPI()
    return build(json.loads(Path(page_file).read_text()))


app = _app_from_environment()


@contextmanager
def served_ceiling(page_file: Path, port: int, pin: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    """uvicorn serving `app` on `port` with the page in `page_file`, behind the `pin` command
    prefix (`["taskset", "-c", "0"]` or `[]`), until the block ends."""
    command = [*pin, sys.executable, "-m", "uvicorn", "bench.ceiling_app:app"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    command += ["--http", "httptools", "--loop", "uvloop"]
    env = os.environ | {"SNIPER_BENCH_PAGE": str(page_file)}
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(root / "src")])
    server = subprocess.Popen(
        command, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
