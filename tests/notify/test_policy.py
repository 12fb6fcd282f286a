"""The retry policy as data plus one function, and the settings that feed it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sniper.config import STANDARD_WEBHOOKS_DELAYS, Settings
from sniper.notify.policy import RetryPolicy, retry_delay
from sniper.notify.signing import new_webhook_secret, sign_headers, verify

DEFAULT = RetryPolicy.from_settings(Settings())


def test_default_policy_is_standard_webhooks_example_schedule() -> None:
    assert DEFAULT.delays == STANDARD_WEBHOOKS_DELAYS
    assert DEFAULT.delays == (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
    assert DEFAULT.max_attempts == 10
    assert DEFAULT.jitter == 0.2
    assert sum(DEFAULT.delays) / 3600 == pytest.approx(75.6, abs=0.05)


def test_delays_stay_within_twenty_percent_and_the_tenth_failure_is_final() -> None:
    rng = random.Random(3)
    for _ in range(200):
        for attempts, scheduled in enumerate(DEFAULT.delays, start=1):
            delay = retry_delay(DEFAULT, attempts, retry_after=None, rng=rng)
            assert delay is not None
            assert 0.8 * scheduled <= delay <= 1.2 * scheduled
    assert retry_delay(DEFAULT, 10, retry_after=None, rng=rng) is None


def test_same_seed_same_delays() -> None:
    first = [retry_delay(DEFAULT, n, retry_after=None, rng=random.Random(9)) for n in range(1, 9)]
    again = [retry_delay(DEFAULT, n, retry_after=None, rng=random.Random(9)) for n in range(1, 9)]
    assert first == again


def test_retry_after_lengthens_up_to_the_clamp_and_never_shortens() -> None:
    policy = RetryPolicy((5.0, 300.0), max_attempts=3, cap=3600, jitter=0, retry_after_max=600)
    rng = random.Random(0)
    assert retry_delay(policy, 1, retry_after=120, rng=rng) == 120
    assert retry_delay(policy, 1, retry_after=10**9, rng=rng) == 600
    assert retry_delay(policy, 2, retry_after=1, rng=rng) == 300


def test_past_the_schedule_delays_double_to_the_cap() -> None:
    policy = RetryPolicy((10.0, 20.0), max_attempts=8, cap=100, jitter=0, retry_after_max=0)
    rng = random.Random(0)
    delays = [retry_delay(policy, n, retry_after=None, rng=rng) for n in range(1, 9)]
    assert delays == [10, 20, 40, 80, 100, 100, 100, None]
    huge = RetryPolicy((1.0,), max_attempts=10**6, cap=3600, jitter=0, retry_after_max=0)
    assert retry_delay(huge, 10**5, retry_after=None, rng=rng) == 3600


def test_settings_from_the_environment_and_fail_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNIPER_WEBHOOK_RETRY_DELAYS", "0,1.5,2")
    monkeypatch.setenv("SNIPER_WEBHOOK_DISABLE_AFTER", "3600")
    settings = Settings()
    assert settings.webhook_retry_delays == [0.0, 1.5, 2.0]
    assert settings.webhook_disable_after == timedelta(hours=1)
    assert RetryPolicy.from_settings(settings).max_attempts == 4
    with pytest.raises(ValidationError, match="webhook_lease"):
        Settings(webhook_timeout=timedelta(seconds=90))
    with pytest.raises(ValidationError, match=">= 0"):
        Settings(webhook_retry_delays=[5.0, -1.0])


def test_several_secrets_sign_one_entry_each() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    when = datetime.now(UTC)
    headers = sign_headers([new, old], msg_id="dlv_1", timestamp=when, body=b"{}")
    entries = headers["webhook-signature"].split(" ")
    assert len(entries) == 2
    assert all(entry.startswith("v1,") for entry in entries)
    assert (
        entries[0]
        == sign_headers(new, msg_id="dlv_1", timestamp=when, body=b"{}")["webhook-signature"]
    )
    verify(old, headers, b"{}")
    verify(new, headers, b"{}")
    with pytest.raises(ValueError, match="at least one"):
        sign_headers([], msg_id="dlv_1", timestamp=when, body=b"{}")
