"""Algorithm CRUD and lifecycle (x3algo seed 003 and its surroundings; DESIGN.md "Trading
algorithms"). Never commits: the request's transaction does.

Status rules (the lifecycle table of `tests/trading/algorithms/test_lifecycle.py`):

- **Create** always answers 201 with status `draft`, complete or not (DESIGN.md, seeds README).
- **PATCH** (not allowed while `active` or `paused`: 403 `Cannot update active|paused
  algorithm`; stop it first) merges the body into the stored configuration, validates the
  result, bumps `version` and recomputes the status: `stopped` when nothing is missing, `draft`
  otherwise (an `error` algorithm moves the same way).
- **Start** from `draft`, `stopped` or `error`: 400 `VALIDATION_ERROR` with
  `details.missingFields` while incomplete (so an incomplete draft cannot start), 400 with
  `details.unsupported` for a complete configuration this service cannot run (e.g. mode
  `live`), 409 `CONFLICT` unless the account's trading-control status is `live`, 403 `Daily loss
  limit reached`; `active` → 422 `Algorithm already active`, `paused` → 422 (resume it).
- **Stop** from `active` or `paused` → `stopped` (seed 003), otherwise 422 `Algorithm not
  active`. Open positions stay; the engine keeps watching their exits.
- **Pause** `active` → `paused`, otherwise 422. **Resume** `paused` → `active` (409 / 403 as
  start), otherwise 422 `Algorithm not paused`.
- **Delete** (not while `active` or `paused`: 403) archives: status `archived`, `deleted_at`
  set; the row, its orders and trades stay, the API answers 404 for it from then on.

Another account's (or a deleted) algorithm is 404 `Algorithm not found` everywhere. Every change
is a conditional UPDATE, so of two racing starts one gets 200 and the other 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from sniper.kit.ids import base62
from sniper.models import Account, TradingAlgorithm
from sniper.trading.algorithms import repository as repo
from sniper.trading.algorithms.config import (
    AlgorithmConfig,
    merge_patch,
    missing_fields,
    unsupported,
)
from sniper.trading.algorithms.routing import validation_details
from sniper.trading.algorithms.schemas import AlgorithmCreate
from sniper.trading.algorithms.store import to_closed_trade
from sniper.trading.control import repository as control_repo
from sniper.trading.control.status import derive_status
from sniper.trading.engine.performance import DEFAULT_BALANCE, summarize

RUNNING = ("active", "paused")
STARTABLE = ("draft", "stopped", "error")
EDITABLE = ("draft", "stopped", "error")
# Equity a paper algorithm starts with (quote currency); the base of `maxDailyLoss` %.
PAPER_INITIAL_BALANCE = DEFAULT_BALANCE


def new_algorithm_id() -> str:
    """`alg_` + 12 base62 characters (≈71 bits), like the target ids of `sniper.kit.ids`."""
    return "alg_" + base62(12)


def _document(row: TradingAlgorithm) -> dict[str, Any]:
    """The stored algorithm as the camelCase JSON a PATCH merges into."""
    document: dict[str, Any] = {"name": row.name, **row.config}
    if row.description is not None:
        document["description"] = row.description
    return document


def _validated(document: dict[str, Any]) -> AlgorithmCreate:
    """`document` validated; BadRequest (400 `VALIDATION_ERROR`, fields named) otherwise."""
    try:
        return AlgorithmCreate.model_validate(document)
    except ValidationError as exc:
        message, details = validation_details(exc.errors())
        raise BadRequest(message, details=details) from exc


def _config_values(body: AlgorithmCreate) -> dict[str, Any]:
    config = body.config()
    return {
        "name": body.name,
        "description": body.description,
        "config": config.model_dump(mode="json", by_alias=True, exclude_none=True),
        "strategy_type": config.strategy_type,
    }


@dataclass(frozen=True)
class DailyLoss:
    """Today's realised paper P&L against `riskParameters.maxDailyLoss`: `loss` (≥ 0, quote
    currency), `limit` (money; None without a limit), `start_equity` of the UTC day."""

    loss: float
    limit: float | None
    start_equity: float

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.loss >= self.limit


async def daily_loss(
    session: AsyncSession,
    algorithm: TradingAlgorithm,
    now: datetime,
    *,
    initial_balance: float = PAPER_INITIAL_BALANCE,
) -> DailyLoss:
    """Realised loss of the UTC day of `now` from the closed-trade ledger (paper trades), and the
    limit: `maxDailyLoss` % of the day's starting equity (`initial_balance` + P&L realised
    before the day). The engine uses the same rule to refuse entries."""
    day_start = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    day_end = day_start + timedelta(days=1)
    before = await repo.realized_pnl(session, algorithm.id, since=None, until=day_start)
    today = await repo.realized_pnl(session, algorithm.id, since=day_start, until=day_end)
    start_equity = initial_balance + before
    risk = algorithm.config.get("riskParameters") or {}
    percent = risk.get("maxDailyLoss")
    limit = start_equity * float(percent) / 100 if percent is not None else None
    return DailyLoss(loss=max(0.0, -today), limit=limit, start_equity=start_equity)


async def performances(
    session: AsyncSession, algorithm_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """x3algo `performance` of each algorithm from its paper closed-trade ledger
    (`engine.performance.summarize` over `PAPER_INITIAL_BALANCE`)."""
    ledgers = await repo.paper_trades(session, algorithm_ids)
    return {
        algorithm_id: summarize(
            [to_closed_trade(row) for row in rows], initial_balance=PAPER_INITIAL_BALANCE
        )
        for algorithm_id, rows in ledgers.items()
    }


async def create(
    session: AsyncSession, account: Account, body: AlgorithmCreate, now: datetime
) -> TradingAlgorithm:
    """A new `draft` algorithm, version 1; without a `name`, `Algorithm #N` (N: the account's
    algorithms created so far, this one included; x3algo create page)."""
    if body.name is None:
        number = await repo.count_created(session, account.id) + 1
        body = body.model_copy(update={"name": f"Algorithm #{number}"})
    row = TradingAlgorithm(
        id=new_algorithm_id(),
        account_id=account.id,
        status="draft",
        version=1,
        open_positions=0,
        created_at=now,
        updated_at=now,
        **_config_values(body),
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, account: Account, algorithm_id: str) -> TradingAlgorithm:
    """The account's algorithm; NotFound (404) otherwise."""
    row = await repo.get_owned(session, account.id, algorithm_id)
    if row is None:
        raise NotFound("Algorithm not found", details={"id": algorithm_id})
    return row


