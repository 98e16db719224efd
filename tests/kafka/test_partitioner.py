"""The producers' partitioner picks the partitions aiokafka's default partitioner picks: the compiled
murmur2 equals aiokafka's pure-Python one on random and on Warta's own keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka.partitioner import DefaultPartitioner, murmur2
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core import hot
from streams.kafka.partitioner import KeyPartitioner, key_hash, py_murmur2
from streams.kafka.replicated import encode_key


def _compiled_murmur2():  # type: ignore[no-untyped-def]
    mod = hot.load_compiled()
    if mod is None:  # the extension is part of the build; its tests fail without it (docs/hot.md)
        pytest.fail(
            "the compiled extension streams.core._hot is not built (python setup.py build_ext --inplace)"
        )
    return mod.murmur2


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_compiled_hash_equals_aiokafka(data: bytes) -> None:
    fast = _compiled_murmur2()
    assert fast(data) == murmur2(data)
    assert fast(bytearray(data)) == murmur2(data)
    assert fast(memoryview(data)) == murmur2(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.integers(1, 64))
def test_same_partition_as_default_partitioner(key: str, n: int) -> None:
    raw = key.encode()
    parts = list(range(n))
    ours = KeyPartitioner(_compiled_murmur2())
    assert ours(raw, parts, parts) == DefaultPartitioner()(raw, parts, parts)
    assert KeyPartitioner(py_murmur2)(raw, parts, parts) == DefaultPartitioner()(raw, parts, parts)


def test_warta_keys_and_known_hashes() -> None:
    """Keys of the kind the worker writes (article ids, derived event ids, state keys), and
    values Kafka's Java client gives (``Utils.murmur2``, as signed ints in its tests)."""
    fast = _compiled_murmur2()
    keys = [p.stem.encode() for p in sorted(Path(__file__).parents[1].rglob("*.py"))]
    keys += [encode_key("bands", f"{b}:{i:08x}") for b in range(16) for i in range(0, 10**6, 7919)]
    keys += [b"", b"a", b"ab", b"abc", b"abcd", "é日本".encode()]
    for k in keys:
        assert fast(k) == murmur2(k)
    # org.apache.kafka.common.utils.UtilsTest#testMurmur2 (signed 32-bit)
    java = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536,
            b"a-little-bit-longer-string": -1486304829}  # fmt: skip
    for k, v in java.items():
        assert fast(k) == v & 0xFFFFFFFF


def test_no_key_goes_to_an_available_partition() -> None:
    part = KeyPartitioner(py_murmur2)
    assert all(part(None, [0, 1, 2], [2]) == 2 for _ in range(20))
    assert all(part(None, [0, 1, 2], []) in (0, 1, 2) for _ in range(20))


def test_reference_path_when_not_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hot, "HOT", None)
    assert key_hash() is py_murmur2


def test_worker_producers_use_it(tmp_path: Path) -> None:
    """The Faust app's producer is configured with the partitioner (no broker needed)."""
    from streams.app import create_app
    from streams.core.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, brokers="127.0.0.1:1"))
    assert isinstance(app.conf.producer_partitioner, KeyPartitioner)
    assert isinstance(app.producer.partitioner, KeyPartitioner)
