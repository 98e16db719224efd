"""Retries with exponential backoff (tenacity) whose waits end early when a stop event is set."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    stop_never,
    stop_when_event_set,
    wait_exponential,
)

__all__ = ["retrying"]

OnRetry = Callable[[BaseException, float], None]


def retrying(
    retry_on: type[BaseException] | tuple[type[BaseException], ...],
    *,
    stop: asyncio.Event | None = None,
    first: float = 0.5,
    max_delay: float = 30.0,
    give_up_after: float | None = None,
    on_retry: OnRetry | None = None,
) -> AsyncRetrying:
    """``async for attempt in retrying(...): with attempt: ...`` — retries ``retry_on`` errors
    after ``first``, ``2 × first``, … seconds (at most ``max_delay``) until the block succeeds,
    ``stop`` is set (a wait in progress ends at once) or ``give_up_after`` seconds have passed; then
    the last error is raised. ``on_retry(error, delay)`` is called before each wait."""

    async def _sleep(delay: float) -> None:
        if stop is None:
            await asyncio.sleep(delay)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)

    def _before_sleep(state: RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None and state.next_action is not None:
            exc = state.outcome.exception()
            if exc is not None:
                on_retry(exc, state.next_action.sleep)

    stop_rule: Any = stop_when_event_set(stop) if stop is not None else stop_never  # type: ignore[arg-type]
    if give_up_after is not None:
        stop_rule = stop_rule | stop_after_delay(give_up_after)
    return AsyncRetrying(
        retry=retry_if_exception_type(retry_on),
        wait=wait_exponential(multiplier=first, max=max_delay),
        stop=stop_rule,
        sleep=_sleep,
        before_sleep=_before_sleep,
        reraise=True,
    )
