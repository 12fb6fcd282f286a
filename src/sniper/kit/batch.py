"""Group commit: many concurrent callers, one flush (one transaction) for all of their items.

`GroupCommit(flush_many, flush_one, max_batch=N)`: `await group.submit(item)` queues `item` and
returns once a flush that took it has finished, with that item's result. A flush starts as soon
as none is running: the first caller flushes alone, and everything submitted while a flush runs
goes into the next one (at most `max_batch` items each, oldest first), so an item waits for at
most the flush in progress and its own, and a busy caller population gets large batches with no
timer. `flush_many(items)` returns one result per item, in order; when it raises, each item of
that batch is retried alone through `flush_one(item)`, whose exception is that caller's only.

A caller cancelled while its batch is being flushed does not cancel the flush (the others'
items are in it). Bound to the event loop it is first used on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Batches concurrent `submit` calls into `flush_many` calls (see the module docstring)."""

    def __init__(
        self,
        flush_many: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        flush_one: Callable[[T], Awaitable[R]],
        *,
        max_batch: int,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self._flush_many, self._flush_one, self.max_batch = flush_many, flush_one, max_batch
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._lock = asyncio.Lock()
        self.flushes = 0  # batches flushed so far (one transaction each unless one failed)

    async def submit(self, item: T) -> R:
        """Flush `item` with whatever else is queued; its result, or its `flush_one` error."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        async with self._lock:
            while not future.done():
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                await asyncio.shield(asyncio.ensure_future(self._flush(batch)))
        return future.result()

    async def _flush(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        """Settle every future of `batch`: with its result, or with the error that stopped it."""
        try:
            results = await self._flush_many([item for item, _ in batch])
            self.flushes += 1
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result=result)
        except Exception:
            logger.warning("batch of %d failed, flushing one by one", len(batch), exc_info=True)
            for item, future in batch:
                await self._flush_alone(item, future)
        finally:
            for _, future in batch:  # cancelled mid-flush (loop shutting down)
                future.cancel()

    async def _flush_alone(self, item: T, future: asyncio.Future[R]) -> None:
        try:
            _settle(future, result=await self._flush_one(item))
        except Exception as error:
            _settle(future, error=error)


def _settle(
    future: asyncio.Future[R], *, result: R | None = None, error: BaseException | None = None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
