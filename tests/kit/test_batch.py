"""`kit.batch.GroupCommit`: concurrent submits share flushes; a failed batch is retried item by
item, so one bad item fails only its own caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from sniper.kit.batch import GroupCommit


class Store:
    """Flushes that really store (a list), refusing negative numbers like a failing row."""

    def __init__(self) -> None:
        self.stored: list[int] = []
        self.batches: list[list[int]] = []

    async def many(self, items: Sequence[int]) -> list[int]:
        await asyncio.sleep(0.01)  # a commit's round trip: the next callers queue meanwhile
        if any(item < 0 for item in items):
            raise ValueError("negative")
        self.batches.append(list(items))
        self.stored += items
        return [item * 10 for item in items]

    async def one(self, item: int) -> int:
        return (await self.many([item]))[0]


async def test_concurrent_submits_share_flushes_and_each_gets_its_result() -> None:
    store = Store()
    group = GroupCommit(store.many, store.one, max_batch=16)
    results = await asyncio.gather(*(group.submit(number) for number in range(100)))
    assert results == [number * 10 for number in range(100)]
    assert sorted(store.stored) == list(range(100)), "each stored once"
    assert len(store.batches) < 100
    assert max(len(batch) for batch in store.batches) <= 16


async def test_a_failed_batch_is_flushed_one_by_one_and_only_the_bad_item_fails() -> None:
    store = Store()
    group = GroupCommit(store.many, store.one, max_batch=16)
    outcomes = await asyncio.gather(
        *(group.submit(number) for number in [1, 2, -3, 4]), return_exceptions=True
    )
    assert outcomes[:2] == [10, 20]
    assert outcomes[3] == 40
    assert isinstance(outcomes[2], ValueError)
    assert sorted(store.stored) == [1, 2, 4]


def test_a_batch_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommit(Store().many, Store().one, max_batch=0)
