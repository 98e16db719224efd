"""The stage protocol and the pipeline that composes stages into RawArticle -> EnrichedArticle."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from streams.core.doc import Doc
from streams.core.errors import StageError, WartaError
from streams.core.records import EnrichedArticle, RawArticle

__all__ = [
    "DEFAULT_STAGES",
    "STAGE_REGISTRY",
    "MemoryState",
    "Pipeline",
    "Stage",
    "StateBackend",
    "build_pipeline",
    "build_stage",
]


class StateBackend(Protocol):
    """Where stateful stages keep their tables: dicts in-process, Faust tables in the worker."""

    def table(self, name: str) -> MutableMapping[str, Any]: ...


@dataclass
class MemoryState:
    """In-memory state for ``warta process`` and unit tests."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self, name: str) -> MutableMapping[str, Any]:
        return self.tables.setdefault(name, {})


@runtime_checkable
class Stage(Protocol):
    """One pipeline step: declares its name, the Doc fields it reads and the ones it writes.

    A stage mutates the Doc in place. It raises :class:`StageError` for input it cannot
    handle; any other exception is wrapped as ``W900`` by the pipeline.
    """

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]
    assigns: ClassVar[tuple[str, ...]]

    def __call__(self, doc: Doc) -> None: ...


#: Stage name -> "module:factory". A factory takes ``(settings, state)`` and returns a Stage.
STAGE_REGISTRY: dict[str, str] = {
    "decode": "streams.ingest.normalize:DecodeStage",
    "clean": "streams.ingest.clean:CleanStage",
    "language": "streams.nlp.language:LanguageStage",
    "ids": "streams.ingest.normalize:IdStage",
    "analysis": "streams.nlp.analysis:AnalysisStage",
    "entities": "streams.nlp.entities:EntityStage",
    "figures": "streams.nlp.figures:FigureStage",
    "quotes": "streams.nlp.quotes:QuoteStage",
    "topics": "streams.nlp.topics:TopicStage",
    "events": "streams.nlp.events:EventStage",
    "dedup": "streams.dedup.stage:DedupStage",
}

#: The stages run by default, in order.
DEFAULT_STAGES: tuple[str, ...] = (
    "decode",
    "clean",
    "language",
    "ids",
    "analysis",
    "entities",
    "figures",
    "quotes",
    "topics",
    "events",
    "dedup",
)

#: Fields a RawArticle provides before any stage runs.
_PROVIDED = frozenset({"raw", "text", "id", "url", "title"})

StageHook = Callable[[str, float], None]


class Pipeline:
    """Runs stages in order over a Doc; the same object serves the worker and ``warta process``."""

    def __init__(self, stages: Sequence[Stage], *, on_stage: StageHook | None = None):
        self.stages = list(stages)
        self.on_stage = on_stage
        available = set(_PROVIDED)
        for stage in self.stages:
            missing = [f for f in stage.requires if f not in available]
            if missing:
                raise ValueError(
                    f"stage {stage.name!r} requires {missing}, which no earlier stage assigns; "
                    "reorder the stages in settings"
                )
            available.update(stage.assigns)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def run_doc(self, raw: RawArticle) -> Doc:
        doc = Doc.from_raw(raw)
        for stage in self.stages:
            t0 = time.perf_counter()
            try:
                stage(doc)
            except WartaError as exc:
                if exc.stage is None:
                    exc.stage = stage.name
                raise
            except Exception as exc:  # a bug in a stage must not kill the worker
                raise StageError(
                    "W900",
                    f"stage {stage.name!r} raised {type(exc).__name__}: {exc}",
                    hint="this is a bug in Warta; the input is in the DLQ, report it with the record",
                    stage=stage.name,
                ) from exc
            finally:
                if self.on_stage is not None:
                    self.on_stage(stage.name, time.perf_counter() - t0)
        return doc

    def run(self, raw: RawArticle) -> EnrichedArticle:
        doc = self.run_doc(raw)
        try:
            return doc.to_enriched()
        except ValueError as exc:
            raise StageError("W901", f"pipeline output failed validation: {exc}", stage="finish") from exc


def _load(path: str) -> Callable[..., Stage]:
    module, _, attr = path.partition(":")
    factory: Callable[..., Stage] = getattr(importlib.import_module(module), attr)
    return factory


def build_pipeline(
    settings: Any = None,
    state: StateBackend | None = None,
    *,
    stages: Iterable[str] | None = None,
    on_stage: StageHook | None = None,
) -> Pipeline:
    """Compose the pipeline named by ``stages`` (default: ``settings.stages``)."""
    from streams.core.settings import get_settings

    settings = settings or get_settings()
    state = state if state is not None else MemoryState()
    names = list(stages if stages is not None else settings.stages)
    unknown = [n for n in names if n not in STAGE_REGISTRY]
    if unknown:
        raise ValueError(f"unknown stages {unknown}; known: {sorted(STAGE_REGISTRY)}")
    return Pipeline([_load(STAGE_REGISTRY[n])(settings, state) for n in names], on_stage=on_stage)


def stage_tables(names: Iterable[str]) -> list[str]:
    """The state tables the named stages use (the Faust app creates them up front)."""
    tables: list[str] = []
    for n in names:
        factory = _load(STAGE_REGISTRY[n])
        tables.extend(getattr(factory, "tables", ()))
    return tables


def build_stage(name: str, settings: Any, state: StateBackend | None = None) -> Stage:
    """One stage from the registry (for a runner that runs some stages apart from the others)."""
    if name not in STAGE_REGISTRY:
        raise ValueError(f"unknown stage {name!r}; known: {sorted(STAGE_REGISTRY)}")
    return _load(STAGE_REGISTRY[name])(settings, state if state is not None else MemoryState())
