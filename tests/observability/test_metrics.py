"""The worker's metrics follow Prometheus conventions and never carry ids as label values."""

from __future__ import annotations

import re
import time

import orjson
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from streams.core.pipeline import build_pipeline
from streams.core.routing import MessageMeta, route_message, topic_for
from streams.core.settings import Settings
from streams.observability import metrics

#: Label names the worker may use; each takes values from a small closed set.
ALLOWED_LABELS = {
    "topic",
    "partition",
    "code",
    "root",
    "method",
    "stage",
    "rule",
    "severity",
    "kind",
    "le",
    "version",
    "pipeline_version",
    "schema_version",
    "feed",  # warta ingest: a feed's name from the feeds file, or "http"
    "reason",  # warta ingest: a fixed set of error reasons
    "status",  # warta ingest http: response status
}
ID_LIKE = re.compile(r"[0-9a-f]{10,}|[0-9A-Za-z_-]{24,}|\s")

ARTICLES = [
    {
        "id": "obs-en-1",
        "title": "Ceasefire talks resume",
        "text": "Negotiators met in Geneva on Monday to resume talks.",
    },
    {
        "id": "obs-id-1",
        "title": "Pembicaraan damai",
        "text": "Delegasi kedua negara bertemu di Jakarta pada Senin.",
    },
    {"id": "obs-en-2", "text": "Negotiators met in Geneva on Monday to resume talks."},
]


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _scrape() -> dict[str, object]:
    text = generate_latest(REGISTRY).decode()
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_processing_articles_moves_the_counters_and_names_follow_conventions():
    settings = Settings()
    pipeline = build_pipeline(settings, on_stage=metrics.observe_stage)
    raw_topic = settings.topics.raw
    before_in = _value("warta_articles_in_total", topic=raw_topic)
    before_out = _value("warta_articles_out_total", topic=settings.topics.enriched)
    before_dlq = _value("warta_dlq_records_total", code="W101")
    before_lat = _value("warta_publish_to_enriched_seconds_count")
    now = time.time()
    payloads = [orjson.dumps({**a, "ingested_at": now - 0.05}) for a in ARTICLES] + [b"{not json"]
    for offset, payload in enumerate(payloads):
        routed = route_message(pipeline, payload, MessageMeta(raw_topic, 0, offset, f"k{offset}"))
        metrics.observe_routed(routed, raw_topic, lambda role: topic_for(role, settings.topics), now=now)

    assert _value("warta_articles_in_total", topic=raw_topic) - before_in == 4
    assert _value("warta_articles_out_total", topic=settings.topics.enriched) - before_out == 3
    assert _value("warta_dlq_records_total", code="W101") - before_dlq == 1
    assert _value("warta_publish_to_enriched_seconds_count") - before_lat == 3
    assert _value("warta_last_processed_timestamp_seconds") == now
    assert _value("warta_stage_duration_seconds_count", stage="decode") > 0

    families = _scrape()
    warta = {n: f for n, f in families.items() if n.startswith("warta_") and not n.startswith("warta_faust")}
    # every metric the brief lists is exported
    for name in (
        "warta_articles_in",
        "warta_articles_out",
        "warta_dlq_records",
        "warta_duplicates",
        "warta_stage_duration_seconds",
        "warta_publish_to_enriched_seconds",
        "warta_consumer_lag_messages",
        "warta_stories_open",
        "warta_alerts_fired",
        "warta_topics",
        "warta_events",
    ):
        assert name in warta, f"{name} is not exported"
    seen_ids = {a["id"] for a in ARTICLES} | {f"k{i}" for i in range(len(payloads))}
    for name, fam in warta.items():
        assert re.fullmatch(r"warta_[a-z0-9_]+", name), name
        if fam.type == "counter":
            assert any(s.name == name + "_total" for s in fam.samples) or not fam.samples, name
        if fam.type == "histogram":
            assert name.endswith("_seconds"), f"histogram {name} must be in seconds"
        if fam.type == "gauge":
            assert not name.endswith("_total"), name
        for sample in fam.samples:
            assert set(sample.labels) <= ALLOWED_LABELS, (sample.name, sample.labels)
            for key, value in sample.labels.items():
                if key in ("le", "version", "pipeline_version"):
                    continue
                assert value not in seen_ids, f"{sample.name} has an article id as label {key}={value}"
                assert not ID_LIKE.search(value), f"{sample.name} label {key}={value!r} looks like an id"
                assert len(value) <= 40, (sample.name, key, value)


