"""Finradar account endpoints: balance, usage, transactions, and the user's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from sniper.accounts import ledger
from sniper.accounts.auth import CurrentAccount
from sniper.accounts.schemas import (
    Balance,
    Transaction,
    Transactions,
    Usage,
    User,
    UserProfile,
    UserUpdate,
    UserUpdated,
)
from sniper.accounts.service import update_user
from sniper.deps import RuntimeDep, SessionDep
from sniper.kit.envelope import Envelope, wrap
from sniper.kit.pagination import clamped

PROFILE_UPDATED = "Profile updated successfully"

router = APIRouter(prefix="/api/v1", tags=["account"])


@router.get("/account/balance", response_model=Envelope[Balance])
async def balance(
    request: Request, runtime: RuntimeDep, account: CurrentAccount
) -> Envelope[Balance]:
    """Token balance and plan; `suspended` is true when the balance is zero (billed calls then
    answer 402). Source: uat.finradarapi.com/docs/account/token-pricing/
    get-api-v1-account-balance."""
    settings = runtime.settings
    return wrap(
        request,
        runtime.wall_clock,
        Balance(
            current_balance=account.token_balance,
            plan=account.plan,
            monthly_quota=settings.plan_tokens(account.plan),
            sniper_slots=settings.plan_slots(account.plan),
            suspended=account.token_balance <= 0,
            next_refill_at=None,
            billing_cycle_end=None,
        ),
    )


# Lenient on purpose: the account pages clamp out-of-range values and fall back on garbage.
DaysQuery = Annotated[
    str | None, Query(description="Window in UTC days: 1-90, clamped; non-numeric means 30.")
]
LimitQuery = Annotated[str | None, Query(description="Rows: 1-200, clamped; non-numeric means 50.")]


@router.get("/account/usage", response_model=Envelope[Usage])
async def usage(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    days: DaysQuery = None,
) -> Envelope[Usage]:
    """Tokens used per UTC day (`daily[].day`, newest first) and per endpoint or event, over
    `window_days` (the clamped `days`). Source:
    uat.finradarapi.com/docs/account/token-pricing/get-api-v1-account-usage."""
    window = clamped(days, low=1, high=90, default=30)
    data = await ledger.usage(session, account.id, days=window, now=runtime.clock.now())
    return wrap(request, runtime.wall_clock, data)


@router.get("/account/transactions", response_model=Envelope[Transactions])
async def transactions(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    limit: LimitQuery = None,
) -> Envelope[Transactions]:
    """The newest `limit` (clamped to 1-200, default 50) ledger rows, newest first. Source:
    uat.finradarapi.com/docs/account/token-pricing/get-api-v1-account-transactions."""
    count = clamped(limit, low=1, high=200, default=50)
    rows = await ledger.transactions(session, account.id, count)
    return wrap(
        request,
        runtime.wall_clock,
        Transactions(transactions=[Transaction.model_validate(row) for row in rows]),
    )


# Both `/api/v1/user/` (the pages) and `/api/v1/user` answer; no 307 redirect between them.
@router.get("/user/", response_model=UserProfile)
@router.get("/user", response_model=UserProfile, include_in_schema=False)
async def get_user(account: CurrentAccount) -> UserProfile:
    """`{"user": {...}}`, the account's profile and notification preferences. Source:
    uat.finradarapi.com/docs/account/user-data/get-api-v1-user."""
    return UserProfile(user=User.model_validate(account))


@router.put("/user/", response_model=UserUpdated)
@router.put("/user", response_model=UserUpdated, include_in_schema=False)
async def put_user(
    body: UserUpdate, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> UserUpdated:
    """Set (or with `""` clear) the default `webhook_url` of new targets, `notify_email`,
    `notify_browser` and/or `odds_format`; fields left out stay as they are. Answers
    `{"message": "Profile updated successfully", "user": {...}}`; 400 naming the field for
    an unsafe URL or a non-boolean switch. Source:
    uat.finradarapi.com/docs/account/user-data/put-api-v1-user."""
    await update_user(session, runtime, account, body)
    return UserUpdated(message=PROFILE_UPDATED, user=User.model_validate(account))
