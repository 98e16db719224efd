"""The stage protocol and the pipeline that composes stages into RawArticle -> EnrichedArticle."""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from streams.core.doc import Doc
from streams.core.errors import StageError, WartaError
from streams.core.records import EnrichedArticle, RawArticle
from streams.core.registry import DEFAULT_STAGES, STAGE_REGISTRY

__all__ = [
    "DEFAULT_STAGES",
    "STAGE_REGISTRY",
    "MeasureHook",
    "MemoryState",
    "Pipeline",
    "Stage",
    "StateBackend",
    "build_pipeline",
    "build_stage",
    "settle_heap",
    "stage_reads",
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


def stage_reads(stage: Any) -> tuple[str, ...]:
    """Every Doc field ``stage`` may read: its ``requires`` (an earlier stage must assign them) and
    its ``optional`` fields (read when an earlier stage assigned them). The worker sends these
    back from the pipeline process; tests/core/test_stage_contract.py checks a stage reads no other."""
    return (*stage.requires, *getattr(stage, "optional", ()))


#: Fields a RawArticle provides before any stage runs.
_PROVIDED = frozenset({"raw", "text", "id", "url", "title"})

#: ``(stage name, seconds)`` after each stage.
StageHook = Callable[[str, float], None]
#: ``(measure name, value)`` for what the stages measured (``Doc.measures``), after the run.
MeasureHook = Callable[[str, float], None]


class Pipeline:
    """Runs stages in order over a Doc; the same object serves the worker and ``warta process``."""

    def __init__(
        self,
        stages: Sequence[Stage],
        *,
        on_stage: StageHook | None = None,
        on_measure: MeasureHook | None = None,
    ):
        self.stages = list(stages)
        self.on_stage = on_stage
        self.on_measure = on_measure
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
        if self.on_measure is not None:
            for name, value in doc.measures.items():
                self.on_measure(name, value)
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


#: Cycle-collector threshold of the youngest generation while pipelines run. An article allocates
#: a few thousand container objects (hits, spans, records) that reference counting frees when it
#: is done; at CPython's default (700) the collector runs about once per article and traverses
#: them anyway. 10,000 lets them die first; cyclic garbage is still collected, a little later.
GC_GEN0_THRESHOLD = 10_000

_SETTLED = threading.Event()


def settle_heap(gen0_threshold: int = GC_GEN0_THRESHOLD) -> None:
    """Once per process, after the first pipeline is built: move the start-up heap (KB, lexicons,
    rules, models) into the collector's permanent generation (``gc.freeze``), so full collections
    no longer re-traverse it (a 25-35 ms pause every few hundred articles), and raise the youngest
    generation's threshold to ``gen0_threshold`` unless it is already higher."""
    if _SETTLED.is_set():
        return
    _SETTLED.set()
    gc.collect()  # start-up garbage goes now, not into the permanent generation
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    if 0 < gen0 < gen0_threshold:
        gc.set_threshold(gen0_threshold, gen1, gen2)


def build_pipeline(
    settings: Any = None,
    state: StateBackend | None = None,
    *,
    stages: Iterable[str] | None = None,
    on_stage: StageHook | None = None,
    on_measure: MeasureHook | None = None,
) -> Pipeline:
    """Compose the pipeline named by ``stages`` (default: ``settings.stages``) from the settings
    the CLI or the app entry built; with no settings, every stage uses its built-in defaults (the
    environment is read once, by the entry point, never here)."""
    state = state if state is not None else MemoryState()
    if stages is None:
        stages = settings.stages if settings is not None else DEFAULT_STAGES
    names = list(stages)
    unknown = [n for n in names if n not in STAGE_REGISTRY]
    if unknown:
        raise ValueError(f"unknown stages {unknown}; known: {sorted(STAGE_REGISTRY)}")
    stage_objs = [_load(STAGE_REGISTRY[n])(settings, state) for n in names]
    settle_heap()
    return Pipeline(stage_objs, on_stage=on_stage, on_measure=on_measure)


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
