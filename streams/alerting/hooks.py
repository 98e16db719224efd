"""``warta process --rules R --alerts-out P``: the alerting engine as an in-process post hook."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from streams.alerting.engine import AlertEngine
from streams.alerting.rules import load_rules
from streams.alerting.sinks import JsonlSink
from streams.core.records import EnrichedArticle

__all__ = ["alerting_hook"]


def alerting_hook(
    rules_path: str | Path, alerts_out: str | Path | None
) -> tuple[Callable[[EnrichedArticle], None], Callable[[], None]]:
    """(hook, close): the hook fires rules on each article and writes alert revisions as JSONL.

    ``alerts_out`` None writes to stderr. Raises RulesError (W801) on a bad rules file.
    """
    engine = AlertEngine(load_rules(rules_path))
    sink = JsonlSink(alerts_out) if alerts_out is not None else JsonlSink(sys.stderr.buffer)

    def hook(article: EnrichedArticle) -> None:
        changes = engine.process(article)
        sink.write(changes)
        engine.commit()

    def close() -> None:
        sink.close_sync()

    return hook, close
