"""The one private faust API Warta uses, behind one wrapper (tests/kafka/test_faust_compat.py
fails when faust changes it): telling the consumer that offsets it never delivered may be committed."""

from __future__ import annotations

from typing import Any

__all__ = ["commit_past_gap"]


async def commit_past_gap(consumer: Any, tp: Any, start: int, end: int) -> bool:
    """Let ``consumer`` (a faust Consumer) commit past the offsets ``start`` .. ``end - 1`` of ``tp``,
    which the agent read back itself (``streams/kafka/gaps.py``) and faust never delivered.

    faust-streaming has no public call for this: its ``Consumer._add_gap`` is what faust itself
    calls for offsets a stream skips. Returns False (and does nothing) when the consumer has no
    such method, so a faust without it degrades to faust's own commit behaviour.
    """
    add_gap = getattr(consumer, "_add_gap", None)
    if add_gap is None or end <= start:
        return False
    await add_gap(tp, start, end - 1)
    return True
