"""A real Prometheus scrapes a real worker (real Kafka) and its API reports what was processed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from streams.ingest.inputs import iter_inputs
from streams.kafka.admin import create_topics
from streams.kafka.client import collect, publish_items

from .helpers import PROMETHEUS, Prometheus, serve

pytestmark = [
    pytest.mark.prometheus,
    pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not found: apt-get install prometheus"),
]

SAMPLES = Path(str(resources.files("streams.data") / "samples"))


def test_prometheus_scrapes_a_tiny_exporter(tmp_path):
    """Scrape path and rules load without Kafka (a prometheus_client server in-process)."""
    from prometheus_client import CollectorRegistry, Counter, make_asgi_app

    reg = CollectorRegistry()
    Counter("warta_articles_in_total", "in", ["topic"], registry=reg).labels(topic="raw").inc(7)
    with serve(make_asgi_app(registry=reg)) as base:
        prom = Prometheus(tmp_path, {"warta-worker": [base.removeprefix("http://")]})
        try:
            prom.start()
            assert prom.wait_value('sum(warta_articles_in_total{job="warta-worker"})', lambda v: v == 7) == 7
            rules = prom.query('up{job="warta-worker"}')
            assert rules and rules[0]["value"][1] == "1"
        finally:
            prom.stop()


@pytest.mark.kafka
def test_prometheus_scrapes_the_worker_and_counts_processed_articles(kafka_env, tmp_path):
    s = kafka_env.settings
    create_topics(s)
    worker = kafka_env.worker().start()
    items = list(iter_inputs(sorted(str(p) for p in SAMPLES.glob("*.txt"))))
    assert items
    prom = Prometheus(tmp_path, {"warta-worker": [f"127.0.0.1:{worker.web_port}"]})
    try:
        prom.start()
        prom.wait_value('up{job="warta-worker"}', lambda v: v == 1)
        # a labelled counter appears with its first increment, so rate() needs a second scrape
        # after more articles: publish one, wait until it is scraped, then the rest
        kafka_env.run(publish_items(s, items[:1]))
        prom.wait_value('sum(warta_articles_in_total{job="warta-worker"})', lambda v: v >= 1)
        kafka_env.run(publish_items(s, items[1:]))
        recs = kafka_env.run(collect(s, s.topics.enriched, len(items), timeout=60))
        assert len(recs) == len(items)
        n = prom.wait_value('sum(warta_articles_in_total{job="warta-worker"})', lambda v: v >= len(items))
        assert n == len(items)
        out = prom.wait_value(
            f'sum(warta_articles_out_total{{job="warta-worker", topic="{s.topics.enriched}"}})',
            lambda v: v >= len(items),
        )
        assert out == len(items)
        # per-stage latency and Faust's own sensors are scraped too
        stages = {r["metric"]["stage"] for r in prom.query("warta_stage_duration_seconds_count")}
        assert "decode" in stages
        assert prom.query('{__name__=~"warta_faust_.+"}'), "Faust's prometheus sensors are not exported"
        # the recording rules evaluate over the scraped data
        prom.wait_value("warta:articles_in:rate1m", lambda v: v > 0)
        prom.wait_value("warta:publish_to_enriched_seconds:p99_5m", lambda v: 0 < v < 30)
        # no label of a warta_* series carries an article id
        ids = {r.value["id"] for r in recs} | {r.value["event_id"] for r in recs}
        for series in prom.query('{__name__=~"warta_.+"}'):
            assert not set(series["metric"].values()) & ids, series["metric"]
    finally:
        prom.stop()