async def update(
    session: AsyncSession,
    account: Account,
    algorithm_id: str,
    patch: dict[str, Any],
    now: datetime,
) -> TradingAlgorithm:
    """Merge `patch` (x3algo PATCH, `config.merge_patch`), validate, bump `version`. 403
    while active or paused, 400 for an invalid result, 409 when a concurrent PATCH won."""
    row = await get(session, account, algorithm_id)
    _refuse_running(row, "update")
    body = _validated(merge_patch(_document(row), patch))
    if body.name is None:
        raise BadRequest("name cannot be removed", details={"field": "name", "fields": ["name"]})
    values = _config_values(body)
    complete = not missing_fields(body.config())
    values |= {"version": row.version + 1, "updated_at": now}
    values["status"] = "stopped" if complete else "draft"
    updated = await repo.transition(
        session, row.id, from_statuses=EDITABLE, values=values, version=row.version
    )
    if updated is None:
        current = await get(session, account, algorithm_id)
        _refuse_running(current, "update")
        raise Conflict("Algorithm was modified concurrently; retry", details={"id": row.id})
    return updated


async def delete(session: AsyncSession, account: Account, algorithm_id: str, now: datetime) -> None:
    """Archive the algorithm (history kept). 403 while active or paused."""
    row = await get(session, account, algorithm_id)
    _refuse_running(row, "delete")
    values = {"status": "archived", "deleted_at": now, "updated_at": now}
    if await repo.transition(session, row.id, from_statuses=EDITABLE, values=values) is None:
        _refuse_running(await get(session, account, algorithm_id), "delete")


