"""Trading-control changes pushed to `/ws/subscribe` connections, in every process.

The control plane has its own hub (`runtime.control_hub`), so its frames never reach
`/ws/main-api` connections: key = account id for the `trading` channel (the client's own
changes), key `GLOBAL` (0, never an account id) for the `emergency` channel, which every
subscriber of that channel receives. Frames (seeds README, 55-tech): `{"type":"broadcast",
"channel":..,"event":<result code>,"payload":{..}}`. They go out through `runtime.publisher`,
so with SNIPER_REDIS_URL a change made in any process (the CLI included) reaches every one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit
from sniper.notify.hub import PushHub
from sniper.notify.publisher import Publisher
from sniper.runtime import Runtime

GLOBAL = 0


def control_hub(runtime: Runtime) -> PushHub:
    """The control plane's hub of this process."""
    return runtime.control_hub


def broadcast(channel: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": "broadcast", "channel": channel, "event": event, "payload": payload}


def publish_on_commit(
    session: AsyncSession, publisher: Publisher, key: int, frame: dict[str, Any]
) -> None:
    """Send `frame` to the `key` subscribers once `session` commits (dropped on rollback)."""
    on_commit(session, lambda: publisher.publish("control", key, frame))
