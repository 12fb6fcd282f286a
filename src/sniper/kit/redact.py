"""Secrets never reach a log (issue 10 item 8): `redact(text)` and the `RedactingFilter` that
`sniper serve` and `sniper worker` put on every logging handler.

Redacted, wherever they appear in a formatted message, its traceback or its stack:

- the value of an `apiKey=` / `api_key=` query parameter (any case; uvicorn prints the query
  string of WebSocket handshakes at INFO and of every request at TRACE), a Bearer token and an
  `X-API-Key:` header value, whatever they hold;
- API keys (`snp_` + 40 base62, `sniper.accounts.keys`), webhook secrets (`whsec_` + base64,
  `sniper.notify.signing`) and Standard Webhooks signatures (`v1,` + base64, the entries of a
  `webhook-signature` header).

A key or secret cut to its display prefix (`snp_` + 8, `whsec_` + 6 characters) names it
without revealing it and is left alone, so `sniper keys list` output stays readable in logs.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(api_?key=)[^&\s'\"#]*"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)\b(bearer\s+)[^\s'\",]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(?i)\b(x-api-key:\s*)[^\s'\",]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"\bsnp_[0-9A-Za-z]{9,}"), f"snp_{REDACTED}"),
    # base64 as is or percent-encoded (`+` `/` `=` `,` in a query string)
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=%]{7,}"), f"whsec_{REDACTED}"),
    (re.compile(r"\bv1(,|%2C)[A-Za-z0-9+/%]{16,}={0,2}", re.IGNORECASE), rf"v1\g<1>{REDACTED}"),
)


def redact(text: str) -> str:
    """`text` with every secret above replaced by `[redacted]` (keeping `snp_`, `whsec_`,
    `v1,` or the parameter name in front, so a reader sees what was there)."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that redacts the record in place and never drops it.

    When redacting each string argument alone gives the redacted message, the arguments are
    replaced and `msg` kept (formatters that unpack `record.args`, like uvicorn's access
    formatter, keep working); otherwise `msg` becomes the redacted message and `args` `()`.
    A structlog event (`msg` a dict) keeps its shape, its string values redacted.
    The traceback is formatted here, redacted, and left in `exc_text`, which formatters reuse.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog event (`kit.logs`): keep it a dict
            record.msg = _redacted_args(record.msg)
        else:
            _redact_message(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _redact_message(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):
        # msg and args do not match. logging would report that by printing both unredacted,
        # so the line shows both, as redacted text, instead.
        record.msg, record.args = redact(f"{record.msg} (arguments: {record.args!r})"), ()
        return
    clean = redact(message)
    if clean == message:
        return
    args = _redacted_args(record.args)
    if args and _formatted(record.msg, args) == clean:
        record.args = args
    else:
        record.msg, record.args = clean, ()


def _redacted_args(args: Any) -> Any:
    """Each string argument redacted; a tuple or mapping keeps its shape, other args are ()."""
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, dict):
        return {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    return ()


def _formatted(msg: object, args: Any) -> str | None:
    try:
        formatted: str = str(msg) % args
        return formatted
    except (TypeError, ValueError, KeyError):
        return None
