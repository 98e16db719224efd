"""Run the whole pipeline in-process over inputs, as ``warta process`` does (no Kafka)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from streams.core.decode import InputItem
from streams.core.errors import WartaError
from streams.core.pipeline import Pipeline
from streams.core.records import EnrichedArticle, ErrorLine

__all__ = ["Outcome", "PostHook", "process_items"]

#: Called with each enriched article (archive, alerting); may return extra records.
PostHook = Callable[[EnrichedArticle], Any]


@dataclass(frozen=True)
class Outcome:
    ref: str
    article: EnrichedArticle | None
    error: ErrorLine | None


def process_items(
    items: Iterable[InputItem],
    pipeline: Pipeline,
    *,
    hooks: Iterable[PostHook] = (),
) -> Iterator[Outcome]:
    """Each input -> an Outcome, in input order; errors become ErrorLines, never exceptions."""
    hooks = list(hooks)
    for item in items:
        if item.raw is None:
            err = item.error or WartaError("W102", "unreadable input")
            yield Outcome(
                item.ref, None, ErrorLine(id=item.ref, error=err.reason, code=err.code, reason=err.reason)
            )
            continue
        try:
            article = pipeline.run(item.raw)
        except WartaError as exc:
            yield Outcome(
                item.ref, None, ErrorLine(id=item.ref, error=exc.reason, code=exc.code, reason=exc.reason)
            )
            continue
        for hook in hooks:
            hook(article)
        yield Outcome(item.ref, article, None)
