"""``warta ingest http``: POST /articles (one RawArticle or a JSONL batch) -> the raw topic."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from streams.core.decode import parse_raw_obj
from streams.core.errors import WartaError
from streams.core.ids import article_id
from streams.core.settings import Settings
from streams.feeds.sinks import Sink
from streams.observability import metrics
from streams.observability.logging import get_logger
from streams.observability.web_events import token_ok

__all__ = ["create_ingest_app", "split_records"]

log = get_logger("warta.ingest.http")


class _TooLarge(Exception):
    pass


def split_records(body: bytes) -> list[tuple[int, Any]]:
    """A body -> ``[(line number, decoded JSON or a WartaError)]``: one JSON object, or JSONL."""
    text = body.strip()
    if not text:
        return []
    try:
        return [(1, orjson.loads(text))]
    except orjson.JSONDecodeError:
        pass
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
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_ingest_app(
    settings: Settings,
    sink: Sink,
    *,
    background: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None,
) -> Starlette:
    """The endpoint's ASGI app; ``sink`` is started and stopped with it. ``background`` (e.g. the
    feed poller) runs while the app serves, and is told to stop on shutdown."""
    token = settings.ingest_token
    inflight = 0
    state = {"ready": False}

    def answer(status: int, body: dict[str, Any], **headers: str) -> Response:
        metrics.INGEST_HTTP_REQUESTS.labels(status=str(status)).inc()
        return JSONResponse(body, status_code=status, headers=headers or None)

    async def articles(request: Request) -> Response:
        nonlocal inflight
        if not token_ok(token, query_token=None, authorization=request.headers.get("authorization")):
            return answer(401, {"error": "a bearer token is required (Authorization: Bearer ...)"},
                          **{"WWW-Authenticate": 'Bearer realm="warta"'})  # fmt: skip
        try:
            body = await _read_body(request, settings.ingest_max_body_bytes)
        except _TooLarge:
            return answer(
                413,
                {"error": f"body over {settings.ingest_max_body_bytes} bytes (WARTA_INGEST_MAX_BODY_BYTES)"},
            )
        records = split_records(body)
        if not records:
            return answer(400, {"errors": [{"line": 0, "code": "W105", "reason": "empty body"}]})
        if inflight + len(records) > settings.ingest_max_inflight:
            metrics.INGEST_ERRORS.labels(feed="http", reason="backpressure").inc()
            return answer(503, {"error": "the producer is behind; retry later"}, **{"Retry-After": "1"})
        good: list[tuple[bytes, bytes]] = []
        errors: list[dict[str, Any]] = []
        now = time.time()
        for line, obj in records:
            try:
                if isinstance(obj, WartaError):
                    raise obj
                raw = parse_raw_obj(obj, max_bytes=settings.max_article_bytes)
            except WartaError as exc:
                errors.append({"line": line, "code": exc.code, "reason": exc.reason, "hint": exc.hint})
                metrics.INGEST_ERRORS.labels(feed="http", reason=exc.code).inc()
                continue
            rid = raw.id or article_id(url=raw.url, text=raw.text, html=raw.html)
            data = raw.model_dump(mode="json", exclude_none=True)
            data["id"] = rid
            data.setdefault("ingested_at", now)
            good.append((rid.encode(), orjson.dumps(data)))
        inflight += len(good)
        try:
            futures = [await sink.send(k, v) for k, v in good]
            await asyncio.wait_for(asyncio.gather(*futures), timeout=settings.ingest_timeout)
        except Exception as exc:
            log.error("publish failed", error=f"{type(exc).__name__}: {exc}", records=len(good))
            metrics.INGEST_ERRORS.labels(feed="http", reason="publish").inc()
            return answer(503, {"error": f"the raw topic did not acknowledge: {type(exc).__name__}"},
                          **{"Retry-After": "5"})  # fmt: skip
        finally:
            inflight -= len(good)
        metrics.INGEST_ITEMS_PUBLISHED.labels(feed="http").inc(len(good))
        ids = [k.decode() for k, _v in good]
        if errors:
            return answer(400, {"ids": ids, "published": len(ids), "errors": errors})
        return answer(202, {"ids": ids, "published": len(ids)})

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok" if state["ready"] else "starting", "inflight": inflight},
                            status_code=200 if state["ready"] else 503)  # fmt: skip

    async def prometheus_metrics(_request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await sink.start()
        stop = asyncio.Event()
        task = asyncio.create_task(background(stop)) if background else None
        state["ready"] = True
        try:
            yield
        finally:
            state["ready"] = False
            stop.set()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 10)
            await sink.stop()

    for status in ("202", "400", "401", "413", "503"):
        metrics.INGEST_HTTP_REQUESTS.labels(status=status)
    return Starlette(
        routes=[
            Route("/articles", articles, methods=["POST"]),
            Route("/health", health),
            Route("/metrics", prometheus_metrics),
        ],
        lifespan=lifespan,
    )