def test_observe_article_only_counts_top_level_codes():
    from streams.core.records import CameoEvent, EnrichedArticle, Topic

    art = EnrichedArticle(
        id="x",
        event_id="y",
        body="b",
        topics=[
            Topic(code="medtop:16000000", label="conflict, war and peace", score=0.9),
            Topic(code="medtop:20000076", label="peace talks", score=0.8),
        ],
        events=[CameoEvent(code="046", label="engage in negotiation", score=0.7)],
    )
    top = _value("warta_topics_total", code="medtop:16000000")
    leaf = _value("warta_topics_total", code="medtop:20000076")
    root = _value("warta_events_total", root="04")
    metrics.observe_article(art)
    assert _value("warta_topics_total", code="medtop:16000000") == top + 1
    assert _value("warta_topics_total", code="medtop:20000076") == leaf == 0
    assert _value("warta_events_total", root="04") == root + 1


def test_observe_alert_counts_by_rule_and_severity():
    from streams.core.records import Alert

    before = _value("warta_alerts_fired_total", rule="casualties", severity="critical")
    metrics.observe_alert(Alert(id="a1", rule="casualties", severity="critical", message="m"))
    assert _value("warta_alerts_fired_total", rule="casualties", severity="critical") == before + 1


def test_init_series_creates_zero_series_for_bounded_labels():
    from streams.core.settings import TopicNames

    topics = TopicNames(raw="init.raw", enriched="init.enriched")
    metrics.init_series(topics, ["decode"])
    text = generate_latest(REGISTRY).decode()
    assert 'warta_articles_in_total{topic="init.raw"} 0.0' in text
    assert 'warta_articles_out_total{topic="init.enriched"} 0.0' in text
    assert 'warta_dlq_records_total{code="W101"}' in text


def test_repeated_label_values_count_once_each_output_and_event():
    """The per-article counters are increased once per label value by how often it occurs: the
    same totals as one increase per output record and per event."""
    from streams.core.records import CameoEvent, EnrichedArticle
    from streams.core.routing import Output, Routed

    art = EnrichedArticle(
        id="x2",
        event_id="y2",
        body="b",
        events=[
            CameoEvent(code="046", label="engage in negotiation", score=0.7),
            CameoEvent(code="042", label="make a visit", score=0.6),
            CameoEvent(code="190", label="use conventional military force", score=0.5),
        ],
    )
    outs = [Output("enriched", "x2", b"{}")] + [Output("events", f"e{i}", b"{}") for i in range(3)]
    names = {"enriched": "obs.enriched", "events": "obs.events"}
    before = {t: _value("warta_articles_out_total", topic=t) for t in names.values()}
    roots = {r: _value("warta_events_total", root=r) for r in ("04", "19")}
    before_in = _value("warta_articles_in_total", topic="obs.raw")
    metrics.observe_routed(Routed(outs, article=art), "obs.raw", names.__getitem__)
    metrics.observe_routed(Routed(outs[:1], article=art), "obs.raw", names.__getitem__)
    assert _value("warta_articles_in_total", topic="obs.raw") == before_in + 2
    assert _value("warta_articles_out_total", topic="obs.enriched") == before["obs.enriched"] + 2
    assert _value("warta_articles_out_total", topic="obs.events") == before["obs.events"] + 3
    assert _value("warta_events_total", root="04") == roots["04"] + 4
    assert _value("warta_events_total", root="19") == roots["19"] + 2
