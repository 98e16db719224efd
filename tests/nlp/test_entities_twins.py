"""The compiled twins of whole entity passes (``_ner_hot``: edge words, connector joins, list items, capital
runs, document person splits, knowledge-base additions, span shaping, head-run stops, bracket joins, Washington,
coreference, the text view, grouping) give what their pure-Python references in ``streams.nlp.entities`` give,
on random name text, on generated articles and on the cleaned bodies of the real pages; a reference whose
code changed runs instead of its twin."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from functools import cache
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from streams.core.records import Entity
from streams.nlp import entities, ner_twins
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module("streams.nlp._ner_hot", "entities")


def _fresh(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The arguments with every list copied and every mention in them copied (passes may move a mention's
    end in place), the rest shared (the text view, the model, the hit maps are only read)."""
    return tuple(
        [copy.copy(x) if isinstance(x, entities.Mention) else x for x in a] if isinstance(a, list) else a
        for a in args
    )


def _record(
    text: str, language: str | None, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[tuple[Any, ...]]]:
    """The arguments of every call of each twinned reference while the reference path reads ``text``."""
    seen: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ner_twins.MIRRORS}
    for name in ner_twins.MIRRORS:
        real = getattr(entities, name)

        def spy(*args: Any, _real: Callable[..., Any] = real, _name: str = name) -> Any:
            seen[_name].append(_fresh(args))
            return _real(*args)

        monkeypatch.setattr(entities, name, spy)
    an = analyze(text, language)
    on_path(False, lambda: entities.extract_entities(text, language, an))
    monkeypatch.undo()
    return seen


def _out(x: Any) -> Any:
    if isinstance(x, list) and x and isinstance(x[0], Entity):
        return [(type(e), e.model_dump(), e.model_fields_set) for e in x]
    return repr(x)


def _same_passes(hot: ModuleType, text: str, language: str | None, monkeypatch: pytest.MonkeyPatch) -> int:
    """Each twin against its reference on the inputs the reference path gave it; the number of calls."""
    calls = 0
    for name, arglists in _record(text, language, monkeypatch).items():
        ref = getattr(entities, name)
        twin = getattr(hot, ner_twins.MIRRORS[name][0])
        for args in arglists:
            a, b = _fresh(args), _fresh(args)
            want = on_path(False, lambda f=ref, a=a: f(*a))
            got = on_path(True, lambda f=twin, b=b: f(*b))
            assert _out(got) == _out(want), name
            lists = [k for k, x in enumerate(a) if isinstance(x, list)]  # (the model's repr is its weights)
            assert [_out(b[k]) for k in lists] == [_out(a[k]) for k in lists], (
                f"{name}: inputs left otherwise"
            )
            # the same list back when nothing changed, a new one otherwise
            assert [got is x for x in b] == [want is x for x in a], name
            calls += 1
    return calls


def _same_stage(text: str, language: str | None) -> None:
    an = analyze(text, language)
    want = on_path(False, lambda: entities.extract_entities(text, language, an))
    got = on_path(True, lambda: entities.extract_entities(text, language, an))
    assert _out(got) == _out(want)


