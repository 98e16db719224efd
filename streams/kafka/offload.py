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
import cProfile
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from pebble import ProcessExpired, ProcessPool

from streams.core.doc import Doc, prepared_key
from streams.core.errors import StageError, WartaError
from streams.core.pipeline import Pipeline, build_pipeline, build_stage
from streams.core.routing import MessageMeta, decode_input
from streams.core.settings import Settings
from streams.kafka.handoff import Packed, fresh_default, pack

__all__ = [
    "WORKING_FIELDS",
    "PipelinePool",
    "Staged",
    "hard_limit",
    "pipeline_processes",
    "preparers",
    "run_pre",
    "usable_cpus",
]


@dataclass
class Staged:
    """What the earlier stages made of one input: the Doc, or the error (code, reason, hint,
    stage), with the seconds each stage took."""

    doc: Doc | None = None
    error: tuple[str, str, str | None, str | None] | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    #: The pre-encoded handoff (:mod:`streams.kafka.handoff`), in place of ``doc``.
    packed: Packed | None = None

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
#: The Doc fields the loop stages read, when the result goes back pre-encoded (None: the whole Doc).
_PACK: set[str] | None = None

#: ``PipelinePool(profile=DIR)`` (the worker: ``WARTA_PIPELINE_PROFILE=DIR``): each pipeline process
#: profiles its calls (cProfile) and writes ``DIR/pipeline-PID.prof`` every :data:`PROFILE_EVERY`
#: calls (a diagnostic; off by default).
_PROFILER: cProfile.Profile | None = None
_PROFILE_PATH: str | None = None
_CALLS = 0
PROFILE_EVERY = 20

#: Doc fields that are working state, not output: they go back to the parent only when a stage
#: there declares it reads them. The shared analysis is ~30x the article in pickled size.
WORKING_FIELDS = ("analysis", "scratch", "text")


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _ARMED:
        raise _OverBudget()


def _init(
    settings: Settings,
    stages: list[str],
    drop: tuple[str, ...] = (),
    prepare: tuple[str, ...] = (),
    packed: tuple[str, ...] | None = None,
    profile: str | None = None,
) -> None:
    """Child start-up: build the stages once (models, automata) and install the alarm
    (``profile``: a directory for the child's cProfile stats, see :data:`PROFILE_EVERY`)."""
    global _PIPELINE, _DROP, _PREPARE, _PACK, _PROFILER, _PROFILE_PATH
    _DROP = drop
    _PACK = set(packed) if packed is not None else None
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    signal.signal(signal.SIGALRM, _on_alarm)
    _PIPELINE = build_pipeline(settings, stages=stages)
    _PREPARE = preparers(settings, prepare)
    if profile:
        os.makedirs(profile, exist_ok=True)
        _PROFILE_PATH = os.path.join(profile, f"pipeline-{os.getpid()}.prof")
        _PROFILER = cProfile.Profile()


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
        doc = pipeline.run_doc(decode_input(payload, meta, max_bytes))
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
            setattr(staged.doc, name, fresh_default(name))
        staged.doc.scratch.update(keep)  # the prepared signatures travel with the result
        if _PACK is not None:
            staged.packed = pack(staged.doc, _PACK)
            if staged.packed is not None:
                staged.doc = None
    return staged


def _run_many(items: list[tuple[bytes | None, MessageMeta]], max_bytes: int, budget: float) -> list[Staged]:
    """:func:`_run` for each input of a batch, in order (one round trip for the batch; the budget
    is still per input)."""
    global _CALLS
    if _PROFILER is None:
        return [_run(payload, meta, max_bytes, budget) for payload, meta in items]
    _PROFILER.enable()
    try:
        return [_run(payload, meta, max_bytes, budget) for payload, meta in items]
    finally:
        _PROFILER.disable()
        _CALLS += 1
        if _CALLS % PROFILE_EVERY == 0 and _PROFILE_PATH is not None:
            _PROFILER.dump_stats(_PROFILE_PATH)


def hard_limit(budget: float, inputs: int = 1) -> float:
    """When the parent kills a child that ignored the alarm: the budget of each input of the
    batch plus a grace period."""
    return budget * max(1, inputs) + max(1.0, budget * 0.25)


