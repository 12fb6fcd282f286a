"""Finradar account endpoints: balance, usage, transactions, and the user's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from sniper.accounts import ledger
from sniper.accounts.auth import CurrentAccount
from sniper.accounts.schemas import Balance, Transaction, Transactions, Usage, User, UserUpdate
from sniper.accounts.service import update_odds_format, update_webhook_url
from sniper.deps import RuntimeDep, SessionDep
from sniper.kit.envelope import Envelope, wrap

router = APIRouter(prefix="/api/v1", tags=["account"])


@router.get("/account/balance", response_model=Envelope[Balance])
async def balance(
    request: Request, runtime: RuntimeDep, account: CurrentAccount
) -> Envelope[Balance]:
    """Token balance and plan."""
    settings = runtime.settings
    return wrap(
        request,
        runtime.wall_clock,
        Balance(
            current_balance=account.token_balance,
            plan=account.plan,
            monthly_quota=settings.plan_tokens(account.plan),
            sniper_slots=settings.plan_slots(account.plan),
            suspended=False,
            next_refill_at=None,
        ),
    )


@router.get("/account/usage", response_model=Envelope[Usage])
async def usage(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    days: Annotated[int, Query(ge=1, le=90)] = 30,
) -> Envelope[Usage]:
    """Tokens used per UTC day (newest first) and per endpoint or event, over `days` (1-90)."""
    data = await ledger.usage(session, account.id, days=days, now=runtime.clock.now())
    return wrap(request, runtime.wall_clock, data)


@router.get("/account/transactions", response_model=Envelope[Transactions])
async def transactions(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Envelope[Transactions]:
    """The newest `limit` (1-200) ledger rows."""
    rows = await ledger.transactions(session, account.id, limit)
    return wrap(
        request,
        runtime.wall_clock,
        Transactions(transactions=[Transaction.model_validate(row) for row in rows]),
    )


@router.get("/user/", response_model=Envelope[User])
async def get_user(
    request: Request, runtime: RuntimeDep, account: CurrentAccount
) -> Envelope[User]:
    """The account's settings."""
    return wrap(request, runtime.wall_clock, User.model_validate(account))


@router.put("/user/", response_model=Envelope[User])
async def put_user(
    body: UserUpdate,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> Envelope[User]:
    """Set (or with `""` clear) the default `webhook_url` of new targets, and/or the
    `odds_format` preference; fields left out stay as they are."""
    if "webhook_url" in body.model_fields_set:
        await update_webhook_url(session, runtime, account, body.webhook_url)
    if body.odds_format is not None:
        await update_odds_format(session, account, body.odds_format)
    return wrap(request, runtime.wall_clock, User.model_validate(account))
