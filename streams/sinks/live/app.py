"""``warta web``: a read-only live page of enriched articles and alerts over Server-Sent Events."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_never, wait_exponential

from streams.core.settings import Settings
from streams.kafka.security import client_kwargs
from streams.observability import metrics
from streams.observability.logging import get_logger
from streams.sinks.live.events import (
    Filters,
    ItemKind,
    matches,
    parse_filters,
    sse_comment,
    sse_encode,
    summarize_alert,
    summarize_article,
    token_ok,
)

__all__ = ["EventHub", "Item", "Source", "create_web_app", "kafka_source"]

log = get_logger("warta.web")

#: Sent on every response: no inline script or style may run, nothing is framed or sniffed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

#: Feeds an :class:`EventHub` until cancelled (Kafka in production, a list in tests).
Source = Callable[["EventHub"], Awaitable[None]]


@dataclass(frozen=True)
class Item:
    seq: int
    kind: ItemKind
    data: dict[str, Any]


@dataclass
class EventHub:
    """Fans summarized records out to connected clients and keeps a small backlog for new ones."""

    backlog: int = 50
    _items: deque[Item] = field(init=False)
    _subscribers: set[asyncio.Queue[Item]] = field(default_factory=set, init=False)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1), init=False)

    def __post_init__(self) -> None:
        self._items = deque(maxlen=max(1, self.backlog * 2))

    def publish_record(self, kind: ItemKind, value: Any) -> Item | None:
        """Summarize a decoded topic value and publish it; malformed records are skipped."""
        data = summarize_article(value) if kind == "article" else summarize_alert(value)
        if data is None:
            return None
        return self.publish(kind, data)

    def publish(self, kind: ItemKind, data: dict[str, Any]) -> Item:
        item = Item(next(self._seq), kind, data)
        self._items.append(item)
        for queue in list(self._subscribers):
            if queue.full():  # a stalled client loses its oldest items, never blocks the others
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(item)
        return item

    @property
    def last_seq(self) -> int:
        return self._items[-1].seq if self._items else 0

    def recent(self, filters: Filters | None = None, *, after: int = 0) -> list[Item]:
        f = filters or Filters()
        return [i for i in self._items if i.seq > after and matches(f, i.kind, i.data)]

    def subscribe(self) -> asyncio.Queue[Item]:
        queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=500)
        self._subscribers.add(queue)
        metrics.WEB_CLIENTS.set(len(self._subscribers))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Item]) -> None:
        self._subscribers.discard(queue)
        metrics.WEB_CLIENTS.set(len(self._subscribers))


def kafka_source(settings: Settings, *, backlog: int = 50) -> Source:
    """A Source reading the enriched and alerts topics: the last ``backlog`` records of each
    partition, then everything new. No consumer group: each page server reads independently."""

    async def run(hub: EventHub) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        kinds: dict[str, ItemKind] = {settings.topics.enriched: "article", settings.topics.alerts: "alert"}
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.broker_list,
            enable_auto_commit=False,
            group_id=None,
            auto_offset_reset="latest",
            **client_kwargs(settings),
        )
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()  # release the half-started client before the retry
            raise
        # Without a group, subscribe() assigns every partition of the topics, including ones
        # created later; each newly assigned partition is rewound to replay its backlog.
        consumer.subscribe(list(kinds))
        seen: set[TopicPartition] = set()
        try:
            while True:
                new = [tp for tp in consumer.assignment() if tp not in seen]
                if new:
                    ends = await consumer.end_offsets(new)
                    starts = await consumer.beginning_offsets(new)
                    for tp in new:
                        consumer.seek(tp, max(starts[tp], ends[tp] - backlog))
                    seen.update(new)
                    log.info("web source assigned", partitions=len(seen))
                batch = await consumer.getmany(timeout_ms=500, max_records=500)
                for tp, msgs in batch.items():
                    for msg in msgs:
                        try:
                            value = orjson.loads(msg.value) if msg.value else None
                        except orjson.JSONDecodeError:
                            continue
                        hub.publish_record(kinds[tp.topic], value)
        finally:
            await consumer.stop()

    return run


_PACKAGE_STATIC = resources.files("streams.sinks.live") / "static"


def _static_dir() -> str:
    return str(_PACKAGE_STATIC)


def create_web_app(
    settings: Settings,
    *,
    source: Source | None = None,
    hub: EventHub | None = None,
    heartbeat: float = 15.0,
) -> Starlette:
    """The live page's ASGI app. ``source`` feeds the hub while the app runs (default: Kafka)."""
    hub = hub or EventHub()
    feed = source if source is not None else kafka_source(settings, backlog=hub.backlog)
    token = settings.web_token

    def authorized(request: Request) -> bool:
        return token_ok(
            token,
            query_token=request.query_params.get("token"),
            authorization=request.headers.get("authorization"),
        )

    def denied() -> Response:
        return PlainTextResponse(
            "401: this Warta page needs its access token: add ?token=... to the address", status_code=401
        )

    async def index(request: Request) -> Response:
        if not authorized(request):
            return denied()
        html = (_PACKAGE_STATIC / "index.html").read_bytes()
        return Response(html, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})

    async def recent(request: Request) -> Response:
        if not authorized(request):
            return denied()
        filters = parse_filters(request.query_params)
        items = [{"seq": i.seq, "kind": i.kind, "data": i.data} for i in hub.recent(filters)]
        return JSONResponse({"filters": filters.as_dict(), "items": items})

    async def events(request: Request) -> Response:
        if not authorized(request):
            return denied()
        filters = parse_filters(request.query_params)
        try:
            after = int(request.headers.get("last-event-id") or 0)
        except ValueError:
            after = 0
        if after > hub.last_seq:  # the server restarted since: the client's id means nothing here
            after = 0
        queue = hub.subscribe()

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b"retry: 3000\n\n"
                yield sse_encode({"filters": filters.as_dict()}, event="hello")
                last = after
                for item in hub.recent(filters, after=after):
                    last = item.seq
                    metrics.WEB_EVENTS_SENT.labels(kind=item.kind).inc()
                    yield sse_encode(item.data, event=item.kind, event_id=item.seq)
                while True:
                    try:
                        item = await asyncio.wait_for(queue.get(), timeout=heartbeat)
                    except TimeoutError:
                        yield sse_comment()
                        continue
                    if item.seq <= last or not matches(filters, item.kind, item.data):
                        continue
                    last = item.seq
                    metrics.WEB_EVENTS_SENT.labels(kind=item.kind).inc()
                    yield sse_encode(item.data, event=item.kind, event_id=item.seq)
            finally:
                hub.unsubscribe(queue)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok", "clients": len(hub._subscribers)})

    async def prometheus_metrics(_request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_run_source(feed, hub))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/recent", recent),
            Route("/events", events),
            Route("/health", health),
            Route("/metrics", prometheus_metrics),
            Mount("/static", StaticFiles(directory=_static_dir()), name="static"),
        ],
        lifespan=lifespan,
    )

    app.state.hub = hub
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Pure ASGI middleware (safe for streaming responses) adding :data:`SECURITY_HEADERS`."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS.items():
                    if key.lower().encode() not in present:
                        headers.append((key.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _run_source(feed: Source, hub: EventHub, *, initial: float = 1.0, max_delay: float = 30.0) -> None:
    """Run the source, restarting it after a failure (broker down) with exponential backoff
    (tenacity); cancelling the app's lifespan task stops it."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning("web source failed; retrying", error=str(exc), retry_in=round(delay, 2))

    async for attempt in AsyncRetrying(
        stop=stop_never,
        wait=wait_exponential(multiplier=initial, max=max_delay),
        retry=retry_if_exception_type(Exception),  # not CancelledError (a BaseException)
        before_sleep=before_sleep,
    ):
        with attempt:
            await feed(hub)