def usable_cpus() -> int:
    """CPU cores this process may run on (its affinity where the platform says, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def pipeline_processes(configured: int) -> int:
    """``WARTA_PIPELINE_PROCESSES``, with 0 meaning one per usable core, at most 4."""
    return configured if configured > 0 else min(4, usable_cpus())


#: One input waiting for a pipeline process: payload, meta, and the future of its result.
_Pending = tuple[bytes | None, MessageMeta, "asyncio.Future[Staged]"]


class PipelinePool:
    """``pipeline_processes`` children running ``stages``; :meth:`run` is awaited on the event loop.

    Inputs go to the children in batches, one round trip each (pickling, pipes and pebble's
    threads cost the event loop per call, not per input): an input is dispatched at once when
    a child is free (one input per batch when the worker is caught up); inputs that arrive while
    every child is busy wait and leave together, up to ``max_batch``, when the next child is
    free. The batch's results come back together, so the bound is small: under a passing
    backlog the first input of a batch waits for the last one. Under a deep backlog (at least
    ``deep_batch`` inputs waiting per pipeline process: each of them waits for that many articles
    before it in any case) the bound is ``deep_batch``: half the round trips, and the results that
    come back together are finished and shipped as larger groups (fewer state flushes, produce
    requests and acknowledgement waits per article). A batch whose child died or overran the hard limit is run again input by input, so
    that only the input at fault ends as its error (W905, W902)."""

    def __init__(
        self,
        settings: Settings,
        stages: list[str],
        needed: Collection[str] = (),
        prepare: Sequence[str] = (),
        *,
        max_batch: int = 4,
        deep_batch: int | None = None,
        on_call: Callable[[int], None] | None = None,
        packed: Collection[str] | None = None,
        profile: str | None = None,
    ):
        """``needed``: Doc fields the stages after these read (the working fields among them
        are sent back to the parent). ``prepare``: the later (loop) stages whose ``prepare``
        runs here, after ``stages``, so that they read no text on the event loop. ``packed``:
        the Doc fields the loop stages read, to send results pre-encoded
        (:mod:`streams.kafka.handoff`); None sends the whole Doc. ``profile``: a directory
        where each child writes its cProfile stats (:data:`PROFILE_EVERY`)."""
        self.budget = settings.stage_timeout
        self.max_bytes = settings.max_article_bytes
        self.stages = list(stages)
        self.processes = pipeline_processes(settings.pipeline_processes)
        self.max_batch = max(1, max_batch)
        #: The bound under a deep backlog (default: twice ``max_batch``).
        self.deep_batch = max(self.max_batch, deep_batch if deep_batch is not None else 2 * self.max_batch)
        self.on_call = on_call
        #: True once every child has built its stages (``/health`` waits for it).
        self.ready = False
        #: Batches sent to the children, and the inputs they held (``batch_sizes`` / ``batches``).
        self.batches = 0
        self.inputs = 0
        self._pending: deque[_Pending] = deque()
        self._busy = 0
        self._pool = ProcessPool(
            max_workers=self.processes,
            initializer=_init,
            initargs=(
                settings,
                self.stages,
                tuple(f for f in WORKING_FIELDS if f not in needed),
                tuple(prepare),
                tuple(sorted(packed)) if packed is not None else None,
                profile,
            ),
            context=multiprocessing.get_context("spawn"),  # no fork of a process with threads
        )

    def submit(self, payload: bytes | None, meta: MessageMeta) -> asyncio.Future[Staged]:
        """Queue one input for the children; the future of its result (never an exception)."""
        fut: asyncio.Future[Staged] = asyncio.get_running_loop().create_future()
        self._pending.append((payload, meta, fut))
        self._dispatch()
        return fut

    def run(self, payload: bytes | None, meta: MessageMeta) -> asyncio.Future[Staged]:
        """:meth:`submit` (awaitable: the input's result)."""
        return self.submit(payload, meta)

    def batch_bound(self) -> int:
        """The most inputs one round trip takes now: ``deep_batch`` when at least that many
        inputs wait per pipeline process (a deep backlog), else ``max_batch``."""
        deep = len(self._pending) >= self.deep_batch * self.processes
        return self.deep_batch if deep else self.max_batch

    def _dispatch(self) -> None:
        """Send batches of the waiting inputs while a child is free: the waiting inputs shared
        between the free children, at most :meth:`batch_bound` per batch."""
        while self._pending and self._busy < self.processes:
            free = self.processes - self._busy
            size = min(self.batch_bound(), max(1, -(-len(self._pending) // free)))
            batch = [self._pending.popleft() for _ in range(min(size, len(self._pending)))]
            self._busy += 1
            self.batches += 1
            self.inputs += len(batch)
            if self.on_call is not None:
                self.on_call(len(batch))
            task = asyncio.ensure_future(self._run_batch(batch))
            task.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._busy -= 1
        self._dispatch()

    async def _run_batch(self, batch: list[_Pending]) -> None:
        try:
            results = await self._call([(p, m) for p, m, _ in batch])
            if len(batch) > 1 and any(_failed_call(r) for r in results):
                # the child died or overran: run each input alone, so only the culprit fails
                results = [(await self._call([(p, m)]))[0] for p, m, _ in batch]
        except BaseException as exc:  # cancelled (stopping): nobody waits for these any more
            for _, _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            raise
        for (_, _, fut), staged in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(staged)

    async def _call(self, items: list[tuple[bytes | None, MessageMeta]]) -> list[Staged]:
        """One round trip to a child; on a failure of the call itself, that error for every input."""
        limit = hard_limit(self.budget, len(items))
        try:
            fut = self._pool.schedule(_run_many, args=(items, self.max_bytes, self.budget), timeout=limit)
            staged: list[Staged] = await asyncio.wrap_future(fut)
            return staged
        except TimeoutError:
            err = Staged(error=("W902", f"the pipeline did not answer within the hard limit of {limit:g} s "
                                f"(budget {self.budget:g} s per input); its process was replaced",
                                "report the article: a stage ignored the time budget", "pipeline"))  # fmt: skip
        except ProcessExpired as exc:
            err = Staged(error=("W905", f"the pipeline process died: {exc}",
                                "report the article (DLQ payload); the worker started a new process", "pipeline"))  # fmt: skip
        except Exception as exc:  # e.g. a result that does not pickle: a bug, the article goes to the DLQ
            err = Staged(error=("W905", f"the pipeline process failed: {type(exc).__name__}: {exc}"[:2000],
                                "this is a bug in Warta; report it with the DLQ record", "pipeline"))  # fmt: skip
        return [err] * len(items)

    async def warm_up(self) -> None:
        """Wait until every child has built its stages (start-up cost is paid before traffic)."""
        meta = MessageMeta("warm-up")
        payload = b'{"id": "warm-up", "text": "Warta siap."}'
        await asyncio.gather(*(self.run(payload, meta) for _ in range(self.processes)))
        self.ready = True

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)


def _failed_call(staged: Staged) -> bool:
    """The error of a call that failed as a whole (a dead child, the hard limit), not an input's own."""
    return staged.error is not None and staged.error[3] == "pipeline"
