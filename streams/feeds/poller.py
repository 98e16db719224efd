"""The feed poller: due feeds -> new items -> polite page fetches -> RawArticles, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError

from streams.core.decode import parse_raw_obj
from streams.core.derived import MessageMeta, dead_letter
from streams.core.errors import ERROR_CODES, WartaError
from streams.core.ids import article_id
from streams.core.settings import Settings
from streams.feeds.canonical import canonical_url
from streams.feeds.config import FeedList, FeedSpec
from streams.feeds.fetch import Fetcher, FetchError, FetchResult, Politeness, backoff_delay, decode_page
from streams.feeds.parse import FeedError, parse_document
from streams.feeds.sinks import KafkaSink, Sink
from streams.feeds.state import FeedState, PendingItem
from streams.feeds.strip import strip_page
from streams.observability import metrics
from streams.observability.logging import get_logger

__all__ = ["PollStats", "Poller", "politeness_from", "poll_once_to_kafka", "record_limit"]

log = get_logger("warta.ingest")

PENDING_LIMIT = 2000
#: Seconds a feed waits after its sink failed before its pending items are tried again.
SINK_COOLDOWN = 5.0
#: Bytes a record needs besides its value and key (Kafka's record and batch headers).
_RECORD_OVERHEAD = 4096
_PAGE_TYPES = ("html", "xml", "text/plain")


def record_limit(settings: Settings) -> int:
    """Largest raw record the poller and the endpoint publish: ``ingest_max_record_bytes``, or
    what the worker accepts (``max_article_bytes`` of text/html plus the JSON framing), never more
    than the producer and Warta's topics take (``max_message_bytes``)."""
    wanted = settings.ingest_max_record_bytes or settings.max_article_bytes + 65_536
    return min(wanted, settings.max_message_bytes - _RECORD_OVERHEAD)


def politeness_from(settings: Settings) -> Politeness:
    return Politeness(
        user_agent=settings.ingest_user_agent,
        timeout=settings.ingest_timeout,
        max_bytes=settings.ingest_max_page_bytes,
        max_redirects=settings.ingest_max_redirects,
        host_concurrency=settings.ingest_host_concurrency,
        host_interval=settings.ingest_host_interval,
        backoff_base=settings.ingest_backoff_base,
        backoff_max=settings.ingest_backoff_max,
    )


