"""`sniper` command line (Typer). Every command reads the same `Settings` as the server."""

from __future__ import annotations

import asyncio
import copy
import logging.config
import os
import signal
import sys
import threading
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pydantic
import typer
import uvicorn
import uvicorn.config
from typer._click import exceptions as click  # Typer's own click: its usage errors

from sniper.accounts.cli import accounts_app, keys_app
from sniper.accounts.webhooks_cli import webhooks_app
from sniper.app import ConfigurationError, ServeOptions, check_options, create_app
from sniper.config import Settings
from sniper.db import migrate as migrations
from sniper.filings.cli import cusip_app, thirteenf_app
from sniper.kit.accesslog import LOG_FORMAT
from sniper.kit.cli import (
    err,
    fail,
    print_error,
    print_version,
    print_warning,
    setting_error,
    usage_error,
)
from sniper.kit.initenv import init_command
from sniper.kit.logs import LogFormat, structured
from sniper.kit.redact import RedactingFilter
from sniper.kit.timefmt import parse_iso
from sniper.trading.algorithms.cli import algorithms_app, backtest_command
from sniper.trading.control.cli import trading_app

app = typer.Typer(
    help="Sniper: snipe SEC filings the moment EDGAR publishes them.", no_args_is_help=True
)
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(thirteenf_app, name="13f")
app.add_typer(cusip_app, name="cusip")
app.add_typer(trading_app, name="trading")
app.add_typer(algorithms_app, name="algorithms")
app.command("backtest")(backtest_command)
app.command("init")(init_command)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=print_version, is_eager=True, help="Print it; exit."),
    ] = False,
) -> None:
    """Sniper: snipe SEC filings the moment EDGAR publishes them."""


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = Settings()
    migrations.upgrade(settings.database_url)
    err.print(f"migrated {settings.database_url}")


ReplayOpt = Annotated[Path | None, typer.Option(help="Play a recorded Atom crawl directory.")]
SpeedOpt = Annotated[float, typer.Option(help="Replay speed, x real time.")]
StartOpt = Annotated[str | None, typer.Option(help="Replay start (ISO 8601).")]


def _options(
    settings: Settings, replay: Path | None, speed: float, start: str | None, workers: bool
) -> ServeOptions:
    """Serve options from the flags; exits 2 (one line on stderr) for live mode without an
    EDGAR User-Agent, a `--start` that is no time, a `--replay` that is no recorded crawl,
    or no ticker catalog (`check_options`); a `--start` after the replay's last filing is a
    one-line warning. An API
    process of a scale-out (`--workers 0`, no `--replay`) polls nothing: without a User-Agent
    it runs API-only (SNIPER_CATALOG_PATH then names the ticker catalog)."""
    if speed <= 0:
        fail(f"--speed {speed}: must be > 0 (x real time)", 2)
    if replay is None and not workers and not settings.edgar_user_agent:
        options = ServeOptions(mode="off", run_workers=False)
    elif replay is None and not settings.edgar_user_agent:
        fail(
            "live mode needs SNIPER_EDGAR_USER_AGENT, e.g. 'Acme Capital admin@acme.example' "
            "(SEC fair access); or use --replay DIR",
            2,
        )
    else:
        options = ServeOptions(
            mode="replay" if replay else "live",
            replay_dir=replay,
            speed=speed,
            start=_start(start),
            run_workers=workers,
        )
    try:
        notice = check_options(settings, options)
    except ConfigurationError as exc:
        fail(str(exc), 2)
    if notice is not None:
        print_warning(notice)
    return options


def _start(value: str | None) -> datetime | None:
    """`--start` as an instant; exits 2 naming the flag for anything but ISO 8601."""
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError as exc:
        fail(f"--start {value!r}: {exc} (ISO 8601 expected, e.g. 2025-12-12T14:00:00Z)", 2)


