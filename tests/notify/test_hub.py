"""PushHub: per-account fan-out, bounded buffers that drop the oldest, clean unsubscription."""

from __future__ import annotations

import asyncio

import pytest

from sniper.notify.hub import PushHub, SubscriptionClosed


def _event(n: int) -> dict[str, object]:
    return {"type": "event", "event": "sniper.filing_hit", "data": {"n": n}}


async def test_publish_reaches_only_the_right_account() -> None:
    hub = PushHub()
    alice_phone, alice_laptop, bob = hub.subscribe(1), hub.subscribe(1), hub.subscribe(2)
    assert hub.publish(1, _event(1)) == 2
    assert await alice_phone.get() == _event(1)
    assert await alice_laptop.get() == _event(1)
    assert bob.pending() == 0
    assert hub.publish(2, _event(2)) == 1
    assert await bob.get() == _event(2)
    assert (alice_phone.pending(), alice_laptop.pending()) == (0, 0)
    assert hub.publish(3, _event(3)) == 0


async def test_messages_arrive_in_order_and_get_waits_for_the_next() -> None:
    hub = PushHub()
    subscription = hub.subscribe(7)
    waiting = asyncio.create_task(subscription.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    asyncio.get_running_loop().call_soon(hub.publish, 7, _event(1))
    assert await asyncio.wait_for(waiting, 1) == _event(1)
    for n in range(2, 6):
        hub.publish(7, _event(n))
    assert [await subscription.get() for _ in range(4)] == [_event(n) for n in range(2, 6)]


async def test_overflow_drops_the_oldest_and_counts_drops() -> None:
    hub = PushHub(maxsize=3)
    slow, fast = hub.subscribe(1), hub.subscribe(1, maxsize=10)
    for n in range(1, 6):
        hub.publish(1, _event(n))
    assert [await slow.get() for _ in range(3)] == [_event(3), _event(4), _event(5)]
    assert slow.dropped == 2
    assert fast.dropped == 0
    assert fast.pending() == 5
    assert hub.dropped == 2


async def test_default_buffer_holds_1000_messages() -> None:
    hub = PushHub()
    subscription = hub.subscribe(1)
    for n in range(1001):
        hub.publish(1, _event(n))
    assert subscription.pending() == 1000
    assert subscription.dropped == 1
    assert await subscription.get() == _event(1)


async def test_close_unsubscribes_and_wakes_a_waiting_get() -> None:
    hub = PushHub()
    subscription = hub.subscribe(1)
    other = hub.subscribe(2)
    waiting = asyncio.create_task(subscription.get())
    await asyncio.sleep(0)
    subscription.close()
    with pytest.raises(SubscriptionClosed):
        await asyncio.wait_for(waiting, 1)
    assert subscription.closed
    assert hub.subscriber_count(1) == 0
    assert hub.publish(1, _event(1)) == 0
    with pytest.raises(SubscriptionClosed):
        await subscription.get()
    subscription.close()
    assert hub.subscriber_count() == 1
    other.close()


async def test_context_managers_unsubscribe_on_exit() -> None:
    hub = PushHub()
    async with hub.subscribe(1) as first:
        with hub.subscribe(1) as second:
            assert hub.subscriber_count(1) == 2
            assert hub.publish(1, _event(1)) == 2
            assert await second.get() == _event(1)
        assert hub.subscriber_count(1) == 1
        assert await first.get() == _event(1)
    assert hub.subscriber_count() == 0
    assert first.closed
    assert second.closed


async def test_subscriber_count_and_close_all() -> None:
    hub = PushHub()
    subscriptions = [hub.subscribe(account) for account in (1, 1, 2, 3)]
    assert [hub.subscriber_count(a) for a in (1, 2, 3, 4)] == [2, 1, 1, 0]
    assert hub.subscriber_count() == 4
    hub.close_all()
    assert hub.subscriber_count() == 0
    assert all(s.closed for s in subscriptions)


def test_buffer_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        PushHub(maxsize=0)
    with pytest.raises(ValueError, match="maxsize"):
        PushHub().subscribe(1, maxsize=0)
