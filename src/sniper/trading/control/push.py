"""In-process fan-out of trading-control changes to `/ws/subscribe` connections.

The control plane has its own `PushHub` per app (one per `runtime.hub`), so its frames never
reach `/ws/main-api` connections: key = account id for the `trading` channel (the client's own
changes), key `GLOBAL` (0, never an account id) for the `emergency` channel, which every
subscriber of that channel receives. Frames (seeds README, 55-tech): `{"type":"broadcast",
"channel":..,"event":<result code>,"payload":{..}}`. Fan-out across processes is not done here.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit
from sniper.notify.hub import PushHub
from sniper.runtime import Runtime

GLOBAL = 0
_hubs: weakref.WeakKeyDictionary[PushHub, PushHub] = weakref.WeakKeyDictionary()


def control_hub(runtime: Runtime) -> PushHub:
    """The control plane's hub of this app (created on first use, lives as long as the app's)."""
    hub = _hubs.get(runtime.hub)
    if hub is None:
        hub = _hubs[runtime.hub] = PushHub()
    return hub


def broadcast(channel: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": "broadcast", "channel": channel, "event": event, "payload": payload}


def publish_on_commit(
    session: AsyncSession, runtime: Runtime, key: int, frame: dict[str, Any]
) -> None:
    """Send `frame` to the `key` subscribers once `session` commits (dropped on rollback)."""
    on_commit(session, lambda: control_hub(runtime).publish(key, frame))
