"""Standard Webhooks v1 signing: round trips, tampering, and total verification under fuzzing."""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from sniper.notify.signing import InvalidSignature, new_webhook_secret, sign_headers, verify

BODY = json.dumps({"event_type": "sniper.filing_hit", "delivery_id": "dlv_1"}).encode()


def _signed(secret: str, *, when: datetime | None = None, body: bytes = BODY) -> dict[str, str]:
    return sign_headers(secret, msg_id="dlv_1", timestamp=when or datetime.now(UTC), body=body)


def test_new_secret_is_whsec_and_32_random_bytes() -> None:
    secrets = {new_webhook_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


def test_sign_headers_shape() -> None:
    when = datetime(2025, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)
    headers = _signed(new_webhook_secret(), when=when)
    assert headers["webhook-id"] == "dlv_1"
    assert headers["webhook-timestamp"] == str(int(when.timestamp()))
    assert headers["content-type"] == "application/json"
    version, signature = headers["webhook-signature"].split(",")
    assert version == "v1"
    assert len(base64.b64decode(signature, validate=True)) == 32


def test_round_trip_with_verify_and_with_the_standardwebhooks_package() -> None:
    secret = new_webhook_secret()
    headers = _signed(secret)
    verify(secret, headers, BODY)
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)


def test_verify_accepts_what_the_package_signs() -> None:
    secret = new_webhook_secret()
    now = datetime.now(UTC)
    signature = Webhook(secret).sign("msg_42", now, BODY.decode())
    headers = {
        "webhook-id": "msg_42",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    verify(secret, headers, BODY)


def test_non_utc_timestamp_means_the_same_instant() -> None:
    secret = new_webhook_secret()
    local = datetime.now(timezone(timedelta(hours=-5)))
    headers = _signed(secret, when=local)
    assert headers["webhook-timestamp"] == str(int(local.timestamp()))
    verify(secret, headers, BODY)
    Webhook(secret).verify(BODY, headers)


def test_header_names_are_case_insensitive() -> None:
    secret = new_webhook_secret()
    headers = _signed(secret)
    verify(secret, {k.title(): v for k, v in headers.items()}, BODY)
    verify(secret, httpx.Headers(headers), BODY)


def test_rotation_any_v1_entry_may_match_and_other_versions_are_skipped() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    headers = _signed(new)
    good = headers["webhook-signature"]
    bad = _signed(old)["webhook-signature"]
    headers["webhook-signature"] = f"v1a,{good.split(',')[1]} {bad} {good}"
    verify(new, headers, BODY)
    verify(old, headers, BODY)
    headers["webhook-signature"] = f"v1a,{good.split(',')[1]} v2,{good.split(',')[1]}"
    with pytest.raises(InvalidSignature, match="no matching"):
        verify(new, headers, BODY)


def test_tampered_body_secret_and_timestamp_are_rejected() -> None:
    secret = new_webhook_secret()
    headers = _signed(secret)
    with pytest.raises(InvalidSignature):
        verify(secret, headers, BODY.replace(b"dlv_1", b"dlv_2"))
    with pytest.raises(InvalidSignature):
        verify(new_webhook_secret(), headers, BODY)
    shifted = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 1)}
    with pytest.raises(InvalidSignature):
        verify(secret, shifted, BODY)
    with pytest.raises(InvalidSignature):
        verify(secret, {**headers, "webhook-id": "dlv_2"}, BODY)


def test_timestamp_tolerance_and_injected_now() -> None:
    secret = new_webhook_secret()
    then = datetime(2024, 5, 15, 14, 0, tzinfo=UTC)
    headers = _signed(secret, when=then)
    with pytest.raises(InvalidSignature, match="too old"):
        verify(secret, headers, BODY)
    verify(secret, headers, BODY, now=then + timedelta(minutes=4))
    with pytest.raises(InvalidSignature, match="too old"):
        verify(secret, headers, BODY, now=then + timedelta(minutes=6))
    with pytest.raises(InvalidSignature, match="too new"):
        verify(secret, headers, BODY, now=then - timedelta(minutes=6))


