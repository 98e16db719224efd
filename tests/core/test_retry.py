"""streams.core.retry: tenacity backoff whose waits a stop event cuts short."""

from __future__ import annotations

import asyncio
import time

import pytest

from streams.core.retry import retrying


async def test_retries_with_growing_waits_until_success() -> None:
    calls, waits = 0, []
    async for attempt in retrying(
        OSError, first=0.01, max_delay=0.03, on_retry=lambda _e, d: waits.append(d)
    ):
        with attempt:
            calls += 1
            if calls < 5:
                raise OSError("down")
    assert calls == 5 and waits == [0.01, 0.02, 0.03, 0.03]


async def test_other_errors_are_not_retried() -> None:
    calls = 0
    with pytest.raises(ValueError):
        async for attempt in retrying(OSError, first=0.01):
            with attempt:
                calls += 1
                raise ValueError("a bug")
    assert calls == 1


async def test_a_stop_event_ends_a_long_wait_and_raises_the_last_error() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.1, stop.set)
    t0 = time.monotonic()
    with pytest.raises(OSError, match="still down"):
        async for attempt in retrying(OSError, stop=stop, first=30.0):
            with attempt:
                raise OSError("still down")
    assert time.monotonic() - t0 < 5


async def test_give_up_after_bounds_the_retrying() -> None:
    t0 = time.monotonic()
    with pytest.raises(OSError):
        async for attempt in retrying(OSError, first=0.05, give_up_after=0.2):
            with attempt:
                raise OSError("down")
    assert 0.2 <= time.monotonic() - t0 < 2
