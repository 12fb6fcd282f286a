"""The audit trail: one `AuditEvent` row per key creation, key revocation and manual stop,
written in the same transaction as the action itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    account_id: int | None,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    request_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit row (`action` such as `api_key.created`; `actor` `cli` or
    `account:<id>`)."""
    session.add(
        AuditEvent(
            account_id=account_id,
            actor=actor,
            action=action,
            subject=subject,
            request_id=request_id,
            details=details or {},
            created_at=now,
        )
    )
