"""Structured logs (issue 16 item 2): structlog events on the stdlib logger `sniper.events`,
rendered with every other log record by one `structlog.stdlib.ProcessorFormatter`.

`event(name, fields)` logs one event (`target.hit`, `webhook.attempt`,
`webhook.endpoint_disabled`, `leader.changed`, `trading.control_changed`); the request id of
the HTTP request it happens in rides along (`RequestIdMiddleware` binds it with structlog's
contextvars). Callers pass ids, URLs without credentials and outcomes, never an API key, a
webhook secret or a signature; the rendered line is redacted again (`kit.redact`) anyway.

`SNIPER_LOG_FORMAT` picks the rendering (`structured`, applied to `sniper serve`'s and
`sniper worker`'s logging configuration):

- `console` (default): the lines as before, `2026-12-03 14:00:00,123 INFO sniper.access: GET
  ...`; an event's message is its name then `key=value` pairs;
- `json`: one JSON object per line, for every record (uvicorn's and the access log too):
  `{"event": "target.hit", "target_id": .., "level": "info", "logger": "sniper.events",
  "timestamp": "2026-12-03T14:00:00.123456Z"}`; a stdlib record's `extra` fields are keys.
"""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Mapping
from typing import Any, Literal

import structlog
from structlog.stdlib import ProcessorFormatter
from structlog.typing import EventDict, WrappedLogger

from sniper.kit.accesslog import LOG_FORMAT
from sniper.kit.redact import RedactingFilter, redact

EVENTS = "sniper.events"
LogFormat = Literal["console", "json"]
_META = ("_record", "_from_structlog")


def configure() -> None:
    """Send structlog events through stdlib logging (idempotent): the handlers' formatters
    render them. Without a handler for `sniper.events` anywhere (an embedding app that set up
    no logging), one on stderr renders them as the console format does."""
    if not structlog.is_configured():
        structlog.configure(
            processors=[
                structlog.stdlib.filter_by_level,
                structlog.contextvars.merge_contextvars,
                ProcessorFormatter.wrap_for_formatter,
            ],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
    events = logging.getLogger(EVENTS)
    if not events.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(console_formatter())
        handler.addFilter(RedactingFilter())
        events.addHandler(handler)
        events.setLevel(logging.INFO)


def event(name: str, fields: Mapping[str, object], *, level: int = logging.INFO) -> None:
    """Log event `name` with `fields` (JSON-serialisable values) on `sniper.events`."""
    configure()
    structlog.get_logger(EVENTS).log(level, name, **fields)


def _console_message(_: WrappedLogger, __: str, event_dict: EventDict) -> str:
    """A stdlib record's message unchanged; an event as `name key=value ...`."""
    message = str(event_dict.get("event", ""))
    if not event_dict.get("_from_structlog"):
        return redact(message)
    pairs = [f"{k}={v}" for k, v in event_dict.items() if k != "event" and k not in _META]
    return redact(" ".join([message, *pairs]))


def _drop_terminal_extras(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """uvicorn's `color_message` extra: the message again, with terminal colour codes."""
    event_dict.pop("color_message", None)
    return event_dict


def _redacted_json(logger: WrappedLogger, name: str, event_dict: EventDict) -> str:
    ordered = {"event": event_dict.get("event"), **event_dict}  # the name first, for readers
    rendered = structlog.processors.JSONRenderer()(logger, name, ordered)
    return redact(str(rendered))


def console_formatter() -> logging.Formatter:
    """`LOG_FORMAT` lines; tracebacks are appended by stdlib logging, as before."""
    return ProcessorFormatter(
        processors=[_console_message],
        fmt=LOG_FORMAT,
        keep_exc_info=True,
        keep_stack_info=True,
    )


def json_formatter() -> logging.Formatter:
    """One JSON object per record: `event`, `level`, `logger`, `timestamp` (UTC wall time,
    ISO 8601), the event's fields or the record's `extra` ones, `exception` when there is one."""
    return ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), _drop_terminal_extras],
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,  # reads the record: before the meta goes
            ProcessorFormatter.remove_processors_meta,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redacted_json,
        ],
    )


def structured(config: dict[str, Any], log_format: LogFormat) -> dict[str, Any]:
    """`config` (a `logging.config.dictConfig` with a `sniper` handler, `sniper.cli.
    log_config`) with `sniper.events` at INFO on that handler and every formatter rendering
    as `log_format` says: console keeps uvicorn's own formatters, json replaces them all."""
    config = copy.deepcopy(config)
    formatters: dict[str, Any] = config["formatters"]
    factory = json_formatter if log_format == "json" else console_formatter
    names = list(formatters) if log_format == "json" else ["sniper"]
    for name in names:
        formatters[name] = {"()": factory}
    config["loggers"][EVENTS] = {"handlers": ["sniper"], "level": "INFO", "propagate": False}
    return config
