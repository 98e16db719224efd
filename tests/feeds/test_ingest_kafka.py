"""The publish path on the real Kafka broker: restarts, outages, and the HTTP endpoint."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from streams.feeds.config import FeedList, FeedSpec
from streams.feeds.http_api import create_ingest_app
from streams.feeds.poller import poll_once_to_kafka
from streams.feeds.sinks import KafkaSink
from streams.kafka.admin import create_topics
from streams.kafka.client import collect
from tests.feeds.conftest import fast
from tests.feeds.server import Reply, TestServer, article_html
from tests.observability.helpers import serve

pytestmark = pytest.mark.kafka


def _settings(kafka_env, **kw):  # type: ignore[no-untyped-def]
    base = kafka_env.settings
    return fast(brokers=base.brokers, app_id=base.app_id, topics=base.topics, partitions=base.partitions,
                data_dir=base.data_dir, **kw)  # fmt: skip


async def _poll(settings, specs, state_path: Path):  # type: ignore[no-untyped-def]
    return await poll_once_to_kafka(FeedList(feeds=tuple(specs)), settings, state_path)


def _raw_urls(settings, expect: int) -> list[str]:  # type: ignore[no-untyped-def]
    recs = collect(settings, settings.topics.raw, expect + 5, timeout=8)
    return [r.value["url"] for r in recs]


def test_restart_between_polls_publishes_nothing_twice(kafka_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = _settings(kafka_env)
    create_topics(s)
    srv = TestServer()
    try:
        for i in range(6):
            srv.page(f"/p/{i}.html", f"Berita {i}")
        srv.feed("/f.xml", [(f"/p/{i}.html", f"B{i}") for i in range(4)])
        spec = [FeedSpec(url=f"{srv.base}/f.xml", name="restart")]
        first = asyncio.run(_poll(s, spec, tmp_path / "state.db"))
        # a new process on the same state; the feed now lists two more items
        srv.feed("/f.xml", [(f"/p/{i}.html", f"B{i}") for i in range(6)])
        second = asyncio.run(_poll(s, spec, tmp_path / "state.db"))
        third = asyncio.run(_poll(s, spec, tmp_path / "state.db"))
        assert (first.published, second.published, third.published) == (4, 2, 0)
        urls = _raw_urls(s, 6)
        assert sorted(urls) == sorted(f"{srv.base}/p/{i}.html" for i in range(6)), "each item exactly once"
        assert all(srv.hits[f"/p/{i}.html"] == 1 for i in range(6)), "no page is fetched twice"
        recs = collect(s, s.topics.raw, 6, timeout=5)
        assert all(r.key == r.value["id"] for r in recs)
    finally:
        srv.close()


def test_a_feed_failing_five_times_then_recovering_loses_no_item(kafka_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = _settings(kafka_env, ingest_max_attempts=8)
    create_topics(s)
    srv = TestServer()
    try:
        for i in range(8):
            srv.page(f"/p/{i}.html", f"Berita {i}")
        page_calls = {"n": 0}

        def flaky_page(_req: dict[str, str]) -> Reply:  # the page of item 7 fails 5 times too
            page_calls["n"] += 1
            if page_calls["n"] <= 5:
                return Reply(500, b"oops")
            return Reply(200, article_html("Berita 7").encode(), {"Content-Type": "text/html"})

        srv.routes["/p/7.html"] = flaky_page
        srv.feed("/f.xml", [(f"/p/{i}.html", f"B{i}") for i in (0, 1, 7)])
        spec = [FeedSpec(url=f"{srv.base}/f.xml", name="flaky")]
        state = tmp_path / "state.db"
        asyncio.run(_poll(s, spec, state))
        # the feed goes down (5 x 503) while the outlet publishes items 2..6 and drops 7 from the feed
        listing = srv.routes["/f.xml"]
        feed_calls = {"n": 0}
        srv.feed("/f.xml", [(f"/p/{i}.html", f"B{i}") for i in range(7)])
        recovered = srv.routes["/f.xml"]

        def flaky_feed(req: dict[str, str]) -> Reply:
            feed_calls["n"] += 1
            if feed_calls["n"] <= 5:
                return Reply(503, b"down", {"Retry-After": "0"})
            return recovered(req) if callable(recovered) else recovered

        assert listing is not None
        srv.routes["/f.xml"] = flaky_feed
        for _ in range(12):
            time.sleep(0.25)  # past the host back-off (ingest_backoff_max)
            asyncio.run(_poll(s, spec, state))
        assert feed_calls["n"] >= 6 and page_calls["n"] >= 6
        urls = _raw_urls(s, 8)
        assert sorted(urls) == sorted(f"{srv.base}/p/{i}.html" for i in range(8)), "every item, once"
    finally:
        srv.close()


@pytest.fixture
def endpoint(kafka_env) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    s = _settings(
        kafka_env, ingest_token="s3cret-token", ingest_max_body_bytes=50_000, ingest_max_inflight=50
    )
    create_topics(s)
    with serve(create_ingest_app(s, KafkaSink(s)), ready_within=30, stop_within=10) as url:
        yield url, s


def test_http_endpoint_auth_partial_batch_and_limits(endpoint) -> None:  # type: ignore[no-untyped-def]
    url, s = endpoint
    one = {"id": "h-1", "text": "Banjir melanda Semarang pada Selasa pagi.", "source": "Contoh"}
    assert httpx.post(url + "/articles", json=one).status_code == 401
    assert (
        httpx.post(url + "/articles", json=one, headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    auth = {"Authorization": "Bearer s3cret-token"}
    r = httpx.post(url + "/articles", json=one, headers=auth)
    assert r.status_code == 202 and r.json()["ids"] == ["h-1"]
    batch = b"\n".join([
        orjson.dumps({"id": "h-2", "text": "Harga beras naik di tiga provinsi."}),
        orjson.dumps({"id": "h-bad", "title": "no text and no html"}),
        b"{not json",
        orjson.dumps({"url": "https://example.com/a", "html": "<p>Tim voli putri lolos ke final.</p>"}),
    ])  # fmt: skip
    r = httpx.post(url + "/articles", content=batch, headers={**auth, "Content-Type": "application/x-ndjson"})
    assert r.status_code == 400
    body = r.json()
    assert [(e["line"], e["code"]) for e in body["errors"]] == [(2, "W103"), (3, "W101")]
    assert body["ids"][0] == "h-2" and body["ids"][1].startswith("u-") and body["published"] == 2
    recs = collect(s, s.topics.raw, 3, timeout=20)
    assert sorted(r.value["id"] for r in recs) == sorted(["h-1", *body["ids"]]), (
        "the good records are published"
    )
    assert all(r.value.get("ingested_at") for r in recs)
    big = orjson.dumps({"text": "x" * 60_000})
    json_auth = {**auth, "Content-Type": "application/json"}
    assert httpx.post(url + "/articles", content=big, headers=json_auth).status_code == 413
    assert httpx.post(url + "/articles", content=big, headers=auth).status_code == 415, "no Content-Type"
    many = b"\n".join(orjson.dumps({"text": f"artikel {i}"}) for i in range(60))
    r = httpx.post(url + "/articles", content=many, headers=json_auth)
    assert r.status_code == 202 and r.json()["published"] == 60, (
        "a batch over ingest_max_inflight is not refused when nothing else is in flight"
    )
    metrics_text = httpx.get(url + "/metrics").text
    assert 'warta_ingest_http_requests_total{status="401"}' in metrics_text
    assert httpx.get(url + "/health").json()["status"] == "ok"
