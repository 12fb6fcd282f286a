"""Where the recorded EDGAR data lives: `../shared/edgar/` beside the repo (never copied in)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_EDGAR = ROOT.parent / "shared" / "edgar"
ATOM_DIR = SHARED_EDGAR / "atom"
CATALOG_PATH = SHARED_EDGAR / "reference" / "company_tickers.json"
TIMING_PATH = SHARED_EDGAR / "timing" / "fastest_way_etag_results.csv"
