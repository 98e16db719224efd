"""The producers' key partitioner: Kafka's default (murmur2 of the key), with the hash compiled.

Why: aiokafka hashes every record key in pure Python (about 8 µs a key); the worker produces
about 40 records an article (the enriched article, its domain events and the dedup state), so the
hash alone cost ~0.3 ms of the event loop per article. ``streams.core._hot.murmur2`` computes the
same unsigned 32-bit hash (``tests/kafka/test_partitioner.py`` compares them), so every key goes to
the partition aiokafka, Faust and the Java client would pick; without the extension (or with
``WARTA_COMPILED=0``) aiokafka's own function runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from aiokafka.partitioner import murmur2 as py_murmur2

from streams.core import hot

__all__ = ["KeyPartitioner", "key_hash", "py_murmur2"]


def key_hash() -> Callable[[bytes], int]:
    """The murmur2 the process runs: the compiled one when it is built and selected."""
    h = hot.HOT
    fn = getattr(h, "murmur2", None) if h is not None else None
    return fn if fn is not None else py_murmur2


class KeyPartitioner:
    """``aiokafka.partitioner.DefaultPartitioner`` with the hash chosen once, at construction: a
    key goes to ``all_partitions[(murmur2(key) & 0x7FFFFFFF) % len(all_partitions)]``; a record
    without a key to a random available partition."""

    def __init__(self, hash_fn: Callable[[bytes], int] | None = None) -> None:
        self.hash = hash_fn or key_hash()

    def __call__(self, key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]) -> int:
        if key is None:
            return random.choice(available) if available else random.choice(all_partitions)
        return all_partitions[(self.hash(key) & 0x7FFFFFFF) % len(all_partitions)]
