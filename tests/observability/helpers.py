"""Test helpers: a uvicorn server in a thread, a fake event source, and a tiny DevTools client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from streams.sinks.live.app import EventHub

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any, *, ready_within: float = 10.0, stop_within: float = 5.0) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free port in a thread; yields the base URL once its
    ``/health`` answers 200 (or ``ready_within`` s have passed)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=stop_within)


class FakeSource:
    """An event source fed from the test thread: ``put(kind, value)`` publishes into the hub."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()

    def put(self, kind: str, value: Any) -> None:
        self.inbox.put((kind, value))

    async def __call__(self, hub: EventHub) -> None:
        while True:
            try:
                kind, value = self.inbox.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            hub.publish_record(kind, value)  # type: ignore[arg-type]


def read_sse(
    url: str, *, want: int, timeout: float = 10.0, headers: dict[str, str] | None = None
) -> list[tuple[str, Any]]:
    """Read events from an SSE endpoint until ``want`` data events arrived (or timeout)."""
    events: list[tuple[str, Any]] = []
    deadline = time.monotonic() + timeout
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as resp:
        resp.raise_for_status()
        kind = "message"
        for line in resp.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
                kind = "message"
                if len(events) >= want:
                    break
            if time.monotonic() > deadline:
                break
    return events


class Browser:
    """Headless Chromium driven over the DevTools protocol (one page)."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--remote-debugging-port=0",
    )

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None
        self._ws: Any = None
        self._id = 0
        self.loop = asyncio.new_event_loop()
        self.console: list[str] = []

    def start(self) -> Browser:
        assert CHROMIUM, "chromium not found"
        profile = self.tmp / "chromium-profile"
        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [CHROMIUM, *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / "chromium.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(
                    "chromium did not start: " + (self.tmp / "chromium.log").read_text()[-2000:]
                )
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
        page = next(t for t in targets if t["type"] == "page")
        self.loop.run_until_complete(self._connect(page["webSocketDebuggerUrl"]))
        self.call("Page.enable")
        self.call("Runtime.enable")
        return self

    async def _connect(self, url: str) -> None:
        import websockets

        self._ws = await websockets.connect(url, max_size=64 * 2**20)

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        self._id += 1
        my_id = self._id
        await self._ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self._ws.recv(), timeout=30))
            if msg.get("method") == "Runtime.consoleAPICalled":
                self.console.append(
                    " ".join(str(a.get("value", a.get("description", ""))) for a in msg["params"]["args"])
                )
            if msg.get("method") == "Runtime.exceptionThrown":
                self.console.append("EXCEPTION " + json.dumps(msg["params"]["exceptionDetails"])[:500])
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result")

    def call(self, method: str, **params: Any) -> Any:
        return self.loop.run_until_complete(self._call(method, params))

    def eval(self, expression: str) -> Any:
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JS error: {res['exceptionDetails']}")
        return res["result"].get("value")

    def goto(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for: {expression}")

    def screenshot(self, path: Path) -> Path:
        import base64

        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._ws is not None:
                self.loop.run_until_complete(self._ws.close())
        self.loop.close()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=10)


PROMETHEUS = shutil.which("prometheus")
RULES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules"


class Prometheus:
    """A real Prometheus scraping the given targets every second (temp config and storage)."""

    def __init__(self, tmp: Path, targets: dict[str, list[str]], *, rules: bool = True):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        rule_files = [str(p) for p in sorted(RULES_DIR.glob("*.yml"))] if rules else []
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": rule_files,
            "scrape_configs": [
                {"job_name": job, "scrape_interval": "1s", "static_configs": [{"targets": addrs}]}
                for job, addrs in targets.items()
            ],
        }
        self.config_path = tmp / "prometheus.yml"
        self.config_path.write_text(json.dumps(config))  # JSON is YAML
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> Prometheus:
        assert PROMETHEUS, "prometheus not found"
        self.proc = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={self.config_path}",
                f"--storage.tsdb.path={self.tmp / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / "prometheus.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("prometheus exited: " + (self.tmp / "prometheus.log").read_text()[-2000:])
            try:
                if httpx.get(self.url + "/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("prometheus not ready")

    def query(self, promql: str) -> list[dict[str, Any]]:
        resp = httpx.get(self.url + "/api/v1/query", params={"query": promql}, timeout=5)
        body = resp.json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def wait_value(self, promql: str, predicate: Any, timeout: float = 30.0) -> float:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            result = self.query(promql)
            if result:
                last = float(result[0]["value"][1])
                if predicate(last):
                    return last
            time.sleep(0.5)
        raise TimeoutError(f"{promql}: last value {last}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
