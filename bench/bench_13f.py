"""Benchmark: our 13F information-table parser against edgartools' on the same file.

`shared/edgar/13f/derived/derived_infotable_25000rows.xml` (25,000 rows cycled from real ones,
15.7 MB). Each parser runs in its own fresh Python process, so peak memory is the process's
peak resident set (`VmHWM`) minus its resident set after the imports: lxml's tree lives in C
memory that tracemalloc does not see. Ours runs twice: streaming (rows counted and totalled,
constant memory: what the pipeline's unit detection needs) and keeping every row (what the
pipeline stores). edgartools (`edgar.thirteenf.parsers.infotable_xml.parse_infotable_xml`)
builds a pandas DataFrame with tickers from its bundled CUSIP table.

Run `python bench/bench_13f.py`, or call `run()` for rows `(metric, ours, peer)`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT.parent / "shared" / "edgar" / "13f" / "derived" / "derived_infotable_25000rows.xml"
ROWS = 25_000

_MEASURE = """
import json, sys, time
sys.path[:0] = {paths!r}
{imports}
def rss(field):
    for line in open('/proc/self/status'):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
path = __import__('pathlib').Path({table!r})
base = rss('VmRSS:')
started = time.perf_counter()
rows = {call}
seconds = time.perf_counter() - started
print(json.dumps({{'rows': rows, 'seconds': seconds, 'peak_mb': rss('VmHWM:') - base}}))
"""

PARSERS = {
    "stream": (
        "from sniper.filings.report import parse_13f",
        "parse_13f(path, keep_holdings=False).totals.rows",
    ),
    "keep": (
        "from sniper.filings.report import parse_13f",
        "len(parse_13f(path, keep_holdings=True).holdings)",
    ),
    "edgartools": (
        "from edgar.thirteenf.parsers.infotable_xml import parse_infotable_xml",
        "len(parse_infotable_xml(path.read_text()))",
    ),
}


def measure(name: str, table: Path = TABLE) -> dict[str, float]:
    """Parse `table` once with parser `name` in a fresh process: rows, seconds, peak MB.
    Raises `RuntimeError` (with the child's stderr) when the parser fails or is missing."""
    imports, call = PARSERS[name]
    script = _MEASURE.format(
        paths=[str(ROOT / "src"), str(ROOT)], imports=imports, table=str(table), call=call
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _rate(result: dict[str, float]) -> str:
    return f"{result['rows'] / result['seconds']:,.0f}"


def run() -> list[tuple[str, str, str]]:
    """Rows `(metric, ours, edgartools)`."""
    stream, keep = measure("stream"), measure("keep")
    assert stream["rows"] == keep["rows"] == ROWS, (stream, keep)
    try:
        peer = measure("edgartools")
        theirs = [f"{int(peer['rows']):,}", _rate(peer), f"{peer['peak_mb']:.1f}"]
    except RuntimeError as exc:
        theirs = [f"not run: {exc}"] * 3
    return [
        ("13F 25,000-row table: rows parsed", f"{int(keep['rows']):,}", theirs[0]),
        ("13F table: rows/s (streamed | kept)", f"{_rate(stream)} | {_rate(keep)}", theirs[1]),
        (
            "13F table: peak memory MB (streamed | kept)",
            f"{stream['peak_mb']:.1f} | {keep['peak_mb']:.1f}",
            theirs[2],
        ),
    ]


def main() -> None:
    rows = [("metric", "sniper (lxml iterparse)", "edgartools"), *run()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(TABLE.name)
    for name, ours, peer in rows:
        print(f"{name:<{widths[0]}}  {ours:>{widths[1]}}  {peer:>{widths[2]}}")


if __name__ == "__main__":
    main()
