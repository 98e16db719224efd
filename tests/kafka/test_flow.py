"""The worker's flow without a broker: each input out as soon as it is ready, offsets acknowledged
as the contiguous prefix of finished inputs per partition, and the adaptive window (count,
bytes, age). The real-broker runs (kill -9 mid-batch, scale-out, fuzz) are in tests/faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from streams.core.doc import Doc
from streams.core.records import RawArticle
from streams.core.routing import MessageMeta
from streams.core.settings import Settings
from streams.kafka.flow import AckWindow, Entry, Flow, FlowLimits
from streams.kafka.offload import Staged
from streams.kafka.worker import BatchContext, Outcome, Work, observe_end_to_end, record_time

SETTINGS = Settings()


class _Event:
    """A stand-in for a Faust event (weak-referenceable, as Faust's current event is)."""

    def __init__(self, partition: int, offset: int):
        self.message = SimpleNamespace(
            topic="raw", partition=partition, offset=offset, key=b"k", value=b"v", timestamp=None
        )


def _event(partition: int, offset: int) -> Any:
    return _Event(partition, offset)


def _work(event: Any, payload: bytes = b"x") -> Work:
    m = event.message
    return Work(payload, MessageMeta(m.topic, m.partition, m.offset, f"p{m.partition}o{m.offset}"), event)


def _staged(key: str) -> Staged:
    doc = Doc.from_raw(RawArticle(id=key, text="Banjir."))
    doc.id, doc.event_id, doc.body = key, f"ev-{key}", "Banjir."
    return Staged(doc=doc)


async def _sent(topic: str, key: bytes, value: bytes) -> Any:
    """A producer's send whose delivery is acknowledged at once (a done future)."""
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    return fut


def _acks(acked: list[int]) -> Callable[[Any, Any], Awaitable[None]]:
    """A flow's ack callback that notes each acknowledged input's offset in ``acked``."""

    async def ack(event: Any, gaps: Any) -> None:
        acked.append(event.message.offset)

    return ack


class Harness:
    """A flow over a fake pipeline (each input waits for its gate) and a fake producer; records
    the order of sends and acknowledgements."""

    def __init__(self, limits: FlowLimits | None = None, clock: Any = None):
        self.gates: dict[str, asyncio.Event] = {}
        self.log: list[tuple[str, str]] = []

        async def run_pre(payload: bytes | None, meta: MessageMeta) -> Staged:
            await self.gate(meta.key or "").wait()
            return _staged(meta.key or "")

        async def send(topic: str, key: bytes, value: bytes) -> Any:
            self.log.append(("sent", key.decode()))
            return await _sent(topic, key, value)

        async def ack(event: Any, gaps: Any) -> None:
            m = event.message
            self.log.append(("ack", f"p{m.partition}o{m.offset}"))

        ctx = BatchContext(SETTINGS, run_pre, [], send, limits={}, backoff=0.001)
        kw = {"clock": clock} if clock is not None else {}
        self.flow = Flow(ctx, ack, limits=limits, **kw)

    def gate(self, key: str) -> asyncio.Event:
        return self.gates.setdefault(key, asyncio.Event())

    async def submit(self, partition: int, offset: int, payload: bytes = b"x") -> None:
        ev = _event(partition, offset)
        await self.flow.submit(ev, [_work(ev, payload)])


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_ack_window_acks_the_contiguous_prefix_per_partition() -> None:
    win = AckWindow()
    e = [Entry(i, 1, 1, float(i)) for i in range(4)]
    win.add("p0", e[0])
    win.add("p0", e[1])
    win.add("p1", e[2])
    win.add("p0", e[3])
    assert win.oldest() == 0.0
    assert win.finish("p0", e[1]) == []  # offset 0 of p0 still running
    assert [x.event for x in win.finish("p1", e[2])] == [2]  # another partition is not held
    assert [x.event for x in win.finish("p0", e[0])] == [0, 1]
    assert win.oldest() == 3.0 and len(win) == 1
    assert [x.event for x in win.finish("p0", e[3])] == [3] and len(win) == 0


def test_each_input_is_sent_as_soon_as_ready_and_offsets_are_acked_in_order() -> None:
    async def main() -> list[tuple[str, str]]:
        h = Harness()
        await h.submit(0, 0)  # slow
        await h.submit(0, 1)
        await h.submit(1, 0)
        h.gate("p1o0").set()
        h.gate("p0o1").set()
        await _settle()
        # the other partition's input went out and was acked while p0o0 still runs;
        # p0o1 waits for p0o0 (the stateful stages see a partition in order) and is not acked
        assert h.log == [("sent", "p1o0"), ("ack", "p1o0")]
        h.gate("p0o0").set()
        await h.flow.drain()
        return h.log

    log = asyncio.run(main())
    assert log[2:] == [("sent", "p0o0"), ("sent", "p0o1"), ("ack", "p0o0"), ("ack", "p0o1")] or log[2:] == [
        ("sent", "p0o0"),
        ("ack", "p0o0"),
        ("sent", "p0o1"),
        ("ack", "p0o1"),
    ]


def test_an_input_is_acked_only_after_its_output_is_acknowledged() -> None:
    async def main() -> list[tuple[str, str]]:
        h = Harness()
        release = asyncio.Event()
        send = h.flow.ctx.send

        async def slow_send(topic: str, key: bytes, value: bytes) -> Any:
            await send(topic, key, value)

            async def acked() -> None:
                await release.wait()
                h.log.append(("broker", key.decode()))

            return asyncio.ensure_future(acked())

        h.flow.ctx.send = slow_send
        await h.submit(0, 0)
        h.gate("p0o0").set()
        await _settle()
        assert ("ack", "p0o0") not in h.log
        release.set()
        await h.flow.drain()
        return h.log

    assert asyncio.run(main()) == [("sent", "p0o0"), ("broker", "p0o0"), ("ack", "p0o0")]


def test_window_is_one_input_when_caught_up() -> None:
    async def main() -> int:
        h = Harness()
        for i in range(5):  # each input arrives after the previous one is done
            h.gate(f"p0o{i}").set()
            await h.submit(0, i)
            await h.flow.drain()
        return h.flow.peak

    assert asyncio.run(main()) == 1


@pytest.mark.parametrize(
    ("limits", "payload", "admitted"),
    [
        (FlowLimits(count=3), b"x", 3),  # bounded by count
        (FlowLimits(count=100, bytes=250), b"x" * 100, 3),  # by bytes: 100 + 100 < 250, the third fills it
        (FlowLimits(count=100, bytes=50), b"x" * 100, 1),  # one input is always admitted
    ],
)
def test_window_grows_under_backlog_up_to_count_and_bytes(
    limits: FlowLimits, payload: bytes, admitted: int
) -> None:
    async def main() -> tuple[int, int]:
        h = Harness(limits)
        producer = asyncio.ensure_future(_submit_all(h, 10, payload))
        await _settle()
        before = h.flow.count
        for i in range(10):
            h.gate(f"p0o{i}").set()
        await producer
        await h.flow.drain()
        return before, sum(1 for kind, _ in h.log if kind == "ack")

    before, acked = asyncio.run(main())
    assert before == admitted and acked == 10


async def _submit_all(h: Harness, n: int, payload: bytes = b"x") -> None:
    for i in range(n):
        await h.submit(0, i, payload)


def test_window_takes_no_input_while_the_oldest_is_too_old() -> None:
    now = [100.0]

    async def main() -> tuple[int, int]:
        h = Harness(FlowLimits(count=100, age=5.0), clock=lambda: now[0])
        await h.submit(0, 0)
        now[0] += 6.0  # the first input has been in flight for 6 s
        producer = asyncio.ensure_future(_submit_all_from(h, 1, 4))
        await _settle()
        stuck = h.flow.count
        h.gate("p0o0").set()
        for i in range(1, 4):
            h.gate(f"p0o{i}").set()
        await producer
        await h.flow.drain()
        return stuck, h.flow.count

    stuck, left = asyncio.run(main())
    assert stuck == 1 and left == 0


async def _submit_all_from(h: Harness, start: int, end: int) -> None:
    for i in range(start, end):
        await h.submit(0, i)


def test_every_input_is_accounted_for_bad_and_good() -> None:
    payloads = [b"\xff", b"{}", orjson.dumps({"id": "ok1", "text": "Banjir di Bandung."})]
    outcomes: list[Outcome] = []
    acked: list[int] = []

    async def pre(payload: bytes | None, meta: MessageMeta) -> Staged:
        if payload and payload.startswith(b'{"id"'):
            return _staged("ok1")
        return Staged(error=("W100", "bad", None, "decode"))

    async def main() -> None:
        flow = Flow(
            BatchContext(SETTINGS, pre, [], _sent, limits={}), _acks(acked), on_outcome=outcomes.append
        )
        for i, p in enumerate(payloads):
            ev = _event(0, i)
            await flow.submit(ev, [Work(p, MessageMeta("raw", 0, i, f"k{i}"), ev)])
        await flow.drain()

    asyncio.run(main())
    assert [o.work.meta.offset for o in outcomes] == [0, 1, 2] and acked == [0, 1, 2]
    assert [o.encoded[0].role for o in outcomes] == ["dlq", "dlq", "enriched"]


def test_a_failing_input_task_stops_the_flow_and_acks_nothing_after_it() -> None:
    acked: list[int] = []

    async def pre(payload: bytes | None, meta: MessageMeta) -> Staged:
        if meta.offset == 1:
            raise RuntimeError("bug in the runtime")
        return _staged(f"k{meta.offset}")

    async def main() -> None:
        flow = Flow(BatchContext(SETTINGS, pre, [], _sent, limits={}), _acks(acked))
        for i in range(3):
            ev = _event(0, i)
            await flow.submit(ev, [Work(b"x", MessageMeta("raw", 0, i, f"k{i}"), ev)])
        await flow.drain()

    with pytest.raises(RuntimeError, match="bug in the runtime"):
        asyncio.run(main())
    assert acked == [0]


def test_end_to_end_runs_from_ingested_at_else_the_record_timestamp() -> None:
    seen: list[float] = []
    hist = SimpleNamespace(observe=seen.append)
    st = _staged("a")
    assert st.doc is not None
    art = st.doc.to_enriched()
    from streams.core.routing import Routed

    work = Work(b"x", MessageMeta("raw"), None, timestamp=990.0)
    with_ingest = Outcome(work, Routed([], article=art.model_copy(update={"ingested_at": 995.0})))
    without = Outcome(work, Routed([], article=art.model_copy(update={"ingested_at": None})))
    dead = Outcome(work, Routed([], error=None))
    assert observe_end_to_end(with_ingest, hist, now=1000.0) == 5.0
    assert observe_end_to_end(without, hist, now=1000.0) == 10.0
    assert observe_end_to_end(dead, hist, now=1000.0) is None
    assert seen == [5.0, 10.0]


def test_record_time_reads_faust_seconds_and_kafka_milliseconds() -> None:
    assert record_time(SimpleNamespace(timestamp=1_700_000_000.5)) == 1_700_000_000.5
    assert record_time(SimpleNamespace(timestamp=1_700_000_000_500)) == 1_700_000_000.5
    assert record_time(SimpleNamespace(timestamp=None)) is None
    assert record_time(SimpleNamespace()) is None


def test_outputs_reach_the_producer_in_input_order_even_when_a_later_flush_is_faster() -> None:
    async def main() -> list[tuple[str, str]]:
        h = Harness()
        first_flush = asyncio.Event()
        calls = 0

        async def flush() -> None:  # the first input's state takes longer to be acknowledged
            nonlocal calls
            calls += 1
            if calls == 1:
                await first_flush.wait()

        h.flow.ctx.before_send = flush
        await h.submit(0, 0)
        await h.submit(0, 1)
        h.gate("p0o0").set()
        h.gate("p0o1").set()
        await _settle()
        assert [k for kind, k in h.log if kind == "sent"] == []  # p0o1 waits for p0o0's outputs
        first_flush.set()
        await h.flow.drain()
        return h.log

    log = asyncio.run(main())
    assert [k for kind, k in log if kind == "sent"] == ["p0o0", "p0o1"]
    assert [k for kind, k in log if kind == "ack"] == ["p0o0", "p0o1"]


def test_a_state_flush_waits_for_the_batch_an_earlier_flush_took() -> None:
    """Two inputs flush concurrently: the first flush took both inputs' changes, so the second
    (which finds nothing queued) must still wait until the broker has them."""
    from streams.kafka.replicated import StateReplica

    async def main() -> list[str]:
        release = asyncio.Event()
        order: list[str] = []

        class Producer:
            async def send(self, topic: str, key: bytes, value: Any, headers: Any) -> Any:
                async def acked() -> None:
                    await release.wait()
                    order.append(f"acked {key.decode()}")

                return asyncio.ensure_future(acked())

        rep = StateReplica("state", ["t"], client_options={}, partitions=1)
        rep._producer = Producer()
        rep.tables["t"]["a"] = 1
        rep.tables["t"]["b"] = 2  # both changes queued before the first flush

        async def flush(name: str) -> None:
            await rep.flush()
            order.append(f"{name} returned")

        first = asyncio.ensure_future(flush("first"))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(flush("second"))
        await _settle()
        assert order == []  # the second flush had nothing of its own, and still waits
        release.set()
        await asyncio.gather(first, second)
        return order

    order = asyncio.run(main())
    assert order.index("second returned") > max(i for i, o in enumerate(order) if o.startswith("acked"))


def test_results_back_together_are_shipped_as_one_group() -> None:
    """Under backlog the results that came back together are finished in order, their state
    flushed once, all their outputs handed to the producer, and only then awaited."""

    async def main() -> tuple[list[tuple[str, str]], int]:
        h = Harness()
        flushes = 0

        async def flush() -> None:
            nonlocal flushes
            flushes += 1

        h.flow.ctx.before_send = flush
        for i in range(4):
            await h.submit(0, i)
        await _settle()
        for i in range(4):  # the four results come back at once (a batch of the pipeline processes)
            h.gate(f"p0o{i}").set()
        await h.flow.drain()
        return h.log, flushes

    log, flushes = asyncio.run(main())
    assert [k for _kind, k in log] == ["p0o0", "p0o1", "p0o2", "p0o3"] * 2
    assert [kind for kind, _k in log] == ["sent"] * 4 + ["ack"] * 4
    assert flushes == 1


def test_a_flush_produces_the_last_write_of_each_key_once() -> None:
    """A group's state changes are coalesced: a key written several times before a flush is
    produced once, with its last value (a delete included); other keys are all produced."""
    from streams.kafka.replicated import StateReplica, decode_key

    async def main() -> list[tuple[tuple[str, str], Any]]:
        produced: list[tuple[tuple[str, str], Any]] = []

        class Producer:
            async def send(self, topic: str, key: bytes, value: Any, headers: Any) -> Any:
                produced.append((decode_key(key), None if value is None else orjson.loads(value)))
                fut = asyncio.get_running_loop().create_future()
                fut.set_result(None)
                return fut

        rep = StateReplica("state", ["t"], client_options={}, partitions=1)
        rep._producer = Producer()
        table = rep.tables["t"]
        table["a"] = 1
        table["b"] = [1]
        table["a"] = 2
        table["b"] = [1, 2]
        table["c"] = 3
        del table["c"]
        assert rep.pending == 3
        assert await rep.flush() == 3
        return produced

    produced = asyncio.run(main())
    assert sorted(produced, key=str) == [(("t", "a"), 2), (("t", "b"), [1, 2]), (("t", "c"), None)]
