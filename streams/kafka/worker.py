"""The worker's steps for one input as plain functions: run, route, size-check, send, account.

Contract (README "Delivery guarantees"): every input offset ends as exactly one outcome, its
enriched record or one dead letter, and an offset is acknowledged to Faust (and so committed)
only after every output of it and of the inputs before it is acknowledged by the broker
(:mod:`streams.kafka.flow` runs these steps per input as inputs arrive).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    stop_never,
    wait_exponential,
)

from streams.core.article_path import (
    RECORD_OVERHEAD,
    ArticlePath,
    Encoded,
    dead_routed,
    encode_record,
    route_doc,
)
from streams.core.article_path import output_limit as _output_limit
from streams.core.doc import Doc
from streams.core.errors import StageError, WartaError
from streams.core.pipeline import Stage
from streams.core.routing import MessageMeta, Routed, topic_for
from streams.core.settings import Settings, TopicNames
from streams.kafka.gaps import read_range
from streams.kafka.handoff import unpack
from streams.kafka.offload import Staged
from streams.observability import metrics

__all__ = [
    "RECORD_OVERHEAD",
    "BatchContext",
    "Encoded",
    "Outcome",
    "Work",
    "deliver",
    "encode_record",
    "enqueue",
    "event_context",
    "finish",
    "fit_outputs",
    "fitted_dead_letter",
    "health_status",
    "meta_of",
    "observe_end_to_end",
    "observe_outcome",
    "output_limit",
    "record_time",
    "run_stages",
    "split_stages",
    "update_lag",
    "works_with_refill",
]

#: (topic, key, value) -> the broker's acknowledgement (Faust's producer: ``await send`` gives
#: a future that resolves when the record is written).
Sender = Callable[[str, bytes, bytes], Awaitable[Awaitable[Any]]]


@dataclass
class Work:
    """One input offset to account for; ``event`` is the Faust event whose partition state
    writes (dedup tables) belong to."""

    payload: bytes | None
    meta: MessageMeta
    event: Any = None
    #: The record's Kafka timestamp (seconds), where the end-to-end latency starts without ``ingested_at``.
    timestamp: float | None = None


@dataclass
class Outcome:
    work: Work
    routed: Routed
    encoded: list[Encoded] = field(default_factory=list)


@dataclass
class BatchContext:
    """What the worker's steps need (:class:`streams.kafka.flow.Flow` runs them); built once by the app."""

    settings: Settings
    run_pre: Callable[[bytes | None, MessageMeta], Awaitable[Staged]]
    loop_stages: list[Stage]
    send: Sender
    #: ``max.message.bytes`` per topic, read from the broker at start-up (None: not yet read).
    limits: dict[str, int] | None = None
    read_limits: Callable[[], Awaitable[dict[str, int]]] | None = None
    on_stage: Callable[[str, float], None] | None = None
    #: ``(name, value)`` of what the stages measured (``Doc.measures``), after the event-loop stages.
    on_measure: Callable[[str, float], None] | None = None
    #: Awaited after an input is routed and before its outputs are sent (the state replica's flush).
    before_send: Callable[[], Awaitable[None]] | None = None
    #: How one input's staged result becomes its outputs (default: :func:`finish`).
    finish_work: Callable[[Staged, Work], Routed] | None = None
    send_attempts: int = 5
    backoff: float = 0.2
    log: Any = None

    @property
    def names(self) -> TopicNames:
        return self.settings.topics

    @property
    def path(self) -> ArticlePath:
        """The shared article path (:mod:`streams.core.article_path`) with the limits read so far."""
        return ArticlePath(self.settings, limits=self.limits)


def record_time(msg: Any) -> float | None:
    """The Kafka timestamp of a Faust message (seconds) or an aiokafka ConsumerRecord (ms)."""
    ts = getattr(msg, "timestamp", None)
    if not isinstance(ts, int | float) or ts <= 0:
        return None
    return float(ts) / 1000.0 if ts > 1e11 else float(ts)  # ms since 1973 vs s before 5138


