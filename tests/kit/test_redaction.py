"""No API key, webhook secret, signature or `apiKey=` value reaches a log (issue 10 item 8):
`sniper.kit.redact` on each kind of secret, on records as handlers see them, and on every
handler of the `sniper serve` / `sniper worker` logging configuration."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest
from uvicorn.logging import AccessFormatter

from sniper.accounts.keys import display_prefix as key_prefix
from sniper.accounts.keys import new_api_key
from sniper.cli import LogLevel, log_config
from sniper.kit import accesslog
from sniper.kit.redact import RedactingFilter, redact
from sniper.notify.signing import new_webhook_secret, sign_headers
from sniper.notify.webhook_secrets import display_prefix as secret_prefix

KEY = new_api_key()
SECRET = new_webhook_secret()


def _signature() -> str:
    headers = sign_headers(
        [SECRET, new_webhook_secret()], msg_id="msg_1", timestamp=datetime.now(UTC), body=b"{}"
    )
    return headers["webhook-signature"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'127.0.0.1:5 - "WebSocket /ws/main-api?apiKey={KEY}" [accepted]',
            '127.0.0.1:5 - "WebSocket /ws/main-api?apiKey=[redacted]" [accepted]',
        ),
        ("GET /x?limit=5&api_key=not-a-key&y=1", "GET /x?limit=5&api_key=[redacted]&y=1"),
        ("'query_string': b'APIKEY=typo123'", "'query_string': b'APIKEY=[redacted]'"),
        (f"X-API-Key: {KEY}", "X-API-Key: [redacted]"),
        (f"(b'x-api-key', b'{KEY}')", "(b'x-api-key', b'snp_[redacted]')"),
        (f"Authorization: Bearer {KEY}", "Authorization: Bearer [redacted]"),
        (f"rotated to {SECRET}.", "rotated to whsec_[redacted]."),
        (f"secret={SECRET}&a=1", "secret=whsec_[redacted]&a=1"),
        ("b'secret=whsec_SAbKs%2Bk3e7%2Blr6J%3D'", "b'secret=whsec_[redacted]'"),
        ("sig=v1%2CK5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN%2FH%2FpI4%3D", "sig=v1%2C[redacted]"),
    ],
)
def test_each_kind_of_secret_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_every_signature_of_a_header_is_redacted() -> None:
    signature = _signature()
    redacted = redact(f"webhook-signature: {signature}")
    assert redacted == "webhook-signature: v1,[redacted] v1,[redacted]"


@pytest.mark.parametrize(
    "text",
    [
        "GET /api/v1/sniper/targets 200 3.2ms request_id=req_1 account=42",
        "apiKeys are shown once",
        "versions v1,v2",
        "2025-12-12T15:45:47Z 6-K SONY",
        f"revoked {key_prefix(KEY)}",  # display prefixes name a secret without revealing it
        f"webhook secret {secret_prefix(SECRET)}",
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def _logger(name: str, formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_the_filter_redacts_messages_arguments_and_tracebacks() -> None:
    logger, stream = _logger("tests.redaction", logging.Formatter("%(message)s"))
    logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:5", f"/ws?apiKey={KEY}")
    logger.debug("%s=%s", "apiKey", "split-across-arguments")
    logger.warning(f"signing with {SECRET}")
    try:
        raise RuntimeError(f"GET /x?apiKey={KEY} failed")
    except RuntimeError:
        logger.exception("request failed")
    logger.info("nothing secret here: %d targets", 3)
    output = stream.getvalue()
    assert KEY[4:] not in output
    assert SECRET[6:] not in output
    assert "split-across-arguments" not in output
    assert 'WebSocket /ws?apiKey=[redacted]" [accepted]' in output
    assert "apiKey=[redacted]\n" in output
    assert "signing with whsec_[redacted]" in output
    assert "RuntimeError: GET /x?apiKey=[redacted] failed" in output
    assert "nothing secret here: 3 targets" in output


def test_uvicorn_access_lines_still_format() -> None:
    """uvicorn's AccessFormatter unpacks the record's arguments: they stay five values."""
    formatter = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s')
    logger, stream = _logger("tests.redaction.access", formatter)
    args = ("127.0.0.1:5", "GET", f"/api/v1/status?apiKey={KEY}", "1.1", 200)
    logger.info('%s - "%s %s HTTP/%s" %d', *args)
    assert stream.getvalue() == (
        '127.0.0.1:5 - "GET /api/v1/status?apiKey=[redacted] HTTP/1.1" 200 OK\n'
    )


@pytest.mark.parametrize("level", ["info", "trace"])
def test_every_handler_of_the_server_configuration_redacts(level: str) -> None:
    config = log_config(LogLevel(level))
    assert config["handlers"]
    for name, handler in config["handlers"].items():
        assert "redact" in handler.get("filters", []), name
    assert config["root"]["handlers"], "third-party and sniper.* warnings go through a handler"
    assert config["loggers"]["sniper.access"]["handlers"]


def test_the_access_log_handler_redacts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where nothing configured logging, `ensure_handler` gives `sniper.access` its own
    handler, which redacts too."""
    isolated = logging.getLogger("tests.redaction.isolated_access")
    isolated.propagate = False  # no root handler, as in a process that configured nothing
    isolated.handlers = []
    monkeypatch.setattr(accesslog, "logger", isolated)
    accesslog.ensure_handler()
    isolated.info("GET /api/v1/status?apiKey=%s 200", KEY)
    isolated.handlers = []
    assert "GET /api/v1/status?apiKey=[redacted] 200" in capsys.readouterr().err
