"""``warta archive``: consume enriched articles, domain events and alerts into the archive."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from streams.archive.store import ArchiveStore, WriteResult
from streams.core.errors import WartaError
from streams.core.records import Alert, DomainEvent, EnrichedArticle
from streams.core.retry import retrying
from streams.core.settings import Settings
from streams.kafka.batches import BatchStats, consume_batches, install_stop_signals
from streams.kafka.client import idempotent_producer
from streams.kafka.dlq import BadRecords, Msg, decode_record, dlq_sender

__all__ = ["ArchiveService", "run_archive"]

log = structlog.get_logger("warta.archive")


@dataclass
class ArchiveService:
    """Decodes a batch by topic and writes it in one transaction (in a thread: SQLAlchemy is sync).

    A record that can never be archived goes to the DLQ (``bad``, the policy shared with
    ``warta alerting``) before the batch's offsets are committed; database outages raise instead,
    so the batch is retried.
    """

    store: ArchiveStore
    settings: Settings
    bad: BadRecords = field(default_factory=lambda: BadRecords(consumer="archive"))
    totals: WriteResult = field(default_factory=WriteResult)

    def _decode_one(self, m: Msg) -> EnrichedArticle | DomainEvent | Alert:
        t = self.settings.topics
        models: dict[str, type[EnrichedArticle | DomainEvent | Alert]] = {
            t.enriched: EnrichedArticle,
            t.events: DomainEvent,
            t.alerts: Alert,
        }
        model = models.get(m.topic)
        if model is None:
            raise WartaError("W102", f"the archive does not store records of topic {m.topic}")
        return decode_record(m, model)

    async def decode(self, records: Sequence[Msg]) -> list[tuple[Msg, EnrichedArticle | DomainEvent | Alert]]:
        return await self.bad.decode(records, self._decode_one)

    async def _write(self, items: Sequence[tuple[Msg, EnrichedArticle | DomainEvent | Alert]]) -> WriteResult:
        arts = [r for _m, r in items if isinstance(r, EnrichedArticle)]
        devs = [r for _m, r in items if isinstance(r, DomainEvent)]
        alerts = [r for _m, r in items if isinstance(r, Alert)]
        return await asyncio.to_thread(self.store.write, arts, devs, alerts)

    async def handle(self, records: Sequence[Msg]) -> None:
        items = await self.decode(records)
        try:
            res = await self._write(items)
        except WartaError as err:
            if err.code != "W805":
                raise  # the database is down: nothing committed, the batch is retried
            res = WriteResult()
            for m, rec in items:  # find the record the database rejects; keep the others
                try:
                    one = await self._write([(m, rec)])
                except WartaError as e1:
                    if e1.code != "W805":
                        raise
                    await self.bad.reject(m, e1)
                    continue
                res.articles_new += one.articles_new
                res.articles_updated += one.articles_updated
                res.domain_events_new += one.domain_events_new
                res.alerts_written += one.alerts_written
        self.totals.articles_new += res.articles_new
        self.totals.articles_updated += res.articles_updated
        self.totals.domain_events_new += res.domain_events_new
        self.totals.alerts_written += res.alerts_written
        log.info(
            "batch archived",
            records=len(records),
            new=res.articles_new,
            updated=res.articles_updated,
            domain_events=res.domain_events_new,
            alerts=res.alerts_written,
        )


async def _open_store(url: str, stop: asyncio.Event, max_backoff: float = 30.0) -> ArchiveStore | None:
    """Open (and migrate) the archive, retrying with backoff while the database is unreachable
    (W802; any other code, such as a bad URL, does not get better by waiting)."""

    def _log(exc: BaseException, delay: float) -> None:
        code, reason = getattr(exc, "code", "W802"), getattr(exc, "reason", str(exc))
        log.error("archive database unreachable; retrying", code=code, error=reason, retry_in=delay)

    if stop.is_set():
        return None
    try:
        async for attempt in retrying(_Unreachable, stop=stop, max_delay=max_backoff, on_retry=_log):
            with attempt:
                try:
                    return await asyncio.to_thread(ArchiveStore, url)
                except WartaError as exc:
                    if exc.code == "W802":
                        raise _Unreachable(exc.code, exc.reason, hint=exc.hint) from exc
                    raise
    except _Unreachable:
        if not stop.is_set():
            raise
    return None


class _Unreachable(WartaError):
    """W802 while opening the archive: worth waiting for."""


async def run_archive(
    settings: Settings,
    *,
    url: str | None = None,
    stop: asyncio.Event | None = None,
    idle_timeout: float | None = None,
    batch_size: int | None = None,
) -> BatchStats:
    """Run the archive consumer until stopped (or idle for ``idle_timeout`` seconds)."""
    stop = stop or asyncio.Event()
    install_stop_signals(stop)
    store = await _open_store(url or settings.archive_url, stop)
    if store is None:
        return BatchStats()
    producer = idempotent_producer(settings)
    await producer.start()
    service = ArchiveService(store, settings, BadRecords(dlq_sender(producer, settings), "archive"))
    t = settings.topics
    log.info("archive started", url=store.safe_url)
    try:
        return await consume_batches(
            settings,
            [t.enriched, t.events, t.alerts],
            f"{settings.app_id}-archive",
            service.handle,
            batch_size=batch_size or settings.archive_batch_size,
            stop=stop,
            idle_timeout=idle_timeout,
        )
    finally:
        store.close()
        await producer.stop()
