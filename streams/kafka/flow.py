"""The worker's flow: each input goes out as soon as its result is back, offsets acked in order.

Why: a batch that waits for its slowest member, then for every acknowledgement of the batch,
made a caught-up worker hold each article for the whole batch (issue 26). Here:

- **Adaptive batches.** An input is dispatched to the pipeline processes the moment it arrives,
  while there is room in the window of inputs in flight: one input when the worker is caught up,
  up to ``batch_size`` inputs and ``batch_bytes`` bytes under backlog, and no new input while the
  oldest unacknowledged one has been in flight ``batch_within`` seconds or more (so the span a
  crash makes the next worker redo is bounded by count, bytes and time).
- **Send as soon as ready.** Each result is finished on the loop (the stateful stages, dedup, in
  input order per partition, so replays decide the same way), its outputs handed to the producer
  in that same order (so an output partition keeps the input order) and awaited at once: no
  article waits for another's acknowledgements. The results that are back together (the
  pipeline processes answer in batches under backlog) are finished and shipped as one group:
  one state flush, every output handed to the producer, one wait for their acknowledgements.
- **Offsets in order.** An input's offset is acknowledged only when it and every input before it
  on its partition are finished (delivered or dead-lettered): the contiguous prefix. Faust
  commits what was acknowledged, so nothing whose outputs are not durable is ever committed.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.kafka.offload import Staged
from streams.kafka.worker import BatchContext, Outcome, Work, deliver, enqueue, finish, fit_outputs

__all__ = ["AckWindow", "Entry", "Flow", "FlowLimits"]


@dataclass
class Entry:
    """One acknowledgeable input (a Faust event) and the works it stands for: its own message,
    and the skipped offsets read back before it (``gaps``)."""

    event: Any
    pending: int
    size: int
    started: float
    gaps: list[Any] = field(default_factory=list)
    done: bool = False


class AckWindow:
    """The entries in flight per partition, in arrival order."""

    def __init__(self) -> None:
        self._queues: dict[Hashable, deque[Entry]] = {}

    def add(self, tp: Hashable, entry: Entry) -> None:
        self._queues.setdefault(tp, deque()).append(entry)

    def finish(self, tp: Hashable, entry: Entry) -> list[Entry]:
        """Mark ``entry`` finished; the entries that may now be acknowledged, in order: the
        finished ones at the head of the partition's queue."""
        entry.done = True
        queue = self._queues.get(tp)
        out: list[Entry] = []
        while queue and queue[0].done:
            out.append(queue.popleft())
        if queue is not None and not queue:
            del self._queues[tp]
        return out

    def oldest(self) -> float | None:
        """When the oldest unacknowledged entry started (``time.monotonic``), or None."""
        heads = [q[0].started for q in self._queues.values() if q]
        return min(heads) if heads else None

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())


@dataclass(frozen=True)
class FlowLimits:
    """The window of inputs in flight: at most ``count`` inputs and ``bytes`` payload bytes, and
    none admitted while the oldest unacknowledged input is ``age`` seconds old or more. One
    input is always admitted into an empty window, however large."""

    count: int = 64
    bytes: int = 16 * 1024 * 1024
    age: float = 5.0


#: (event, gaps) -> acknowledge the event to Faust (and let it commit past the gaps).
Acker = Callable[[Any, Sequence[Any]], Awaitable[None]]


@dataclass
class _Item:
    """One work in its partition's lane: the future of its pipeline result."""

    work: Work
    entry: Entry
    staged: asyncio.Future[Staged]


