"""A local HTTP server for the demo's sample feed and pages (``streams/data/feeds/demo``)."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["DemoFeedServer", "demo_dir"]


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
