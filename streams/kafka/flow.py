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
  article waits for another's acknowledgements.
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


#: One input's (finished on the loop, outputs handed to the producer) futures.
_Chain = tuple[asyncio.Future[None], asyncio.Future[None]]

#: (event, gaps) -> acknowledge the event to Faust (and let it commit past the gaps).
Acker = Callable[[Any, Sequence[Any]], Awaitable[None]]


class Flow:
    """Dispatches inputs as they come (:meth:`submit`), finishes and delivers each one as soon
    as its result is back, and acknowledges the contiguous prefix of finished inputs."""

    def __init__(
        self,
        ctx: BatchContext,
        ack: Acker,
        *,
        limits: FlowLimits | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ctx = ctx
        self.ack = ack
        self.limits = limits or FlowLimits()
        self.on_outcome = on_outcome
        self.clock = clock
        self.count = 0
        self.bytes = 0
        #: The largest number of inputs that were in flight at once (the batch size reached).
        self.peak = 0
        self.window = AckWindow()
        self._room = asyncio.Condition()
        #: Per input partition, the last input's (finished, handed to the producer) futures.
        self._chains: dict[Hashable, tuple[asyncio.Future[None], asyncio.Future[None]]] = {}
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
        loop = asyncio.get_running_loop()
        for work in works:
            previous = self._chains.get(tp)
            mine = (loop.create_future(), loop.create_future())
            self._chains[tp] = mine
            task = asyncio.ensure_future(self._guarded(work, entry, tp, previous, mine))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    async def _guarded(
        self, work: Work, entry: Entry, tp: Hashable, previous: _Chain | None, mine: _Chain
    ) -> None:
        try:
            await self._one(work, entry, tp, previous, mine)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in the runtime: stop taking input, ack nothing more
            self.error = self.error or exc
            if self.ctx.log is not None:
                self.ctx.log.error("input task failed", error=repr(exc)[:500], offset=work.meta.offset)
            async with self._room:
                self._room.notify_all()
        finally:
            for fut in mine:
                if not fut.done():
                    fut.set_result(None)
            if self._chains.get(tp) is mine:
                del self._chains[tp]

    async def _one(
        self, work: Work, entry: Entry, tp: Hashable, previous: _Chain | None, mine: _Chain
    ) -> None:
        ctx = self.ctx
        staged = await ctx.run_pre(work.payload, work.meta)
        if ctx.on_stage is not None:
            for name, seconds in staged.timings:
                ctx.on_stage(name, seconds)
        if previous is not None:  # the stateful stages see a partition's inputs in order
            await previous[0]
        routed = ctx.finish_work(staged, work) if ctx.finish_work is not None else finish(ctx, staged, work)
        outcome = fit_outputs(ctx, work, routed)
        mine[0].set_result(None)
        if ctx.before_send is not None:  # the state this input wrote is durable before its outputs
            await ctx.before_send()
        if previous is not None:  # outputs go to the producer in input order
            await previous[1]
        sent = await enqueue(ctx, [outcome])
        mine[1].set_result(None)
        [outcome] = await deliver(ctx, [outcome], sent)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        entry.pending -= 1
        self.count -= 1
        self.bytes -= len(work.payload or b"")
        if entry.pending == 0:
            await self._finish_entry(tp, entry)
        async with self._room:
            self._room.notify_all()

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
