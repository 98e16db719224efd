"""The compiled figures path (``streams.nlp._figures_hot``) gives exactly what the pure-Python reference gives.

Each number's features (the same strings in the same order, with the nearest cues before and after) and
the figures themselves (kinds, parts, scores to the float) are compared on random text built from the
figure lexicons' own words (hypothesis) and on real text: generated bench articles, the seeds and the
realdev and realtrain pages under ``../shared`` (run through the whole pipeline first, so the entities and
title the stage reads are real). ``make test`` builds the extension (``pip install -e .``), so a missing
extension fails here instead of testing the reference against itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import figure_model as fm
from streams.nlp import figures as fg
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts
from tests.conftest import SHARED

_CUES = Path(fm.__file__).resolve().parent.parent / "data" / "figures" / "cues.yaml"


@pytest.fixture(scope="module")
def hot() -> Any:
    return compiled_module(fm._load_hot_scan(), "figures")


def _internals(text: str, lang: str | None) -> tuple[list[Any], list[str]]:
    """The article view's cue hits, every number's features and nearest cues, and the figures (``repr``:
    every field, floats exact)."""
    a = analyze(text, lang)
    view = fm.article_view(a)
    feats = [fm.mention_features(view, n) for n in a.numbers]
    hits = [view.starts, view.ends, view.sent_cues, view.frame_sents, view.breaks]  # with the anaphora's
    hits += [view.mark_before, view.mark_after]
    return [*hits, feats], [repr(f) for f in fg.figures_from_analysis(a)]


# --- random text from the figure lexicons' own words ---------------------------------------------------


def _strings(x: Any, out: set[str]) -> None:
    if isinstance(x, str):
        out.add(x)
    elif isinstance(x, dict):
        for k, v in x.items():
            if isinstance(k, str) and not isinstance(v, (dict, list)):
                out.add(k)
            _strings(v, out)
    elif isinstance(x, list):
        for v in x[:12]:
            _strings(v, out)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    """Cue words, head nouns, qualifiers, written numbers and scales of ``cues.yaml``, digits, conjunctions."""
    d = yaml.safe_load(_CUES.read_text(encoding="utf-8"))
    words: set[str] = set()
    for key, v in d.items():
        if key not in ("version", "features", "window", "restatement_tolerance"):
            _strings(v, words)
    words.update(["12", "35", "1.090", "598", "2022", "40", "of", "dari", "dan", "and", "atau", "menjadi"])
    words.update([",", ".", "“", "”", '"', "\n", "-", "Rp", "%", "tewas", "killed", "drones", "orang"])
    words.update(["Rp 5 miliar", "$", "US$", "20 persen", "5 juta dolar"])
    ctx = yaml.safe_load((_CUES.parent / "number_context.yaml").read_text(encoding="utf-8"))
    for w in ctx.get("anaphora") or ():  # as written, capitalised, upper case, and one non-ASCII form
        words.update([str(w), str(w).capitalize(), str(w).upper(), str(w).upper().replace("A", "Á", 1)])
    return tuple(sorted(w for w in words if w.strip(" ") and len(w) < 40))


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_vocabulary()), min_size=5, max_size=90))
    return " ".join(words).replace(" .", ".").replace(" ,", ",")


@settings(max_examples=200, deadline=None)
@given(_texts(), st.sampled_from(["id", "en"]))
def test_random_lexicon_text_gives_the_same_features_and_figures(hot: Any, text: str, lang: str) -> None:
    assert on_path(True, lambda: _internals(text, lang)) == on_path(False, lambda: _internals(text, lang))


def test_the_random_text_exercises_cue_scans(hot: Any) -> None:
    """The vocabulary does give numbers with cues on both sides, so the property test compares something."""
    text = " ".join(_vocabulary())
    (*_, feats), _ = on_path(True, lambda: _internals(text, "id"))
    names = [x for f, _, _ in feats for x in f]
    assert len(feats) > 10
    assert any(x.startswith("first>") for x in names) and any(x.startswith("first<") for x in names)
    assert any(x.startswith(("num>", "num<")) for x in names)


# --- real text ----------------------------------------------------------------------------------------


def test_real_articles_give_the_same_figures_on_both_paths(hot: Any) -> None:
    if not (SHARED / "eval" / "realtrain").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): the real pages are read from it at test time")
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState())
    stage = fg.FigureStage()
    n = n_figures = 0
    for art_id, text in real_texts():
        doc = pipe.run_doc(RawArticle(id=art_id, text=text))
        compiled = on_path(True, lambda doc=doc: (stage(doc), [repr(f) for f in doc.figures])[1])
        reference = on_path(False, lambda doc=doc: (stage(doc), [repr(f) for f in doc.figures])[1])
        assert compiled == reference, art_id
        n += 1
        n_figures += len(compiled)
    assert n >= 190 and n_figures > 300


def test_real_articles_give_the_same_features(hot: Any) -> None:
    for _, text in list(real_texts())[:80]:
        compiled = on_path(True, lambda text=text: _internals(text, None))
        assert compiled == on_path(False, lambda text=text: _internals(text, None))


# --- the heads' scores --------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_scores_of_id_lists_are_the_same_floats_on_both_paths(hot: Any, data: st.DataObject) -> None:
    """Every head's scores of random id lists (empty ones, lists of unequal length: numpy pads them with
    its zero row) equal numpy's to the float, and so do its best labels and probabilities; the model's ids
    of random feature names too."""
    model = fm.load_model()
    n = len(model.index)
    batch = data.draw(st.lists(st.lists(st.integers(0, n - 1), max_size=120), max_size=12))
    for head in (h for h in (model.kind, model.part, model.count) if h is not None):
        compiled = on_path(True, lambda head=head: head.scores_many(batch))
        reference = on_path(False, lambda head=head: head.scores_many(batch))
        assert [[x.hex() for x in s] for s in compiled] == [[x.hex() for x in s] for s in reference]
        compiled_p = on_path(True, lambda head=head: head.predict_many(batch))
        reference_p = on_path(False, lambda head=head: head.predict_many(batch))
        assert [(lb, p.hex(), [x.hex() for x in ps]) for lb, p, ps in compiled_p] == [
            (lb, p.hex(), [x.hex() for x in ps]) for lb, p, ps in reference_p
        ]
    names = sorted(model.index)
    feats = data.draw(st.lists(st.sampled_from(names) | st.text(max_size=5), max_size=60))
    assert on_path(True, lambda: model.ids(feats)) == on_path(False, lambda: model.ids(feats))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["jumlahnya", "Jumlahnya", "TOTALNYA", "ANGKÁNYA", "angkanya", "İNYA", "jumlah"]),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["menewaskan 20 orang", "killed 12 people", "melukai 7 warga", "tiba di Jakarta"]),
)
def test_anaphoric_totals_are_the_same_hits_on_both_paths(hot: Any, words: list[str], cue: str) -> None:
    """An anaphoric total word after a casualty cue's sentence becomes the same toll hit on both paths (any
    case, ASCII or not)."""
    text = f"Gempa itu {cue}. " + " ".join(f"{w} mencapai {40 + i} orang." for i, w in enumerate(words))
    compiled = on_path(True, lambda: _internals(text, "id"))
    assert compiled == on_path(False, lambda: _internals(text, "id"))


def test_the_compiled_anaphora_makes_toll_hits(hot: Any) -> None:
    """So the property test above compares hits that are there: each word of its own sentence after a
    killed cue, whatever its case, becomes a toll hit of one token."""
    text = "Gempa itu menewaskan 20 orang. Jumlahnya 47 orang. TOTALNYA 50 orang. Angkanya 52."
    (starts, *_), _ = on_path(True, lambda: _internals(text, "id"))
    toll = sorted(k for k, v in starts.items() for name, end in v if name == "T.killed" and end == k + 1)
    a = analyze(text, "id")
    assert [a.words[k] for k in toll] == ["Jumlahnya", "TOTALNYA", "Angkanya"]


# --- each compiled feature function against its reference ---------------------------------------------

#: The feature functions of ``figure_model`` that have a compiled drop-in (``figure_model._compiled``), with
#: how each is called for a number ``n`` of a view ``v`` (``q`` its qualifier's token, ``f`` a fresh list).
_DROP_INS: dict[str, Any] = {
    "_form_features": lambda v, n, q, f: (n, f),
    "_char_features": lambda v, n, q, f: (v.a, n, f),
    "_word_features": lambda v, n, q, f: (v, n, q, f),
    "_class_features": lambda v, n, q, f: (v, n, q, f),
    "_head_features": lambda v, n, q, f: (v, n, f),
    "_context_features": lambda v, n, q, f: (v, n, f),
    "_scope_features": lambda v, n, q, f: (v, n, q, f),
    "_ptv": lambda v, n, q, f: (v, n, q),
    "_first_scope": lambda v, n, q, f: (v, v.a.sent_ids[n.tok_start]),
    "_conjunctions": lambda v, n, q, f: (f, n.raw, "H.people", "K.killedj", "T.wounded"),
}
#: The per-article drop-ins, called with the analysis (and the entities).
_ARTICLE_DROP_INS = ("_quoted", "_number_index", "_entity_index")


def test_every_drop_in_is_compiled(hot: Any) -> None:
    """Each decorated function runs a compiled function of the built extension (a stale build without it
    would run the reference on both paths, and the comparisons below would compare nothing)."""
    for name in (*_DROP_INS, *_ARTICLE_DROP_INS):
        fn = getattr(fm, name)
        assert fn is not getattr(fn, "__wrapped__", fn), f"{name} has no compiled drop-in in _figures_hot"


def _per_function(text: str, lang: str | None, entities: list[Any] | None = None) -> list[Any]:
    """Every drop-in's result (returned value and the list it fills) for every number of ``text``, each
    called on a view of its own path (the views keep per-article caches)."""
    a = analyze(text, lang)
    view = fm.article_view(a, entities)
    out: list[Any] = [fn(a) for fn in (getattr(fm, name) for name in _ARTICLE_DROP_INS[:2])]
    out.append([(e.starts, e.ends, e.types) for e in fm._entity_index(a, entities or [])])
    for n in a.numbers:
        q = min(a.token_at(n.qualifier_start) if n.qualifier_start is not None else n.tok_start, n.tok_start)
        for name, args in _DROP_INS.items():
            f: list[str] = []
            out.append((name, n.tok_start, getattr(fm, name)(*args(view, n, q, f)), f))
    return out


def _compare_functions(text: str, lang: str | None) -> None:
    compiled = on_path(True, lambda: _per_function(text, lang))
    assert compiled == on_path(False, lambda: _per_function(text, lang))


#: Characters and words the character, shape, age, list and partitive features read.
_EDGE_TEXT = (
    '(|)|-|–|/|,|.|"|“|”|\n| |Slamet|(45)|Shahed-136/131|Su-34|9/12|4/1/2020|2.5|eight-passenger|20-an|-year-old|'
    " years old|berusia|tahun|usia|Ahmed|of|dari|di antaranya|termasuk|among them|of whom|since|sejak|in June|"
    "in 2011|alone|pada|Juni|kedua|belah|pihak|both|sides|salah|satu|no one|tidak|seorang|pun|halaman|0|1|17|"
    "2024|1.090|Rp|%|ÉCOLE|Ǆemal|İstanbul|ß|\u00a0|\x00|٣|²|pada Juni 123|in June 12|pada 12 Juni|"
    "selama bulan Juni|sepanjang 2024|In June alone|after|usai|123|12|tewas|killed|orang|people|drones"
)
_EDGE = tuple(_EDGE_TEXT.split("|"))


@settings(max_examples=250, deadline=None)
@given(
    st.lists(st.sampled_from(_EDGE), min_size=3, max_size=60),
    st.lists(st.sampled_from(["", " "]), min_size=60, max_size=60),
    st.sampled_from(["id", "en"]),
)
def test_random_edge_text_gives_the_same_feature_functions(
    hot: Any, words: list[str], seps: list[str], lang: str
) -> None:
    """Each drop-in on text glued from brackets, hyphens, slashes, ages, dates, model names, partitives,
    non-ASCII capitals and odd characters, with and without spaces between the pieces."""
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    _compare_functions(text, lang)


@settings(max_examples=100, deadline=None)
@given(_texts(), st.sampled_from(["id", "en"]))
def test_random_lexicon_text_gives_the_same_feature_functions(hot: Any, text: str, lang: str) -> None:
    _compare_functions(text, lang)


def test_real_articles_give_the_same_feature_functions(hot: Any) -> None:
    """Each drop-in on the generated articles, the seeds and the real pages, with the pipeline's entities
    (the entity indexes and the entity features read them)."""
    from streams.core.pipeline import MemoryState, build_pipeline
    from streams.core.records import RawArticle
    from streams.core.settings import Settings

    pipe = build_pipeline(Settings(), MemoryState())
    n = 0
    for art_id, text in real_texts():
        doc = pipe.run_doc(RawArticle(id=art_id, text=text))
        a, ents = doc.analysis, doc.entities
        assert a is not None

        def run(a: Any = a, ents: Any = ents) -> list[Any]:
            return _per_function(a.text, a.language, ents)

        assert on_path(True, run) == on_path(False, run), art_id
        n += 1
    assert n >= 30


def test_ids_follow_the_index_they_are_asked_of(hot: Any) -> None:
    """The compiled ids keep each string's id by the string object: asked of another index, or of strings
    equal to the kept ones but other objects, or of more strings than it keeps, it still gives what the
    index says."""
    model = fm.load_model()
    names = sorted(model.index)[:3000]
    other = {k: v + 1 for k, v in model.index.items()}
    fresh = ["".join(list(k)) for k in names]  # equal strings, other objects
    many = [f"x{i}" for i in range(20000)] + names
    for index in (model.index, other, model.index):
        for feats in (names, fresh, many, names[::-1]):
            assert fm._HOT.ids(index, feats) == [index[k] for k in feats if k in index]
