"""Run the whole pipeline in-process over inputs, as ``warta process`` does (no Kafka)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from streams.core.article_path import ArticlePath, PathOutcome, warta_topic_limits
from streams.core.decode import InputItem
from streams.core.derived import MessageMeta
from streams.core.errors import WartaError
from streams.core.pipeline import Pipeline
from streams.core.records import EnrichedArticle, ErrorLine
from streams.core.settings import Settings

__all__ = ["PROCESS_TOPIC", "Outcome", "PostHook", "item_outcome", "process_items"]

#: The source topic named in the dead letters of ``warta process`` (its inputs are files).
PROCESS_TOPIC = "warta.process"

#: Called with each enriched article (archive, alerting); may return extra records.
PostHook = Callable[[EnrichedArticle], Any]


@dataclass(frozen=True)
class Outcome:
    ref: str
    article: EnrichedArticle | None
    error: ErrorLine | None
    #: The article as the worker would produce it (``encode_record``), encoded once by the
    #: article path's size check; None for an error.
    encoded: bytes | None = None


def item_outcome(path: ArticlePath, item: InputItem, offset: int = 0) -> PathOutcome:
    """One input of ``warta process`` through the shared article path (the file reader has
    decoded it already, or says why it could not: W100-W105)."""
    decoded = item.raw if item.raw is not None else item.error or WartaError("W102", "unreadable input")
    return path.outcome(item.payload, MessageMeta(PROCESS_TOPIC, 0, offset, None), decoded)


def process_items(
    items: Iterable[InputItem],
    pipeline: Pipeline,
    *,
    settings: Settings,
    hooks: Iterable[PostHook] = (),
) -> Iterator[Outcome]:
    """Each input -> an Outcome, in input order, through the shared article path (the worker's
    size checks and error codes); errors become ErrorLines, never exceptions."""
    hooks = list(hooks)
    path = ArticlePath(
        settings, pipeline, limits=warta_topic_limits(settings)
    )  # as `warta topics create` makes them
    for offset, item in enumerate(items):
        done = item_outcome(path, item, offset)
        err = done.error
        if err is not None or done.routed.article is None:
            err = err or WartaError("W901", "no article")
            yield Outcome(
                item.ref, None, ErrorLine(id=item.ref, error=err.reason, code=err.code, reason=err.reason)
            )
            continue
        for hook in hooks:
            hook(done.routed.article)
        value = next((e.value for e in done.encoded if e.role == "enriched"), None)
        yield Outcome(item.ref, done.routed.article, None, value)