def meta_of(msg: Any) -> MessageMeta:
    """MessageMeta of a Faust message or an aiokafka ConsumerRecord."""
    key = msg.key.decode("utf-8", "replace") if isinstance(msg.key, bytes) else msg.key
    return MessageMeta(msg.topic, msg.partition, msg.offset, key)


@cache
def _faust_current_event() -> Any:
    """The contextvar behind ``faust.current_event()`` (imported on first use, then kept)."""
    from faust.streams import _current_event

    return _current_event


@contextmanager
def event_context(event: Any) -> Iterator[None]:
    """Make ``event`` Faust's current event, so table writes go to its partition's changelog
    (Faust sets it only for the last event of a batch)."""
    if event is None:
        yield
        return
    current = _faust_current_event()
    token = current.set(weakref.ref(event))
    try:
        yield
    finally:
        current.reset(token)


def run_stages(stages: Sequence[Stage], doc: Doc, on_stage: Callable[[str, float], None] | None) -> None:
    """Run ``stages`` over ``doc`` with the pipeline's error contract (W900 for a stage bug)."""
    for stage in stages:
        t0 = time.perf_counter()
        try:
            stage(doc)
        except WartaError as exc:
            exc.stage = exc.stage or stage.name
            raise
        except Exception as exc:
            raise StageError("W900", f"stage {stage.name!r} raised {type(exc).__name__}: {exc}", stage=stage.name,
                             hint="this is a bug in Warta; the input is in the DLQ, report it with the record") from exc  # fmt: skip
        finally:
            if on_stage is not None:
                on_stage(stage.name, time.perf_counter() - t0)


def _dead(payload: bytes | None, err: WartaError, meta: MessageMeta) -> Routed:
    return dead_routed(payload, err, meta)


def finish(ctx: BatchContext, staged: Staged, work: Work) -> Routed:
    """The outputs for one input: its error as a dead letter, or the event-loop stages (dedup)
    run over the Doc and the records routed."""
    try:
        staged.raise_error()
        doc = staged.packed.doc if staged.packed is not None else staged.doc
        assert doc is not None
        with event_context(work.event):
            run_stages(ctx.loop_stages, doc, ctx.on_stage)
        if ctx.on_measure is not None:
            for name, value in doc.measures.items():
                ctx.on_measure(name, value)
        return unpack(staged.packed) if staged.packed is not None else route_doc(doc)
    except WartaError as err:
        return dead_routed(work.payload, err, work.meta)


def output_limit(settings: Settings, limits: dict[str, int] | None, topic: str, key: bytes) -> int:
    """Largest value Warta may send to ``topic`` (:func:`streams.core.article_path.output_limit`)."""
    return _output_limit(settings.max_message_bytes, limits, topic, key)


def fitted_dead_letter(
    ctx: BatchContext, payload: bytes | None, err: WartaError, meta: MessageMeta
) -> Encoded:
    """The dead letter, encoded to fit the DLQ topic (:meth:`ArticlePath.dead_letter`)."""
    return ctx.path.dead_letter(payload, err, meta)


def fit_outputs(ctx: BatchContext, work: Work, routed: Routed) -> Outcome:
    """Encode and size-check every output (:meth:`ArticlePath.fit`: W903, W904 make the whole
    input one dead letter)."""
    fitted = ctx.path.fit(work.payload, work.meta, routed)
    return Outcome(work, fitted.routed, fitted.encoded)


def _as_dead(ctx: BatchContext, work: Work, err: WartaError) -> Outcome:
    dead = ctx.path.dead(work.payload, err, work.meta)
    return Outcome(work, dead.routed, dead.encoded)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _is_size_error(exc: BaseException) -> bool:
    return any("TooLarge" in type(e).__name__ for e in _chain(exc))


def _is_retriable(exc: BaseException) -> bool:
    return any(getattr(e, "retriable", False) for e in _chain(exc)) and not _is_size_error(exc)


async def _send(ctx: BatchContext, enc: Encoded) -> Awaitable[Any] | BaseException:
    try:
        return await ctx.send(enc.topic, enc.key, enc.value)
    except Exception as exc:  # raised before the record is queued (size, closed producer...)
        return exc


