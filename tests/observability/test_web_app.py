"""The live page's HTTP surface with a fake in-memory event source (no Kafka)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from streams.core.settings import Settings
from streams.sinks.live.app import SECURITY_HEADERS, EventHub, create_web_app

from .helpers import FakeSource, read_sse, serve

STATIC = Path(__file__).resolve().parents[2] / "streams" / "sinks" / "live" / "static"
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def article(i: int, **over):
    base = {
        "id": f"a{i}",
        "event_id": f"e{i}",
        "title": f"Title {i}",
        "body": f"Body {i} mentions Jakarta.",
        "language": "id" if i % 2 else "en",
        "topics": [{"code": "medtop:16000000", "label": "conflict, war and peace", "score": 0.9}] if i % 2 else [],
        "entities": [{"text": "Jakarta", "name": "Jakarta", "type": "GPE", "spans": [[len(f"Body {i} mentions "), len(f"Body {i} mentions Jakarta")]], "confidence": 0.9}],
        "dedup": {"story_id": "s1"},
    }  # fmt: skip
    base.update(over)
    return base


@pytest.fixture
def fake():
    return FakeSource()


def test_backlog_then_live_events_with_filters(fake):
    hub = EventHub(backlog=10)
    for i in range(3):
        hub.publish_record("article", article(i))
    hub.publish_record("article", {"not": "an article"})  # skipped
    with serve(create_web_app(Settings(), source=fake, hub=hub)) as base:
        events = read_sse(base + "/events", want=4)
        assert [k for k, _ in events] == ["hello", "article", "article", "article"]
        assert [d["id"] for _, d in events[1:]] == ["a0", "a1", "a2"]

        # filtered: only odd (Indonesian, with a topic) articles, then a live one arrives
        fake.put("article", article(5))
        fake.put("alert", {"id": "al1", "rule": "casualties", "severity": "critical", "message": "m"})
        events = read_sse(base + "/events?language=id&topic=16000000", want=4)
        assert [(k, d.get("id")) for k, d in events[1:]] == [
            ("article", "a1"),
            ("article", "a5"),
            ("alert", "al1"),
        ]
        assert events[0][1]["filters"]["language"] == "id"

        # reconnect with Last-Event-ID only replays what came after it
        resumed = read_sse(base + "/events", want=2, headers={"Last-Event-ID": "4"})
        assert [d.get("id") for _, d in resumed[1:]] == ["al1"]
        # an id from before a server restart (larger than any here) replays the whole backlog
        stale = read_sse(base + "/events", want=3, headers={"Last-Event-ID": "999"})
        assert [d.get("id") for _, d in stale[1:]] == ["a0", "a1"]

        # closed streams unsubscribe (the clients gauge goes back to zero)
        deadline = time.monotonic() + 5
        while httpx.get(base + "/health").json()["clients"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(base + "/health").json()["clients"] == 0

        recent = httpx.get(base + "/api/recent?entity=jakarta&language=en").json()
        assert [(i["kind"], i["data"]["id"]) for i in recent["items"]] == [
            ("article", "a0"),
            ("article", "a2"),
            ("alert", "al1"),
        ]


def test_token_is_required_everywhere_when_set(fake):
    settings = Settings(web_token="t0ken")
    with serve(create_web_app(settings, source=fake)) as base:
        for path in ("/", "/events", "/api/recent"):
            assert httpx.get(base + path).status_code == 401
            assert httpx.get(base + path + "?token=nope").status_code == 401
        assert httpx.get(base + "/?token=t0ken").status_code == 200
        assert httpx.get(base + "/api/recent", headers={"Authorization": "Bearer t0ken"}).status_code == 200
        events = read_sse(base + "/events?token=t0ken", want=1)
        assert events[0][0] == "hello"
        assert httpx.get(base + "/health").status_code == 200


def test_page_is_served_with_strict_headers_and_carries_no_data(fake):
    hub = EventHub()
    hub.publish_record("article", article(1, title=EVIL, body=EVIL + " tail"))
    with serve(create_web_app(Settings(), source=fake, hub=hub)) as base:
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        for key, value in SECURITY_HEADERS.items():
            assert page.headers[key] == value
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "__pwned" not in page.text  # data never goes into the HTML
        assert httpx.get(base + "/static/live.js").status_code == 200
        # the SSE payload is JSON: the markup arrives as an inert string
        events = read_sse(base + "/events", want=2)
        assert events[1][1]["title"] == EVIL
        metrics = httpx.get(base + "/metrics").text
        assert "warta_web_events_sent_total" in metrics and "warta_web_clients" in metrics


def test_static_js_never_builds_markup_from_strings():
    js = (STATIC / "live.js").read_text()
    code = "\n".join(line for line in js.splitlines() if not line.strip().startswith("//"))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, f"live.js uses {sink}"
    html = (STATIC / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script> would be blocked by the CSP"
    assert "style=" not in html


async def test_source_is_restarted_with_backoff_after_failures() -> None:
    """A broker outage ends the Kafka source with an error: it is started again (tenacity), and a
    source that returns normally is not restarted."""
    from streams.sinks.live.app import _run_source

    calls: list[float] = []

    async def flaky(hub: EventHub) -> None:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise OSError("broker down")
        hub.publish("article", {"id": "after-restart"})

    hub = EventHub()
    await _run_source(flaky, hub, initial=0.05, max_delay=0.2)
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 0.045 and calls[2] - calls[1] >= 0.095  # 0.05 s, then 0.1 s
    assert [i.data["id"] for i in hub.recent()] == ["after-restart"]