@dataclass
class PollStats:
    feeds_ok: int = 0
    feeds_failed: int = 0
    new: int = 0
    published: int = 0
    dead: int = 0
    retried: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, other: PollStats) -> None:
        for name in ("feeds_ok", "feeds_failed", "new", "published", "dead", "retried"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.errors.items():
            self.errors[k] = self.errors.get(k, 0) + v


@dataclass(frozen=True)
class _Outcome:
    item: PendingItem
    kind: str  # publish | dead | retry | skip
    key: bytes = b""
    value: bytes = b""
    reason: str = ""
    etag: str | None = None
    last_modified: str | None = None
    #: a dead letter's value keeping at most N bytes of its payload (to fit a smaller DLQ topic)
    shrink: Callable[[int], bytes] | None = None


class Poller:
    """Polls the feeds of a FeedList into a Sink, remembering everything in a FeedState."""

    def __init__(self, feeds: FeedList, settings: Settings, sink: Sink, state: FeedState,
                 fetcher: Fetcher | None = None):  # fmt: skip
        self.feeds = feeds
        self.settings = settings
        self.sink = sink
        self.state = state
        self.fetcher = fetcher or Fetcher(politeness_from(settings), state)
        self._feed_titles: dict[str, str | None] = {}
        #: records handed to the sink and not yet acknowledged, at most ``ingest_max_unacked``
        self._unacked = asyncio.Semaphore(settings.ingest_max_unacked)
        #: feed -> time before which its pending items are not tried (after a sink failure)
        self._cooldown: dict[str, float] = {}
        for spec in feeds.feeds:
            metrics.INGEST_FEED_INTERVAL.labels(feed=spec.name).set(spec.interval)
            for c in (metrics.INGEST_ITEMS_SEEN, metrics.INGEST_ITEMS_NEW, metrics.INGEST_ITEMS_PUBLISHED):
                c.labels(feed=spec.name)
            last = state.feed_status(spec.name)[1]
            metrics.INGEST_LAST_SUCCESS.labels(feed=spec.name).set(last or 0)

    async def aclose(self) -> None:
        await self.fetcher.aclose()

    # -- loop ----------------------------------------------------------------------------------
    async def poll_once(self, *, force: bool = False) -> PollStats:
        """Poll every due feed (every feed with ``force``) concurrently; bad feeds never raise."""
        now = time.time()
        due = [f for f in self.feeds.feeds if force or self.state.feed_status(f.name)[0] <= now]
        total = PollStats()
        for stats in await asyncio.gather(*(self.poll_feed(f) for f in due)):
            total.add(stats)
        self.state.prune(self.settings.ingest_seen_days)
        return total

    async def run(self, stop: asyncio.Event, *, grace: float = 2.0) -> None:
        """Poll until ``stop`` is set. Each feed runs as its own task whenever its listing is due
        or it has items due (at start too: what a crash left pending resumes at once), so a slow
        host delays only its own feeds. On ``stop`` running feeds get ``grace`` seconds, then are
        cancelled; every acknowledged item is already committed, the rest stays pending."""
        tasks: dict[str, asyncio.Task[PollStats]] = {}
        last_prune = 0.0
        try:
            while not stop.is_set():
                self._start_due(tasks)
                if time.monotonic() - last_prune > 600:
                    self.state.prune(self.settings.ingest_seen_days)
                    last_prune = time.monotonic()
                await self._wait(stop, tasks)
        finally:
            await self._stop_tasks(tasks, grace)

    def _start_due(self, tasks: dict[str, asyncio.Task[PollStats]]) -> None:
        now = time.time()
        for spec in self.feeds.feeds:
            task = tasks.get(spec.name)
            if task is not None:
                if not task.done():
                    continue
                del tasks[spec.name]
                self._reap(spec, task)
            listing = self.state.feed_status(spec.name)[0] <= now
            next_item = self.state.next_try(spec.name)
            items_due = next_item is not None and max(next_item, self._cooldown.get(spec.name, 0.0)) <= now
            if listing or items_due:
                tasks[spec.name] = asyncio.create_task(self._turn(spec, listing=listing), name=spec.name)

    def _reap(self, spec: FeedSpec, task: asyncio.Task[PollStats]) -> None:
        exc = None if task.cancelled() else task.exception()
        if exc is not None:  # the sink is down: the items stay pending, try again after a pause
            self._cooldown[spec.name] = time.time() + SINK_COOLDOWN
            log.error("poll failed; items stay pending", feed=spec.name, error=f"{type(exc).__name__}: {exc}")

    def _next_wake(self, tasks: dict[str, asyncio.Task[PollStats]]) -> float:
        now = time.time()
        wake = now + 60.0
        for spec in self.feeds.feeds:
            if spec.name in tasks:
                continue  # its task ending wakes the loop
            wake = min(wake, self.state.feed_status(spec.name)[0])
            pending = self.state.next_try(spec.name)
            if pending is not None:
                wake = min(wake, max(pending, self._cooldown.get(spec.name, 0.0)))
        return max(0.05, wake - now)

    async def _wait(self, stop: asyncio.Event, tasks: dict[str, asyncio.Task[PollStats]]) -> None:
        """Until ``stop``, a feed's task ending, or the next feed or item falling due."""
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait(
                [stopper, *tasks.values()],
                timeout=self._next_wake(tasks),
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            stopper.cancel()

    async def _stop_tasks(self, tasks: dict[str, asyncio.Task[PollStats]], grace: float) -> None:
        running = [t for t in tasks.values() if not t.done()]
        if running:
            _done, late = await asyncio.wait(running, timeout=grace)
            for t in late:
                t.cancel()
            for t in late:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
            if late:
                log.info(
                    "stopped mid-poll; unfinished items stay pending",
                    feeds=sorted(t.get_name() for t in late),
                )
        for spec in self.feeds.feeds:
            task = tasks.get(spec.name)
            if task is not None and task.done() and not task.cancelled():
                task.exception()  # retrieved: no "exception never retrieved" at exit

    async def _turn(self, spec: FeedSpec, *, listing: bool) -> PollStats:
        """One turn of a feed: its listing (when due), then its due items."""
        stats = PollStats()
        if listing:
            ok = await self._poll_listing(spec, stats)
            stats.feeds_ok += int(ok)
            stats.feeds_failed += int(not ok)
        await self._drain_pending(spec, stats)
        return stats

    # -- one feed ------------------------------------------------------------------------------
    def _error(self, stats: PollStats, spec: FeedSpec, reason: str, detail: str, **kw: Any) -> None:
        metrics.INGEST_ERRORS.labels(feed=spec.name, reason=reason).inc()
        stats.errors[reason] = stats.errors.get(reason, 0) + 1
        log.warning("ingest error", feed=spec.name, reason=reason, detail=detail[:300], **kw)

    async def poll_feed(self, spec: FeedSpec) -> PollStats:
        """The feed's listing, then its due items (the sink failing raises)."""
        return await self._turn(spec, listing=True)

    async def _poll_listing(self, spec: FeedSpec, stats: PollStats) -> bool:
        etag, modified = self.state.validators(spec.url)
        try:
            res = await self.fetcher.get(spec.url, etag=etag, last_modified=modified)
        except FetchError as exc:
            metrics.INGEST_FETCH_SECONDS.labels(feed=spec.name, kind="feed")
            if exc.reason != "backoff":
                self._error(stats, spec, exc.reason, exc.detail, url=spec.url)
            self.state.feed_polled(spec.name, spec.url, ok=False,
                                   next_due=time.time() + min(spec.interval, exc.retry_after or spec.interval))  # fmt: skip
            return False
        metrics.INGEST_FETCH_SECONDS.labels(feed=spec.name, kind="feed").observe(res.seconds)
        if not res.not_modified:
            try:
                parsed = parse_document(res.body, spec, res.content_type)
            except FeedError as exc:
                self._error(stats, spec, exc.reason, exc.detail, url=spec.url)
                self.state.feed_polled(spec.name, spec.url, ok=False, next_due=time.time() + spec.interval)
                return False
            if parsed.warning:
                self._error(stats, spec, parsed.warning, "feed parsed with recoverable errors", url=spec.url)
            self._remember(spec, parsed.items, parsed.title, stats)
            self.state.set_validators(spec.url, res.etag, res.last_modified)
        self.state.feed_polled(spec.name, spec.url, ok=True, next_due=time.time() + spec.interval)
        metrics.INGEST_LAST_SUCCESS.labels(feed=spec.name).set(time.time())
        return True

    def _remember(self, spec: FeedSpec, items: list[Any], feed_title: str | None, stats: PollStats) -> None:
        metrics.INGEST_ITEMS_SEEN.labels(feed=spec.name).inc(len(items))
        rows = []
        nolink: list[tuple[str, str, str | None, str | None, str | None]] = []
        for it in items:
            if not it.link or not it.link.lower().startswith(("http://", "https://")):
                ident = it.guid or it.title or repr(it)
                nolink.append(("nolink:" + hashlib.blake2b(f"{spec.name}\x1f{ident}".encode(), digest_size=10).hexdigest(),
                               it.link or "", it.title, it.published_at, None))  # fmt: skip
                continue
            rows.append((canonical_url(it.link), it.link, it.title, it.published_at, it.language))
        new = self.state.add_items(spec.name, rows)
        if nolink:
            fresh = self.state.add_items(spec.name, nolink)
            self.state.finish([r[0] for r in nolink], "skipped", "no_link")
            if fresh:
                metrics.INGEST_ERRORS.labels(feed=spec.name, reason="no_link").inc(fresh)
                stats.errors["no_link"] = stats.errors.get("no_link", 0) + fresh
                log.warning(
                    "ingest error", feed=spec.name, reason="no_link", detail=f"{fresh} item(s) without a link"
                )
        metrics.INGEST_ITEMS_NEW.labels(feed=spec.name).inc(new)
        stats.new += new
        self._feed_titles[spec.name] = feed_title

    # -- items ---------------------------------------------------------------------------------
    async def _drain_pending(self, spec: FeedSpec, stats: PollStats) -> None:
        """Fetch, publish and commit the feed's due items, ``PENDING_LIMIT`` at a time."""
        while True:
            batch = self.state.pending(spec.name, limit=PENDING_LIMIT)
            if not batch:
                return
            final = await self._drain_round(spec, stats, batch)
            if final == 0 or len(batch) < PENDING_LIMIT:
                return  # what is left waits for a retry

    async def _drain_round(self, spec: FeedSpec, stats: PollStats, batch: list[PendingItem]) -> int:
        """Items run concurrently (bounded by the per-host gates); at most ``ingest_max_unacked``
        records wait for their acknowledgement at a time, and an item's state is committed right
        after its record is acknowledged, so a crash republishes at most that many items.
        Returns how many items reached a final state."""
        failures: list[BaseException] = []
        final = 0

        def commit(out: _Outcome) -> None:
            nonlocal final
            final += int(out.kind != "retry")
            self._commit(spec, stats, [out])

        async def one(item: PendingItem) -> None:
            out = await self._fetch_item(spec, item, stats)
            if out.kind not in ("publish", "dead"):
                commit(out)
                return
            async with self._unacked:
                try:
                    out = await self._produce(spec, out, stats)
                except Exception as exc:  # the item stays pending; the next turn retries it
                    failures.append(exc)
                    log.error("produce failed; the item stays pending", feed=spec.name, url=item.url,
                              error=f"{type(exc).__name__}: {exc}")  # fmt: skip
                    return
                commit(out)  # before the slot is freed: acknowledged and not committed counts as unacked

        await asyncio.gather(*(one(it) for it in batch))
        if failures:
            raise failures[0]
        return final

    async def _produce(self, spec: FeedSpec, out: _Outcome, stats: PollStats) -> _Outcome:
        """Send the outcome's record and wait for its acknowledgement. A record the producer or
        the topic refuses for its size is dead-lettered instead (retrying would never succeed)."""
        if out.kind != "publish":
            await self._send_dead(out)
            return out
        try:
            await (await self.sink.send(out.key, out.value))
            return out
        except (MessageSizeTooLargeError, RecordTooLargeError) as exc:
            detail = f"the topic refused a record of {len(out.value)} bytes ({type(exc).__name__})"
            self._error(stats, spec, "too_large", detail, url=out.item.link)
            dead = self._dead(spec, out.item, "W104", "too_large", detail, "too_large", out.value)
            await self._send_dead(dead)
            return dead

    async def _send_dead(self, out: _Outcome) -> None:
        """The dead letter, its payload cut (8x smaller each time, then none) until the DLQ topic
        takes it: its size and ``payload_truncated`` stay true to what it holds."""
        value, keep = out.value, self.settings.ingest_dlq_payload_bytes
        while True:
            try:
                await (await self.sink.dead_letter(out.key, value))
                return
            except (MessageSizeTooLargeError, RecordTooLargeError):
                if out.shrink is None or keep == 0:
                    raise
                keep = keep // 8 if keep >= 8192 else 0
                value = out.shrink(keep)

    def _commit(self, spec: FeedSpec, stats: PollStats, outcomes: list[_Outcome]) -> None:
        """Record acknowledged (or final) outcomes: published / dead / skipped."""
        published = [o for o in outcomes if o.kind == "publish"]
        dead = [o for o in outcomes if o.kind == "dead"]
        self.state.finish([o.item.url for o in published], "published")
        self.state.set_validators_many([(o.item.url, o.etag, o.last_modified) for o in published])
        for o in dead:
            self.state.finish([o.item.url], "dead", o.reason)
        for o in outcomes:
            if o.kind == "skip":
                self.state.finish([o.item.url], "skipped", o.reason)
        metrics.INGEST_ITEMS_PUBLISHED.labels(feed=spec.name).inc(len(published))
        stats.published += len(published)
        stats.dead += len(dead)
        stats.retried += sum(1 for o in outcomes if o.kind == "retry")

    def _dead(self, spec: FeedSpec, item: PendingItem, code: str, reason: str, detail: str,
              stats_reason: str, body: bytes = b"") -> _Outcome:  # fmt: skip
        """The dead letter of an item: the page's first ``ingest_dlq_payload_bytes`` (its size,
        SHA-256 and ``payload_truncated`` say what was cut), or the item itself without a page."""
        payload = body or orjson.dumps({"url": item.link, "title": item.title, "feed": spec.name})
        err = WartaError(code, f"{reason}: {detail}", hint=_HINTS.get(stats_reason), stage="ingest")
        meta = MessageMeta(topic=f"feed:{spec.name}", key=item.url)

        def encoded(keep: int) -> bytes:
            return orjson.dumps(
                dead_letter(payload, err, meta, max_payload_bytes=keep).model_dump(mode="json")
            )

        value = encoded(self.settings.ingest_dlq_payload_bytes)
        return _Outcome(item, "dead", item.url.encode(), value, stats_reason, shrink=encoded)

    async def _fetch_item(self, spec: FeedSpec, item: PendingItem, stats: PollStats) -> _Outcome:
        try:
            if not await self.fetcher.allowed(item.link):
                self._error(stats, spec, "robots", "robots.txt disallows this page", url=item.link)
                return _Outcome(item, "skip", reason="robots")
            etag, modified = self.state.validators(item.url)
            res = await self.fetcher.get(item.link, etag=etag, last_modified=modified)
        except FetchError as exc:
            return self._failed(spec, item, exc, stats)
        metrics.INGEST_FETCH_SECONDS.labels(feed=spec.name, kind="page").observe(res.seconds)
        return self._build(spec, item, res, stats)

    def _failed(self, spec: FeedSpec, item: PendingItem, exc: FetchError, stats: PollStats) -> _Outcome:
        if exc.transient:
            # The host backing off, or its robots.txt being unreadable, is not the page's fault:
            # it does not use up one of the item's attempts.
            counts = exc.reason not in _NOT_AN_ATTEMPT
            if exc.reason != "backoff":
                self._error(stats, spec, exc.reason, exc.detail, url=item.link)
            if counts and item.attempts + 1 >= self.settings.ingest_max_attempts:
                return self._dead(spec, item, "W106", exc.reason,
                                  f"gave up after {item.attempts + 1} attempts: {exc.detail}", exc.reason)  # fmt: skip
            delay = exc.retry_after
            if delay is None:
                delay = backoff_delay(item.attempts + 1, self.settings.ingest_backoff_base,
                                      self.settings.ingest_backoff_max)  # fmt: skip
            self.state.retry_later(item.url, delay, exc.reason, attempt=counts)
            return _Outcome(item, "retry", reason=exc.reason)
        self._error(stats, spec, exc.reason, exc.detail, url=item.link)
        code = "W104" if exc.reason == "too_large" else "W106"
        return self._dead(spec, item, code, exc.reason, exc.detail, exc.reason, exc.body)

    def _build(self, spec: FeedSpec, item: PendingItem, res: FetchResult, stats: PollStats) -> _Outcome:
        if res.not_modified:
            return _Outcome(item, "skip", reason="not_modified")
        ctype = (res.content_type or "text/html").lower()
        if not any(t in ctype for t in _PAGE_TYPES):
            self._error(stats, spec, "not_html", f"Content-Type {ctype}", url=item.link)
            return self._dead(spec, item, "W201", "not_html", f"the page is {ctype}", "not_html", res.body)
        try:
            html = decode_page(res.body, res.content_type)
        except UnicodeDecodeError as exc:
            self._error(stats, spec, "charset", str(exc), url=item.link)
            return self._dead(spec, item, "W100", "charset", str(exc), "charset", res.body)
        if not html.strip():
            self._error(stats, spec, "empty_page", "the page is empty", url=item.link)
            return self._dead(spec, item, "W103", "empty_page", "the page is empty", "empty_page", res.body)
        url = canonical_url(res.url) if res.url else item.url
        html = strip_page(html)
        data = {
            "id": article_id(url=url, text=None),
            "url": url,
            "html": html,
            "title": item.title,
            "published_at": item.published_at,
            "source": spec.outlet or self._feed_titles.get(spec.name),
            "language": item.language or spec.language,
            "ingested_at": time.time(),
        }
        try:  # the worker's own check (max_article_bytes of text/html), so it never refuses it later
            raw = parse_raw_obj({k: v for k, v in data.items() if v is not None},
                                max_bytes=self.settings.max_article_bytes)  # fmt: skip
        except WartaError as exc:
            reason = "too_large" if exc.code == "W104" else "invalid"
            self._error(stats, spec, reason, exc.reason, url=item.link)
            return self._dead(spec, item, exc.code, reason, exc.reason, reason, res.body)
        value = orjson.dumps(raw.model_dump(mode="json", exclude_none=True))
        limit = record_limit(self.settings)
        if len(value) > limit:
            self._error(stats, spec, "too_large", f"record of {len(value)} bytes", url=item.link)
            return self._dead(spec, item, "W104", "too_large", f"the article record is {len(value)} bytes, over {limit}",
                              "too_large", res.body)  # fmt: skip
        return _Outcome(
            item, "publish", str(raw.id).encode(), value, etag=res.etag, last_modified=res.last_modified
        )


_NOT_AN_ATTEMPT = frozenset({"backoff", "robots_unavailable"})

_HINTS = {
    "too_large": "raise WARTA_INGEST_MAX_PAGE_BYTES / WARTA_MAX_ARTICLE_BYTES (and WARTA_MAX_MESSAGE_BYTES),"
    " or drop the feed",
    "charset": "the page's bytes match no charset it declares; report it to the outlet",
    "not_html": "the item links to a file, not an article page",
    "redirects": f"more redirects than WARTA_INGEST_MAX_REDIRECTS: a redirect loop? ({ERROR_CODES['W106']})",
}


async def poll_once_to_kafka(feeds: FeedList, settings: Settings, state_path: Any) -> PollStats:
    """One forced poll of ``feeds`` into the raw topic, with the state kept at ``state_path``
    (the demo's and the tests' single poll; ``warta ingest feeds`` loops)."""
    sink = KafkaSink(settings)
    await sink.start()
    state = FeedState(state_path)
    poller = Poller(feeds, settings, sink, state)
    try:
        return await poller.poll_once(force=True)
    finally:
        await poller.aclose()
        await sink.stop()
        state.close()