async def _send_attempt(ctx: BatchContext, enc: Encoded) -> None:
    """Send one record and wait for the broker's acknowledgement; raises what went wrong."""
    fut = await _send(ctx, enc)
    if isinstance(fut, BaseException):
        raise fut
    await fut


async def _send_one(ctx: BatchContext, enc: Encoded) -> BaseException | None:
    """Send one record and wait for it, retrying retriable errors (tenacity, exponential backoff
    from ``ctx.backoff``, at most ``ctx.send_attempts`` tries); the last error, or None."""
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(max(1, ctx.send_attempts)),
            wait=wait_exponential(multiplier=ctx.backoff),
            retry=retry_if_exception(_is_retriable),
            reraise=True,
        ):
            with attempt:
                await _send_attempt(ctx, enc)
    except Exception as exc:
        return exc
    return None


class _Undelivered(Exception):
    """A dead letter the broker has not taken yet (wraps the send's last error)."""


async def _send_until_delivered(ctx: BatchContext, enc: Encoded) -> None:
    """A dead letter must reach the DLQ before its offset is committed: retry until it does
    (tenacity, backoff doubling from ``2 × ctx.backoff`` up to 5 s)."""

    def _warn(state: RetryCallState) -> None:
        err = state.outcome.exception() if state.outcome is not None else None
        if ctx.log is not None and err is not None:
            ctx.log.warning("dead letter not delivered yet; retrying", error=repr(err.__cause__ or err)[:300],
                            attempt=state.attempt_number)  # fmt: skip

    async for attempt in AsyncRetrying(
        stop=stop_never,
        wait=wait_exponential(multiplier=2 * ctx.backoff, max=5.0),
        retry=retry_if_exception_type(_Undelivered),
        before_sleep=_warn,
    ):
        with attempt:
            err = await _send_one(ctx, enc)
            if err is not None:
                raise _Undelivered(repr(err)) from err


async def enqueue(ctx: BatchContext, outcomes: list[Outcome]) -> list[list[Awaitable[Any] | BaseException]]:
    """Hand every output of ``outcomes`` to the producer, in order, without waiting for the
    broker: per output, its acknowledgement (or the error raised before it was queued)."""
    return [[await _send(ctx, enc) for enc in o.encoded] for o in outcomes]


async def deliver(
    ctx: BatchContext, outcomes: list[Outcome], sent: list[list[Awaitable[Any] | BaseException]] | None = None
) -> list[Outcome]:
    """Send every output (unless ``sent`` by :func:`enqueue` already) without waiting in
    between, then wait for all of them.

    An input whose output failed is retried record by record (a broker rejects a whole batch
    for one bad record); what still fails becomes the input's dead letter (W903 size, W904
    other), sent until the broker takes it. Returns the outcomes as delivered."""
    sent = sent if sent is not None else await enqueue(ctx, outcomes)
    flat = [f for fs in sent for f in fs if not isinstance(f, BaseException)]
    results = iter(await asyncio.gather(*flat, return_exceptions=True))
    failed: list[tuple[int, list[Encoded]]] = []
    for i, (o, futs) in enumerate(zip(outcomes, sent, strict=True)):
        bad = []
        for enc, fut in zip(o.encoded, futs, strict=True):
            res = fut if isinstance(fut, BaseException) else next(results)
            if isinstance(res, BaseException):
                bad.append(enc)
        if bad:
            failed.append((i, bad))
    for i, bad in failed:
        o = outcomes[i]
        for enc in bad:
            err = await _send_one(ctx, enc)
            if err is None:
                continue
            if enc.role == "dlq":  # already a dead letter: deliver it however long it takes
                await _send_until_delivered(ctx, enc)
                continue
            code = "W903" if _is_size_error(err) else "W904"
            werr = WartaError(code, f"the {enc.role} record could not be produced: {type(err).__name__}: {err}",
                              stage="emit", hint="check the broker and the topic's max.message.bytes; "
                              "the input is kept whole on the raw topic")  # fmt: skip
            outcomes[i] = dead = _as_dead(ctx, o.work, werr)
            await _send_until_delivered(ctx, dead.encoded[0])
            break
    return outcomes


