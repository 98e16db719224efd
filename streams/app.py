"""The Faust application: topics, state tables and the thin agent that runs the pipeline."""

from __future__ import annotations

import asyncio
import atexit
import importlib
import os
from collections.abc import MutableMapping
from typing import Any

import faust
import orjson
from faust.serializers import codecs
from prometheus_client import REGISTRY

from streams.core.pipeline import STAGE_REGISTRY, build_stage, settle_heap, stage_tables
from streams.core.records import Record
from streams.core.settings import Settings, get_settings
from streams.kafka.admin import topic_configs, topic_limits
from streams.kafka.faust_compat import commit_past_gap
from streams.kafka.flow import Flow, FlowLimits
from streams.kafka.gaps import OffsetTracker
from streams.kafka.handoff import loop_reads, packable
from streams.kafka.offload import PipelinePool
from streams.kafka.partitioner import KeyPartitioner, key_hash, py_murmur2
from streams.kafka.replicated import StateReplica
from streams.kafka.security import client_kwargs, faust_credentials
from streams.kafka.worker import (
    BatchContext,
    Outcome,
    health_status,
    observe_end_to_end,
    observe_outcome,
    split_stages,
    update_lag,
    works_with_refill,
)
from streams.observability import metrics
from streams.observability.logging import configure_logging, get_logger

__all__ = [
    "FaustState",
    "OrjsonCodec",
    "ReplicaGate",
    "create_app",
    "stage_global_tables",
    "state_topic_name",
]


def state_topic_name(settings: Settings) -> str:
    """The compacted topic that replicates the dedup state between workers."""
    return f"{settings.app_id}.state"


class ReplicaGate:
    """Holds the agent back until the state replica has caught up (at start and after a
    rebalance), and flushes an article's state changes before its outputs are produced."""

    def __init__(self, replica: StateReplica | None):
        self.replica = replica
        self._started = False
        self._stale = True
        self._lock = asyncio.Lock()

    def rebalanced(self) -> None:
        self._stale = True

    async def ready(self) -> None:
        if self.replica is None or not self._stale:
            return
        async with self._lock:
            if not self._started:
                await self.replica.start()
                self._started = True
            elif self._stale:
                await self.replica.catch_up()
            self._stale = False

    async def flush(self) -> None:
        if self.replica is not None:
            await self.replica.flush()


def stage_global_tables(names: Any) -> list[str]:
    """State tables the named stages want global (declared as ``global_tables`` on the stage)."""
    out: list[str] = []
    for n in names:
        module, _, attr = STAGE_REGISTRY[n].partition(":")
        out.extend(getattr(getattr(importlib.import_module(module), attr), "global_tables", ()))
    return out


class OrjsonCodec(codecs.Codec):
    """Faust codec: records (pydantic) or plain objects <-> JSON bytes via orjson."""

    def _dumps(self, obj: Any) -> bytes:
        if isinstance(obj, Record):
            return orjson.dumps(obj.model_dump(mode="json"))
        return orjson.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


codecs.register("orjson", OrjsonCodec())


class FaustState:
    """StateBackend over Faust tables (RocksDB + changelog topics), created before the app starts.

    ``partitions`` and ``current_partition()`` let a stage keep one writer per key (see
    streams/dedup/README.md): Faust stores a table's keys per partition of the message being
    processed."""

    def __init__(self, tables: dict[str, Any], partitions: int = 1):
        self._tables = tables
        self.partitions = partitions

    @staticmethod
    def current_partition() -> int:
        event = faust.current_event()
        return int(event.message.partition) if event is not None else 0

    def table(self, name: str) -> MutableMapping[str, Any]:
        if name not in self._tables:
            raise KeyError(f"state table {name!r} was not declared by any configured stage")
        table: MutableMapping[str, Any] = self._tables[name]
        return table


