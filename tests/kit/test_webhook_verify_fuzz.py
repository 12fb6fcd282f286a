"""F11: webhook verification is total. Fuzzed `webhook-*` headers (Hypothesis, fixed seed) make
`sniper.notify.signing.verify` raise `InvalidSignature` and nothing else, where the bare
`standardwebhooks` package raises `ValueError` / `binascii.Error` (RELIABILITY.md "Things that
bite")."""

from __future__ import annotations

import binascii
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from sniper.notify.signing import InvalidSignature, new_webhook_secret, sign_headers, verify

SECRET = new_webhook_secret()
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BODY = json.dumps({"event_type": "sniper.filing_hit", "delivery_id": "dlv_f11"}).encode()
GOOD = sign_headers(SECRET, msg_id="dlv_f11", timestamp=NOW, body=BODY)
NAMES = ("webhook-id", "webhook-timestamp", "webhook-signature")

_b64ish = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ")
_signature = st.lists(
    st.tuples(st.sampled_from(["v1", "v1a", "v2", "", "V1", "v1 "]), _b64ish).map(
        lambda pair: f"{pair[0]},{pair[1]}"
    ),
    max_size=4,
).map(" ".join)
_timestamp = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.integers(int(NOW.timestamp()) - 400, int(NOW.timestamp()) + 400).map(str),
    st.floats(allow_nan=True).map(str),
)
_value = st.one_of(st.text(max_size=300), _b64ish, _signature, _timestamp, st.just(""))
_headers = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(_value, st.sampled_from([GOOD[n] for n in NAMES]), _signature)
        for name in NAMES
    },
)
_case = st.builds(
    lambda h, upper: {k.upper() if upper else k: v for k, v in h.items()}, _headers, st.booleans()
)


@seed(20261121)
@settings(
    max_examples=2500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(headers=_case, body=st.one_of(st.just(BODY), st.binary(max_size=64)))
def test_fuzzed_webhook_headers_only_ever_raise_invalid_signature(
    headers: dict[str, str], body: bytes
) -> None:
    try:
        verify(SECRET, headers, body, now=NOW)
    except InvalidSignature:
        return
    # Accepted: it must really be the genuine signed message.
    lowered = {k.lower(): v for k, v in headers.items()}
    assert body == BODY
    assert lowered["webhook-id"] == GOOD["webhook-id"]
    assert lowered["webhook-timestamp"] == GOOD["webhook-timestamp"]


def test_the_genuine_message_verifies_within_tolerance_only() -> None:
    verify(SECRET, GOOD, BODY, now=NOW + timedelta(minutes=4))
    with pytest.raises(InvalidSignature):
        verify(SECRET, GOOD, BODY, now=NOW + timedelta(minutes=6))


@pytest.mark.parametrize(
    ("name", "value", "raw_error"),
    [
        ("webhook-signature", "v1", ValueError),
        ("webhook-signature", "v1,abc", binascii.Error),
    ],
)
def test_the_bare_package_leaks_other_errors_that_verify_wraps(
    name: str, value: str, raw_error: type[Exception]
) -> None:
    fresh = sign_headers(SECRET, msg_id="dlv_f11", timestamp=datetime.now(UTC), body=BODY)
    headers = {**fresh, name: value}
    with pytest.raises(raw_error) as raised:
        Webhook(SECRET).verify(BODY, headers)
    assert not isinstance(raised.value, WebhookVerificationError)
    with pytest.raises(InvalidSignature):
        verify(SECRET, headers, BODY)
