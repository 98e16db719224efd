"""The Faust application: topics, state tables and the thin agent that runs the pipeline."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, MutableMapping
from typing import Any

import faust
import orjson
from faust.serializers import codecs
from prometheus_client import REGISTRY

from streams.core.pipeline import STAGE_REGISTRY, build_pipeline, stage_tables
from streams.core.records import Record
from streams.core.routing import MessageMeta, Routed, route_message, topic_for
from streams.core.settings import Settings, get_settings
from streams.kafka.gaps import OffsetTracker, read_range
from streams.kafka.replicated import StateReplica
from streams.kafka.security import client_kwargs, faust_credentials
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
    """Build the worker app. Offsets are committed by Faust only after the agent has moved past a
    message and the producer has been flushed, so every output is durable before its input's
    offset is committed (at-least-once; consumers dedupe on the deterministic ids)."""
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
        table_cleanup_interval=60.0,
        logging_config=None,
        loghandlers=[],
    )
    from faust.sensors.prometheus import setup_prometheus_sensors

    setup_prometheus_sensors(app, pattern="/metrics", registry=REGISTRY, name_prefix="warta_faust")

    names = settings.topics
    raw_topic = app.topic(
        names.raw, value_serializer="raw", key_serializer="raw", partitions=settings.partitions
    )
    out_topics = {
        role: app.topic(getattr(names, role), partitions=settings.partitions)
        for role in ("enriched", "duplicates", "events", "alerts", "dlq")
    }
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
    pipeline = build_pipeline(
        settings, state, on_stage=metrics.observe_stage, on_measure=metrics.observe_measure
    )
    app.conf.warta_pipeline = pipeline  # type: ignore[attr-defined]
    metrics.init_series(names, pipeline.names)

    def out_topic_name(role: str) -> str:
        return topic_for(role, names)

    async def emit(routed: Any, msg: Any) -> None:
        outs = []
        for out in routed.outputs:
            await out_topics[out.role].send(key=out.key.encode(), value=out.record)
            outs.append(out)
        metrics.observe_routed(Routed(outs, routed.article, routed.error), msg.topic, out_topic_name)
        if routed.error is not None:
            log.warning("dlq", code=routed.error.code, reason=routed.error.reason,
                        topic=msg.topic, partition=msg.partition, offset=msg.offset)  # fmt: skip

    def _meta(msg: Any) -> MessageMeta:
        key = msg.key.decode("utf-8", "replace") if isinstance(msg.key, bytes) else msg.key
        return MessageMeta(msg.topic, msg.partition, msg.offset, key)

    def route_raw(value: bytes | None, meta: MessageMeta) -> Any:
        return route_message(pipeline, value, meta, max_bytes=settings.max_article_bytes)

    tracker = OffsetTracker()

    @app.on_partitions_revoked.connect
    async def _revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        revoked = args[0] if args else kwargs.get("revoked", ())
        tracker.forget((tp.topic, tp.partition) for tp in revoked)
        gate.rebalanced()

    @app.on_partitions_assigned.connect
    async def _assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        gate.rebalanced()  # catch up on what the partitions' previous owners wrote

    async def refill(msg: Any, route: Callable[[bytes | None, MessageMeta], Any] = route_raw) -> None:
        """Process what the stream skipped on this partition before ``msg``, in order."""
        gap = tracker.gap(msg.topic, msg.partition, msg.offset)
        if gap is None:
            return
        recs = await read_range(settings, msg.topic, msg.partition, *gap)
        log.warning("stream skipped offsets; read them back", topic=msg.topic, partition=msg.partition,
                    start=gap[0], end=gap[1], records=len(recs))  # fmt: skip
        for rec in recs:
            key = rec.key.decode("utf-8", "replace") if isinstance(rec.key, bytes) else rec.key
            routed = route(rec.value, MessageMeta(rec.topic, rec.partition, rec.offset, key))
            await gate.flush()
            await emit(routed, rec)
        metrics.REFETCHED.labels(msg.topic).inc(len(recs))
        # let Faust commit past the offsets it never delivered (they are done now)
        add_gap = getattr(app.consumer, "_add_gap", None)
        if add_gap is not None:
            await add_gap(msg.tp, gap[0], gap[1] - 1)

    @app.agent(raw_topic, name="warta.process")
    async def process(stream: faust.StreamT) -> Any:
        async for event in stream.events():
            msg = event.message
            await gate.ready()
            await refill(msg)
            routed = route_raw(msg.value, _meta(msg))
            await gate.flush()
            await emit(routed, msg)
            yield routed.article.event_id if routed.article else None

    @app.timer(interval=5.0)
    async def consumer_lag() -> None:
        consumer = app.consumer
        for tp in consumer.assignment():
            if tp.topic != names.raw:
                continue
            high = consumer.highwater(tp)
            pos = await consumer.position(tp)
            if high is not None and pos is not None:
                metrics.CONSUMER_LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(
                    max(0, high - pos)
                )

    @app.page("/health")
    async def health(self: Any, request: Any) -> Any:
        ready = app.rebalancing is False and bool(app.consumer.assignment())
        return self.json({"status": "ok" if ready else "starting", "stages": pipeline.names},
                         status=200 if ready else 503)  # fmt: skip

    log.info("app created", brokers=settings.broker_list, stages=pipeline.names, tables=list(tables))
    return app