class Flow:
    """Dispatches inputs as they come (:meth:`submit`), finishes and delivers each one as soon
    as its result is back, and acknowledges the contiguous prefix of finished inputs.

    Per input partition, one *lane* task takes the results in input order: every result at the
    head of the lane that is back is finished on the loop (the stateful stages, routing,
    encoding) as one group, and the group is shipped by its own task: the state flush, the
    outputs handed to the producer after the previous group's (one produce request for the
    group where the producer can), one wait for all their acknowledgements, then the offsets.
    When the worker is caught up a group is one input; under backlog it is the inputs whose
    results came back together (the pipeline processes answer in batches), at most
    ``max_group``."""

    def __init__(
        self,
        ctx: BatchContext,
        ack: Acker,
        *,
        limits: FlowLimits | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_group: int = 64,
        on_group: Callable[[], None] | None = None,
    ):
        self.ctx = ctx
        self.ack = ack
        self.limits = limits or FlowLimits()
        self.on_outcome = on_outcome
        self.clock = clock
        self.max_group = max(1, max_group)
        self.on_group = on_group
        self.count = 0
        self.bytes = 0
        #: The largest number of inputs that were in flight at once (the batch size reached).
        self.peak = 0
        #: Groups shipped so far (inputs per group = inputs / groups).
        self.groups = 0
        self.window = AckWindow()
        self._room = asyncio.Condition()
        #: Per input partition: the works whose results are awaited, in input order, and the task
        #: that finishes them.
        self._lanes: dict[Hashable, deque[_Item]] = {}
        self._lane_tasks: dict[Hashable, asyncio.Task[None]] = {}
        #: Per input partition, the last group's "outputs handed to the producer" future.
        self._handed: dict[Hashable, asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.error: BaseException | None = None

    def has_room(self) -> bool:
        if self.count == 0:
            return True
        lim = self.limits
        if self.count >= lim.count or self.bytes >= lim.bytes:
            return False
        oldest = self.window.oldest()
        return oldest is None or self.clock() - oldest < lim.age

    async def submit(self, event: Any, works: Sequence[Work], gaps: Sequence[Any] = ()) -> None:
        """Wait for room in the window, then dispatch every work of ``event`` (its skipped
        offsets first); returns without waiting for the results. Raises the error of a failed
        input task (a bug: the agent stops, nothing is acknowledged past it)."""
        self._raise()
        ctx = self.ctx
        if not ctx.limits and ctx.read_limits is not None:  # read at start-up; again until it succeeds
            ctx.limits = await ctx.read_limits()
        if not self.has_room():
            async with self._room:
                await self._room.wait_for(lambda: self.has_room() or self.error is not None)
        self._raise()
        msg = event.message
        tp = (msg.topic, msg.partition)
        size = sum(len(w.payload or b"") for w in works)
        entry = Entry(event, len(works), size, self.clock(), list(gaps))
        self.window.add(tp, entry)
        self.count += len(works)
        self.bytes += size
        self.peak = max(self.peak, self.count)
        if not works:  # nothing to do (cannot happen for a consumed message): ack in order
            await self._finish_entry(tp, entry)
            return
        lane = self._lanes.setdefault(tp, deque())
        for work in works:  # dispatched now: the pipeline processes start on it at once
            lane.append(_Item(work, entry, asyncio.ensure_future(ctx.run_pre(work.payload, work.meta))))
        if tp not in self._lane_tasks:
            self._lane_tasks[tp] = self._spawn(self._lane(tp, lane))

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    async def _failed(self, exc: BaseException, offset: int | None) -> None:
        """A bug in the runtime: stop taking input, acknowledge nothing more."""
        self.error = self.error or exc
        if self.ctx.log is not None:
            self.ctx.log.error("input task failed", error=repr(exc)[:500], offset=offset)
        async with self._room:
            self._room.notify_all()

    async def _lane(self, tp: Hashable, lane: deque[_Item]) -> None:
        """Finish the partition's results in input order, a group of those already back at a
        time, and hand each group to its own shipping task."""
        try:
            while lane and self.error is None:
                if not lane[0].staged.done():
                    await asyncio.wait((lane[0].staged,))
                group: list[_Item] = []
                while lane and lane[0].staged.done() and len(group) < self.max_group:
                    group.append(lane.popleft())
                outcomes, failure = self._finish_group(group)
                if outcomes:
                    self.groups += 1
                    if self.on_group is not None:
                        self.on_group()
                    previous = self._handed.get(tp)
                    mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                    self._handed[tp] = mine
                    self._spawn(self._ship(tp, group[: len(outcomes)], outcomes, previous, mine))
                if failure is not None:
                    await self._failed(failure, group[len(outcomes)].work.meta.offset)
        finally:
            if self._lane_tasks.get(tp) is asyncio.current_task():
                del self._lane_tasks[tp]
            if self._lanes.get(tp) is lane and not lane:
                del self._lanes[tp]

    def _finish_group(self, group: list[_Item]) -> tuple[list[Outcome], BaseException | None]:
        """The stateful stages, routing and encoding of each result, in order; stops at the
        first runtime error (the outcomes before it, and the error)."""
        ctx = self.ctx
        outcomes: list[Outcome] = []
        for item in group:
            try:
                staged = item.staged.result()
                if ctx.on_stage is not None:
                    for name, seconds in staged.timings:
                        ctx.on_stage(name, seconds)
                work = item.work
                routed = (
                    ctx.finish_work(staged, work)
                    if ctx.finish_work is not None
                    else finish(ctx, staged, work)
                )
                outcomes.append(fit_outputs(ctx, work, routed))
            except Exception as exc:
                return outcomes, exc
        return outcomes, None

    async def _ship(
        self,
        tp: Hashable,
        group: list[_Item],
        outcomes: list[Outcome],
        previous: asyncio.Future[None] | None,
        mine: asyncio.Future[None],
    ) -> None:
        ctx = self.ctx
        try:
            if ctx.before_send is not None:  # the state this group wrote is durable before its outputs
                await ctx.before_send()
            if previous is not None:  # outputs go to the producer in input order
                await previous
            sent = await enqueue(ctx, outcomes)
            mine.set_result(None)
            delivered = await deliver(ctx, outcomes, sent)
            for item, outcome in zip(group, delivered, strict=True):
                if self.on_outcome is not None:
                    self.on_outcome(outcome)
                entry = item.entry
                entry.pending -= 1
                self.count -= 1
                self.bytes -= len(item.work.payload or b"")
                if entry.pending == 0:
                    await self._finish_entry(tp, entry)
            async with self._room:
                self._room.notify_all()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._failed(exc, group[0].work.meta.offset)
        finally:
            if not mine.done():
                mine.set_result(None)
            if self._handed.get(tp) is mine:
                del self._handed[tp]

    async def _finish_entry(self, tp: Hashable, entry: Entry) -> None:
        for done in self.window.finish(tp, entry):
            await self.ack(done.event, done.gaps)

    async def drain(self) -> None:
        """Wait until every input submitted so far is finished and acknowledged."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._raise()

    def cancel(self) -> None:
        """Stop every input in flight (the worker is stopping: their offsets stay uncommitted)."""
        for task in list(self._tasks):
            task.cancel()
        for lane in self._lanes.values():
            for item in lane:
                item.staged.cancel()