#: Words that reach the passes' branches: heads before and after names, tail heads and "of"/"for", connectors
#: and two-word connectors, list separators and counts in brackets, bracketed acronyms and places after them,
#: speech verbs before a name, people's names after organisations, particles, hyphens and web addresses, a
#: capital used as its government, capitalized runs the tagger may leave out, known and unknown names.
_WORDS = [
    "Badan", "Meteorologi", "Klimatologi", "dan", "Geofisika", "(BMKG)", "Kepolisian", "Daerah", "(Polda)",
    "Jabar", "Kabupaten", "Jombang", "Gunadi", "kata", "Irsan", "Nasution", "Kepala", "Bulog", "Ministry",
    "of", "Water", "Resources", "and", "Meteorology", "Centre", "for", "Seismology", "Geological", "Survey",
    "U.S.", "BPBD", "Bali", "Polres", "Situbondo", "Lapu", "-", "Lapu", "Shipping", "Lines", "Medcom", ".id",
    "Washington", "said", "di", "Gianyar", "(14)", ",", "Badung", "Tabanan", "Rapid", "Support", "Forces",
    "(RSF)", "RSF", "Presiden", "Joko", "Widodo", "Jokowi", "Widodo", "Vladimir", "Putin", "Kyiv", "Rusia",
    "van", "der", "Hoeven", "Cees", "Febriana", "/", "Kusuma", "Ragunan", "Jakarta", "Selatan", "KKB", "PBB",
    "NATO", "Reuters", "AFP", "&", "the", "Office", "Commissioner", "Sudan", "Air", "Force", "yang", "ujar",
    "Merek", "Hitachi", "Flightradar24", "Kota", "Semarang", "Hevearita", "Gunaryanti", "Rahayu", "\n",
]  # fmt: skip


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=90).map(" ".join), st.sampled_from(["id", "en"])
)
def test_twins_on_random_name_text(
    hot: ModuleType, monkeypatch: pytest.MonkeyPatch, text: str, language: str
) -> None:
    _same_passes(hot, text, language, monkeypatch)
    _same_stage(text, language)


@cache
def _cleaned_bodies() -> list[tuple[str, str, str | None]]:
    """(id, cleaned body, language) of 30 generated 3 KB articles, the seeds and the real pages, as the
    pipeline's clean and language stages give them (the entities stage reads cleaned bodies, not files)."""
    from bench.generate import generate_articles
    from streams.core.pipeline import DEFAULT_STAGES, MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings
    from streams.ingest.inputs import iter_inputs

    raws = [RawArticle(**a) for a in generate_articles(30, seed=7, size_kb=3.0)]
    dirs = [SHARED / d for d in ("seeds", "eval/realdev/articles", "eval/realtrain/articles")]
    raws += [it.raw for it in iter_inputs([str(d) for d in dirs if d.is_dir()]) if it.raw is not None]
    stages = DEFAULT_STAGES[: DEFAULT_STAGES.index("entities")]
    pipe = build_pipeline(Settings(), MemoryState(), stages=stages)
    out = []
    for raw in raws:
        doc = pipe.run_doc(raw)
        if isinstance(doc.body, str):
            out.append((str(raw.id), doc.body, doc.language))
    return out


def _bodies() -> Iterator[tuple[str, str, str | None]]:
    yield from _cleaned_bodies()


