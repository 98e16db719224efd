"""Polite HTTP fetching with httpx: per-host limits, robots.txt, back-off, size and redirect limits."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import ssl
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import charset_normalizer
import httpx

from streams.feeds.state import FeedState

__all__ = [
    "FetchError",
    "FetchResult",
    "Fetcher",
    "Politeness",
    "backoff_delay",
    "decode_page",
    "host_of",
    "retry_after_seconds",
]

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is too much at 200/s

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class Politeness:
    user_agent: str
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    host_concurrency: int = 2
    host_interval: float = 1.0
    backoff_base: float = 2.0
    backoff_max: float = 3600.0
    robots_ttl: float = 3600.0


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    seconds: float

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """A fetch that gave no usable response. ``reason`` is the metric label; ``transient`` errors
    are retried after a back-off, the others are final for that URL."""

    def __init__(self, reason: str, detail: str, *, transient: bool, status: int | None = None,
                 retry_after: float | None = None, body: bytes = b""):  # fmt: skip
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.transient = transient
        self.status = status
        self.retry_after = retry_after
        self.body = body


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After``: delta seconds or an HTTP date -> seconds from now (None when absent/invalid)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(failures: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Exponential back-off with full jitter in [d/2, d], never shorter than Retry-After."""
    d = min(cap, base * (2 ** max(0, failures - 1)))
    d = random.uniform(d / 2, d) if d > 0 else 0.0
    return max(d, retry_after or 0.0)


