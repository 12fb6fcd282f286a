"""The retry policy as data plus one function, and the settings that feed it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sniper.config import STANDARD_WEBHOOKS_DELAYS, Settings
from sniper.kit.retry import Backoff, delay
from sniper.notify.policy import webhook_backoff
from sniper.notify.signing import new_webhook_secret, sign_headers, verify

DEFAULT = webhook_backoff(Settings())


def test_default_policy_is_standard_webhooks_example_schedule() -> None:
    assert DEFAULT.delays == STANDARD_WEBHOOKS_DELAYS
    assert DEFAULT.delays == (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
    assert DEFAULT.max_attempts == 10
    assert DEFAULT.spread == (0.8, 1.2)
    assert sum(DEFAULT.delays) / 3600 == pytest.approx(75.6, abs=0.05)


def test_delays_stay_within_twenty_percent_and_the_tenth_failure_is_final() -> None:
    rng = random.Random(3)
    for _ in range(200):
        for attempts, scheduled in enumerate(DEFAULT.delays, start=1):
            wait = delay(DEFAULT, attempts, rng=rng)
            assert wait is not None
            assert 0.8 * scheduled <= wait <= 1.2 * scheduled
    assert delay(DEFAULT, 10, rng=rng) is None


def test_same_seed_same_delays() -> None:
    first = [delay(DEFAULT, n, rng=random.Random(9)) for n in range(1, 9)]
    again = [delay(DEFAULT, n, rng=random.Random(9)) for n in range(1, 9)]
    assert first == again


def test_retry_after_lengthens_up_to_the_clamp_and_never_shortens() -> None:
    policy = Backoff((5.0, 300.0), max_attempts=3, cap=3600, hint_max=600)
    rng = random.Random(0)
    assert delay(policy, 1, hint=120, rng=rng) == 120
    assert delay(policy, 1, hint=10**9, rng=rng) == 600
    assert delay(policy, 2, hint=1, rng=rng) == 300


def test_past_the_schedule_delays_double_to_the_cap() -> None:
    policy = Backoff((10.0, 20.0), max_attempts=8, cap=100, hint_max=0)
    rng = random.Random(0)
    delays = [delay(policy, n, rng=rng) for n in range(1, 9)]
    assert delays == [10, 20, 40, 80, 100, 100, 100, None]
    huge = Backoff((1.0,), max_attempts=10**6, cap=3600, hint_max=0)
    assert delay(huge, 10**5, rng=rng) == 3600


def test_settings_from_the_environment_and_fail_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNIPER_WEBHOOK_RETRY_DELAYS", "0,1.5,2")
    monkeypatch.setenv("SNIPER_WEBHOOK_DISABLE_AFTER", "3600")
    settings = Settings()
    assert settings.webhook_retry_delays == [0.0, 1.5, 2.0]
    assert settings.webhook_disable_after == timedelta(hours=1)
    assert webhook_backoff(settings).max_attempts == 4
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
