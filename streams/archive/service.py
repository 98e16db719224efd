"""``warta archive``: consume enriched articles, domain events and alerts into the archive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson
import structlog
from aiokafka import ConsumerRecord
from pydantic import ValidationError

from streams.archive.batches import BatchStats, consume_batches, install_stop_signals
from streams.archive.store import ArchiveStore, WriteResult
from streams.core.errors import WartaError
from streams.core.records import Alert, DomainEvent, EnrichedArticle
from streams.core.settings import Settings

__all__ = ["ArchiveService", "run_archive"]

log = structlog.get_logger("warta.archive")


@dataclass
class ArchiveService:
    """Decodes a batch by topic and writes it in one transaction (in a thread: SQLAlchemy is sync)."""

    store: ArchiveStore
    settings: Settings
    skipped: int = 0
    totals: WriteResult = field(default_factory=WriteResult)

    def decode(
        self, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> tuple[list[EnrichedArticle], list[DomainEvent], list[Alert]]:
        t = self.settings.topics
        arts: list[EnrichedArticle] = []
        devs: list[DomainEvent] = []
        alerts: list[Alert] = []
        for m in records:
            try:
                obj = orjson.loads(m.value or b"")
                if m.topic == t.enriched:
                    arts.append(EnrichedArticle.model_validate(obj))
                elif m.topic == t.events:
                    devs.append(DomainEvent.model_validate(obj))
                elif m.topic == t.alerts:
                    alerts.append(Alert.model_validate(obj))
            except (orjson.JSONDecodeError, ValidationError) as exc:
                self.skipped += 1
                log.warning(
                    "skipping a record that does not match its topic's schema",
                    topic=m.topic,
                    partition=m.partition,
                    offset=m.offset,
                    error=str(exc)[:200],
                )
        return arts, devs, alerts

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        arts, devs, alerts = self.decode(records)
        res = await asyncio.to_thread(self.store.write, arts, devs, alerts)
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
    """Open (and migrate) the archive, retrying with backoff while the database is unreachable."""
    delay = 0.5
    while not stop.is_set():
        try:
            return await asyncio.to_thread(ArchiveStore, url)
        except WartaError as exc:
            if exc.code != "W802":
                raise  # a bad URL does not get better by waiting
            log.error(
                "archive database unreachable; retrying", code=exc.code, error=exc.reason, retry_in=delay
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(max_backoff, delay * 2)
    return None


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
    service = ArchiveService(store, settings)
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
