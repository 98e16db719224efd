"""The private faust API behind streams.kafka.faust_compat still exists with the shape we call."""

from __future__ import annotations

import inspect

from faust.transport.consumer import Consumer

from streams.kafka.faust_compat import commit_past_gap


def test_faust_consumer_still_has_add_gap_with_our_signature() -> None:
    """Fails when faust-streaming renames, removes or reshapes ``Consumer._add_gap``: then
    ``commit_past_gap`` needs a new implementation (see its docstring)."""
    add_gap = getattr(Consumer, "_add_gap", None)
    assert add_gap is not None and inspect.iscoroutinefunction(add_gap)
    assert list(inspect.signature(add_gap).parameters) == ["self", "tp", "offset_from", "offset_to"]


async def test_commit_past_gap_passes_an_inclusive_range() -> None:
    calls = []

    class _Consumer:
        async def _add_gap(self, tp: str, offset_from: int, offset_to: int) -> None:
            calls.append((tp, offset_from, offset_to))

    assert await commit_past_gap(_Consumer(), "t-0", 10, 15) is True
    assert await commit_past_gap(_Consumer(), "t-0", 15, 15) is False
    assert await commit_past_gap(object(), "t-0", 1, 2) is False
    assert calls == [("t-0", 10, 14)]
