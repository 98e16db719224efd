"""``warta process --archive URL``: archive each article of an in-process run (idempotently)."""

from __future__ import annotations

from collections.abc import Callable

from streams.archive.store import ArchiveStore
from streams.core.derived import domain_events
from streams.core.records import EnrichedArticle

__all__ = ["archive_hook"]

BATCH = 50


def archive_hook(
    url: str, *, batch: int = BATCH
) -> tuple[Callable[[EnrichedArticle], None], Callable[[], None]]:
    """(hook, close): the hook buffers articles (and their domain events), written ``batch`` at a
    time in one transaction; ``close`` writes the rest. Raises W802/W803 when the DB is unusable."""
    store = ArchiveStore(url)
    buf: list[EnrichedArticle] = []

    def flush() -> None:
        if buf:
            devs = [d for a in buf if not a.dedup.duplicate_of for d in domain_events(a)]
            store.write(buf, devs)
            buf.clear()

    def hook(article: EnrichedArticle) -> None:
        buf.append(article)
        if len(buf) >= batch:
            flush()

    def close() -> None:
        try:
            flush()
        finally:
            store.close()

    return hook, close
