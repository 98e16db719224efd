"""The live page in headless Chromium: articles appear, filters apply, untrusted text stays text."""

from __future__ import annotations

import os
import shutil
import time
from importlib import resources
from pathlib import Path

import pytest

from streams.core.pipeline import build_pipeline
from streams.core.records import Alert
from streams.core.settings import Settings
from streams.ingest.inputs import iter_inputs
from streams.kafka.admin import create_topics
from streams.kafka.client import collect, publish_items
from streams.sinks.live.app import EventHub, create_web_app

from .helpers import CHROMIUM, Browser, FakeSource, serve

SAMPLES = Path(str(resources.files("streams.data") / "samples"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not found: apt-get install chromium"),
]

ROOT = Path(__file__).resolve().parents[2]
EVIL_TITLE = '<script>window.__pwned="title"</script><img src=x onerror="window.__pwned=\'img\'">'
EVIL_BODY = 'Jakarta <b onmouseover="window.__pwned=1">bold</b> <iframe src="javascript:window.__pwned=3"></iframe> 12 korban'


@pytest.fixture
def browser(tmp_path):
    b = Browser(tmp_path).start()
    try:
        yield b
    finally:
        b.close()


def _count(b: Browser) -> int:
    return int(b.eval("document.querySelectorAll('#feed article').length"))


def test_untrusted_text_is_rendered_as_text(browser, tmp_path):
    fake = FakeSource()
    hub = EventHub()
    body = EVIL_BODY
    hub.publish_record(
        "article",
        {
            "id": "evil-1",
            "title": EVIL_TITLE,
            "body": body,
            "url": "javascript:window.__pwned=4",
            "language": "id",
            "entities": [{"text": "Jakarta", "name": "Jakarta", "type": 'GPE"><script>', "spans": [[0, 7]]}],
            "figures": [
                {"kind": "killed", "value": 12, "text": "12 korban", "span": [len(body) - 9, len(body)]}
            ],
            "dedup": {"story_id": "s-evil"},
        },
    )
    hub.publish_record(
        "alert", {"id": "al-evil", "rule": "<img src=x onerror=alert(1)>", "message": EVIL_TITLE}
    )
    with serve(create_web_app(Settings(), source=fake, hub=hub)) as base:
        browser.goto(base + "/")
        browser.wait_for("document.querySelectorAll('#feed article').length === 1")
        browser.wait_for("document.querySelectorAll('#alerts li').length === 1")
        # hover over everything to trigger inline handlers, if any had been created
        browser.eval(
            "document.querySelectorAll('*').forEach(e => e.dispatchEvent(new MouseEvent('mouseover')))"
        )
        time.sleep(0.3)
        state = browser.eval(
            """({
              pwned: window.__pwned === undefined ? null : String(window.__pwned),
              scripts: document.scripts.length,
              imgs: document.images.length,
              iframes: document.querySelectorAll('iframe').length,
              bolds: document.querySelectorAll('#feed b').length,
              title: document.querySelector('#feed article h3').textContent,
              link: document.querySelectorAll('a[href]').length,
              body: document.querySelector('#feed .body').textContent,
              marks: [...document.querySelectorAll('#feed mark')].map(m => [m.className, m.textContent]),
              alert: document.querySelector('#alerts .rule').textContent,
            })"""
        )
    assert state["pwned"] is None, f"injected code ran: {state['pwned']} ({browser.console})"
    assert state["scripts"] == 1 and state["imgs"] == 0 and state["iframes"] == 0 and state["bolds"] == 0
    assert state["title"] == EVIL_TITLE  # shown literally
    assert state["link"] == 0  # a javascript: URL never becomes a link
    assert state["body"] == body
    assert state["marks"] == [["entity GPEscript", "Jakarta"], ["figure killed", "12 korban"]]
    assert state["alert"].endswith("<img src=x onerror=alert(1)>")


def test_live_arrival_filter_and_story_grouping_with_fake_source(browser, tmp_path):
    fake = FakeSource()
    with serve(create_web_app(Settings(), source=fake)) as base:
        browser.goto(base + "/")
        browser.wait_for("document.getElementById('status').textContent === 'live'")
        for i, (lang, topic) in enumerate([("id", "16000000"), ("en", "04000000"), ("id", "16000000")]):
            fake.put(
                "article",
                {
                    "id": f"f{i}",
                    "title": f"Artikel {i}",
                    "body": f"Isi {i}",
                    "language": lang,
                    "topics": [{"code": f"medtop:{topic}", "label": topic, "score": 0.9}],
                    "dedup": {"story_id": "same" if i != 1 else "other"},
                },
            )
        browser.wait_for("document.querySelectorAll('#feed article').length === 3")
        assert browser.eval("document.querySelectorAll('#feed section.story').length") == 2
        assert browser.eval("document.querySelector('#feed section.story').dataset.story") == "same"
        browser.eval(
            "document.querySelector('[name=language]').value = 'en'; document.getElementById('apply').click()"
        )
        browser.wait_for("document.querySelectorAll('#feed article').length === 1")
        assert browser.eval("document.querySelector('#feed article').dataset.id") == "f1"
        assert "language=en" in browser.eval("location.search")
        browser.screenshot(tmp_path / "live-fake.png")
    assert (tmp_path / "live-fake.png").stat().st_size > 5000


@pytest.mark.kafka
def test_live_page_against_a_running_worker(kafka_env, browser, tmp_path):
    """Real broker and worker: published articles appear on the page, a filter narrows them.

    With WARTA_SCREENSHOT=1 the screenshot is also copied to deploy/screenshots/live-page.png.
    """
    s = kafka_env.settings
    create_topics(s)
    kafka_env.worker().start()
    items = list(iter_inputs(sorted(str(p) for p in SAMPLES.glob("*.txt"))))
    with serve(create_web_app(s, hub=EventHub(backlog=20))) as base:
        browser.goto(base + "/")
        browser.wait_for("document.getElementById('status').textContent === 'live'")
        kafka_env.run(publish_items(s, items))
        enriched = {r.value["id"]: r.value for r in kafka_env.run(collect(s, s.topics.enriched, len(items)))}
        assert len(enriched) == len(items)
        browser.wait_for(f"document.querySelectorAll('#feed article').length === {len(items)}", timeout=60)
        shown = set(browser.eval("[...document.querySelectorAll('#feed article')].map(a => a.dataset.id)"))
        assert shown == set(enriched)
        title = next(iter(enriched.values()))["title"]
        if title:
            assert title in browser.eval("document.getElementById('feed').textContent")
        # stories on the page follow dedup.story_id
        stories = {v["dedup"].get("story_id") or "article:" + k for k, v in enriched.items()}
        assert browser.eval("document.querySelectorAll('#feed section.story').length") == len(stories)
        # an alert on warta.alerts shows up in the side panel
        aid = min(enriched, key=lambda k: (not (enriched[k].get("figures") or []), k))  # one with figures
        alert = Alert(id="al-demo", rule="mass-casualties", severity="critical", story_id=None,
                      message="Casualties reported: " + (enriched[aid]["title"] or aid), article_ids=[aid])  # fmt: skip
        kafka_env.run(_produce(s, s.topics.alerts, alert.id, alert.model_dump_json().encode()))
        browser.wait_for("document.querySelectorAll('#alerts li.critical').length === 1", timeout=30)
        full = tmp_path / "live-page.png"
        browser.screenshot(full)

        # filter by language: exactly the Indonesian articles remain (server-side filtering)
        browser.eval(
            "document.querySelector('[name=language]').value = 'id'; document.getElementById('apply').click()"
        )
        want = {k for k, v in enriched.items() if v.get("language") == "id"}
        if "language" in build_pipeline(s).names:
            assert want and want != set(enriched)
        browser.wait_for(
            f"document.querySelectorAll('#feed article').length === {len(want)} && location.search.includes('language=id')",
            timeout=20,
        )
        time.sleep(0.5)
        assert (
            set(browser.eval("[...document.querySelectorAll('#feed article')].map(a => a.dataset.id)"))
            == want
        )
        browser.screenshot(tmp_path / "live-page-filtered.png")
    assert full.stat().st_size > 10_000
    if os.environ.get("WARTA_SCREENSHOT"):
        dest = ROOT / "deploy" / "screenshots"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(full, dest / "live-page.png")


async def _produce(settings, topic: str, key: str, value: bytes) -> None:  # type: ignore[no-untyped-def]
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.broker_list, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key.encode())
    finally:
        await producer.stop()
