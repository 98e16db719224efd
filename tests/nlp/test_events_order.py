"""The events stage gives the same result whatever the order its lazy article tables are filled in.

An ``EventContext`` computes the actor mentions, their feature ids and role scores on first use and keeps them.
What it keeps must not depend on which pass asked first, nor on which models scored the context before:
the evaluation scores one context with the models of several folds. Both paths (the compiled one and the
pure-Python reference) are checked on the real pages, and the guard that turns the compiled passes off when
a reference function they copy changes.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import events as ev
from streams.nlp import events_guard
from streams.nlp.classify_match import Sentence
from streams.nlp.linear import LinearModel
from tests.compiled_paths import compiled_module, on_path, real_texts


@pytest.fixture(scope="module")
def hot() -> Any:
    mod = compiled_module(ev._load_hot(), "events")
    if ev.load_event_models() is None:
        pytest.skip("the event models are not trained (scripts/train_events.py)")
    return mod


@pytest.fixture(scope="module")
def docs() -> list[Any]:
    """The first 70 real texts (generated articles, seeds, real pages) run through the pipeline."""
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState())
    out = []
    for art_id, text in list(real_texts())[:70]:
        doc = pipe.run_doc(RawArticle(id=art_id, text=text))
        if doc.analysis is not None:
            out.append(doc)
    return out


def _context(doc: Any) -> ev.EventContext:
    return ev.build_context(
        doc.body, doc.analysis, entities=doc.entities, topics=[t.code for t in doc.topics],
        published_at=doc.published_at, quotes=[q.span for q in doc.quotes],
        figures=[(f.span[0], f.kind) for f in doc.figures], byline=doc.byline, outlets=ev.outlets_of(doc),
    )  # fmt: skip


def _roles(ctx: ev.EventContext, models: ev.EventModels) -> list[Any]:
    """Every candidate's role scores (P(source), P(target), mention span and name) under ``models``."""
    cands = ev.find_candidates(ctx)
    ev.score_candidates(ctx, cands, models)
    return [
        [(ps, pt, m.start, m.end, m.name) for ps, pt, m in ev._role_scores(ctx, c, models)] for c in cands
    ]


def _other_models(models: ev.EventModels) -> ev.EventModels:
    """Other role rankers: each weight halved, and a feature no mention has, named to sort first (so every
    feature of the compiled scorer gets another id)."""

    def moved(m: LinearModel) -> LinearModel:
        weights = {k: tuple(x * 0.5 for x in w) for k, w in m.weights.items()}
        weights["!never"] = (0.0, 1.0)
        return LinearModel(m.classes, m.bias, weights)

    return replace(models, source=moved(models.source), target=moved(models.target))


@pytest.mark.parametrize("compiled", [True, False])
def test_role_scores_do_not_depend_on_the_models_that_scored_the_context_before(
    hot: Any, docs: list[Any], compiled: bool
) -> None:
    models = ev.load_event_models()
    assert models is not None
    other = _other_models(models)
    n = 0
    for doc in docs:
        ctx = _context(doc)
        first = on_path(compiled, lambda ctx=ctx: _roles(ctx, models))
        after = on_path(compiled, lambda ctx=ctx: _roles(ctx, other))  # the same context, other models
        alone = on_path(compiled, lambda doc=doc: _roles(_context(doc), other))
        assert after == alone, doc.id
        assert on_path(compiled, lambda ctx=ctx: _roles(ctx, models)) == first, doc.id  # and back
        n += sum(map(len, alone))
    assert n > 200  # role scores were compared


def _events_warmed(doc: Any) -> list[dict[str, Any]]:
    """``detect_events`` of ``doc`` with every lazy table of the context filled first, in reverse order: the
    actor mentions, each candidate's clause actors and role scores from the last candidate to the first."""
    built = ev.build_context

    def warm(*args: Any, **kw: Any) -> ev.EventContext:
        ctx = built(*args, **kw)
        models = ev.load_event_models()
        assert models is not None
        ctx.mentions()
        cands = ev.find_candidates(ctx)
        ev.score_candidates(ctx, cands, models)
        for c in reversed(cands):
            ctx.mentions_between(*ev._clause_bounds(ctx, c))
            ev._role_scores(ctx, c, models)
        return ctx

    ev.build_context = warm  # type: ignore[assignment]
    try:
        return _detect(doc)
    finally:
        ev.build_context = built  # type: ignore[assignment]


def _detect(doc: Any) -> list[dict[str, Any]]:
    ev.EventStage()(doc)
    return [e.model_dump() for e in doc.events]


@pytest.mark.parametrize("compiled", [True, False])
def test_events_do_not_depend_on_when_the_actor_tables_are_filled(
    hot: Any, docs: list[Any], compiled: bool
) -> None:
    n = 0
    for doc in docs:
        plain = on_path(compiled, lambda doc=doc: _detect(doc))
        assert on_path(compiled, lambda doc=doc: _events_warmed(doc)) == plain, doc.id
        n += sum(1 for e in plain if e["source_actor"])
    assert n > 20  # events with actors were compared


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 400), max_size=12).map(sorted),
    st.integers(0, 300),
    st.integers(0, 150),
    st.integers(0, 120),
)
def test_the_cue_window_and_the_clause_start_at_the_same_break(
    ends: list[int], s0: int, offset: int, width: int
) -> None:
    """``_window_start`` (the cue window) and ``_clause_bounds`` (the quoted clause) start from one
    ``_clause_start``: the last clause break at or before the trigger, not before its sentence."""
    start = s0 + offset
    i = bisect.bisect_right(ends, start) - 1
    clause = max(s0, ends[i]) if i >= 0 else s0  # the definition both had written out
    assert ev._clause_start(s0, start, ends) == clause
    assert ev._window_start(Sentence(s0, start + 10), start, width, ends) == max(clause, start - width)


def test_the_guard_records_the_references_as_they_are(hot: Any) -> None:
    assert events_guard.GUARD.fingerprint() == events_guard.RECORDED, (
        "a reference function the compiled events passes copy changed: bring streams/nlp/_events_hot.pyx up to "
        "date, then `python scripts/fingerprints.py --write` (docs/guards.md)"
    )


def test_a_changed_reference_turns_the_compiled_passes_off(
    hot: Any, docs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = docs[0]
    compiled = on_path(True, lambda: _detect(doc))
    assert on_path(True, ev._compiled) is hot
    orig = ev._clause_start

    def changed(sent_start: int, start: int, break_ends: list[int]) -> int:
        return orig(sent_start, start, break_ends)

    monkeypatch.setattr(ev, "_clause_start", changed)
    assert on_path(True, lambda: _detect(doc)) == compiled  # the reference, the same events
    assert on_path(True, ev._compiled) is None
    monkeypatch.undo()
    assert on_path(True, lambda: (_detect(doc), ev._compiled())[1]) is hot  # asked again at the next article
