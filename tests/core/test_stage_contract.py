"""Every stage reads and writes only the Doc fields it declares (``requires``, ``optional``,
``assigns``): each stage runs on a Doc that records every field it touches.

The worker relies on these declarations: the fields a stage on the event loop reads are the ones
sent back from the pipeline process, so an undeclared read there would see an empty field.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from streams.cli.demo import sample_paths
from streams.core.doc import Doc
from streams.core.pipeline import build_pipeline, stage_reads
from streams.core.registry import DEFAULT_STAGES
from streams.feeds.demo import demo_dir
from streams.ingest.inputs import iter_inputs

FIELDS = frozenset(Doc.model_fields)
#: Constants every record carries, and the channels stages write through ``emit``/``measure``.
EXEMPT = frozenset({"pipeline_version", "schema_version", "outbox", "measures"})

#: Undeclared reads tolerated for now, per stage (none: every stage declares what it reads). The
#: test fails on an undeclared read not listed here and warns about an entry no longer needed.
PENDING: dict[str, frozenset[str]] = {}


class RecordingDoc(Doc):
    """A Doc that logs ``(read|write, field)`` for every field access (in-place changes of a
    field's value count as reads of it: allowed for the fields a stage assigns)."""

    log: ClassVar[list[tuple[str, str]]] = []

    def __getattribute__(self, name: str) -> Any:
        if name in FIELDS:
            RecordingDoc.log.append(("read", name))
        return super().__getattribute__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in FIELDS:
            RecordingDoc.log.append(("write", name))
        super().__setattr__(name, value)


def _inputs() -> Iterator[Any]:
    paths = [*sample_paths(), *(str(p) for p in sorted(demo_dir().rglob("*.html")))]
    for item in iter_inputs(paths):
        if item.raw is not None:
            yield item.raw


@functools.cache
def _pipeline() -> Any:
    return build_pipeline()


@pytest.fixture(scope="module")
def touched() -> dict[str, tuple[set[str], set[str]]]:
    """Stage name -> (fields read, fields written) over the sample articles and pages."""
    pipeline = _pipeline()
    out: dict[str, tuple[set[str], set[str]]] = {s.name: (set(), set()) for s in pipeline.stages}
    ran = 0
    for raw in _inputs():
        doc = RecordingDoc.from_raw(raw)
        for stage in pipeline.stages:
            RecordingDoc.log = []
            try:
                stage(doc)
            except Exception:
                break  # an input a stage refuses (W2xx) ends its run, as in the pipeline
            finally:
                reads, writes = out[stage.name]
                reads.update(n for kind, n in RecordingDoc.log if kind == "read")
                writes.update(n for kind, n in RecordingDoc.log if kind == "write")
        else:
            ran += 1
    assert ran >= 5, "the samples must run through every stage"
    return out


@pytest.mark.parametrize("name", DEFAULT_STAGES)
def test_a_stage_touches_only_what_it_declares(
    name: str, touched: dict[str, tuple[set[str], set[str]]]
) -> None:
    stage = next(s for s in _pipeline().stages if s.name == name)
    reads, writes = touched[name]
    allowed = set(stage_reads(stage)) | set(stage.assigns) | EXEMPT
    pending = PENDING.get(name, frozenset())
    undeclared = reads - allowed
    assert undeclared <= pending, f"{name} reads {sorted(undeclared - pending)} without declaring them"
    assert not writes - set(stage.assigns) - EXEMPT, f"{name} writes {sorted(writes - set(stage.assigns))}"
    stale = pending - undeclared
    if stale:  # progress made elsewhere must not break the build: say what to delete
        warnings.warn(
            f"{name} no longer reads {sorted(stale)} undeclared: remove it from PENDING", stacklevel=1
        )


def test_the_recorder_sees_reads_and_writes() -> None:
    """The check would catch a stage that reads ``topics`` and sets ``lead`` behind its back."""
    doc = RecordingDoc.from_raw(next(_inputs()))
    RecordingDoc.log = []
    _ = doc.topics
    doc.lead = "x"
    assert ("read", "topics") in RecordingDoc.log and ("write", "lead") in RecordingDoc.log
