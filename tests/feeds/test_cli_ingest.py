"""`warta ingest feeds --once --output - | warta process -` works with no broker; a failed sink keeps items pending."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import orjson

from streams.feeds.config import FeedList, FeedSpec
from streams.feeds.demo import DemoFeedServer
from streams.feeds.poller import Poller
from streams.feeds.sinks import JsonlSink
from streams.feeds.state import FeedState
from tests.feeds.conftest import fast
from tests.feeds.server import TestServer

WARTA = [sys.executable, "-m", "streams"]


def test_feeds_once_to_stdout_pipes_into_process(tmp_path: Path) -> None:
    srv = DemoFeedServer().start()
    try:
        feeds = srv.feeds_file(tmp_path / "feeds.yaml")
        env = {**os.environ, "WARTA_INGEST_HOST_INTERVAL": "0", "WARTA_BROKERS": "127.0.0.1:1"}
        cmd = (f"{' '.join(WARTA)} ingest feeds {feeds} --once --output - --state {tmp_path / 's.db'}"
               f" | {' '.join(WARTA)} process -")  # fmt: skip
        res = subprocess.run(cmd, shell=True, capture_output=True, env=env, timeout=300)
        assert res.returncode == 0, res.stderr.decode()[-2000:]
        out = [orjson.loads(line) for line in res.stdout.splitlines()]
        assert len(out) == 3 and all("error" not in o for o in out)
        titles = {o["title"] for o in out}
        assert "Port city opens new flood barrier after record rainfall" in titles
        flood = next(o for o in out if o["title"].startswith("Port city"))
        assert flood["url"] == f"{srv.base}/news/flood-barrier.html", "AMP flag and fbclid are stripped"
        assert flood["language"] == "en" and "sea wall" in flood["body"]
        assert all(o["source"]["name"] == "Kabar Contoh" for o in out)
        assert b"3 new, 3 published" in res.stderr
        again = subprocess.run(cmd.split(" | ")[0], shell=True, capture_output=True, env=env, timeout=120)
        assert again.returncode == 0 and again.stdout == b"", "the state remembers what was written"
    finally:
        srv.stop()


class _FailingSink(JsonlSink):
    async def send(self, key: bytes, value: bytes) -> Awaitable[Any]:
        raise ConnectionError("the raw topic is unreachable")


async def test_items_stay_pending_when_the_sink_fails(tmp_path: Path) -> None:
    srv = TestServer()
    try:
        srv.page("/p/1.html", "Berita satu")
        srv.feed("/f.xml", [("/p/1.html", "1")])
        spec = FeedList(feeds=(FeedSpec(url=f"{srv.base}/f.xml", name="sinkfail"),))
        state = FeedState(tmp_path / "s.db")
        poller = Poller(spec, fast(), _FailingSink(io.BytesIO()), state)
        try:
            await poller.poll_once(force=True)
        except ConnectionError:
            pass
        await poller.aclose()
        assert state.count("pending", "sinkfail") == 1 and state.count("published") == 0
        out = io.BytesIO()
        poller = Poller(spec, fast(), JsonlSink(out), state)
        stats = await poller.poll_once(force=True)
        await poller.aclose()
        assert stats.published == 1 and state.count("published") == 1 and out.getvalue().count(b"\n") == 1
    finally:
        srv.close()
