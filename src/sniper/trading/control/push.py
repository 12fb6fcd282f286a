"""Trading-control changes pushed to `/ws/subscribe` connections, in every process.

The control plane has its own hub (`runtime.control_hub`), so its frames never reach
`/ws/main-api` connections: key = account id for the `trading` channel (the client's own
changes), key `GLOBAL` (0, never an account id) for the `emergency` channel, which every
subscriber of that channel receives. Frames (seeds README, 55-tech): `{"type":"broadcast",
"channel":..,"event":<result code>,"payload":{..}}`. They go out through `runtime.publisher`,
so with SNIPER_REDIS_URL a change made in any process (the CLI included) reaches every one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit
from sniper.notify.hub import PushHub
from sniper.notify.publisher import Publisher
from sniper.runtime import Runtime
from sniper.trading.control.schemas import SystemCommandResult, TradingCommandResult

GLOBAL = 0


def control_hub(runtime: Runtime) -> PushHub:
    """The control plane's hub of this process."""
    return runtime.control_hub


class Broadcast(BaseModel):
    """A `/ws/subscribe` frame: `event` is the command's result code (`stop_applied`,
    `emergency_set`, ...), `payload` the command's response body (camelCase)."""

    type: Literal["broadcast"] = "broadcast"
    channel: Literal["trading", "emergency"]
    event: str
    payload: TradingCommandResult | SystemCommandResult


def publish_on_commit(
    session: AsyncSession,
    publisher: Publisher,
    key: int,
    channel: Literal["trading", "emergency"],
    body: TradingCommandResult | SystemCommandResult,
) -> None:
    """Send `body` on `channel` to the `key` subscribers once `session` commits (dropped on
    rollback)."""
    frame = Broadcast(channel=channel, event=body.result, payload=body)
    message = frame.model_dump(mode="json", by_alias=True)
    on_commit(session, lambda: publisher.publish("control", key, message))
