"""The poller against a real local HTTP server, writing JSONL (no broker): feeds, pages, failures."""

from __future__ import annotations

import asyncio
import base64
import gzip
import io
import time
from pathlib import Path

import orjson
import pytest

from streams.feeds.config import FeedList, FeedSpec, parse_feeds
from streams.feeds.poller import Poller
from streams.feeds.sinks import JsonlSink
from streams.feeds.state import FeedState
from streams.observability import metrics
from tests.feeds.conftest import fast
from tests.feeds.server import Reply, TestServer, article_html


class Run:
    """A poller over ``specs`` with its JSONL outputs and state (reopened by ``restart``)."""

    def __init__(self, specs: list[FeedSpec], state_path: Path, **settings: object):
        self.specs = specs
        self.state_path = state_path
        self.settings = fast(**settings)
        self.out = io.BytesIO()
        self.dlq = io.BytesIO()
        self._open()

    def _open(self) -> None:
        self.state = FeedState(self.state_path)
        self.poller = Poller(
            FeedList(feeds=tuple(self.specs)), self.settings, JsonlSink(self.out, self.dlq), self.state
        )

    async def poll(self, force: bool = True):  # type: ignore[no-untyped-def]
        return await self.poller.poll_once(force=force)

    async def restart(self) -> None:
        await self.poller.aclose()
        self.state.close()
        self._open()

    async def close(self) -> None:
        await self.poller.aclose()
        self.state.close()

    def records(self) -> list[dict]:
        return [orjson.loads(line) for line in self.out.getvalue().splitlines()]

    def dead(self) -> list[dict]:
        return [orjson.loads(line) for line in self.dlq.getvalue().splitlines()]


def _errors(feed: str, reason: str) -> float:
    return (
        metrics.REGISTRY.get_sample_value("warta_ingest_errors_total", {"feed": feed, "reason": reason})
        or 0.0
    )


async def test_rss_atom_sitemap_and_gzip_feeds_publish_every_item(server: TestServer, tmp_path: Path) -> None:
    b = server.base
    for i in range(3):
        server.page(f"/rss/{i}.html", f"Berita RSS {i}")
        server.page(f"/atom/{i}.html", f"Berita Atom {i}")
        server.page(f"/sm/{i}.html", f"Berita Sitemap {i}")
        server.page(f"/gz/{i}.html", f"Berita Gzip {i}")
    server.feed("/rss.xml", [(f"/rss/{i}.html?utm_source=feed&fbclid=x", f"RSS {i}") for i in range(3)])
    server.feed("/gz.xml", [(f"/gz/{i}.html", f"Gz {i}") for i in range(3)], gz=True)
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>' + "".join(
        f'<entry><title>Atom {i}</title><link rel="alternate" href="{b}/atom/{i}.html"/><id>urn:a:{i}</id>'
        f"<updated>2026-11-24T10:0{i}:00</updated></entry>" for i in range(3)) + "</feed>").encode()  # fmt: skip
    server.routes["/atom.xml"] = Reply(200, atom, {"Content-Type": "application/atom+xml"})
    sm = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
          'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(
        f"<url><loc>{b}/sm/{i}.html</loc><news:news><news:publication><news:name>SM</news:name>"
        f"<news:language>id</news:language></news:publication>"
        f"<news:publication_date>2026-11-24T10:00:00+07:00</news:publication_date>"
        f"<news:title>Sitemap {i}</news:title></news:news></url>" for i in range(3)) + "</urlset>").encode()  # fmt: skip
    server.routes["/sitemap.xml"] = Reply(200, gzip.compress(sm), {"Content-Type": "application/x-gzip"})
    specs = [
        FeedSpec(url=f"{b}/rss.xml", name="rss", outlet="Contoh"),
        FeedSpec(url=f"{b}/atom.xml", name="atom", timezone="Asia/Jakarta"),
        FeedSpec(url=f"{b}/sitemap.xml", name="sitemap", outlet="SM"),
        FeedSpec(url=f"{b}/gz.xml", name="gz"),
    ]
    run = Run(specs, tmp_path / "s.db")
    stats = await run.poll()
    await run.close()
    recs = run.records()
    assert stats.feeds_ok == 4 and stats.published == 12 == len(recs)
    urls = {r["url"] for r in recs}
    assert f"{b}/rss/0.html" in urls, "tracking parameters are stripped from the canonical URL"
    by_url = {r["url"]: r for r in recs}
    assert by_url[f"{b}/rss/1.html"]["source"] == "Contoh"
    assert by_url[f"{b}/rss/1.html"]["published_at"] == "2026-11-24T10:00:00+07:00"
    assert by_url[f"{b}/atom/2.html"]["published_at"] == "2026-11-24T10:02:00+07:00", (
        "naive date read in the hint zone"
    )
    assert by_url[f"{b}/sm/0.html"]["language"] == "id" and by_url[f"{b}/sm/0.html"]["title"] == "Sitemap 0"
    assert all("Berita" in r["html"] and r["id"].startswith("u-") and r["ingested_at"] > 0 for r in recs)
    assert server.seen_headers["/rss/0.html"]["user-agent"].startswith("Warta/")


