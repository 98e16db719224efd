"""Run the stateless stages in child processes with a per-article time budget (WARTA_STAGE_TIMEOUT).

Why processes and not threads: a thread cannot be stopped, so an article that never finishes
would hold its thread (and a core) for good, and pure-Python stages hold the GIL that the event
loop needs for heartbeats. A child process runs the stages next to the event loop, on another
core, and is enforceable: ``SIGALRM`` in the child stops the article at the budget and names the
stage (W902); if the child does not answer by the hard limit (a C extension that ignores signals),
pebble kills it and starts a new one. A crashed child (segfault, out of memory) costs only its
article (W905), never the worker. The stateful stages (dedup) stay on the event loop, next to
their Faust tables; what they read from the text (dedup's MinHash signature and story features)
is computed here by their ``prepare`` and travels back with the result.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from pebble import ProcessExpired, ProcessPool

from streams.core.decode import decode_raw
from streams.core.doc import Doc, prepared_key
from streams.core.errors import StageError, WartaError
from streams.core.pipeline import Pipeline, build_pipeline, build_stage
from streams.core.routing import MessageMeta
from streams.core.settings import Settings

__all__ = ["WORKING_FIELDS", "PipelinePool", "Staged", "hard_limit", "preparers", "run_pre"]


@dataclass
class Staged:
    """What the earlier stages made of one input: the Doc, or the error (code, reason, hint,
    stage), with the seconds each stage took."""

    doc: Doc | None = None
    error: tuple[str, str, str | None, str | None] | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)

    def raise_error(self) -> None:
        if self.error is not None:
            code, reason, hint, stage = self.error
            raise WartaError(code, reason, hint=hint, stage=stage)


class _OverBudget(BaseException):
    """Raised by SIGALRM in the child; a BaseException so that no stage's ``except Exception``
    can swallow it."""


_PIPELINE: Pipeline | None = None
_ARMED = False
_DROP: tuple[str, ...] = ()
#: The loop stages whose ``prepare`` (their stateless, text-reading part) runs in this child.
_PREPARE: list[Any] = []

#: Doc fields that are working state, not output: they go back to the parent only when a stage
#: there declares it reads them. The shared analysis is ~30x the article in pickled size.
WORKING_FIELDS = ("analysis", "scratch", "text")


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _ARMED:
        raise _OverBudget()


def _init(
    settings: Settings, stages: list[str], drop: tuple[str, ...] = (), prepare: tuple[str, ...] = ()
) -> None:
    """Child start-up: build the stages once (models, automata) and install the alarm."""
    global _PIPELINE, _DROP, _PREPARE
    _DROP = drop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    signal.signal(signal.SIGALRM, _on_alarm)
    _PIPELINE = build_pipeline(settings, stages=stages)
    _PREPARE = preparers(settings, prepare)


def preparers(settings: Any, names: Sequence[str]) -> list[Any]:
    """The named stages that have a ``prepare`` (built without state: ``prepare`` reads none)."""
    return [st for st in (build_stage(n, settings) for n in names) if callable(getattr(st, "prepare", None))]


def _prepare(stages: Sequence[Any], doc: Doc, timings: list[tuple[str, float]]) -> None:
    """Run each stage's ``prepare`` over ``doc``; its result goes to ``doc.scratch``."""
    for stage in stages:
        t0 = time.perf_counter()
        try:
            doc.scratch[prepared_key(stage.name)] = stage.prepare(doc)
        except WartaError:
            raise
        except Exception as exc:
            raise StageError("W900", f"stage {stage.name!r} raised {type(exc).__name__} in prepare: {exc}",
                             stage=stage.name, hint="this is a bug in Warta; the input is in the DLQ, "
                             "report it with the record") from exc  # fmt: skip
        finally:
            timings.append((f"{stage.name}_prepare", time.perf_counter() - t0))


