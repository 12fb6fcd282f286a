"""Trading-control changes pushed to `/ws/subscribe` connections, in every process.

The control plane has its own hub (`runtime.control_hub`), so its frames never reach
`/ws/main-api` connections: key = account id for the `trading` channel (the client's own
changes), key `GLOBAL` (0, never an account id) for the `emergency` channel, which every
subscriber of that channel receives. Frames follow docs.55-tech.com/mm-api/websocket
("Receive broadcasts"): `{"type":"broadcast","channel":..,"event":"UPDATE","payload":{..},
"old":{..}}`, `payload` the state after the change, `old` the previous values of the fields
that changed. They go out through `runtime.publisher`, so with SNIPER_REDIS_URL a change made
in any process (the CLI included) reaches every one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit
from sniper.notify.hub import PushHub
from sniper.notify.publisher import Publisher
from sniper.runtime import Runtime
from sniper.trading.control.schemas import (
    SystemCommandResult,
    SystemStatus,
    TradingCommandResult,
    TradingStatus,
)

GLOBAL = 0


def control_hub(runtime: Runtime) -> PushHub:
    """The control plane's hub of this process."""
    return runtime.control_hub


class Broadcast(BaseModel):
    """A `/ws/subscribe` data frame (docs.55-tech.com/mm-api/websocket). `event` is `UPDATE`
    (the documented event of the `emergency` channel); `payload` is the command's response
    body (camelCase, its `result` the command's result code such as `stop_applied` or
    `emergency_applied`); `old` maps each changed field to its value before the command
    (nested flag objects compare as a whole)."""

    type: Literal["broadcast"] = "broadcast"
    channel: Literal["trading", "emergency"]
    event: Literal["UPDATE"] = "UPDATE"
    payload: TradingCommandResult | SystemCommandResult
    old: dict[str, Any]


def publish_on_commit(
    session: AsyncSession,
    publisher: Publisher,
    key: int,
    channel: Literal["trading", "emergency"],
    body: TradingCommandResult | SystemCommandResult,
    before: TradingStatus | SystemStatus,
) -> None:
    """Send `body` on `channel` to the `key` subscribers once `session` commits (dropped on
    rollback); `before` is the state the command started from."""
    frame = Broadcast(channel=channel, payload=body, old=_changed(before, body))
    message = frame.model_dump(mode="json", by_alias=True)
    on_commit(session, lambda: publisher.publish("control", key, message))


def _changed(before: BaseModel, after: BaseModel) -> dict[str, Any]:
    """`before`'s JSON values of the fields whose value differs in `after`."""
    old = before.model_dump(mode="json", by_alias=True)
    new = after.model_dump(mode="json", by_alias=True)
    return {name: value for name, value in old.items() if new.get(name) != value}
