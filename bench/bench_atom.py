"""Benchmark: our lxml `parse_feed` vs `feedparser.parse` on one real EDGAR getcurrent page.

Run `python bench/bench_atom.py [N]` (N parses of `shared/edgar/atom/getcurrent_start0.xml`
per parser, default 30; about 4 s), or call `run()` for rows `(metric, ours, peer)`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser

from sniper.edgar.atom import parse_feed

PAGE = Path(__file__).resolve().parents[2] / "shared" / "edgar" / "atom" / "getcurrent_start0.xml"
DEFAULT_RUNS = 30


def _time_per_page(parse: Callable[[bytes], Any], content: bytes, runs: int) -> float:
    """Mean seconds per parse of `content` over `runs` parses (after one warm-up)."""
    parse(content)
    started = time.perf_counter()
    for _ in range(runs):
        parse(content)
    return (time.perf_counter() - started) / runs


def run(runs: int = DEFAULT_RUNS, page: Path = PAGE) -> list[tuple[str, str, str]]:
    """Parse `page` `runs` times with each parser; rows (metric, ours, feedparser)."""
    content = page.read_bytes()
    ours_entries = len(parse_feed(content))
    peer_entries = len(feedparser.parse(content).entries)
    ours = _time_per_page(parse_feed, content, runs)
    peer = _time_per_page(feedparser.parse, content, runs)
    return [
        ("atom page: entries parsed", str(ours_entries), str(peer_entries)),
        ("atom page: ms per page", f"{ours * 1e3:.2f}", f"{peer * 1e3:.2f}"),
        ("atom page: entries/s", f"{ours_entries / ours:,.0f}", f"{peer_entries / peer:,.0f}"),
    ]


def main(argv: list[str]) -> None:
    """Print the `run()` table; `argv[1]` optionally sets the number of parses."""
    runs = int(argv[1]) if len(argv) > 1 else DEFAULT_RUNS
    rows = [("metric", "sniper (lxml)", "feedparser"), *run(runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"{PAGE.name}, {runs} parses each")
    for name, ours, peer in rows:
        print(f"{name:<{widths[0]}}  {ours:>{widths[1]}}  {peer:>{widths[2]}}")


if __name__ == "__main__":
    main(sys.argv)