def create_app(settings: Settings | None = None) -> faust.App:
    """Build the worker app. The agent hands each input to :class:`streams.kafka.flow.Flow` as it
    arrives (an adaptive batch: one when caught up, up to ``batch_size`` / ``batch_bytes`` /
    ``batch_within`` under backlog); each input's outputs are sent as soon as its result is back,
    and an offset is acknowledged only when the broker acknowledged every output of it and of the
    inputs before it, so Faust commits nothing whose outputs are not durable (at-least-once;
    consumers dedupe on the deterministic ids). Every input ends as its outputs or one dead
    letter, whatever the stages or the producer do."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    log = get_logger("warta.worker")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{b}" for b in settings.broker_list],
        broker_credentials=faust_credentials(settings),
        store="rocksdb://",
        datadir=str(settings.data_dir),
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        key_serializer="raw",
        value_serializer="orjson",
        consumer_auto_offset_reset="earliest",
        broker_commit_every=100,
        broker_commit_interval=1.0,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 3),
        producer_acks=-1,
        # Kafka's default partitioner with the key hash compiled (the same partitions)
        producer_partitioner=KeyPartitioner(key_hash() if settings.compiled else py_murmur2),
        producer_max_request_size=settings.max_message_bytes,
        table_cleanup_interval=60.0,
        logging_config=None,
        loghandlers=[],
    )
    from faust.sensors.prometheus import setup_prometheus_sensors

    setup_prometheus_sensors(app, pattern="/metrics", registry=REGISTRY, name_prefix="warta_faust")

    names = settings.topics
    topic_config = topic_configs(settings)
    raw_topic = app.topic(names.raw, value_serializer="raw", key_serializer="raw",
                          partitions=settings.partitions, config=topic_config)  # fmt: skip
    for topic in (t for t in names.all() if t != names.raw):  # every output topic, declared at start
        app.topic(topic, partitions=settings.partitions, config=topic_config)
    # Faust tables take their serializers from a Schema (a `value_serializer=` keyword is rejected).
    global_names = set(stage_global_tables(settings.stages))
    table_partitions = settings.partitions
    table_schema: faust.Schema[str, Any] = faust.Schema(
        key_type=str, key_serializer="json", value_serializer="orjson"
    )
    # Tables a stage wants whole on every worker are replicated through a compacted topic
    # (streams/kafka/replicated.py) instead of faust GlobalTables, which do not replicate between
    # worker instances (faust#283). The agents wait for the replica before processing.
    replica = (
        StateReplica(
            state_topic_name(settings),
            [n for n in stage_tables(settings.stages) if n in global_names],
            client_options={"bootstrap_servers": settings.broker_list, **client_kwargs(settings)},
            partitions=settings.partitions,
            replication=settings.replication,
        )
        if global_names
        else None
    )
    tables: dict[str, Any] = {
        name: replica.tables[name]
        if replica is not None and name in replica.tables
        else app.Table(name, default=None, partitions=table_partitions, schema=table_schema)
        for name in stage_tables(settings.stages)
    }
    state = FaustState(tables, table_partitions)
    gate = ReplicaGate(replica)
    # Stateless stages run in child processes under the time budget; from the first stage that
    # keeps state (dedup) on, stages run on the event loop next to their tables.
    pool_stages, loop_names = split_stages(settings.stages)
    loop_stages = [build_stage(n, settings, state) for n in loop_names]
    # what the loop stages read from the text (dedup's signature) is computed in the children
    # and the outputs come back pre-encoded (streams/kafka/handoff.py; WARTA_HANDOFF=doc: the whole Doc)
    packed = (
        loop_reads(loop_stages)
        if packable(loop_stages) and os.environ.get("WARTA_HANDOFF") != "doc"
        else None
    )
    # WARTA_PIPELINE_PROFILE=DIR: the pipeline processes write cProfile stats there (a diagnostic)
    pool = PipelinePool(settings, pool_stages, needed={f for st in loop_stages for f in st.requires},
                        prepare=loop_names, on_call=metrics.observe_pipeline_call, packed=packed,
                        profile=os.environ.get("WARTA_PIPELINE_PROFILE") or None)  # fmt: skip
    atexit.register(pool.close)
    stage_names = pool_stages + loop_names
    metrics.init_series(names, stage_names)

    async def send(topic: str, key: bytes, value: bytes) -> Any:
        return await app.producer.send(topic, key, value, None, None, None)

    async def read_limits() -> dict[str, int]:
        return await asyncio.to_thread(topic_limits, settings, names.all())

    # the replica's state changes are flushed before an input's outputs are produced
    ctx = BatchContext(settings, pool.run, loop_stages, send, read_limits=read_limits,
                       on_stage=metrics.observe_stage, on_measure=metrics.observe_measure,
                       before_send=gate.flush, log=log)  # fmt: skip
    tracker = OffsetTracker()

    @app.on_partitions_revoked.connect
    async def _revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        revoked = args[0] if args else kwargs.get("revoked", ())
        tracker.forget((tp.topic, tp.partition) for tp in revoked)
        gate.rebalanced()

    @app.on_partitions_assigned.connect
    async def _assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        gate.rebalanced()  # catch up on what the partitions' previous owners wrote

    def on_outcome(outcome: Outcome) -> None:
        observe_outcome(outcome, log, names)
        observe_end_to_end(outcome, metrics.END_TO_END)

    async def run_stream(stream: Any) -> None:
        async def ack(event: Any, gaps: Any) -> None:
            for tp, (start, end) in gaps:  # let Faust commit past offsets it never delivered (done now)
                await commit_past_gap(app.consumer, tp, start, end)
            await stream.ack(event)  # only now: its outputs and those before it are acknowledged
            metrics.INFLIGHT.set(flow.count)

        limits = FlowLimits(settings.batch_size, settings.batch_bytes, settings.batch_within)
        flow = Flow(ctx, ack, limits=limits, on_outcome=on_outcome, on_group=metrics.SHIPPED_GROUPS.inc)
        try:
            async for event in stream.events():
                await gate.ready()
                works, gaps = await works_with_refill(settings, tracker, [event], log)
                await flow.submit(event, works, gaps)
                metrics.INFLIGHT.set(flow.count)
            await flow.drain()
        finally:
            flow.cancel()  # stopping: what is in flight stays uncommitted and is redone

    @app.agent(raw_topic, name="warta.process")
    async def process(stream: faust.StreamT) -> None:
        await run_stream(stream.noack())  # type: ignore[attr-defined]  # acked by the flow, in order

    @app.task
    async def warm_up() -> None:
        await pool.warm_up()
        # the event loop's start-up heap (Faust, aiokafka, the stages' tables) into the collector's
        # permanent generation, and the youngest generation's threshold raised, as in the children
        settle_heap()

    @app.timer(interval=5.0)
    async def consumer_lag() -> None:
        await update_lag(app.consumer, names.raw, metrics.CONSUMER_LAG)

    @app.page("/health")
    async def health(self: Any, request: Any) -> Any:
        body, status = health_status(app.rebalancing, app.consumer.assignment(), stage_names, pool.ready)
        return self.json(body, status=status)

    log.info("app created", brokers=settings.broker_list, stages=stage_names, tables=list(tables),
             pipeline_processes=pool.processes, batch_size=settings.batch_size)  # fmt: skip
    return app
