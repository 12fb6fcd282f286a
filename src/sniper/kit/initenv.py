"""`sniper init`: write a `.env` (read by every `sniper` command run in that directory, the
`env_file` of `sniper.config.Settings`) with a fresh secret key and the defaults `make run`
uses, so an installed package runs like the repository."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from sniper.kit.cli import err, fail

CATALOG = Path("edgar") / "reference" / "company_tickers.json"
REPLAY = Path("edgar") / "atom"

TEMPLATE = """\
# Sniper settings, read by every `sniper` command started in this directory (SNIPER_* in the
# environment win). Written by `sniper init`; .env.example in the repository lists the same.

# HMAC key of the stored API-key digests: keep it secret; changing it invalidates every key.
SNIPER_SECRET_KEY={secret_key}
SNIPER_DATABASE_URL={database_url}

# The ticker catalog (SEC company_tickers.json) replay and API-only mode read; live mode
# downloads it when this is unset.
{catalog_line}

# Live EDGAR needs a User-Agent naming you (SEC fair access); unset, `sniper serve` needs
# --replay DIR, a recorded day such as {replay_hint}.
# SNIPER_EDGAR_USER_AGENT=Acme Capital admin@acme.example

# Webhooks to private addresses are refused unless listed (SSRF guard); `make run` allows
# loopback for local receivers.
SNIPER_WEBHOOK_ALLOW_NETWORKS=127.0.0.1/32
"""


def find_shared(start: Path) -> Path | None:
    """The recorded EDGAR data beside `start`: the first of `start/shared`, `start/../shared`
    (the repository's `SHARED ?= ../shared`) holding `edgar/reference/company_tickers.json`;
    None when neither does."""
    for candidate in (start / "shared", start.parent / "shared"):
        if (candidate / CATALOG).is_file():
            return candidate.resolve()
    return None


def render(*, secret_key: str, database_url: str, shared: Path | None) -> str:
    """The `.env` text: `secret_key`, `database_url`, and SNIPER_CATALOG_PATH set to
    `shared`'s catalog (commented out when `shared` is None)."""
    if shared is not None:
        catalog_line = f"SNIPER_CATALOG_PATH={shared / CATALOG}"
        replay_hint = str(shared / REPLAY)
    else:
        catalog_line = "# SNIPER_CATALOG_PATH=/path/to/shared/edgar/reference/company_tickers.json"
        replay_hint = "shared/edgar/atom"
    return TEMPLATE.format(
        secret_key=secret_key,
        database_url=database_url,
        catalog_line=catalog_line,
        replay_hint=replay_hint,
    )


PathOpt = Annotated[Path, typer.Option("--path", help="The file to write.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
SharedOpt = Annotated[
    Path | None,
    typer.Option(
        "--shared",
        help="The recorded EDGAR data (holding edgar/reference/company_tickers.json); "
        "default: ./shared or ../shared when they hold it.",
    ),
]
DatabaseOpt = Annotated[str, typer.Option("--database-url", help="SNIPER_DATABASE_URL.")]


def init_command(
    path: PathOpt = Path(".env"),
    force: ForceOpt = False,
    shared: SharedOpt = None,
    database_url: DatabaseOpt = "sqlite+aiosqlite:///./sniper.db",
) -> None:
    """Write a .env with a fresh SNIPER_SECRET_KEY and sane defaults; refuses to overwrite
    one without --force (exit 1). Then: `sniper migrate`, `sniper serve --replay DIR`."""
    if path.exists() and not force:
        fail(f"{path} exists; keep it, or run `sniper init --force` to replace it", 1)
    if shared is not None and not (shared / CATALOG).is_file():
        fail(f"--shared {shared}: no {CATALOG} in it", 2)
    found = shared.resolve() if shared is not None else find_shared(Path.cwd())
    text = render(secret_key=secrets.token_urlsafe(32), database_url=database_url, shared=found)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}", 1)
    path.chmod(0o600)  # it holds the secret key
    catalog = "SNIPER_CATALOG_PATH set" if found else "no catalog found: set SNIPER_CATALOG_PATH"
    err.print(f"wrote {path} (fresh SNIPER_SECRET_KEY; {catalog})", highlight=False)
