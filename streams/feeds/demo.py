"""A local HTTP server for the demo's sample feed and pages (``streams/data/feeds/demo``)."""

from __future__ import annotations

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["DemoFeedServer", "demo_dir", "run_feed_demo"]


def demo_dir() -> Path:
    return Path(str(resources.files("streams.data") / "feeds" / "demo"))


class _Handler(SimpleHTTPRequestHandler):
    """Static files; ``.xml`` and ``.yaml`` files get ``{{BASE}}`` replaced by the server's address."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.endswith((".xml", ".yaml")):
            file = Path(self.directory) / path.lstrip("/")
            if file.is_file() and file.resolve().is_relative_to(Path(self.directory).resolve()):
                address: Any = self.server.server_address
                host, port = address[0], address[1]
                body = file.read_bytes().replace(b"{{BASE}}", f"http://{host}:{port}".encode())
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        super().do_GET()

    def log_message(self, *args: Any) -> None:
        return None


class DemoFeedServer:
    """Serves ``root`` on 127.0.0.1 (a free port) in a thread; ``base`` is its address."""

    def __init__(self, root: Path | None = None):
        self.root = root or demo_dir()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(self.root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        address: Any = self.httpd.server_address
        return f"http://{address[0]!s}:{address[1]}"

    def start(self) -> DemoFeedServer:
        self.thread.start()
        return self

    def feeds_file(self, dest: Path) -> Path:
        text = (self.root / "feeds.yaml").read_text(encoding="utf-8").replace("{{BASE}}", self.base)
        dest.write_text(text, encoding="utf-8")
        return dest

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def run_feed_demo(settings: Any, workdir: Path, console: Any) -> bool:
    """The demo's feed step: serve the sample feed locally, poll it into Kafka (the running worker
    enriches the items), show what came out, then poll again to show nothing is republished."""
    import asyncio

    from streams.cli.render import enriched_table
    from streams.feeds.config import load_feeds
    from streams.feeds.poller import poll_once_to_kafka
    from streams.kafka.client import collect

    server = DemoFeedServer().start()
    try:
        feeds_file = server.feeds_file(workdir / "feeds.yaml")
        console.print(f"serving the sample feed at {server.base}/rss.xml; feeds file {feeds_file}")
        feeds = load_feeds(feeds_file)

        async def poll() -> Any:
            return await poll_once_to_kafka(feeds, settings, workdir / "feeds.db")

        t0 = time.time()
        first = asyncio.run(poll())
        console.print(f"poll 1: {first.new} new items, {first.published} published to {settings.topics.raw} "
                      f"in {time.time() - t0:.1f}s (robots.txt checked, one request per second per host)")  # fmt: skip
        want = first.published

        def arrived(recs: list[Any]) -> bool:
            return sum(1 for r in recs if str(r.value.get("url", "")).startswith(server.base)) >= want

        recs = asyncio.run(collect(settings, settings.topics.enriched, 0, timeout=60, until=arrived))
        mine = [r.value for r in recs if str(r.value.get("url", "")).startswith(server.base)]
        console.print(enriched_table(mine))
        for v in mine:
            console.print(
                f"  {v['url']}  source={v['source'].get('name')}  published_at={v.get('published_at')}"
            )
        second = asyncio.run(poll())
        console.print(f"poll 2 (same state): {second.new} new, {second.published} published — nothing twice")
        return want == 3 and len(mine) == want and second.published == 0
    finally:
        server.stop()
