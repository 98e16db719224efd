"""Prometheus metrics of the worker: ``warta_`` prefix, base units, bounded label sets."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

from streams import PIPELINE_VERSION, SCHEMA_VERSION, __version__

__all__ = [
    "ALERTS_FIRED",
    "ARTICLES_IN",
    "ARTICLES_OUT",
    "BUILD_INFO",
    "CONSUMER_LAG",
    "DLQ_RECORDS",
    "DUPLICATES",
    "END_TO_END",
    "END_TO_END_BUCKETS",
    "EVENT_CODES",
    "INFLIGHT",
    "INGEST_ERRORS",
    "INGEST_FEED_INTERVAL",
    "INGEST_FETCH_SECONDS",
    "INGEST_HTTP_REQUESTS",
    "INGEST_ITEMS_NEW",
    "INGEST_ITEMS_PUBLISHED",
    "INGEST_ITEMS_SEEN",
    "INGEST_LAST_SUCCESS",
    "LAST_PROCESSED",
    "LATENCY_BUCKETS",
    "PIPELINE_CALLS",
    "PIPELINE_CALL_INPUTS",
    "PUBLISH_TO_ENRICHED",
    "REFETCHED",
    "REGISTRY",
    "SHIPPED_GROUPS",
    "STAGE_SECONDS",
    "STORIES_OPEN",
    "TOPIC_CODES",
    "WEB_CLIENTS",
    "WEB_EVENTS_SENT",
    "init_series",
    "observe_alert",
    "observe_article",
    "observe_measure",
    "observe_pipeline_call",
    "observe_routed",
    "observe_stage",
]

#: Buckets from 1 ms to 30 s: the objective is well under a second.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)

disable_created_metrics()  # no *_created series: they double the cardinality for nothing
_reg: CollectorRegistry = REGISTRY

ARTICLES_IN = Counter("warta_articles_in_total", "Messages consumed, by topic", ["topic"], registry=_reg)
ARTICLES_OUT = Counter("warta_articles_out_total", "Records produced, by topic", ["topic"], registry=_reg)
DLQ_RECORDS = Counter(
    "warta_dlq_records_total", "Records sent to the DLQ, by error code", ["code"], registry=_reg
)
REFETCHED = Counter(
    "warta_refetched_total",
    "Input messages the Faust stream skipped and the worker read back from Kafka, by topic",
    ["topic"],
    registry=_reg,
)
DUPLICATES = Counter("warta_duplicates_total", "Duplicates flagged, by method", ["method"], registry=_reg)
STAGE_SECONDS = Histogram(
    "warta_stage_duration_seconds",
    "Time spent in each pipeline stage",
    ["stage"],
    buckets=STAGE_BUCKETS,
    registry=_reg,
)
PUBLISH_TO_ENRICHED = Histogram(
    "warta_publish_to_enriched_seconds",
    "From the producer's ingested_at to the enriched record being produced",
    buckets=LATENCY_BUCKETS,
    registry=_reg,
)
#: Fine where the targets are (p99 < 50 ms at 20/s, < 100 ms at half load), coarse beyond a second.
END_TO_END_BUCKETS = (
    0.005,
    0.01,
    0.02,
    0.03,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.5,
    0.75,
    1.0,
    2.0,
    5.0,
    10.0,
    30.0,
    60.0,
)
END_TO_END = Histogram(
    "warta_end_to_end_seconds",
    "From the input's ingested_at (else its Kafka timestamp) to the broker's acknowledgement of its enriched record",
    buckets=END_TO_END_BUCKETS,
    registry=_reg,
)
INFLIGHT = Gauge(
    "warta_inputs_in_flight",
    "Inputs dispatched and not yet acknowledged (the worker's adaptive batch)",
    registry=_reg,
)
PIPELINE_CALLS = Counter(
    "warta_pipeline_calls_total",
    "Round trips to the pipeline processes (each carries a batch of inputs)",
    registry=_reg,
)
PIPELINE_CALL_INPUTS = Counter(
    "warta_pipeline_call_inputs_total",
    "Inputs sent to the pipeline processes (per round trip: this over warta_pipeline_calls_total)",
    registry=_reg,
)
SHIPPED_GROUPS = Counter(
    "warta_shipped_groups_total",
    "Groups of finished inputs whose outputs were handed to the producer together (one state flush each)",
    registry=_reg,
)
CONSUMER_LAG = Gauge(
    "warta_consumer_lag_messages", "Messages behind the end of each input partition", ["topic", "partition"],
    registry=_reg,
)  # fmt: skip
STORIES_OPEN = Gauge(
    "warta_stories_open",
    "Stories held in the dedup window (one entry per story and input partition it was seen on)",
    registry=_reg,
)
ALERTS_FIRED = Counter(
    "warta_alerts_fired_total", "Alerts fired (new or escalated), by rule and severity", ["rule", "severity"],
    registry=_reg,
)  # fmt: skip
TOPIC_CODES = Counter(
    "warta_topics_total", "Articles labelled with each top-level IPTC topic", ["code"], registry=_reg
)
EVENT_CODES = Counter(
    "warta_events_total", "CAMEO events detected, by top-level CAMEO root code", ["root"], registry=_reg
)


#: Measure names stages report (``Doc.measure``) and the gauges that show them.
_MEASURE_GAUGES: dict[str, Gauge] = {"stories_open": STORIES_OPEN}


#: The stage histogram's children by stage name (``labels()`` takes a lock and builds a key per call).
_STAGE_CHILDREN: dict[str, Any] = {}


def observe_stage(stage: str, seconds: float) -> None:
    child = _STAGE_CHILDREN.get(stage)
    if child is None:
        child = _STAGE_CHILDREN[stage] = STAGE_SECONDS.labels(stage=stage)
    child.observe(seconds)


def observe_pipeline_call(inputs: int) -> None:
    """One round trip to the pipeline processes carrying ``inputs`` inputs."""
    PIPELINE_CALLS.inc()
    PIPELINE_CALL_INPUTS.inc(inputs)


def observe_measure(name: str, value: float) -> None:
    """A value a stage measured (``Doc.measures``) -> its gauge; unknown names are ignored."""
    gauge = _MEASURE_GAUGES.get(name)
    if gauge is not None:
        gauge.set(value)


#: Children of the per-article counters by (counter, label value): ``labels()`` takes a lock and
#: builds a key per call, ~20 calls an article on the worker's event loop.
_CHILDREN: dict[tuple[int, str], Any] = {}


def _child(metric: Any, value: str) -> Any:
    """``metric.labels(value)`` (a counter with one label), cached."""
    key = (id(metric), value)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(value)
    return child


def _inc_each(metric: Any, values: Any) -> None:
    """Increase ``metric``'s child of each value by how often the value occurs in ``values``."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    for v, n in counts.items():
        _child(metric, v).inc(n)


