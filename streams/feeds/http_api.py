"""``warta ingest http``: POST /articles (one RawArticle or a JSONL batch) -> the raw topic."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from types import FrameType
from typing import Any

import orjson
import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from streams.core.auth import token_ok
from streams.core.decode import parse_raw_obj
from streams.core.errors import WartaError
from streams.core.ids import article_id
from streams.core.settings import Settings
from streams.feeds.poller import record_limit
from streams.feeds.sinks import Sink
from streams.observability import metrics
from streams.observability.logging import get_logger

__all__ = [
    "MEDIA_TYPES",
    "GracefulServer",
    "bind_address",
    "create_ingest_app",
    "split_records",
    "uvicorn_config",
]

log = get_logger("warta.ingest.http")


class _TooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


#: Media types POST /articles takes (a browser can send neither cross-origin without a preflight).
MEDIA_TYPES = frozenset({"application/json", "application/x-ndjson"})
#: Seconds between two broker probes of /health.
HEALTH_PROBE_SECONDS = 2.0


def split_records(body: bytes) -> list[tuple[int, Any]]:
    """A body -> ``[(line number, decoded JSON or a WartaError)]``: one JSON object, a JSON array
    of objects (numbered from 1), or JSONL."""
    text = body.strip()
    if not text:
        return []
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:
        return list(enumerate(whole, 1)) if isinstance(whole, list) else [(1, whole)]
    out: list[tuple[int, Any]] = []
    for n, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((n, orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            out.append(
                (n, WartaError("W101", f"line {n} is not JSON: {exc}", hint="one JSON object per line"))
            )
    return out


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise _ClientGone from exc
    return b"".join(chunks)


def _origin_refused(request: Request, allowed: tuple[str, ...]) -> str | None:
    """Why a request from a browser page of another origin is refused (None: not cross-origin)."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is not None and origin != own and origin not in allowed:
        return f"cross-origin request from {origin!r} refused (WARTA_INGEST_ALLOWED_ORIGINS)"
    if origin is None and request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return "cross-site request refused"
    return None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _deadline_protocol(header_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline on request headers: a client that has not sent a
    complete request line and headers ``header_timeout`` seconds after connecting (or after its
    previous response) is disconnected (slowloris); uvicorn itself waits forever."""

    class DeadlineH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _armed_cycle: object = None

        def _arm(self) -> None:
            self._disarm()
            self._armed_cycle = self.cycle
            self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing() and self.cycle is self._armed_cycle:
                log.info("client closed: no complete request headers in time", client=_peer(self.client),
                         seconds=header_timeout)  # fmt: skip
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._header_timer is not None and self.cycle is not self._armed_cycle:
                self._disarm()  # a request's headers are in; the app's body deadline takes over

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
                self._arm()  # (a pipelined request may already be running: no deadline on it)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return DeadlineH11Protocol


def _failed(fut: asyncio.Future[Any]) -> bool:
    return fut.done() and not fut.cancelled() and fut.exception() is not None


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "?"


def uvicorn_config(app: Starlette, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """How the endpoint is served: h11 with the header deadline, no access log, short keep-alive."""
    return uvicorn.Config(
        app, host=host, port=port, http=_deadline_protocol(settings.ingest_header_timeout),
        log_level="warning", access_log=False, timeout_keep_alive=5, timeout_graceful_shutdown=5,
    )  # fmt: skip


class GracefulServer(uvicorn.Server):
    """uvicorn's server, except that a SIGTERM it has handled by shutting down gracefully ends the
    process with status 0: uvicorn re-raises the signal afterwards, so supervisors saw -15 (killed)
    for a clean stop. SIGINT keeps uvicorn's behaviour (a second one forces the exit)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM:
            with contextlib.suppress(AttributeError, ValueError):
                self._captured_signals.remove(sig)


def bind_address(settings: Settings, host: str | None) -> tuple[str, str | None]:
    """The address to bind and, when it differs from the one asked for, why: without a token
    only 127.0.0.1, unless ``ingest_allow_open``."""
    wanted = host or settings.ingest_host
    if settings.ingest_token or settings.ingest_allow_open or wanted in ("127.0.0.1", "localhost", "::1"):
        return wanted, None
    return "127.0.0.1", (
        f"no WARTA_INGEST_TOKEN: binding 127.0.0.1 only, not {wanted} (set a token, or"
        " WARTA_INGEST_ALLOW_OPEN=1 when something else guards the port)"
    )


def create_ingest_app(
    settings: Settings,
    sink: Sink,
    *,
    background: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None,
) -> Starlette:
    """The endpoint's ASGI app; ``sink`` is started and stopped with it. ``background`` (e.g. the
    feed poller) runs while the app serves, and is told to stop on shutdown."""
    token = settings.ingest_token
    state: dict[str, Any] = {"ready": False, "started": False, "broker": False, "inflight": 0}
    limit = record_limit(settings)

    def answer(status: int, body: dict[str, Any], **headers: str) -> Response:
        metrics.INGEST_HTTP_REQUESTS.labels(status=str(status)).inc()
        return JSONResponse(body, status_code=status, headers=headers or None)

    def refused(request: Request) -> Response | None:
        """The answer to a request refused before its body is read (None: go on)."""
        why = _origin_refused(request, settings.ingest_allowed_origins)
        if why:
            return answer(403, {"error": why})
        if not token_ok(token, query_token=None, authorization=request.headers.get("authorization")):
            return answer(401, {"error": "a bearer token is required (Authorization: Bearer ...)"},
                          **{"WWW-Authenticate": 'Bearer realm="warta"'})  # fmt: skip
        if _media_type(request) not in MEDIA_TYPES:
            return answer(415, {"error": "Content-Type must be application/json or application/x-ndjson"})
        return None

    async def read(request: Request) -> bytes | Response:
        try:
            return await asyncio.wait_for(
                _read_body(request, settings.ingest_max_body_bytes), settings.ingest_body_timeout
            )
        except _TooLarge:
            return answer(413, {"error": f"body over {settings.ingest_max_body_bytes} bytes; split the batch"
                                         " (WARTA_INGEST_MAX_BODY_BYTES)",
                                "max_body_bytes": settings.ingest_max_body_bytes,
                                "max_batch_records": settings.ingest_max_batch_records},
                          Connection="close")  # fmt: skip
        except TimeoutError:
            log.info("client too slow: body not complete in time", client=_peer(request.client),
                     seconds=settings.ingest_body_timeout)  # fmt: skip
            return answer(408, {"error": f"body not complete within {settings.ingest_body_timeout}s"},
                          Connection="close")  # fmt: skip

    def encode(records: list[tuple[int, Any]]) -> tuple[list[tuple[bytes, bytes]], list[dict[str, Any]]]:
        good: list[tuple[bytes, bytes]] = []
        errors: list[dict[str, Any]] = []
        now = time.time()
        for line, obj in records:
            try:
                if isinstance(obj, WartaError):
                    raise obj
                raw = parse_raw_obj(obj, max_bytes=settings.max_article_bytes)
                rid = raw.id or article_id(url=raw.url, text=raw.text, html=raw.html)
                data = raw.model_dump(mode="json", exclude_none=True)
                data["id"] = rid
                data.setdefault("ingested_at", now)
                value = orjson.dumps(data)
                if len(value) > limit:
                    raise WartaError("W104", f"record is {len(value)} bytes, over {limit}",
                                     hint="raise WARTA_MAX_MESSAGE_BYTES / WARTA_INGEST_MAX_RECORD_BYTES")  # fmt: skip
            except WartaError as exc:
                errors.append({"line": line, "code": exc.code, "reason": exc.reason, "hint": exc.hint})
                metrics.INGEST_ERRORS.labels(feed="http", reason=exc.code).inc()
                continue
            good.append((rid.encode(), value))
        return good, errors

    async def publish(good: list[tuple[bytes, bytes]], errors: list[dict[str, Any]]) -> Response:
        """Hand every record to the producer, then wait for the acknowledgements, all within
        ``ingest_ack_timeout``. 503 only when not one record was handed over; otherwise the
        answer names the ids (the idempotency keys) and which were acknowledged."""
        ids = [k.decode() for k, _v in good]
        futures: list[Any] = []
        state["inflight"] += len(good)
        deadline = asyncio.get_running_loop().time() + settings.ingest_ack_timeout
        try:
            async with asyncio.timeout_at(deadline):
                for k, v in good:
                    futures.append(await sink.send(k, v))
            # asyncio.wait, not gather: a late acknowledgement must not be cancelled (it is still told)
            _done, late = await asyncio.wait(
                futures, timeout=max(0.0, deadline - asyncio.get_running_loop().time())
            )
            failed = next((f.exception() for f in futures if _failed(f)), None)
            if late or failed is not None or any(f.cancelled() for f in futures):
                raise failed or TimeoutError(f"{len(late)} record(s) not acknowledged in time")
        except Exception as exc:
            metrics.INGEST_ERRORS.labels(feed="http", reason="publish").inc()
            state["broker"] = False
            return unacknowledged(ids, futures, errors, exc)
        finally:
            state["inflight"] -= len(good)
        metrics.INGEST_ITEMS_PUBLISHED.labels(feed="http").inc(len(good))
        return answer(400 if errors else 202, {"ids": ids, "published": len(ids), "errors": errors})

    def unacknowledged(
        ids: list[str], futures: list[Any], errors: list[dict[str, Any]], exc: Exception
    ) -> Response:
        why = f"{type(exc).__name__}: {exc}"
        if not futures:  # cancelled before the first record was handed over: nothing will be published
            log.warning("publish failed before any record was handed to the producer", error=why)
            return answer(503, {"error": "the broker is unreachable; nothing was published; retry later"},
                          **{"Retry-After": "5"})  # fmt: skip
        acked = [
            ids[i] for i, f in enumerate(futures) if f.done() and not f.cancelled() and f.exception() is None
        ]
        log.warning("publish not acknowledged", error=why, records=len(ids), acknowledged=len(acked))
        return answer(504, {"error": f"the broker did not acknowledge every record ({type(exc).__name__});"
                                     " some may still be published: retry with the same ids (harmless)",
                            "ids": ids, "acknowledged": acked, "published": len(acked), "errors": errors},
                      **{"Retry-After": "5"})  # fmt: skip

    async def articles(request: Request) -> Response:
        early = refused(request)
        if early is not None:
            return early
        try:
            body = await read(request)
        except _ClientGone:
            log.info("client went away before its body was complete", client=_peer(request.client))
            return Response(status_code=499)
        if isinstance(body, Response):
            return body
        records = split_records(body)
        if not records:
            return answer(400, {"errors": [{"line": 0, "code": "W105", "reason": "empty body"}]})
        if len(records) > settings.ingest_max_batch_records:
            return answer(413, {"error": f"{len(records)} records, over {settings.ingest_max_batch_records}"
                                         " per request; split the batch (WARTA_INGEST_MAX_BATCH_RECORDS)",
                                "max_batch_records": settings.ingest_max_batch_records})  # fmt: skip
        if state["inflight"] and state["inflight"] + len(records) > settings.ingest_max_inflight:
            metrics.INGEST_ERRORS.labels(feed="http", reason="backpressure").inc()
            return answer(503, {"error": "the producer is behind; nothing was published; retry later"},
                          **{"Retry-After": "1"})  # fmt: skip
        good, errors = encode(records)
        if not good:
            return answer(400, {"ids": [], "published": 0, "errors": errors})
        if not state["broker"] and not await probe(1.0):
            metrics.INGEST_ERRORS.labels(feed="http", reason="broker_unreachable").inc()
            return answer(503, {"error": "the broker is unreachable; nothing was published; retry later"},
                          **{"Retry-After": "5"})  # fmt: skip
        return await publish(good, errors)

    async def start_sink() -> bool:
        """Start the producer; a broker that is down at start is an ERROR line, not a crash: the
        endpoint serves (503, /health degraded) and the prober starts the producer later."""
        try:
            await sink.start()
        except Exception as exc:
            if not state.get("start_failed"):  # once, not every probe
                log.error("the broker is unreachable; the producer will be started when it answers",
                          error=f"{type(exc).__name__}: {exc}")  # fmt: skip
            state["start_failed"] = True
            return False
        if state.pop("start_failed", False):
            log.warning("the broker answers; producer started")
        return True

    async def probe(timeout: float) -> bool:
        if not state["started"]:
            state["started"] = await start_sink()
        state["broker"] = bool(state["started"]) and await sink.reachable(timeout)
        return bool(state["broker"])

    async def prober(stop: asyncio.Event) -> None:
        while not stop.is_set():
            was = state["broker"]
            if await probe(HEALTH_PROBE_SECONDS) != was:
                log.warning("broker " + ("reachable again" if state["broker"] else "unreachable"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HEALTH_PROBE_SECONDS)

    async def health(_request: Request) -> Response:
        ok = state["ready"] and state["broker"]
        status = "ok" if ok else ("degraded" if state["ready"] else "starting")
        return JSONResponse({"status": status, "broker": "reachable" if state["broker"] else "unreachable",
                             "inflight": state["inflight"]}, status_code=200 if ok else 503)  # fmt: skip

    async def prometheus_metrics(_request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["started"] = await start_sink()
        stop = asyncio.Event()
        await probe(HEALTH_PROBE_SECONDS)
        tasks = [asyncio.create_task(prober(stop))]
        if background:
            tasks.append(asyncio.create_task(background(stop)))
        state["ready"] = True
        try:
            yield
        finally:
            state["ready"] = False
            stop.set()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 10)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sink.stop(), 10)

    for status in ("202", "400", "401", "403", "408", "413", "415", "503", "504"):
        metrics.INGEST_HTTP_REQUESTS.labels(status=status)
    return Starlette(
        routes=[
            Route("/articles", articles, methods=["POST"]),
            Route("/health", health),
            Route("/metrics", prometheus_metrics),
        ],
        lifespan=lifespan,
    )
