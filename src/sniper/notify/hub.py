"""In-process fan-out of push messages to WebSocket connections, keyed by account id.

`PushHub.publish` is synchronous and never blocks, so the code that commits a hit can call it
directly on the event-loop thread; each `Subscription` buffers up to `maxsize` messages and, when a
slow client lets the buffer fill, drops the OLDEST message and counts it (a push channel prefers
fresh events; the durable webhook outbox is the lossless path). Not thread-safe: call from the loop
thread (use ``loop.call_soon_threadsafe(hub.publish, ...)`` from other threads). Messages are
JSON-able dicts shared by reference between subscribers: treat them as immutable.

`PushHub.connections` (`ConnectionSlots`) counts the open WebSocket connections per account of
this process, over every endpoint, so the endpoints can cap them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType
from typing import Any

Message = dict[str, Any]
DEFAULT_MAXSIZE = 1000


class SubscriptionClosed(Exception):
    """`Subscription.get` was called on, or was waiting when, the subscription closed."""


class Subscription:
    """One connection's queue of messages for `account_id`; create it with `PushHub.subscribe`.

    `dropped` counts messages discarded on overflow. Use as ``with hub.subscribe(id) as s`` (or
    ``async with``) or call `close` when the connection ends.
    """

    def __init__(self, hub: PushHub, account_id: int, maxsize: int) -> None:
        """Internal: use `PushHub.subscribe`. `maxsize` >= 1 messages."""
        self.account_id = account_id
        self.maxsize = maxsize
        self.dropped = 0
        self._hub = hub
        self._items: deque[Message] = deque()
        self._ready = asyncio.Event()
        self._closed = False
        self._replayed_through: int | None = None

    @property
    def closed(self) -> bool:
        """True once `close` was called."""
        return self._closed

    def pending(self) -> int:
        """Number of buffered messages not yet taken by `get`."""
        return len(self._items)

    async def get(self) -> Message:
        """Wait for and return the next message (FIFO); raises `SubscriptionClosed` once closed."""
        while not self._items:
            if self._closed:
                raise SubscriptionClosed(f"subscription for account {self.account_id} closed")
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def skip_through(self, event_id: int) -> None:
        """Drop buffered and later messages whose integer `id` is <= `event_id`: they were
        already sent from the event log (a resumed `/ws/main-api` connection)."""
        self._replayed_through = event_id
        self._items = deque(m for m in self._items if not self._replayed(m))

    def _replayed(self, message: Message) -> bool:
        event_id = message.get("id")
        through = self._replayed_through
        return through is not None and isinstance(event_id, int) and event_id <= through

    def close(self) -> None:
        """Unsubscribe, discard buffered messages and wake any waiting `get`. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._items.clear()
        self._hub._remove(self)
        self._ready.set()

    def _deliver(self, message: Message) -> None:
        """Buffer `message`, dropping the oldest one if the buffer is full."""
        if self._replayed(message):
            return
        if len(self._items) >= self.maxsize:
            self._items.popleft()
            self.dropped += 1
            self._hub.dropped += 1
        self._items.append(message)
        self._ready.set()

    def __enter__(self) -> Subscription:
        """Return self; the subscription is already active."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the subscription."""
        self.close()

    async def __aenter__(self) -> Subscription:
        """Return self; the subscription is already active."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the subscription."""
        self.close()


class ConnectionSlots:
    """Open WebSocket connections per account in this process, capped per account.

    Only this process's connections count: with several `sniper serve` processes behind a load
    balancer an account can hold the cap in each of them (a cross-process count would need
    shared storage with leases for crashed processes; out of scope). Not thread-safe, like the
    hub: call from the event-loop thread.
    """

    def __init__(self) -> None:
        self._open: dict[int, int] = {}

    def acquire(self, account_id: int, cap: int) -> bool:
        """Take one of `account_id`'s `cap` slots: False (nothing taken) when all are held."""
        held = self._open.get(account_id, 0)
        if held >= cap:
            return False
        self._open[account_id] = held + 1
        return True

    def release(self, account_id: int) -> None:
        """Give back a slot taken by `acquire` (once per successful `acquire`)."""
        held = self._open.get(account_id, 0) - 1
        if held > 0:
            self._open[account_id] = held
        else:
            self._open.pop(account_id, None)

    def open_count(self, account_id: int | None = None) -> int:
        """Slots held by `account_id`, or by every account when it is None."""
        if account_id is not None:
            return self._open.get(account_id, 0)
        return sum(self._open.values())


class PushHub:
    """Per-account fan-out of JSON-able dict messages to `Subscription` queues.

    `maxsize` (default 1000, >= 1) bounds each subscription's buffer; `dropped` counts messages
    dropped on overflow across all subscriptions since the hub was created; `connections`
    holds the WebSocket connection slots of this process.
    """

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        """Raises ``ValueError`` if `maxsize` < 1."""
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.maxsize = maxsize
        self.dropped = 0
        self.connections = ConnectionSlots()
        self._subscriptions: dict[int, set[Subscription]] = {}

    def subscribe(self, account_id: int, *, maxsize: int | None = None) -> Subscription:
        """Register and return a new subscription for `account_id` (buffer `maxsize` or the
        hub default). It receives messages published after this call."""
        size = self.maxsize if maxsize is None else maxsize
        if size < 1:
            raise ValueError("maxsize must be >= 1")
        subscription = Subscription(self, account_id, size)
        self._subscriptions.setdefault(account_id, set()).add(subscription)
        return subscription

    def publish(self, account_id: int, message: Message) -> int:
        """Queue `message` for every open subscription of `account_id`, without blocking.

        Returns the number of subscriptions reached (0 if nobody listens). Callable from sync
        code on the event-loop thread.
        """
        subscriptions = tuple(self._subscriptions.get(account_id, ()))
        for subscription in subscriptions:
            subscription._deliver(message)
        return len(subscriptions)

    def subscriber_count(self, account_id: int | None = None) -> int:
        """Open subscriptions for `account_id`, or across all accounts when it is None."""
        if account_id is not None:
            return len(self._subscriptions.get(account_id, ()))
        return sum(len(group) for group in self._subscriptions.values())

    def close_all(self) -> None:
        """Close every subscription (e.g. at shutdown); waiting `get` calls raise."""
        for group in list(self._subscriptions.values()):
            for subscription in list(group):
                subscription.close()

    def _remove(self, subscription: Subscription) -> None:
        """Forget a closed subscription."""
        group = self._subscriptions.get(subscription.account_id)
        if group is None:
            return
        group.discard(subscription)
        if not group:
            del self._subscriptions[subscription.account_id]