def run_pre(
    pipeline: Pipeline,
    payload: bytes | None,
    meta: MessageMeta,
    max_bytes: int,
    budget: float | None,
    prepare: Sequence[Any] = (),
) -> Staged:
    """Decode ``payload`` and run ``pipeline`` over it, then the ``prepare`` of the ``prepare``
    stages, within ``budget`` seconds (SIGALRM; main thread only). Never raises for bad input:
    the error is returned."""
    global _ARMED
    timings: list[tuple[str, float]] = []
    pipeline.on_stage = lambda name, seconds: timings.append((name, seconds))
    t0 = time.perf_counter()
    try:
        if budget is not None:
            signal.signal(signal.SIGALRM, _on_alarm)
            _ARMED = True
            signal.setitimer(signal.ITIMER_REAL, budget)
        raw = decode_raw(payload, max_bytes=max_bytes)
        if raw.id is None and meta.key:
            raw = raw.model_copy(update={"id": meta.key})
        doc = pipeline.run_doc(raw)
        _prepare(prepare, doc, timings)
        return Staged(doc=doc, timings=timings)
    except WartaError as err:
        return Staged(error=(err.code, err.reason, err.hint, err.stage), timings=timings)
    except _OverBudget:
        stage = timings[-1][0] if timings else "decode"
        reason = f"stage {stage!r} was still running after the budget of {budget:g} s"
        hint = "raise WARTA_STAGE_TIMEOUT, or report the article: every stage must be linear in its length"
        elapsed = time.perf_counter() - t0
        return Staged(
            error=("W902", f"{reason} ({elapsed:.2f} s in the pipeline)", hint, stage), timings=timings
        )
    finally:
        if budget is not None:
            _ARMED = False
            signal.setitimer(signal.ITIMER_REAL, 0)


def _run(payload: bytes | None, meta: MessageMeta, max_bytes: int, budget: float) -> Staged:
    assert _PIPELINE is not None, "child not initialised"
    staged = run_pre(_PIPELINE, payload, meta, max_bytes, budget, _PREPARE)
    if staged.doc is not None:
        keep = {k: v for k, v in staged.doc.scratch.items() if k.startswith(prepared_key(""))}
        for name in _DROP:
            setattr(staged.doc, name, Doc.model_fields[name].get_default(call_default_factory=True))
        staged.doc.scratch.update(keep)  # the prepared signatures travel with the result
    return staged


def hard_limit(budget: float) -> float:
    """When the parent kills a child that ignored the alarm: the budget plus a grace period."""
    return budget + max(1.0, budget * 0.25)


class PipelinePool:
    """``pipeline_processes`` children running ``stages``; :meth:`run` is awaited on the event loop."""

    def __init__(
        self, settings: Settings, stages: list[str], needed: Collection[str] = (), prepare: Sequence[str] = ()
    ):
        """``needed``: Doc fields the stages after these read (the working fields among them
        are sent back to the parent). ``prepare``: the later (loop) stages whose ``prepare``
        runs here, after ``stages``, so that they read no text on the event loop."""
        self.budget = settings.stage_timeout
        self.max_bytes = settings.max_article_bytes
        self.stages = list(stages)
        self.processes = settings.pipeline_processes
        #: True once every child has built its stages (``/health`` waits for it).
        self.ready = False
        self._pool = ProcessPool(
            max_workers=settings.pipeline_processes,
            initializer=_init,
            initargs=(
                settings,
                self.stages,
                tuple(f for f in WORKING_FIELDS if f not in needed),
                tuple(prepare),
            ),
            context=multiprocessing.get_context("spawn"),  # no fork of a process with threads
        )

    async def run(self, payload: bytes | None, meta: MessageMeta) -> Staged:
        limit = hard_limit(self.budget)
        try:
            fut = self._pool.schedule(_run, args=(payload, meta, self.max_bytes, self.budget), timeout=limit)
            staged: Staged = await asyncio.wrap_future(fut)
            return staged
        except TimeoutError:
            return Staged(error=("W902", f"the pipeline did not answer within the hard limit of {limit:g} s "
                                 f"(budget {self.budget:g} s); its process was replaced",
                                 "report the article: a stage ignored the time budget", "pipeline"))  # fmt: skip
        except ProcessExpired as exc:
            return Staged(error=("W905", f"the pipeline process died: {exc}",
                                 "report the article (DLQ payload); the worker started a new process", "pipeline"))  # fmt: skip
        except Exception as exc:  # e.g. a result that does not pickle: a bug, the article goes to the DLQ
            return Staged(error=("W905", f"the pipeline process failed: {type(exc).__name__}: {exc}"[:2000],
                                 "this is a bug in Warta; report it with the DLQ record", "pipeline"))  # fmt: skip

    async def warm_up(self) -> None:
        """Wait until every child has built its stages (start-up cost is paid before traffic)."""
        meta = MessageMeta("warm-up")
        payload = b'{"id": "warm-up", "text": "Warta siap."}'
        await asyncio.gather(*(self.run(payload, meta) for _ in range(self.processes)))
        self.ready = True

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)
