"""Prometheus metrics of the worker: ``warta_`` prefix, base units, bounded label sets."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

__all__ = [
    "ALERTS_FIRED",
    "ARTICLES_IN",
    "ARTICLES_OUT",
    "CONSUMER_LAG",
    "DLQ_RECORDS",
    "DUPLICATES",
    "EVENT_CODES",
    "LATENCY_BUCKETS",
    "PUBLISH_TO_ENRICHED",
    "REGISTRY",
    "STAGE_SECONDS",
    "STORIES_OPEN",
    "TOPIC_CODES",
    "observe_article",
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
CONSUMER_LAG = Gauge(
    "warta_consumer_lag_messages", "Messages behind the end of each input partition", ["topic", "partition"],
    registry=_reg,
)  # fmt: skip
STORIES_OPEN = Gauge("warta_stories_open", "Stories seen within the dedup window", registry=_reg)
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


def observe_stage(stage: str, seconds: float) -> None:
    STAGE_SECONDS.labels(stage=stage).observe(seconds)


def observe_article(article: object) -> None:
    """Count an enriched article's top-level topics and CAMEO roots (bounded label values)."""
    for topic in getattr(article, "topics", ()):
        code = topic.code
        if code.endswith("000000"):
            TOPIC_CODES.labels(code=code).inc()
    for event in getattr(article, "events", ()):
        EVENT_CODES.labels(root=event.code[:2]).inc()