def test_sign_headers_refuses_bad_input_with_value_error() -> None:
    secret = new_webhook_secret()
    now = datetime.now(UTC)
    for bad_id in ["", "has space", "new\nline", "x" * 257]:
        with pytest.raises(ValueError, match="msg_id"):
            sign_headers(secret, msg_id=bad_id, timestamp=now, body=BODY)
    for bad_secret in ["whsec_", "whsec_!!!!", "whsec_abc*def"]:
        with pytest.raises(ValueError, match="secret"):
            sign_headers(bad_secret, msg_id="m", timestamp=now, body=BODY)
    with pytest.raises(ValueError, match="utf-8"):
        sign_headers(secret, msg_id="m", timestamp=now, body=b"\xff\xfe")


MALFORMED_SIGNATURES = [
    "",
    " ",
    "v1",
    "v1,",
    ",",
    ",,,",
    "v1,,",
    "v1,!!!!",
    "v1,abc",
    "v1,YWJj=",
    "v1,====",
    "v1,a,b",
    "v0,AAAA",
    "v2," + "A" * 44,
    "v1 " * 100,
    "v1," + "A" * 5000,
    "v1,\x00",
    "v1,é",
    "v1,\u2028",
    "v1,AAAA\n",
    "\t",
    "v1,AAAAAAAA AAAAAAAA",
    "=" * 64,
]
MALFORMED_TIMESTAMPS = [
    "",
    " ",
    "abc",
    "-1",
    "1e9",
    "nan",
    "inf",
    "1.5",
    "0x10",
    "99999999999999999999",
    "\uff11\uff12\uff13",
    "٣",
    "9" * 5000,
    "+1700000000",
    " 1700000000",
    "1700000000\n",
]


def _fuzz_text(rng: random.Random) -> str:
    alphabet = "v1,= +/AZaz09\x00\n\té\u2028\udcff-_.:"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 120)))


def test_fixed_malformed_headers_only_raise_invalid_signature() -> None:
    secret = new_webhook_secret()
    good = _signed(secret)
    for signature in MALFORMED_SIGNATURES:
        with pytest.raises(InvalidSignature):
            verify(secret, {**good, "webhook-signature": signature}, BODY)
    for stamp in MALFORMED_TIMESTAMPS:
        with pytest.raises(InvalidSignature):
            verify(secret, {**good, "webhook-timestamp": stamp}, BODY)
    for name in good:
        if name != "content-type":
            with pytest.raises(InvalidSignature, match="missing"):
                verify(secret, {k: v for k, v in good.items() if k != name}, BODY)
    for bad_secret in ["", "whsec_", "whsec_***", "x" * 7, "whsec_" + "\u00e9" * 8]:
        with pytest.raises(InvalidSignature):
            verify(bad_secret, good, BODY)
    with pytest.raises(InvalidSignature):
        verify(secret, {**good, "webhook-id": "x" * 100_000}, BODY)
    with pytest.raises(InvalidSignature, match="UTF-8"):
        verify(secret, good, b"\xff" + BODY)


def test_fuzzed_headers_bodies_and_secrets_only_raise_invalid_signature() -> None:
    rng = random.Random(20240515)
    secret = new_webhook_secret()
    good = _signed(secret)
    for _ in range(3000):
        headers = dict(good)
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            roll = rng.random()
            if roll < 0.3:
                headers[name] = _fuzz_text(rng)
            elif roll < 0.4:
                del headers[name]
        body = BODY if rng.random() < 0.7 else rng.randbytes(rng.randrange(0, 64))
        key = secret if rng.random() < 0.8 else "whsec_" + _fuzz_text(rng)
        if headers == good and body == BODY and key == secret:
            continue
        with pytest.raises(InvalidSignature):
            verify(key, headers, body)
