"""The pipeline processes take inputs in batches (one round trip for the inputs that waited while
every child was busy), answer each input with its own result, and a batch whose child failed is
run again input by input so that only the input at fault gets the error."""

from __future__ import annotations

import asyncio
import pstats
from pathlib import Path

import orjson
import pytest

from streams.core.routing import MessageMeta
from streams.core.settings import Settings
from streams.kafka.offload import PROFILE_EVERY, PipelinePool, Staged, pipeline_processes, usable_cpus


def _meta(i: int) -> MessageMeta:
    return MessageMeta("raw", 0, i, f"k{i}")


def _payload(i: int) -> bytes:
    return orjson.dumps({"id": f"a{i}", "text": f"Banjir melanda kota nomor {i}. Warga mengungsi."})


def test_processes_default_to_the_usable_cores_at_most_four() -> None:
    assert pipeline_processes(3) == 3
    assert pipeline_processes(0) == min(4, usable_cpus()) >= 1
    assert PipelinePool.__init__.__kwdefaults__["max_batch"] >= 2


def test_inputs_that_wait_for_a_busy_child_go_together_and_each_gets_its_own_result() -> None:
    settings = Settings(pipeline_processes=1, stage_timeout=10.0)
    pool = PipelinePool(settings, ["decode", "clean"], max_batch=8)

    async def main() -> list[Staged]:
        await pool.warm_up()
        before = pool.batches
        futs = [pool.submit(_payload(i), _meta(i)) for i in range(20)]
        futs.append(pool.submit(b"[", _meta(20)))  # bad input in a batch: its own error only
        out = await asyncio.gather(*futs)
        assert pool.batches - before < 21, "inputs waiting for a busy child must share a round trip"
        return list(out)

    try:
        results = asyncio.run(main())
    finally:
        pool.close()
    assert [r.doc.raw.id for r in results[:20] if r.doc is not None] == [f"a{i}" for i in range(20)]
    assert results[20].error is not None and results[20].error[0] == "W101"


def test_a_failed_batch_is_run_again_input_by_input() -> None:
    """A child that dies in a batch (simulated: the call fails whenever the culprit is in it)
    costs the culprit its W905 and the other inputs nothing."""
    settings = Settings(pipeline_processes=1)
    pool = PipelinePool(settings, ["decode"], max_batch=8)
    calls: list[int] = []

    async def call(items: list[tuple[bytes | None, MessageMeta]]) -> list[Staged]:
        calls.append(len(items))
        await asyncio.sleep(0.01)
        if any(m.offset == 3 for _, m in items):
            return [Staged(error=("W905", "the pipeline process died", "hint", "pipeline"))] * len(items)
        return [Staged(timings=[("decode", float(m.offset))]) for _, m in items]

    pool._call = call  # type: ignore[method-assign]

    async def main() -> list[Staged]:
        return list(await asyncio.gather(*(pool.submit(b"x", _meta(i)) for i in range(6))))

    try:
        results = asyncio.run(main())
    finally:
        pool.close()
    assert [r.error[0] if r.error else None for r in results] == [None, None, None, "W905", None, None]
    assert [r.timings[0][1] for r in results if r.error is None] == [0.0, 1.0, 2.0, 4.0, 5.0]
    assert max(calls) > 1 and calls.count(1) >= 5  # batched first, then one by one


def test_a_profiled_pool_writes_each_childs_stats_with_the_stages_in_them(tmp_path: Path) -> None:
    settings = Settings(pipeline_processes=1, stage_timeout=10.0)
    pool = PipelinePool(settings, ["decode", "clean"], max_batch=1, profile=str(tmp_path / "prof"))

    async def main() -> None:
        await pool.warm_up()
        for i in range(PROFILE_EVERY + 1):
            await pool.submit(_payload(i), _meta(i))

    try:
        asyncio.run(main())
    finally:
        pool.close()
    files = sorted((tmp_path / "prof").glob("pipeline-*.prof"))
    assert len(files) == 1
    funcs = {name for _, _, name in pstats.Stats(str(files[0])).stats}  # type: ignore[attr-defined]
    assert "run_doc" in funcs and "_run" in funcs


def test_an_unprofiled_pool_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(pipeline_processes=1, stage_timeout=10.0)
    pool = PipelinePool(settings, ["decode"], max_batch=1)
    try:
        asyncio.run(pool.warm_up())
    finally:
        pool.close()
    assert not list(tmp_path.rglob("*.prof"))


def test_a_deep_backlog_takes_larger_batches_and_a_shallow_one_keeps_the_bound() -> None:
    """At least ``deep_batch`` inputs waiting per process: round trips of ``deep_batch``; fewer:
    at most ``max_batch``; every input still gets its own result, in order."""
    settings = Settings(pipeline_processes=1)
    pool = PipelinePool(settings, ["decode"], max_batch=4, deep_batch=8)
    calls: list[int] = []

    async def call(items: list[tuple[bytes | None, MessageMeta]]) -> list[Staged]:
        calls.append(len(items))
        await asyncio.sleep(0.005)
        return [Staged(timings=[("decode", float(m.offset))]) for _, m in items]

    pool._call = call  # type: ignore[method-assign]

    async def burst(n: int, start: int) -> list[Staged]:
        return list(await asyncio.gather(*(pool.submit(b"x", _meta(start + i)) for i in range(n))))

    try:
        deep = asyncio.run(burst(31, 0))
        deep_calls, calls[:] = list(calls), []
        shallow = asyncio.run(burst(7, 100))
    finally:
        pool.close()
    assert [r.timings[0][1] for r in deep] == [float(i) for i in range(31)]
    assert [r.timings[0][1] for r in shallow] == [float(100 + i) for i in range(7)]
    # the first input goes alone (a free child); the backlog behind it leaves in batches of 8
    # while 8 or more wait (24 of the 30), then of at most 4
    assert deep_calls[0] == 1 and deep_calls[1:4] == [8, 8, 8] and max(deep_calls[4:]) <= 4
    assert sum(deep_calls) == 31
    assert max(calls) <= 4 and sum(calls) == 7


def test_the_deep_bound_defaults_to_twice_the_bound_and_never_below_it() -> None:
    settings = Settings(pipeline_processes=2)
    pool = PipelinePool(settings, ["decode"], max_batch=3)
    low = PipelinePool(settings, ["decode"], max_batch=4, deep_batch=2)
    try:
        assert pool.deep_batch == 6 and low.deep_batch == 4
        assert pool.batch_bound() == 3
        pool._pending.extend((b"x", _meta(i), None) for i in range(11))  # type: ignore[misc]
        assert pool.batch_bound() == 3  # 11 < 6 per process
        pool._pending.append((b"x", _meta(11), None))  # type: ignore[arg-type]
        assert pool.batch_bound() == 6
    finally:
        pool._pending.clear()
        pool.close()
        low.close()