def decode_page(body: bytes, content_type: str | None) -> str:
    """Bytes of an HTML page -> text: the HTTP charset, a BOM, a <meta charset>, UTF-8, then detection.

    Raises UnicodeDecodeError when no charset decodes the bytes.
    """
    candidates: list[str] = []
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
        if m:
            candidates.append(m.group(1))
    if body.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    m2 = _META_CHARSET.search(body[:4096])
    if m2:
        candidates.append(m2.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    raise UnicodeDecodeError("unknown", body[:1], 0, 1, "no charset decodes the page")


@dataclass
class _HostGate:
    sem: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = 0.0


class Fetcher:
    """One httpx client for every feed and page. Per host: at most ``host_concurrency`` requests
    in flight, starts at least ``host_interval`` apart, and no request while the host backs off."""

    def __init__(
        self, policy: Politeness, state: FeedState, *, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.policy = policy
        self.state = state
        self.client = httpx.AsyncClient(
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(policy.timeout),
            follow_redirects=True,
            max_redirects=policy.max_redirects,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            transport=transport,
            trust_env=False,
        )
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self.agent_token = policy.user_agent.split("/", 1)[0].split()[0]

    async def aclose(self) -> None:
        await self.client.aclose()

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(asyncio.Semaphore(self.policy.host_concurrency))
        return gate

    async def allowed(self, url: str) -> bool:
        """robots.txt of the URL's host allows Warta's user agent to fetch it (cached per host).

        Raises a transient FetchError when robots.txt cannot be read right now (5xx, timeout)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._robots.get(key)
            if cached is None or time.monotonic() - cached[0] > self.policy.robots_ttl:
                cached = (time.monotonic(), await self._load_robots(key))
                self._robots[key] = cached
        rp = cached[1]
        return True if rp is None else rp.can_fetch(self.agent_token, url)

    async def _load_robots(self, origin: str) -> RobotFileParser | None:
        rp = RobotFileParser()
        try:
            res = await self.get(origin + "/robots.txt", max_bytes=500_000)
        except FetchError as exc:
            if exc.reason == "backoff":
                raise
            if exc.transient:  # 5xx, 429, timeout: unknown, so no page fetch now (not cached)
                raise FetchError("robots_unavailable", f"robots.txt: {exc.detail}", transient=True,
                                 retry_after=exc.retry_after) from exc  # fmt: skip
            if exc.status in (401, 403):
                rp.disallow_all = True  # type: ignore[attr-defined]
                return rp
            return None  # no robots.txt (404 and other final errors): allowed, like every crawler
        rp.parse(decode_page(res.body, res.content_type).splitlines())
        return rp

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  max_bytes: int | None = None) -> FetchResult:  # fmt: skip
        """One polite GET (conditional when validators are given). 304 is a result, not an error."""
        host = host_of(url)
        blocked = self.state.host_blocked_until(host) - time.time()
        if blocked > 0:
            raise FetchError("backoff", f"{host} backs off for {blocked:.1f}s more", transient=True,
                             retry_after=blocked)  # fmt: skip
        limit = max_bytes or self.policy.max_bytes
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        gate = self._gate(host)
        async with gate.sem:
            async with gate.lock:
                wait = gate.last_start + self.policy.host_interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                gate.last_start = time.monotonic()
            t0 = time.perf_counter()
            try:
                result = await self._deadline(self._get(url, headers, limit, t0))
            except FetchError as exc:
                if exc.status == 429 or (exc.status or 0) >= 500:
                    failures = self.state.host_failures(host) + 1
                    delay = backoff_delay(failures, self.policy.backoff_base, self.policy.backoff_max,
                                          exc.retry_after)  # fmt: skip
                    self.state.host_failed(host, time.time() + delay)
                    exc.retry_after = delay
                raise
        self.state.host_ok(host)
        return result

    async def _deadline(self, fetch: Coroutine[Any, Any, FetchResult]) -> FetchResult:
        """``fetch`` within ``policy.timeout`` seconds in all (connect, headers and the whole body):
        httpx's timeouts are per read, so a server trickling a byte a second would never trip them."""
        try:
            async with asyncio.timeout(self.policy.timeout):
                return await fetch
        except TimeoutError as exc:
            raise FetchError(
                "timeout",
                f"no complete response within {self.policy.timeout}s (total deadline)",
                transient=True,
            ) from exc

    async def _get(self, url: str, headers: dict[str, str], limit: int, t0: float) -> FetchResult:
        try:
            async with self.client.stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                if status == 304:
                    return FetchResult(str(resp.url), 304, b"", None, resp.headers.get("etag"),
                                       resp.headers.get("last-modified"), time.perf_counter() - t0)  # fmt: skip
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit and status < 300:
                    raise FetchError("too_large", f"Content-Length {declared} > {limit} bytes", transient=False,
                                     status=status)  # fmt: skip
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(
                            "too_large", f"body over {limit} bytes", transient=False, status=status
                        )
                    chunks.append(chunk)
                body = b"".join(chunks)
                if status == 429 or status >= 500:
                    raise FetchError(f"http_{status}", f"{url} answered {status}", transient=True, status=status,
                                     retry_after=retry_after_seconds(resp.headers.get("retry-after")))  # fmt: skip
                if status >= 400:
                    raise FetchError(f"http_{status}", f"{url} answered {status}", transient=False, status=status,
                                     body=body)  # fmt: skip
                return FetchResult(str(resp.url), status, body, resp.headers.get("content-type"),
                                   resp.headers.get("etag"), resp.headers.get("last-modified"),
                                   time.perf_counter() - t0)  # fmt: skip
        except httpx.TooManyRedirects as exc:
            raise FetchError(
                "redirects", f"more than {self.policy.max_redirects} redirects", transient=False
            ) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(
                "timeout", f"{type(exc).__name__} after {self.policy.timeout}s", transient=True
            ) from exc
        except httpx.DecodingError as exc:
            raise FetchError("content_encoding", str(exc), transient=False) from exc
        except httpx.ConnectError as exc:
            tls = isinstance(exc.__cause__, ssl.SSLError) or "SSL" in str(exc) or "certificate" in str(exc)
            raise FetchError(
                "tls" if tls else "connect", str(exc) or type(exc).__name__, transient=True
            ) from exc
        except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError("transport", str(exc) or type(exc).__name__, transient=True) from exc
