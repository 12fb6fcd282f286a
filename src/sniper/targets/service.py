"""Create, list and stop sniper targets. Never commits: the request's transaction does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts import audit
from sniper.accounts.keycache import KeyOwner
from sniper.edgar.catalog import CatalogEntry, normalize_ticker
from sniper.errors import InsufficientTokens, NotFound
from sniper.filings.candidates import candidate_urls
from sniper.kit.ids import is_target_id, new_target_id
from sniper.models import Account, Target
from sniper.notify import events
from sniper.notify.urls import validate_webhook_url
from sniper.runtime import Runtime
from sniper.serviceclock import clock_label
from sniper.targets import repository as repo
from sniper.targets.rules import (
    check_slots,
    invalid,
    normalize_form_types,
    resolve_window,
)
from sniper.targets.schemas import CreateTargetRequest

STATUSES = ("CREATED", "ACTIVE", "STOPPED")


async def create_target(
    session: AsyncSession, runtime: Runtime, account: Account, body: CreateTargetRequest
) -> Target:
    """Validate, check tokens and slots under the account lock, insert. Raises 400/402."""
    now = runtime.clock.now()
    entry = runtime.catalog.lookup(body.ticker)
    if entry is None:
        raise invalid(
            "ticker", f"unknown ticker {normalize_ticker(body.ticker)!r}", code="UNKNOWN_TICKER"
        )
    start, end = resolve_window(
        now=now,
        start_time=body.start_time,
        end_time=body.end_time,
        duration_minutes=body.duration_minutes,
        clock=clock_label(runtime.clock),
    )
    form_types = normalize_form_types(body.form_types)
    webhook_url = await _webhook_url(runtime, body.webhook_url, account.webhook_url)
    predicted = await candidate_urls(runtime, entry.cik, now)  # bounded; None when offline
    await repo.lock_account(session, account.id)
    await session.refresh(account)
    _check_tokens(runtime, account)
    slots = runtime.settings.plan_slots(account.plan)
    check_slots(
        await repo.overlapping_windows(session, account.id, start, end),
        start=start,
        slots=slots,
        plan=account.plan,
        clock=clock_label(runtime.clock),
    )
    target = _new_target(runtime, account, entry, (start, end), form_types, webhook_url, now)
    target.candidate_urls = predicted
    session.add(target)
    await session.flush()
    if target.status == "ACTIVE":
        message = events.lifecycle("sniper.target_activated", target)
        runtime.publish_on_commit(session, [(account.id, message)])
    return target


def _new_target(
    runtime: Runtime,
    account: Account,
    entry: CatalogEntry,
    window: tuple[datetime, datetime],
    form_types: list[str] | None,
    webhook_url: str | None,
    now: datetime,
) -> Target:
    """A target row: ACTIVE when its window has begun at `now` (the request's time), else
    CREATED."""
    start, end = window
    active = start <= now
    return Target(
        id=new_target_id(),
        account_id=account.id,
        ticker=entry.ticker,
        cik=entry.cik,
        company_name=entry.title,
        status="ACTIVE" if active else "CREATED",
        start_time=start,
        end_time=end,
        expires_at=end + runtime.settings.expiry_grace,
        form_types=form_types,
        webhook_url=webhook_url,
        created_at=now,
        activated_at=now if active else None,
    )


def _check_tokens(runtime: Runtime, account: Account) -> None:
    cost = runtime.settings.hit_cost
    if account.token_balance < cost:
        raise InsufficientTokens(
            f"Insufficient token balance: a hit costs {cost}, the balance is "
            f"{account.token_balance}",
            details={
                "current_balance": account.token_balance,
                "required_cost": cost,
                "plan": account.plan,
                "next_refill_at": None,
                "upgrade_url": "/pricing",
            },
        )


async def _webhook_url(runtime: Runtime, explicit: str | None, default: str | None) -> str | None:
    """The target's URL: the explicit one when given, else the account default."""
    return await validate_webhook_url(runtime, explicit if explicit is not None else default)


async def list_targets(
    session: AsyncSession,
    runtime: Runtime,
    account: Account | KeyOwner,
    *,
    status: str | None,
    ticker: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Row[Any]], int, int, int]:
    """`(page, total, active_count, slots_available)`; filters combine. The page holds plain
    rows of `repository.LISTED` (read like `Target`: `row.id`, `row.ticker`, ...)."""
    if status is not None and status.upper() not in STATUSES:
        raise invalid("status", f"must be one of {', '.join(STATUSES)}")
    rows, total, active = await repo.list_page(
        session,
        account.id,
        status=status.upper() if status else None,
        ticker=normalize_ticker(ticker) if ticker else None,
        limit=limit,
        offset=offset,
    )
    return rows, total, active, slots_available(runtime, account, active)


def slots_available(runtime: Runtime, account: Account | KeyOwner, active_count: int) -> int:
    """Plan slots minus targets ACTIVE now (never below zero)."""
    return max(0, runtime.settings.plan_slots(account.plan) - active_count)


async def stop_target(
    session: AsyncSession,
    runtime: Runtime,
    account: Account,
    target_id: str,
    request_id: str | None = None,
) -> tuple[Target, int]:
    """Stop an open target (`manual_stop`); idempotent on a stopped one. 404 if not owned."""
    if not is_target_id(target_id):
        raise NotFound(f"target {target_id!r} not found")
    now = runtime.clock.now()
    changed = await repo.transition(
        session,
        where=[
            Target.id == target_id,
            Target.account_id == account.id,
            Target.status.in_(repo.OPEN_STATUSES),
        ],
        values={"status": "STOPPED", "resolution_reason": "manual_stop", "stopped_at": now},
    )
    target = changed[0] if changed else await repo.get_owned(session, account.id, target_id)
    if target is None:
        raise NotFound(f"target {target_id!r} not found")
    if changed:
        audit.record(
            session,
            account_id=account.id,
            actor=f"account:{account.id}",
            action="target.manual_stop",
            subject=target_id,
            now=now,
            request_id=request_id,
        )
        message = events.lifecycle("sniper.target_stopped", target)
        runtime.publish_on_commit(session, [(account.id, message)])
    active = await repo.count_active(session, account.id)
    return target, slots_available(runtime, account, active)