async def start(
    session: AsyncSession, account: Account, algorithm_id: str, now: datetime
) -> TradingAlgorithm:
    """`draft` / `stopped` / `error` → `active` (module docstring for every refusal)."""
    row = await get(session, account, algorithm_id)
    if row.status in RUNNING:
        raise _not_startable(row)
    config = AlgorithmConfig.model_validate(row.config)
    missing = missing_fields(config)
    if missing:
        raise BadRequest(
            "Algorithm configuration is incomplete",
            details={"missingFields": missing, "id": row.id},
        )
    reason = unsupported(config)
    if reason is not None:
        raise BadRequest(f"Algorithm cannot start: {reason}", details={"unsupported": reason})
    await _check_may_trade(session, row, now)
    values = {"status": "active", "started_at": now, "updated_at": now, "last_error": None}
    return await _move(session, account, row, STARTABLE, values, _not_startable)


async def stop(
    session: AsyncSession, account: Account, algorithm_id: str, now: datetime
) -> TradingAlgorithm:
    """`active` / `paused` → `stopped` (seed 003); 422 `Algorithm not active` otherwise."""
    row = await get(session, account, algorithm_id)
    values = {"status": "stopped", "stopped_at": now, "updated_at": now}
    return await _move(session, account, row, RUNNING, values, _not_active)


async def pause(
    session: AsyncSession, account: Account, algorithm_id: str, now: datetime
) -> TradingAlgorithm:
    """`active` → `paused`; 422 otherwise."""
    row = await get(session, account, algorithm_id)
    values = {"status": "paused", "updated_at": now}
    return await _move(session, account, row, ("active",), values, _not_pausable)


async def resume(
    session: AsyncSession, account: Account, algorithm_id: str, now: datetime
) -> TradingAlgorithm:
    """`paused` → `active`; 409 when the control plane blocks, 403 at the daily loss
    limit, 422 `Algorithm not paused` otherwise."""
    row = await get(session, account, algorithm_id)
    if row.status != "paused":
        raise _not_resumable(row)
    await _check_may_trade(session, row, now)
    values = {"status": "active", "updated_at": now}
    return await _move(session, account, row, ("paused",), values, _not_resumable)


async def _move(
    session: AsyncSession,
    account: Account,
    row: TradingAlgorithm,
    from_statuses: tuple[str, ...],
    values: dict[str, Any],
    refusal: Any,
) -> TradingAlgorithm:
    """The conditional UPDATE of a command; `refusal(current_row)` is raised when the row
    is not (or no longer) in `from_statuses`."""
    if row.status not in from_statuses:
        raise refusal(row)
    moved = await repo.transition(session, row.id, from_statuses=from_statuses, values=values)
    if moved is None:  # a concurrent command changed it first
        raise refusal(await get(session, account, row.id))
    return moved


def _refuse_running(row: TradingAlgorithm, verb: str) -> None:
    if row.status in RUNNING:
        raise Forbidden(
            f"Cannot {verb} {row.status} algorithm",
            details={"id": row.id, "status": row.status},
        )


def _not_startable(row: TradingAlgorithm) -> Unprocessable:
    if row.status == "paused":
        return Unprocessable("Algorithm is paused; resume it", details={"status": row.status})
    return Unprocessable("Algorithm already active", details={"status": row.status})


def _not_active(row: TradingAlgorithm) -> Unprocessable:
    return Unprocessable("Algorithm not active", details={"status": row.status})


def _not_pausable(row: TradingAlgorithm) -> Unprocessable:
    if row.status == "paused":
        return Unprocessable("Algorithm already paused", details={"status": row.status})
    return _not_active(row)


def _not_resumable(row: TradingAlgorithm) -> Unprocessable:
    return Unprocessable("Algorithm not paused", details={"status": row.status})


async def _check_may_trade(session: AsyncSession, row: TradingAlgorithm, now: datetime) -> None:
    """409 unless the account's trading-control status is `live`; 403 at the daily loss limit."""
    manual = await control_repo.client_flags(session, row.account_id)
    system = await control_repo.system_flags(session)
    status = derive_status(manual, system, now)
    if status != "live":
        raise Conflict(
            f"Trading is blocked by the trading control plane ({status})",
            details={"tradingStatus": status},
        )
    loss = await daily_loss(session, row, now)
    if loss.reached:
        raise Forbidden(
            "Daily loss limit reached",
            details={"dailyLoss": round(loss.loss, 2), "maxDailyLoss": round(loss.limit or 0, 2)},
        )