def test_twins_on_cleaned_bodies(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = n = 0
    for _id, body, language in _bodies():
        calls += _same_passes(hot, body, language, monkeypatch)
        _same_stage(body, language)
        n += 1
    assert n >= 30 and calls >= 14 * n
    if not (SHARED / "eval/realdev/articles").is_dir():
        pytest.skip("../shared/eval is absent: only the generated articles were compared")


def test_every_twin_mirrors_its_reference_as_it_is() -> None:
    stale = ner_twins.stale_twins()
    assert not stale, (
        f"entities {stale} changed since their compiled twins were written (they run in Python now): follow "
        "the change in streams/nlp/_ner_hot.pyx, then `python scripts/fingerprints.py --write` (docs/guards.md)"
    )


def test_a_changed_reference_runs_instead_of_its_twin(
    hot: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "_edge_words"
    twin_name, names, _want = ner_twins.MIRRORS[name]
    monkeypatch.setattr(ner_twins, "_chosen", {})
    assert on_path(True, lambda: ner_twins.twin(entities._edge_words)) is getattr(hot, twin_name)
    monkeypatch.setitem(ner_twins.MIRRORS, name, (twin_name, names, "0" * 16))
    monkeypatch.setattr(ner_twins, "_chosen", {})
    assert on_path(True, lambda: ner_twins.twin(entities._edge_words)) is entities._edge_words
    assert on_path(False, lambda: ner_twins.twin(entities.group_mentions)) is entities.group_mentions
    stand_in = lambda *a: a[2]  # noqa: E731  (a test's stand-in for a pass)
    stand_in.__name__ = "_edge_words"
    assert on_path(True, lambda: ner_twins.twin(stand_in)) is stand_in


def test_the_twins_are_bound_once_an_article(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """``extract_entities`` chooses every pass once (``ner_twins.bound``) and its call sites read that
    choice: the same choice :func:`ner_twins.twin` makes pass by pass, on either path."""
    import dataclasses

    assert [f.name for f in dataclasses.fields(ner_twins.Twins)] == list(ner_twins.MIRRORS)
    for compiled in (True, False):
        tw = on_path(compiled, ner_twins.bound)
        assert on_path(compiled, ner_twins.bound) is tw  # kept while nothing changed
        for name in ner_twins.MIRRORS:
            ref = getattr(entities, name)
            assert getattr(tw, name) is on_path(compiled, lambda r=ref: ner_twins.twin(r)), name
            assert (getattr(tw, name) is ref) is not compiled, name
    calls: list[int] = []
    real = ner_twins.bound
    monkeypatch.setattr(entities, "bound", lambda: calls.append(1) or real())
    text = "Presiden Joko Widodo bertemu Vladimir Putin di Kyiv, kata Reuters."
    got = on_path(True, lambda: entities.extract_entities(text, "id", analyze(text, "id")))
    assert got and calls == [1]


def test_a_stand_in_or_a_stale_reference_rebinds(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = on_path(True, ner_twins.bound)
    stand_in = lambda *a: a[2]  # noqa: E731  (a test's stand-in for a pass, with another name)
    monkeypatch.setattr(entities, "_edge_words", stand_in)
    tw = on_path(True, ner_twins.bound)
    assert tw is not compiled and tw._edge_words is stand_in and tw._retype is compiled._retype
    monkeypatch.undo()
    assert on_path(True, ner_twins.bound)._edge_words is hot.edge_words
    twin_name, names, _want = ner_twins.MIRRORS["_retype"]
    monkeypatch.setitem(ner_twins.MIRRORS, "_retype", (twin_name, names, "0" * 16))
    monkeypatch.setattr(ner_twins, "_chosen", {})
    tw = on_path(True, ner_twins.bound)
    assert tw._retype is entities._retype and tw._edge_words is hot.edge_words


_FIELDS = st.fixed_dictionaries(
    {
        "text": st.sampled_from(["Kyiv", "", "Joko Widodo"]),
        "name": st.sampled_from(["Kyiv", "Joko Widodo"]),
        "type": st.sampled_from(["PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "MISC", "person"]),
        "id": st.sampled_from([None, "Q1899", 5]),
        "country": st.sampled_from([None, "UA"]),
        "spans": st.lists(
            st.tuples(st.integers(0, 50), st.integers(0, 50))
            | st.sampled_from([[1, 2], (True, 2), (1, 2, 3)]),
            max_size=3,
        ),
        "confidence": st.sampled_from([0.0, 0.8, 0.99, 1.0, 1, 1.5, -0.1, float("nan")]),
    }
)


@settings(max_examples=300, deadline=None)
@given(_FIELDS)
def test_entities_built_without_validation_are_the_validated_ones(
    hot: ModuleType, fields: dict[str, Any]
) -> None:
    try:
        want: Any = Entity(**copy.deepcopy(fields))
    except ValidationError as exc:
        want = ("error", exc.errors(include_url=False))
    try:
        got: Any = hot.entity(Entity, copy.deepcopy(fields))
    except ValidationError as exc:
        got = ("error", exc.errors(include_url=False))
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and repr(got) == repr(want)
        return
    assert got == want and repr(got) == repr(want) and got.model_dump_json() == want.model_dump_json()
    assert list(got.__dict__.items()) == list(want.__dict__.items())
    assert got.model_fields_set == want.model_fields_set
    assert (got.__pydantic_extra__, got.__pydantic_private__) == (
        want.__pydantic_extra__,
        want.__pydantic_private__,
    )
    with pytest.raises(ValidationError):
        got.text = "other"  # frozen, like the validated one