def observe_article(article: object) -> None:
    """Count an enriched article's top-level topics and CAMEO roots (bounded label values)."""
    _inc_each(TOPIC_CODES, [t.code for t in getattr(article, "topics", ()) if t.code.endswith("000000")])
    _inc_each(EVENT_CODES, [e.code[:2] for e in getattr(article, "events", ())])


BUILD_INFO = Gauge(
    "warta_build_info", "Always 1; labels carry the Warta, pipeline and schema versions",
    ["version", "pipeline_version", "schema_version"], registry=_reg,
)  # fmt: skip
BUILD_INFO.labels(
    version=__version__, pipeline_version=PIPELINE_VERSION, schema_version=str(SCHEMA_VERSION)
).set(1)
LAST_PROCESSED = Gauge(
    "warta_last_processed_timestamp_seconds", "Unix time of the last input message the worker handled",
    registry=_reg,
)  # fmt: skip
WEB_CLIENTS = Gauge("warta_web_clients", "Live-page clients connected to the event stream", registry=_reg)
WEB_EVENTS_SENT = Counter(
    "warta_web_events_sent_total", "Server-sent events written to live-page clients, by kind", ["kind"],
    registry=_reg,
)  # fmt: skip


def observe_alert(alert: Any) -> None:
    """Count one fired alert; the rule name comes from the rules file, so it is a bounded set."""
    ALERTS_FIRED.labels(
        rule=str(getattr(alert, "rule", "unknown")), severity=str(getattr(alert, "severity", "warning"))
    ).inc()