async def test_bad_feeds_and_pages_never_stop_the_poller(server: TestServer, tmp_path: Path) -> None:
    b = server.base
    server.routes["/broken.xml"] = Reply(
        200, b"<rss><channel><item><title>x</titl", {"Content-Type": "text/xml"}
    )
    server.routes["/html.xml"] = Reply(
        200, b"<!DOCTYPE html><html><body>Login</body></html>", {"Content-Type": "text/html"}
    )
    server.routes["/gone.xml"] = Reply(404, b"no")
    latin = article_html("Caf\u00e9 di Bandung ramai", charset="windows-1252", meta=False).encode("cp1252")
    server.routes["/p/latin.html"] = Reply(200, latin, {"Content-Type": "text/html; charset=windows-1252"})
    meta_only = article_html("R\u00e9sum\u00e9 berita", charset="iso-8859-1").encode("latin-1")
    server.routes["/p/meta.html"] = Reply(200, meta_only, {"Content-Type": "text/html"})
    server.routes["/p/missing.html"] = Reply(404, b"<html>Not found</html>", {"Content-Type": "text/html"})
    server.routes["/p/huge.html"] = Reply(
        200, b"<html>" + b"x" * 300_000 + b"</html>", {"Content-Type": "text/html"}
    )
    server.routes["/p/loop.html"] = Reply(302, b"", {"Location": f"{b}/p/loop2.html"})
    server.routes["/p/loop2.html"] = Reply(302, b"", {"Location": f"{b}/p/loop.html"})
    server.routes["/p/pdf.html"] = Reply(200, b"%PDF-1.4 binary", {"Content-Type": "application/pdf"})
    server.routes["/p/slow.html"] = Reply(
        200, article_html("Lambat").encode(), {"Content-Type": "text/html"}, delay=3.0
    )
    server.page("/private/secret.html", "Rahasia")
    server.page("/p/ok.html", "Berita baik")
    good = ["/p/latin.html", "/p/meta.html", "/p/ok.html"]
    bad = [
        "/p/missing.html",
        "/p/huge.html",
        "/p/loop.html",
        "/p/pdf.html",
        "/p/slow.html",
        "/private/secret.html",
    ]
    server.feed("/good.xml", [(p, p) for p in good + bad])
    nolink = b'<rss version="2.0"><channel><title>n</title><item><title>no link here</title></item></channel></rss>'
    server.routes["/nolink.xml"] = Reply(200, nolink, {"Content-Type": "application/rss+xml"})
    specs = [FeedSpec(url=f"{b}/{n}.xml", name=f"bad-{n}") for n in ("broken", "html", "gone", "nolink")]
    specs.append(FeedSpec(url=f"{b}/good.xml", name="good"))
    before = {
        r: _errors(f"bad-{n}", r)
        for n, r in (("broken", "malformed_xml"), ("html", "not_a_feed"), ("gone", "http_404"))
    }
    run = Run(specs, tmp_path / "s.db", ingest_timeout=1.0)
    stats = await run.poll()
    recs = {r["url"]: r for r in run.records()}
    assert set(recs) == {b + p for p in good}, "the good pages are published despite every bad feed and page"
    assert "Caf\u00e9 di Bandung" in recs[f"{b}/p/latin.html"]["html"], "the HTTP charset decodes the page"
    assert "R\u00e9sum\u00e9" in recs[f"{b}/p/meta.html"]["html"], "the <meta charset> decodes the page"
    for (n, r), v in zip(
        (("broken", "malformed_xml"), ("html", "not_a_feed"), ("gone", "http_404")),
        before.values(),
        strict=True,
    ):
        assert _errors(f"bad-{n}", r) == v + 1, (n, r)
    assert _errors("bad-nolink", "no_link") >= 1 and stats.errors.get("robots") == 1
    assert stats.errors.get("timeout") == 1 and stats.errors.get("redirects") == 1
    dead = {d["source_key"]: d for d in run.dead()}
    assert dead[f"{b}/p/missing.html"]["error_code"] == "W106"
    assert base64.b64decode(dead[f"{b}/p/missing.html"]["payload_b64"]) == b"<html>Not found</html>"
    assert dead[f"{b}/p/huge.html"]["error_code"] == "W104"
    assert (
        dead[f"{b}/p/loop.html"]["error_code"] == "W106" and "redirects" in dead[f"{b}/p/loop.html"]["reason"]
    )
    assert dead[f"{b}/p/pdf.html"]["error_code"] == "W201"
    assert f"{b}/p/slow.html" not in dead, "a timeout is transient: the item stays pending"
    assert run.state.count("pending", "good") == 1 and stats.retried == 1
    assert server.hits["/private/secret.html"] == 0, "robots.txt is respected"
    # The slow page becomes fast: the next poll publishes it; nothing else is refetched.
    server.page("/p/slow.html", "Lambat")
    hits = server.hits["/p/ok.html"]
    await asyncio.sleep(0.3)  # the item's back-off (at most ingest_backoff_max) has passed
    await run.poll()
    assert f"{b}/p/slow.html" in {r["url"] for r in run.records()}
    assert server.hits["/p/ok.html"] == hits and len(run.records()) == 4
    await run.close()


