"""`warta web` starts from the CLI, serves the page and stays up while Kafka is unreachable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from streams.kafka.runner import stop_group

from .helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_warta_web_command_serves_the_page_without_a_broker(tmp_path):
    port = free_port()
    dead_broker = f"127.0.0.1:{free_port()}"  # nothing listens there
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WARTA_BROKERS": dead_broker, "WARTA_WEB_TOKEN": "tok"}
    log = (tmp_path / "web.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "web", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "web.log").read_text()
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "warta web did not start"
            time.sleep(0.2)
        assert httpx.get(base + "/").status_code == 401
        page = httpx.get(base + "/?token=tok")
        assert page.status_code == 200 and "live.js" in page.text
        assert httpx.get(base + "/static/live.css").status_code == 200
        time.sleep(1.5)  # the Kafka source fails and retries in the background; the server stays up
        assert proc.poll() is None and httpx.get(base + "/health").status_code == 200
    finally:
        stop_group(proc, 10)
