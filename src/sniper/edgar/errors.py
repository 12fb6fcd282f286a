"""Errors raised by EDGAR access (`sniper.edgar`); re-exported by `sniper.edgar.client`.

EdgarError
├── EdgarHTTPError      a non-retryable 4xx (404, 400, ...): `status`, `url`
├── EdgarUnavailable    retries exhausted on 403/429/5xx or network errors: `status` (None for
│   │                   a network error or timeout), `url`
│   └── RateLimited     SEC's "Request Rate Threshold Exceeded" page: every source waits until
│                       `until`
└── FeedParseError      a document that is not an Atom feed (e.g. EDGAR's HTML 503 page)
"""

from __future__ import annotations

from datetime import datetime


class EdgarError(Exception):
    """Base class of every EDGAR access error."""


class EdgarHTTPError(EdgarError):
    """EDGAR answered with a status that retrying will not fix (4xx other than 403/429)."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"EDGAR HTTP {status} for {url}")
        self.status = status
        self.url = url


class EdgarUnavailable(EdgarError):
    """EDGAR stayed unavailable after the last attempt: 403/429/5xx, or `status=None` when the
    last attempt failed with a network error or timeout."""

    def __init__(self, status: int | None, url: str) -> None:
        what = f"HTTP {status}" if status is not None else "network error"
        super().__init__(f"EDGAR unavailable ({what}) for {url}")
        self.status = status
        self.url = url


class RateLimited(EdgarUnavailable):
    """SEC answered its rate-threshold page (or its block still lasts): nothing is sent to
    SEC before `until` (aware UTC)."""

    def __init__(self, url: str, until: datetime) -> None:
        super().__init__(403, url)
        self.until = until


class FeedParseError(EdgarError):
    """The bytes are not an Atom feed document (not XML, or the root is not `atom:feed`)."""
