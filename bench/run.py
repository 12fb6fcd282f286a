"""`python bench/run.py` (`make bench`): run the benchmarks and print one table.

Benchmarks, each a module whose `run()` returns `(benchmark, ours, peer / reference)` rows:

- `bench.bench_atom`: parsing one EDGAR getcurrent Atom page;
- `bench.bench_matcher`: matching the 3,315 recorded filings against 100,000 active targets
  (in memory and the SQLite lookup `fire_matches` runs per poll);
- `bench.bench_detection`: detection lag after first public, the planner against feed-only, on
  two simulated EDGAR days with 3, 5 and 25 targets (requests/s, filings missed);
- `bench.bench_latency`: feed page in -> webhook received at a local receiver, end to end.
- `bench.bench_delivery`: durable delivery, deliveries/s from a 1,000-hit backlog and hit commit
  -> webhook received (p50 / p99);
- `bench.bench_13f`: parsing the 25,000-row 13F information table, ours against edgartools
  (rows/s, peak memory);
- `bench.bench_engine`: trading-engine bars per second on the real MSFT daily bars, one
  algorithm and 100 algorithms (backtesting.py on the same rules as a yardstick);
- `bench.bench_throughput`: authenticated `GET /api/v1/sniper/targets` against `sniper serve`,
  2 threads x 32 connections for 30 s (wrk when installed), req/s and p50 / p99 (RELIABILITY F12).

A benchmark that is missing or fails prints a row saying so; the exit status is then 1.
Needs `../shared/edgar/` beside the repository (the recorded EDGAR data).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "src", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

Row = tuple[str, str, str]
BENCHMARKS = (
    ("Atom page parse", "bench.bench_atom"),
    ("matcher throughput", "bench.bench_matcher"),
    ("detection lag", "bench.bench_detection"),
    ("webhook latency", "bench.bench_latency"),
    ("webhook delivery", "bench.bench_delivery"),
    ("13F table parse", "bench.bench_13f"),
    ("trading engine", "bench.bench_engine"),
    ("API throughput", "bench.bench_throughput"),
)


def load(module_name: str) -> Callable[[], list[Row]]:
    """The `run` function of `module_name`; `ImportError` when the module cannot be imported."""
    module = importlib.import_module(module_name)
    return module.run  # type: ignore[no-any-return]


def run_one(title: str, module_name: str) -> tuple[list[Row], float, bool]:
    """(rows, seconds taken, succeeded) for one benchmark; never raises."""
    started = time.perf_counter()
    try:
        benchmark = load(module_name)
    except ImportError as exc:
        return [(title, f"not run: {module_name} missing ({exc})", "")], 0.0, False
    try:
        rows = benchmark()
    except Exception as exc:
        return [(title, f"FAILED: {type(exc).__name__}: {exc}", "")], 0.0, False
    return rows, time.perf_counter() - started, True


def render(console: Console, sections: list[list[Row]], caption: str) -> None:
    table = Table(title="Sniper benchmarks", caption=caption, show_lines=False)
    table.add_column("benchmark", style="bold", overflow="fold")
    table.add_column("ours", overflow="fold")
    table.add_column("peer / reference", style="dim", overflow="fold")
    for number, rows in enumerate(sections):
        if number:
            table.add_section()
        for row in rows:
            table.add_row(*row)
    console.print(table)


def main() -> int:
    console = Console() if sys.stdout.isatty() else Console(width=160)
    sections, timings, ok = [], [], True
    for title, module_name in BENCHMARKS:
        with console.status(f"running {title}..."):
            rows, seconds, succeeded = run_one(title, module_name)
        sections.append(rows)
        timings.append(f"{title} {seconds:.0f} s")
        ok = ok and succeeded
    caption = (
        f"{', '.join(timings)} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · {platform.machine()}"
    )
    render(console, sections, caption)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
