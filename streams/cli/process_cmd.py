"""``warta process``: the in-process pipeline over files or stdin, JSON lines on stdout."""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from streams.core.decode import InputItem
from streams.core.pipeline import build_pipeline
from streams.core.process import PostHook, process_items
from streams.core.settings import get_settings
from streams.ingest.inputs import iter_inputs

__all__ = ["run_process"]


def _stamped(items: Iterable[InputItem]) -> Iterator[InputItem]:
    """Inputs read now arrive now: stamp ``ingested_at`` where the input has none (as `warta publish`
    does), so dedup windows and arrival times mean the same in and out of Kafka."""
    for item in items:
        if item.raw is not None and item.raw.ingested_at is None:
            item = dataclasses.replace(item, raw=item.raw.model_copy(update={"ingested_at": time.time()}))
        yield item


def _unreadable(code: str) -> bool:
    """A W1xx code: the input could not be read as an article (a later stage's code means it was)."""
    return code.startswith("W1")


def run_process(
    paths: list[str],
    *,
    archive: str | None = None,
    rules: Path | None = None,
    alerts_out: Path | None = None,
) -> int:
    """Returns the exit code (DESIGN.md's contract): 0 when at least one input was read as an
    article (enriched, or dead-lettered by a stage), 1 when nothing could be read at all: no input,
    or every input missing or undecodable (W1xx: not UTF-8, not JSON, not a RawArticle, empty, too
    large)."""
    settings = get_settings()
    pipeline = build_pipeline(settings)
    hooks: list[PostHook] = []
    closers = []
    if archive:
        from streams.archive.hooks import archive_hook

        hook, close = archive_hook(archive)
        hooks.append(hook)
        closers.append(close)
    if rules:
        from streams.alerting.hooks import alerting_hook

        hook, close = alerting_hook(rules, alerts_out)
        hooks.append(hook)
        closers.append(close)
    ok = 0
    out = sys.stdout.buffer
    try:
        for outcome in process_items(
            _stamped(iter_inputs(paths, max_bytes=settings.max_article_bytes)),
            pipeline,
            hooks=hooks,
            settings=settings,
        ):
            if outcome.article is not None:
                ok += 1
                out.write((outcome.encoded or outcome.article.to_json()) + b"\n")
            elif outcome.error is not None:
                if not _unreadable(outcome.error.code):
                    ok += 1  # it was read as an article, just not processable
                out.write(orjson.dumps(outcome.error.model_dump(mode="json")) + b"\n")
            out.flush()
    finally:
        for close in closers:
            close()
    return 0 if ok else 1