class LogLevel(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"
    trace = "trace"


LogLevelOpt = Annotated[
    LogLevel,
    typer.Option(
        help="uvicorn's log level; debug and trace print connections and every request's "
        "query string. Keys, secrets and signatures are redacted at every level."
    ),
]


def log_config(level: LogLevel, log_format: LogFormat = "console") -> dict[str, Any]:
    """The `logging.config.dictConfig` of `sniper serve` and `sniper worker`: uvicorn's own
    configuration, plus `sniper.access` and `sniper.targets.watcher` at INFO, uvicorn's TRACE
    message log, and the root logger printing WARNING and above (what Python's last-resort
    handler printed before), with `RedactingFilter` on every handler (issue 10 item 8). `level`
    applies to uvicorn's loggers; `log_format` (SNIPER_LOG_FORMAT) renders every line as the
    console or as JSON, structured events included (`kit.logs.structured`)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactingFilter}}
    config["formatters"]["sniper"] = {"format": LOG_FORMAT}
    handlers: dict[str, dict[str, Any]] = config["handlers"]
    handlers["sniper"] = {"class": "logging.StreamHandler", "formatter": "sniper"}
    handlers["warnings"] = handlers["sniper"] | {"level": "WARNING"}
    for handler in handlers.values():
        handler["stream"] = handler.get("stream", "ext://sys.stderr")
        handler["filters"] = [*handler.get("filters", []), "redact"]
    loggers: dict[str, dict[str, Any]] = config["loggers"]
    loggers["sniper.access"] = {"handlers": ["sniper"], "level": "INFO", "propagate": False}
    # every filing with the source that saw it first and how much later the others did
    loggers["sniper.targets.watcher"] = loggers["sniper.access"]
    loggers["uvicorn.asgi"] = {"handlers": ["default"], "propagate": False}
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        loggers[name]["level"] = uvicorn.config.LOG_LEVELS[level.value]
    config["root"] = {"handlers": ["warnings"], "level": "WARNING"}
    return structured(config, log_format)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="0: any free port.")] = 8000,
    replay: ReplayOpt = None,
    speed: SpeedOpt = 1.0,
    start: StartOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            max=1,
            help="1: run the workers in this process (EDGAR when leader, sweeps, delivery); "
            "0: API only (scale-out, beside `sniper worker`).",
        ),
    ] = 1,
    log_level: LogLevelOpt = LogLevel.info,
) -> None:
    """API + workers in one process; migrates first. Live EDGAR unless --replay."""
    settings = Settings()
    options = _options(settings, replay, speed, start, workers == 1)
    options.freeze_gc = True
    migrations.upgrade(settings.database_url)
    # uvicorn reports a failing lifespan itself (exit 3): `_options` checked what it would refuse
    uvicorn.run(
        create_app(settings, options),
        host=host,
        port=port,
        log_config=log_config(log_level, settings.log_format),
        log_level=log_level.value,
        access_log=False,  # sniper.access logs each request without the ?apiKey= query
    )


@app.command()
def worker(replay: ReplayOpt = None, speed: SpeedOpt = 1.0, start: StartOpt = None) -> None:
    """Workers only (scale-out): EDGAR polling when leader, lifecycle sweeps, webhook delivery."""
    settings = Settings()
    options = _options(settings, replay, speed, start, workers=True)
    migrations.upgrade(settings.database_url)
    logging.config.dictConfig(log_config(LogLevel.info, settings.log_format))
    try:
        asyncio.run(_run_workers(settings, options))
    except ConfigurationError as exc:
        fail(str(exc), 2)


async def _run_workers(settings: Settings, options: ServeOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    service = create_app(settings, options)
    async with service.router.lifespan_context(service):
        err.print("sniper worker running; Ctrl-C stops it")
        await stop.wait()
    await _settle_stragglers(SHUTDOWN_GRACE_SECONDS)


SHUTDOWN_GRACE_SECONDS = 10.0


async def _settle_stragglers(seconds: float) -> None:
    """After the loops stopped: cancel tasks still pending (e.g. a database driver's in-flight
    cancellation) and give them `seconds`. A task that ignores cancellation would keep
    `asyncio.run` from returning, so the worker would never exit on SIGTERM: its stack is
    printed and the process exits 0 anyway (claims are leased, nothing is lost)."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    if not others:
        return
    _, pending = await asyncio.wait(others, timeout=seconds)
    if pending:
        err.print(f"{len(pending)} task(s) ignored shutdown; exiting anyway:")
        for task in pending:
            task.print_stack(file=sys.stderr)
        sys.stderr.flush()
        os._exit(0)


def main() -> None:
    """The `sniper` entry point. A usage error (a missing option, a bad value) or a setting
    that does not validate is one line on stderr and exit 2; an exception no command handled
    (a database that does not answer, a bug) is one line and exit 1; `SNIPER_TRACEBACK=1`
    prints its traceback instead (and a driver thread's, which is otherwise not printed)."""
    traceback = os.environ.get("SNIPER_TRACEBACK") == "1"
    if not traceback:
        threading.excepthook = lambda args: None  # the main thread reports the failure
    try:
        code = app(prog_name="sniper", standalone_mode=False)
    except click.UsageError as exc:
        code = usage_error(exc)
    except click.ClickException as exc:
        print_error(exc.format_message())
        code = exc.exit_code
    except typer.Abort:
        print_error("aborted")
        code = 1
    except pydantic.ValidationError as exc:
        print_error(setting_error(exc))
        code = 2
    except Exception as exc:
        if traceback:
            raise
        first_line = (str(exc).strip().splitlines() or [""])[0]
        print_error(
            f"unexpected {type(exc).__name__}: {first_line} (SNIPER_TRACEBACK=1 shows where)"
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
