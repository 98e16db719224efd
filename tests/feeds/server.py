"""A real HTTP server on 127.0.0.1 for the ingest tests: feeds, pages and misbehaviours."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Reply", "TestServer", "article_html", "rss"]

Handler = Callable[[dict[str, str]], "Reply"]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: seconds between two bytes of the body: a server that trickles (headers come at once)
    trickle: float = 0.0


def article_html(title: str, n: int = 3, *, charset: str = "utf-8", meta: bool = True) -> str:
    paras = "".join(
        f"<p>{title}: paragraf {i} berisi laporan lengkap tentang peristiwa yang terjadi di Jakarta pada hari "
        f"Selasa, dengan keterangan saksi dan pejabat setempat mengenai dampaknya bagi warga.</p>"
        for i in range(n)
    )
    head = f'<meta charset="{charset}">' if meta else ""
    return f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>"


def rss(base: str, items: list[tuple[str, str]], *, title: str = "Test feed") -> bytes:
    """``items``: (path, title) pairs."""
    body = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><guid>{p}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 +0700</pubDate></item>"
        for p, t in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"{body}</channel></rss>").encode()  # fmt: skip


class _Quiet(ThreadingHTTPServer):
    """No traceback on stderr when a client hangs up (the poller cutting a page off does)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None


class TestServer:
    """``routes[path] = Reply | handler(request headers) -> Reply``; ``hits`` counts requests per path;
    ``seen_headers[path]`` keeps the last request's headers."""

    __test__ = False

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.hits: Counter[str] = Counter()
        self.seen_headers: dict[str, dict[str, str]] = {}
        self.hit_times: dict[str, list[float]] = {}
        #: requests being answered now, and the most at once
        self.active = 0
        self.max_active = 0
        lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.hits[path] += 1
                outer.hit_times.setdefault(path, []).append(time.monotonic())
                outer.seen_headers[path] = headers
                route = outer.routes.get(path)
                reply = (
                    Reply(404, b"not found")
                    if route is None
                    else (route(headers) if callable(route) else route)
                )
                with lock:
                    outer.active += 1
                    outer.max_active = max(outer.max_active, outer.active)
                try:
                    self._answer(reply)
                finally:
                    with lock:
                        outer.active -= 1

            def _answer(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.trickle:
                        self.wfile.flush()
                        for i in range(len(reply.body)):
                            self.wfile.write(reply.body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *a: Any) -> None:
                return None

        self.httpd = _Quiet(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def page(self, path: str, title: str, **kw: Any) -> None:
        self.routes[path] = Reply(
            200, article_html(title).encode(), {"Content-Type": "text/html; charset=utf-8"}, **kw
        )

    def feed(
        self, path: str, items: list[tuple[str, str]], *, etag: str | None = None, gz: bool = False
    ) -> None:
        body = rss(self.base, items)
        headers = {"Content-Type": "application/rss+xml"}
        if gz:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if etag is None:
            self.routes[path] = Reply(200, body, headers)
            return

        def handler(req: dict[str, str]) -> Reply:
            if req.get("if-none-match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(200, body, {**headers, "ETag": etag})

        self.routes[path] = handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