async def test_429_retry_after_is_honoured(server: TestServer, tmp_path: Path) -> None:
    calls = {"n": 0}

    def limited(_req: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(429, b"slow down", {"Retry-After": "2"})
        return Reply(200, article_html("Akhirnya").encode(), {"Content-Type": "text/html"})

    server.routes["/p/limited.html"] = limited
    server.feed("/f.xml", [("/p/limited.html", "limited")])
    run = Run([FeedSpec(url=f"{server.base}/f.xml", name="limited")], tmp_path / "s.db")
    await run.poll()
    assert calls["n"] == 1 and not run.records()
    t0 = time.time()
    await run.poll()
    assert calls["n"] == 1, "no request to the host while it backs off (Retry-After: 2)"
    while time.time() - t0 < 2.5 and not run.records():
        await run.poll()
        await asyncio.sleep(0.2)
    assert calls["n"] == 2 and len(run.records()) == 1
    assert time.time() - t0 >= 1.0
    await run.close()


async def test_conditional_get_and_restart_publish_nothing_twice(server: TestServer, tmp_path: Path) -> None:
    for i in range(4):
        server.page(f"/p/{i}.html", f"Berita {i}")
    server.feed("/f.xml", [(f"/p/{i}.html", str(i)) for i in range(2)], etag='"v1"')
    run = Run([FeedSpec(url=f"{server.base}/f.xml", name="cond")], tmp_path / "s.db")
    await run.poll()
    await run.restart()
    await run.poll()
    assert server.seen_headers["/f.xml"].get("if-none-match") == '"v1"', "validators survive a restart"
    assert len(run.records()) == 2
    server.feed("/f.xml", [(f"/p/{i}.html", str(i)) for i in range(4)], etag='"v2"')
    await run.restart()
    await run.poll()
    urls = [r["url"] for r in run.records()]
    assert len(urls) == 4 == len(set(urls))
    await run.close()


def test_feeds_file_defaults_and_validation() -> None:
    fl = parse_feeds({"defaults": {"interval": 120, "timezone": "Asia/Jakarta"},
                      "feeds": ["https://a.example/rss", {"url": "https://b.example/x.xml", "name": "b", "interval": 30}]})  # fmt: skip
    assert [f.name for f in fl.feeds] == ["a.example/rss", "b"]
    assert (
        fl.feeds[0].interval == 120 and fl.feeds[1].interval == 30 and fl.feeds[1].timezone == "Asia/Jakarta"
    )
    from streams.core.errors import WartaError

    with pytest.raises(WartaError) as exc:
        parse_feeds({"feeds": [{"url": "ftp://x/y"}]})
    assert exc.value.code == "W107"
    with pytest.raises(WartaError):
        parse_feeds({"feeds": [{"url": "https://x/y", "timezone": "Mars/Olympus"}]})


async def test_robots_unavailable_defers_the_page_then_disallow_skips_it(
    server: TestServer, tmp_path: Path
) -> None:
    calls = {"n": 0}

    def robots(_req: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(503, b"busy")
        return Reply(200, b"User-agent: Warta\nDisallow: /news/\n", {"Content-Type": "text/plain"})

    server.routes["/robots.txt"] = robots
    server.page("/news/1.html", "Satu")
    server.page("/other/2.html", "Dua")
    server.feed("/f.xml", [("/news/1.html", "1"), ("/other/2.html", "2")])
    run = Run([FeedSpec(url=f"{server.base}/f.xml", name="robots")], tmp_path / "s.db")
    stats = await run.poll()
    assert stats.published == 0 and stats.retried == 2, "no page while robots.txt is unknown"
    assert server.hits["/news/1.html"] == server.hits["/other/2.html"] == 0
    await asyncio.sleep(0.3)
    stats = await run.poll()
    assert [r["url"] for r in run.records()] == [f"{server.base}/other/2.html"]
    assert server.hits["/news/1.html"] == 0 and run.state.count("skipped", "robots") == 1
    await run.close()
