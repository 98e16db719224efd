"""The compiled whole passes of the figures stage (``_figures_hot.classify_mentions`` and
``_figures_hot.figures_from_analysis``) give exactly what the pure-Python passes of ``streams.nlp.figures``
give, and are used only while those passes are the ones they were written from.

Each pass is compared with the reference passes run over the same analysis, with the compiled feature
functions under both (``figures.whole_pass`` switched off for the reference), so what differs is the pass
itself: every mention (features, ids, kind, part, probabilities to the float) and every Figure (its whole
instance state: fields, fields set, no extra, no private attributes, the value's type). Random text is built
from the figure lexicons' own words (hypothesis); real text is the generated bench articles, the seeds and
the realdev and realtrain pages, with the pipeline's entities and titles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.records import Figure
from streams.nlp import figure_model as fm
from streams.nlp import figures as fg
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts
from tests.conftest import SHARED
from tests.nlp.test_figures_hot import _texts, _vocabulary

PASSES = ("classify_mentions", "figures_from_analysis")


@pytest.fixture(scope="module")
def hot() -> Any:
    return compiled_module(fm._HOT, "figures")


@contextmanager
def _reference_passes() -> Iterator[None]:
    """The Python passes of ``figures`` (the compiled feature functions stay on under them)."""
    old = fg.whole_pass
    fg.whole_pass = lambda name: None
    try:
        yield
    finally:
        fg.whole_pass = old


def _state(f: Figure) -> tuple[Any, ...]:
    """Everything a Figure instance holds."""
    return (
        type(f),
        f.__dict__,
        [type(v) for v in f.__dict__.values()],
        f.model_fields_set,
        f.__pydantic_extra__,
        f.__pydantic_private__,
        f.model_dump_json(),
    )


def _mentions(a: Any, entities: list[Any] | None, title: str | None) -> list[tuple[Any, ...]]:
    view = fm.article_view(a, entities, title)
    model = fm.load_model()
    ms = fg.classify_mentions(view, model)
    fg._assign_parts(view, ms, model)
    return [(m.n, m.feats, m.ids, m.kind, m.p_kind, m.part, m.p_part) for m in ms]


def _both(fn: Callable[[], Any]) -> tuple[Any, Any]:
    compiled = on_path(True, fn)
    with _reference_passes():
        reference = on_path(True, fn)
    return compiled, reference


def _compare(a: Any, entities: list[Any] | None = None, title: str | None = None) -> int:
    got, want = _both(lambda: _mentions(a, entities, title))
    assert got == want
    got, want = _both(lambda: [_state(f) for f in fg.figures_from_analysis(a, entities, title=title)])
    assert got == want
    assert (
        on_path(False, lambda: [_state(f) for f in fg.figures_from_analysis(a, entities, title=title)]) == got
    )
    return len(got)


def test_each_pass_follows_the_reference_it_was_written_from(hot: Any) -> None:
    """A reference function of a whole pass changed: bring its compiled twin up to date, then record the
    new fingerprint in ``_figures_hot._WHOLE`` (``python scripts/fingerprints.py --write``, docs/guards.md;
    until then the reference runs: slower, still right)."""
    for name in PASSES:
        assert hot.fingerprint(name) == hot.recorded_fingerprint(name), (
            f"figures pass {name} is stale: see docs/guards.md"
        )
        assert on_path(True, lambda name=name: fm.whole_pass(name)) is not None
        assert on_path(False, lambda name=name: fm.whole_pass(name)) is None


def test_a_changed_reference_function_turns_its_pass_off(hot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def other_unit(view: Any, n: Any) -> str | None:
        return "changed"

    assert on_path(True, lambda: fm.whole_pass("figures_from_analysis")) is not None
    monkeypatch.setattr(fg, "_unit", other_unit)
    assert on_path(True, lambda: fm.whole_pass("figures_from_analysis")) is None
    assert on_path(True, lambda: fm.whole_pass("classify_mentions")) is not None  # it does not read _unit
    a = analyze("Serangan itu menewaskan 12 orang dan melukai 30 warga.", "id")
    figs = on_path(True, lambda: fg.figures_from_analysis(a))
    assert figs and {f.unit for f in figs} == {"changed"}  # the reference ran, with the new function
    monkeypatch.undo()
    assert on_path(True, lambda: fm.whole_pass("figures_from_analysis")) is not None


def test_the_guard_is_the_shared_code_fingerprint(hot: Any) -> None:
    """The figures' guard hashes what the entity twins' guard hashes (``streams.core.hot.code_fingerprint``,
    whose own tests are in ``tests/core/test_hot_fingerprint.py``): the decorated feature functions by the
    function they wrap, so a docstring moves nothing and a changed line of logic turns the pass off."""
    import importlib

    from streams.core.hot import code_fingerprint

    for name in PASSES:
        funcs = []
        for module, dotted in hot.followed(name):
            obj: Any = importlib.import_module(module)
            for part in dotted.split("."):
                obj = getattr(obj, part)
            funcs.append(obj)
        assert hot.fingerprint(name) == code_fingerprint(*funcs)


def test_figures_are_built_as_validation_builds_them(hot: Any) -> None:
    assert hot.plain_figure(Figure)
    from pydantic import field_validator

    class Checked(Figure):
        @field_validator("kind")
        @classmethod
        def _upper(cls, v: str) -> str:
            return v.upper()

    assert not hot.plain_figure(Checked)  # a validator would change what the pass builds: it calls the class


@settings(max_examples=200, deadline=None)
@given(_texts(), st.sampled_from(["id", "en"]))
def test_random_lexicon_text_gives_the_same_mentions_and_figures(hot: Any, text: str, lang: str) -> None:
    a = analyze(text, lang)
    _compare(a, None, text[:60])


def test_the_random_text_gives_figures_of_every_branch(hot: Any) -> None:
    """The vocabulary gives money, percent, vague and casualty figures, parts and headlines, so the property
    test compares the branches of the passes."""
    # the vocabulary, and one plain partitive (the model's parts on the word soup alone move with retraining)
    text = " ".join(_vocabulary()) + " Banjir menewaskan 12 orang, 3 di antaranya anak-anak."
    figs = on_path(True, lambda: fg.figures_from_analysis(analyze(text, "id")))
    kinds = {f.kind for f in figs}
    assert {"money", "percent"} & kinds or {"aid_amount"} & kinds
    assert any(f.headline for f in figs) and any(f.part is not None for f in figs)
    assert any(f.qualifier for f in figs)


def test_real_articles_give_the_same_mentions_and_figures(hot: Any) -> None:
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState(), stages=[n for n in Settings().stages if n != "figures"])
    n = n_figures = 0
    for art_id, text in real_texts():
        doc = pipe.run_doc(RawArticle(id=art_id, text=text, title=text.split("\n", 1)[0][:120]))
        if doc.analysis is None:
            continue
        n_figures += _compare(doc.analysis, doc.entities, doc.title)
        n += 1
    assert n >= 30 and n_figures > 100
    if (SHARED / "eval" / "realtrain").is_dir():
        assert n >= 190 and n_figures > 1000


def test_mention_features_are_the_reference_features(hot: Any) -> None:
    for _, text in list(real_texts())[:40]:
        a = analyze(text, None)
        view = fm.article_view(a)
        got = on_path(True, lambda a=a, view=view: [hot.mention_features(view, n) for n in a.numbers])
        want = on_path(True, lambda a=a, view=view: [fm.mention_features(view, n) for n in a.numbers])
        assert got == want


def test_cue_hits_read_hit_fields_as_getattr_does(hot: Any) -> None:
    """``cue_hits`` reads a plain slotted Hit from its slots, anything else (a subclass hooking attribute
    access, a plain object) by ``getattr``: the same values either way."""
    from dataclasses import dataclass

    from streams.core.analysis import Hit

    names = ("start", "end", "tok_start", "tok_end", "keys")
    h = Hit(3, 9, 1, 2, "cue", ("casualties.killed.verbs",), ("tewas",), False)
    assert hot.hit_fields(h) == tuple(getattr(h, n) for n in names)

    class Hooked(Hit):
        __slots__ = ()

        def __getattribute__(self, name: str) -> Any:
            got = object.__getattribute__(self, name)
            return got + 100 if name == "start" else got

    k = Hooked(3, 9, 1, 2, "cue", ("x",), ("y",), False)
    assert hot.hit_fields(k) == tuple(getattr(k, n) for n in names) and hot.hit_fields(k)[0] == 103

    @dataclass
    class Plain:
        start: int
        end: int
        tok_start: int
        tok_end: int
        keys: tuple[str, ...]

    p = Plain(1, 2, 0, 1, ("a",))
    assert hot.hit_fields(p) == (1, 2, 0, 1, ("a",))
    assert hot.hit_fields(h) == tuple(getattr(h, n) for n in names)  # back to the slotted class


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_fused_prediction_is_the_best_of_the_scores(hot: Any, data: st.DataObject) -> None:
    """``_figures_hot`` scores and predicts a head's batch in one pass (no score lists): the same labels and
    floats as ``LinearHead._best`` of ``scores_many``, ties to the first label."""
    import numpy as np

    n_rows = data.draw(st.integers(1, 30))
    n_labels = data.draw(st.integers(1, 16))
    weight = st.one_of(st.floats(-40, 40), st.sampled_from([0.0, -0.0, 1.5, -1.5]))
    weights = data.draw(
        st.lists(st.lists(weight, min_size=n_labels, max_size=n_labels), min_size=n_rows, max_size=n_rows)
    )
    rows = np.array([*weights, [0.0] * n_labels])  # the last row: the padding row
    batch = data.draw(st.lists(st.lists(st.integers(0, n_rows - 1), max_size=50), max_size=8))
    labels = tuple(f"l{i}" for i in range(n_labels))
    head = fm.LinearHead(labels, {})
    want = [head._best(s) for s in hot.scores_many(rows, batch)]
    assert hot.predict_rows(rows, batch, labels) == want
    assert hot.best_many(labels, hot.scores_many(rows, batch)) == want


def test_mentions_are_built_as_their_class_builds_them(hot: Any) -> None:
    """The pass sets a plain ``Mention``'s slots as its generated ``__init__`` does; any other class (a
    ``__post_init__``, a hand-written ``__init__``) is called."""
    from dataclasses import dataclass, field

    a = analyze("Serangan itu menewaskan 12 orang.", "id")
    n = a.numbers[0]

    def state(m: Any) -> tuple[Any, ...]:
        return (type(m), m.n, m.feats, m.kind, m.p_kind, m.part, m.p_part, m.ids, type(m.p_kind))

    for args in (([], "money", 1.0, None), (["bias", "x"], "none", 0.0, [3, 1])):
        feats, kind, p, ids_ = args
        got = hot.new_mention(fg.Mention, n, list(feats), kind, p, ids_)
        want = (
            fg.Mention(n, list(feats), kind, p)
            if ids_ is None
            else fg.Mention(n, list(feats), kind, p, ids=ids_)
        )
        assert state(got) == state(want)
    assert (
        hot.new_mention(fg.Mention, n, [], "money", 1.0).ids
        is not hot.new_mention(fg.Mention, n, [], "x", 1.0).ids
    )

    @dataclass(slots=True)
    class Checked:
        n: Any
        feats: list[str]
        kind: str
        p_kind: float
        part: str = "total"
        p_part: float = 1.0
        ids: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            self.kind = self.kind.upper()

    assert hot.new_mention(Checked, n, [], "money", 1.0).kind == "MONEY"
    assert hot.new_mention(fg.Mention, n, [], "money", 1.0).kind == "money"  # back to the plain class
