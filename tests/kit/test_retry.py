"""`kit.retry`: the outcome of an attempt, the delay before the next, the Retry-After parser."""

from __future__ import annotations

import random

import httpx

from sniper.kit.retry import Backoff, Outcome, classify, delay, parse_retry_after


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_outcomes_of_an_attempt() -> None:
    edgar = {"ok_below": 400, "retry": {403, 429}}
    assert classify(None, **edgar) == Outcome("retryable")
    assert classify(_response(200), **edgar) == Outcome("ok")
    assert classify(_response(304), **edgar) == Outcome("ok")
    assert classify(_response(404), **edgar) == Outcome("permanent")
    assert classify(_response(403), **edgar) == Outcome("retryable")
    assert classify(_response(503, {"Retry-After": "7"}), **edgar) == Outcome("retryable", 7.0)
    webhook = {"ok_below": 300, "retry": {408, 429}}
    assert classify(_response(302), **webhook) == Outcome("permanent")
    assert classify(_response(408), **webhook).retryable
    figi = classify(
        _response(429, {"ratelimit-reset": "42"}),
        ok_below=300,
        retry={429},
        hint_header="ratelimit-reset",
    )
    assert figi == Outcome("retryable", 42.0)


def test_doubling_stays_under_the_cap_with_equal_jitter() -> None:
    backoff = Backoff.doubling(0.5, cap=3.0, max_attempts=8, spread=(0.5, 1.0))
    rng = random.Random(1)
    waits = [delay(backoff, n, rng=rng) for n in range(1, 9)]
    assert waits[-1] is None
    for n, wait in enumerate(waits[:-1], start=1):
        ceiling = min(3.0, 0.5 * 2 ** (n - 1))
        assert wait is not None
        assert ceiling / 2 <= wait <= ceiling
    assert delay(backoff, 1, hint=120, rng=rng) == 3.0  # the hint clamps at the cap


def test_parse_retry_after_forms() -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", date_header=date) == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", date_header=date) == 0.0
    for bad in [None, "", "-5", "1.5", "soon", "99999999999", "9" * 5000, "١٢"]:
        assert parse_retry_after(bad) is None
