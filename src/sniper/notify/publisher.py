"""Push frames to the WebSocket clients of every process (issue 12 item 3).

Two topics, one `PushHub` each in every process: `main` (`/ws/main-api`, keyed by account id)
and `control` (`/ws/subscribe`, keyed by account id, or 0 for the `emergency` channel).
`Publisher.publish(topic, key, frame)` is synchronous, so after-commit callbacks call it:

- without `SNIPER_REDIS_URL` (one process, the SQLite default) it hands the frame to this
  process's hub;
- with it, the frame is queued for Redis pub/sub (`PUBLISH {prefix}:push`, JSON
  `{"topic", "key", "frame"}`) and every process's listener — this one's too — hands it to its
  own hub, so each client gets it once whichever process committed the change, the CLI included.

A push is best effort, as in one process (the webhook outbox is the durable path): a frame
published while Redis is down is logged and dropped, and the listener reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, Literal

import redis.asyncio as redis

from sniper.notify.hub import PushHub

logger = logging.getLogger(__name__)
Topic = Literal["main", "control"]
RECONNECT_SECONDS = 1.0


class Publisher:
    """Fan-out of frames to `hubs` here and, with `redis_url`, in every other process."""

    def __init__(
        self, hubs: dict[Topic, PushHub], redis_url: str | None = None, prefix: str = "sniper"
    ) -> None:
        self.hubs = hubs
        self.channel = f"{prefix}:push"
        self._url = redis_url.removeprefix("async+") if redis_url else None
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._client: redis.Redis | None = None

    @property
    def shared(self) -> bool:
        """Whether frames cross processes (Redis)."""
        return self._url is not None

    def publish(self, topic: Topic, key: int, frame: dict[str, Any]) -> None:
        """Send `frame` to the `key` subscribers of `topic` in every process; never blocks."""
        if self._url is None:
            self.hubs[topic].publish(key, frame)
            return
        self._outbox.put_nowait(json.dumps({"topic": topic, "key": key, "frame": frame}))

    async def start(self) -> None:
        """With Redis: subscribe (before returning, so no frame published after it is missed
        here) and start the listener and the sender."""
        if self._url is None:
            return
        self._client = redis.Redis.from_url(self._url)
        pubsub = self._client.pubsub()
        await pubsub.subscribe(self.channel)
        self._tasks = [
            asyncio.create_task(self._listen(pubsub), name="push.listen"),
            asyncio.create_task(self._send(self._client), name="push.send"),
        ]

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver(message["data"])
            except (redis.RedisError, OSError):
                logger.warning("push listener lost Redis; reconnecting", exc_info=True)
                await asyncio.sleep(RECONNECT_SECONDS)
                with contextlib.suppress(redis.RedisError, OSError):
                    await pubsub.subscribe(self.channel)

    def _deliver(self, data: bytes) -> None:
        try:
            envelope = json.loads(data)
            self.hubs[envelope["topic"]].publish(int(envelope["key"]), envelope["frame"])
        except (ValueError, KeyError, TypeError):
            logger.warning("push frame not understood: %.200r", data)

    async def _send(self, client: redis.Redis) -> None:
        while True:
            payload = await self._outbox.get()
            try:
                await client.publish(self.channel, payload)
            except (redis.RedisError, OSError):
                logger.warning("push frame dropped: Redis unavailable", exc_info=True)
            finally:
                self._outbox.task_done()

    async def flush(self) -> None:
        """Wait until every frame published so far went to Redis (the CLI, before it exits)."""
        if self._tasks:
            await self._outbox.join()

    async def aclose(self) -> None:
        await self.flush()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