def split_stages(stages: Sequence[str]) -> tuple[list[str], list[str]]:
    """(stages for the pipeline processes, stages for the event loop): the loop takes every
    stage from the first one that keeps state in tables (dedup) on."""
    from streams.core.pipeline import stage_tables

    names = list(stages)
    for i, name in enumerate(names):
        if stage_tables([name]):
            return names[:i], names[i:]
    return names, []


async def works_with_refill(
    settings: Settings, tracker: Any, events: Sequence[Any], log: Any = None, *, read: Any = None
) -> tuple[list[Work], list[tuple[Any, tuple[int, int]]]]:
    """The batch as Work, with the offsets the Faust stream skipped before an event read back
    from Kafka (``read``, default :func:`streams.kafka.gaps.read_range`) and put first, in order;
    and the gaps filled."""
    read = read or read_range

    works: list[Work] = []
    gaps: list[tuple[Any, tuple[int, int]]] = []
    for event in events:
        msg = event.message
        gap = tracker.gap(msg.topic, msg.partition, msg.offset)
        if gap is not None:
            recs = await read(settings, msg.topic, msg.partition, *gap)
            if log is not None:
                log.warning("stream skipped offsets; read them back", topic=msg.topic, partition=msg.partition,
                            start=gap[0], end=gap[1], records=len(recs))  # fmt: skip
            works.extend(Work(rec.value, meta_of(rec), event, record_time(rec)) for rec in recs)
            metrics.REFETCHED.labels(msg.topic).inc(len(recs))
            gaps.append((msg.tp, gap))
        works.append(Work(msg.value, meta_of(msg), event, record_time(msg)))
    return works, gaps


def observe_outcome(outcome: Outcome, log: Any, names: TopicNames) -> None:
    """Metrics and the DLQ log line for one delivered input."""
    routed, meta = outcome.routed, outcome.work.meta
    metrics.observe_routed(routed, meta.topic, lambda role: topic_for(role, names))
    if routed.error is not None and log is not None:
        log.warning("dlq", code=routed.error.code, reason=routed.error.reason[:500], stage=routed.error.stage,
                    topic=meta.topic, partition=meta.partition, offset=meta.offset)  # fmt: skip


def observe_end_to_end(outcome: Outcome, histogram: Any, now: float | None = None) -> float | None:
    """Observe, for an enriched input, the seconds from its start (the producer's ``ingested_at``,
    else the record's Kafka timestamp) to now, the acknowledgement of its enriched record.
    Returns what was observed (None: a dead letter, or no start time)."""
    art = outcome.routed.article
    if art is None or outcome.routed.error is not None:
        return None
    now = time.time() if now is None else now
    start = art.ingested_at if art.ingested_at and 0 < art.ingested_at <= now + 60 else outcome.work.timestamp
    if not start:
        return None
    seconds = max(0.0, now - start)
    histogram.observe(seconds)
    return seconds


def health_status(
    rebalancing: bool, assignment: Any, stages: list[str], pipeline_ready: bool = True
) -> tuple[dict[str, Any], int]:
    """``/health``: ok (200) once the worker holds partitions, is not rebalancing and its
    pipeline processes have built their stages; else 503."""
    ready = rebalancing is False and bool(assignment) and pipeline_ready
    return {"status": "ok" if ready else "starting", "stages": stages}, 200 if ready else 503


async def update_lag(consumer: Any, topic: str, gauge: Any) -> dict[int, int]:
    """Set ``gauge`` (labels topic, partition) to the lag of every assigned partition of ``topic``."""
    out: dict[int, int] = {}
    for tp in consumer.assignment():
        if tp.topic != topic:
            continue
        high = consumer.highwater(tp)
        pos = await consumer.position(tp)
        if high is not None and pos is not None:
            out[tp.partition] = max(0, high - pos)
            gauge.labels(topic=tp.topic, partition=str(tp.partition)).set(out[tp.partition])
    return out
