"""Which targets a detected filing fires (DESIGN.md "What fires").

A filing matches a target when its accession lists the target's CIK as filer, issuer or subject
company (not reporting person or "filed by"), its form passes the target's filter, and its
acceptance time lies in `[start_time, end_time]`. `CikIndex` maps CIK -> candidate targets so one
filing costs a dictionary lookup per listed CIK, however many targets are active.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sniper.edgar.atom import MATCH_ROLES, DetectedFiling

# EDGAR renamed SC 13D/G to SCHEDULE 13D/G; customers still write the old names.
FORM_ALIASES = {
    "SC 13D": "SCHEDULE 13D",
    "SC 13D/A": "SCHEDULE 13D/A",
    "SC 13G": "SCHEDULE 13G",
    "SC 13G/A": "SCHEDULE 13G/A",
}


def normalize_form_type(raw: str) -> str:
    """Uppercase, trim and collapse inner whitespace: ` sc  13d ` -> `SC 13D`."""
    return " ".join(raw.upper().split())


def canonical_form(form_type: str) -> str:
    """The EDGAR name of a form, mapping the SC 13D/G aliases to SCHEDULE 13D/G."""
    normalized = normalize_form_type(form_type)
    return FORM_ALIASES.get(normalized, normalized)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the matcher needs of a target; `forms` holds canonical form names (None: any)."""

    target_id: str
    cik: int
    start_time: datetime
    end_time: datetime
    forms: frozenset[str] | None

    @classmethod
    def of(
        cls,
        target_id: str,
        cik: int,
        start: datetime,
        end: datetime,
        form_types: Sequence[str] | None,
    ) -> Candidate:
        forms = None if form_types is None else frozenset(canonical_form(f) for f in form_types)
        return cls(target_id, cik, start, end, forms)

    def accepts(self, form_type: str, accepted_at: datetime) -> bool:
        """Window and form filter; `form_type` must already be canonical."""
        return self.start_time <= accepted_at <= self.end_time and (
            self.forms is None or form_type in self.forms
        )


def matches(candidate: Candidate, filing: DetectedFiling) -> bool:
    """Whether `filing` fires `candidate` (role, window and form rules of DESIGN.md)."""
    return candidate.cik in filing.ciks_for(MATCH_ROLES) and candidate.accepts(
        canonical_form(filing.form_type), filing.accepted_at
    )


class CikIndex:
    """CIK -> candidates. Build it from the open targets, then ask `match(filing)`."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._by_cik: dict[int, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            self.add(candidate)

    def add(self, candidate: Candidate) -> None:
        self._by_cik[candidate.cik].append(candidate)

    def __len__(self) -> int:
        return sum(len(group) for group in self._by_cik.values())

    def match(self, filing: DetectedFiling) -> list[Candidate]:
        """Candidates `filing` fires, in insertion order: one dictionary lookup per listed CIK."""
        form = canonical_form(filing.form_type)
        found: list[Candidate] = []
        for cik in filing.ciks_for(MATCH_ROLES):
            found.extend(
                c for c in self._by_cik.get(cik, ()) if c.accepts(form, filing.accepted_at)
            )
        return found
