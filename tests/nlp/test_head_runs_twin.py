"""The compiled head runs (``_ner_hot``'s ``_head_runs_direct``, run by ``head_runs_of``) give what
``name_heads.head_runs`` gives, on random head-word text with random tagged spans and on the cleaned bodies of
the generated and real articles; a changed ``name_heads`` runs the reference. The acronyms of the compiled
``coref`` (``spelled_initials``) are ``re.findall``'s on arbitrary text."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.core.hot import Guard
from streams.nlp import entities, name_heads, ner_twins
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module("streams.nlp._ner_hot", "head runs")


def _views(text: str, language: str | None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[Any]]]:
    """The (view, tagged spans) of every ``_head_runs`` call while the reference path reads ``text``."""
    seen: list[tuple[Any, list[Any]]] = []
    real = entities._head_runs

    def spy(view: Any, spans: list[Any]) -> Any:
        seen.append((view, list(spans)))
        return real(view, spans)

    monkeypatch.setattr(entities, "_head_runs", spy)
    on_path(False, lambda: entities.extract_entities(text, language, analyze(text, language)))
    monkeypatch.undo()
    return seen


def _same(hot: ModuleType, view: Any, spans: list[Any]) -> list[Any]:
    want = on_path(False, lambda: entities._head_runs(view, spans))
    got = on_path(True, lambda: hot.head_runs_of(view, spans))
    assert got == want
    return list(want)


def _heads_words() -> list[str]:
    h = name_heads.load_heads()
    words = sorted({w for toks in h.org.values() for t in toks for w in t})[:60]
    words += sorted({w for cands in h.place.values() for t, _ in cands for w in t})[:40]
    return words + sorted(h.weak)[:10]


#: Words that reach the runs' branches: heads, connectors (inside institutions: "dan", ", dan"), attached
#: "/"/"-"/".", bracketed acronyms, short numbers and counts after them, titles and role words, given names,
#: known parties and their regions, acronyms, sentence ends and line breaks.
_OTHER = [
    "Meteorologi", "Klimatologi", "dan", "and", "of", "for", "the", "&", "untuk", ",", "Geofisika", "(", "BMKG",
    ")", "RS", "Kanker", "Dharmais", "Golkar", "Jakarta", "PKS", "Fraksi", "DPR", "I", "V", "Komisi", "Angkasa",
    "Pura", "321", "/", "GT", "Al", "-", "Aqsa", "9", "km", "50", "orang", "411", "Metro", "Jaya", "AKBP", "Harry",
    "Andi", "Mallarangeng", "Dewan", "Pembina", "Kanitlaka", "Situbondo", "Lubuk", "Besar", "Kepala", "Presiden",
    "Joko", "Widodo", ".", "\n", "Wonorejo", "Kebonagung", "kata", "di", "Sudirman", "POS", "Indonesia",
]  # fmt: skip


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(_heads_words() + _OTHER), min_size=1, max_size=70),
    st.sampled_from([" ", " ", " ", "", "  "]),
    st.sampled_from(["id", "en"]),
    st.lists(
        st.tuples(st.integers(0, 80), st.integers(1, 4), st.sampled_from(["PERSON", "ORG", "GPE", "LOC"])),
        max_size=12,
    ),
)
def test_head_runs_on_random_text_and_spans(
    hot: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    words: list[str],
    sep: str,
    language: str,
    extra: list[tuple[int, int, str]],
) -> None:
    text = sep.join(words) if sep else " ".join(w if i % 3 else w + "," for i, w in enumerate(words))
    for view, spans in _views(text, language, monkeypatch):
        _same(hot, view, spans)
        n = len(view.words)
        # other tagged spans (people, organisations) move the stops and names the runs read
        more = sorted({(lo, min(lo + k, n), t) for lo, k, t in extra if lo < n})
        _same(hot, view, more)


def test_head_runs_on_cleaned_bodies(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every article's own spans, then its spans read as people (more stops), on the generated articles, the
    seeds and the real pages."""
    calls = runs = 0
    for _id, text in real_texts():
        for view, spans in _views(text, None, monkeypatch):
            runs += len(_same(hot, view, spans))
            _same(hot, view, [(lo, hi, "PERSON") for lo, hi, _t in spans])
            calls += 1
    assert calls >= 30 and runs > calls


def test_the_reference_runs_when_name_heads_changed(hot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Kepala Badan Meteorologi Klimatologi dan Geofisika Dwikorita Karnawati tiba di Kota Semarang."
    (view, spans), *_ = _views(text, "id", monkeypatch)
    calls: list[int] = []
    real: Callable[..., Any] = name_heads.head_runs

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(1)
        return real(*a, **k)

    want = _same(hot, view, spans)
    assert want and ner_twins.HEAD_RUNS.fresh()
    # fresh: the compiled runs, never the reference
    monkeypatch.setattr(entities, "head_runs", counted)
    assert on_path(True, lambda: hot.head_runs_of(view, spans)) == want and calls == [1]  # a stand-in runs
    monkeypatch.undo()
    stale = Guard("0" * 16, ner_twins.HEAD_RUNS.refs, "test")
    monkeypatch.setattr(ner_twins, "HEAD_RUNS", stale)
    monkeypatch.setattr(name_heads, "head_runs", counted)
    monkeypatch.setattr(entities, "head_runs", counted)
    assert on_path(True, lambda: hot.head_runs_of(view, spans)) == want and calls == [1, 1]


def test_head_runs_guard_is_recorded() -> None:
    assert not ner_twins.HEAD_RUNS.stale(), (
        "name_heads.head_runs changed since _ner_hot's compiled head runs were written (the reference runs now): "
        "follow the change in streams/nlp/_ner_hot.pyx (_HeadRuns), then `python scripts/fingerprints.py --write`"
    )


_SPELLED = re.compile(r"[^\W\d_][\w'’]*")


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        st.sampled_from(list("AaBb _'’-0١²ⅣÉéǅİı\u0301\u2019ᾼ(.)")) | st.characters(codec="utf-8"),
        max_size=40,
    )
)
def test_spelled_initials_are_re_findall_s(hot: ModuleType, surface: str) -> None:
    caps = [w for w in _SPELLED.findall(surface) if w[:1].isupper()]
    assert hot.spelled_initials(surface) == ("".join(w[0] for w in caps), len(caps))


@pytest.mark.parametrize(
    ("module", "setting"), [(entities, "HEAD_AFTER_UNNAMED"), (name_heads, "CLOSING_ROLE_WORDS")]
)
def test_head_runs_follow_their_settings(
    hot: ModuleType, monkeypatch: pytest.MonkeyPatch, module: ModuleType, setting: str
) -> None:
    """The settings are read at each call by both paths: switched off, the compiled runs still equal the
    reference's (on the generated articles and the seeds)."""
    views = [vs for _id, text in list(real_texts())[:60] for vs in _views(text, None, monkeypatch)]
    monkeypatch.setattr(module, setting, False)
    assert sum(len(_same(hot, view, spans)) for view, spans in views) > 0