def observe_routed(routed: Any, in_topic: str, out_topic: Any, *, now: float | None = None) -> None:
    """Every metric for one routed input message (what the Faust agent does per message).

    ``routed`` is a :class:`streams.core.routing.Routed`; ``out_topic(role)`` names the topic of
    an output role. Label values are topic names, error codes, methods and top-level codes only.
    """
    now = time.time() if now is None else now
    _child(ARTICLES_IN, in_topic).inc()
    LAST_PROCESSED.set(now)
    _inc_each(ARTICLES_OUT, [out_topic(out.role) for out in routed.outputs])
    for out in routed.outputs:
        if out.role == "alerts":
            observe_alert(out.record)
    if routed.error is not None:
        _child(DLQ_RECORDS, routed.error.code).inc()
        return
    art = routed.article
    if art is None:
        return
    observe_article(art)
    if art.dedup.duplicate_of:
        DUPLICATES.labels(method=art.dedup.method or "exact").inc()
    if art.ingested_at:
        PUBLISH_TO_ENRICHED.observe(max(0.0, now - art.ingested_at))


def init_series(topics: Any, stages: Any = ()) -> None:
    """Create the zero-valued series of the bounded label sets up front (input/output topics,
    DLQ error codes, stages), so ``rate()`` and ``increase()`` see the first articles and the
    DLQ panels show 0 rather than "no data". The worker calls this once at start."""
    from streams.core.errors import ERROR_CODES

    ARTICLES_IN.labels(topic=topics.raw)
    from streams.core.settings import OUTPUT_ROLES

    for role in OUTPUT_ROLES:
        ARTICLES_OUT.labels(topic=getattr(topics, role))
    for code in ERROR_CODES:
        DLQ_RECORDS.labels(code=code)
    for stage in stages:
        STAGE_SECONDS.labels(stage=stage)


# --- ingest (`warta ingest feeds` / `warta ingest http`): the `feed` label is a feed's name from the
# feeds file (a bounded set), or "http" for the HTTP endpoint.
INGEST_ITEMS_SEEN = Counter(
    "warta_ingest_items_seen_total", "Items listed by a feed on each successful poll", ["feed"], registry=_reg
)
INGEST_ITEMS_NEW = Counter(
    "warta_ingest_items_new_total", "Items a feed listed for the first time", ["feed"], registry=_reg
)
INGEST_ITEMS_PUBLISHED = Counter(
    "warta_ingest_items_published_total", "RawArticles acknowledged by the raw topic (or written to the output)",
    ["feed"], registry=_reg,
)  # fmt: skip
INGEST_ERRORS = Counter(
    "warta_ingest_errors_total", "Feed, page and request errors, by feed and reason", ["feed", "reason"],
    registry=_reg,
)  # fmt: skip
INGEST_FETCH_SECONDS = Histogram(
    "warta_ingest_fetch_duration_seconds", "HTTP fetch time of feeds and pages", ["feed", "kind"],
    buckets=LATENCY_BUCKETS, registry=_reg,
)  # fmt: skip
INGEST_LAST_SUCCESS = Gauge(
    "warta_ingest_last_success_timestamp_seconds", "Unix time of a feed's last successful poll", ["feed"],
    registry=_reg,
)  # fmt: skip
INGEST_FEED_INTERVAL = Gauge(
    "warta_ingest_feed_interval_seconds", "A feed's configured polling interval", ["feed"], registry=_reg
)
INGEST_HTTP_REQUESTS = Counter(
    "warta_ingest_http_requests_total", "POST /articles requests, by response status", ["status"],
    registry=_reg,
)  # fmt: skip
