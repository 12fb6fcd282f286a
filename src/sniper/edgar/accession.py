"""EDGAR accession numbers and the Archives URLs derived from them.

An accession number is `FFFFFFFFFF-YY-NNNNNN`: the 10-digit CIK of the submitting agent, the
2-digit year and a 6-digit sequence (EDGAR Filer Manual; the Atom feed's
`<id>urn:tag:sec.gov,2008:accession-number=0002063236-25-000004</id>`). Archives paths use the
18 digits without dashes as the folder name.
"""

from __future__ import annotations

import re

_DASHED = re.compile(r"\d{10}-\d{2}-\d{6}")
_DIGITS = re.compile(r"\d{18}")

ARCHIVES_BASE = "https://www.sec.gov/Archives/edgar/data"


def normalize_accession(raw: str) -> str:
    """Return the dashed form `0002063236-25-000004` of an accession number.

    Accepts the dashed form or the 18 bare digits (`000206323625000004`), surrounding whitespace
    ignored. Raises `ValueError` for anything else (wrong length, letters, misplaced dashes).
    """
    text = raw.strip()
    if _DASHED.fullmatch(text):
        return text
    if _DIGITS.fullmatch(text):
        return f"{text[:10]}-{text[10:12]}-{text[12:]}"
    raise ValueError(f"not an EDGAR accession number: {raw!r}")


def archives_urls(cik: int, accession: str) -> tuple[str, str]:
    """Return `(filing_url, filing_index_url)` for one filing in EDGAR Archives.

    `filing_url` is the full submission text
    `https://www.sec.gov/Archives/edgar/data/{cik}/{acc_no_dashes}/{acc}.txt`, `filing_index_url`
    the same folder's `{acc}-index.htm` (the page the Atom feed links to). `cik` is the integer
    CIK without leading zeros (any of the filing's entities works: EDGAR serves the folder under
    each). Raises `ValueError` for a non-positive CIK or a malformed accession number.
    """
    if cik <= 0:
        raise ValueError(f"CIK must be positive, got {cik}")
    acc = normalize_accession(accession)
    folder = f"{ARCHIVES_BASE}/{cik}/{acc.replace('-', '')}"
    return f"{folder}/{acc}.txt", f"{folder}/{acc}-index.htm"
