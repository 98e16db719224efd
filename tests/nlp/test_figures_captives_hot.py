"""The compiled captive features (``_figures_hot.captive_features``, called by the compiled ``mention_features``
and ``classify_mentions``, over the reference's own ``figure_model._captive_index`` of the automaton's
``captive`` hits) give exactly what ``figure_model._captive_features`` gives, and run only while those
references are the ones they were written from.

Random text is built from the captive lexicon's own words and phrases (``captives.yaml``, both classes, cut
phrases too), numbers, release and casualty cues and sentence breaks (hypothesis); random mentions pair a
number of that text with random nearest-cue names. Real text is the bench articles, the seeds and the
realdev and realtrain pages that hold a captive word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import figure_model as fm
from streams.nlp.analysis import analyze
from tests.compiled_paths import compiled_module, on_path, real_texts
from tests.nlp.test_figures_whole import _compare

#: nearest-cue names as ``_cue_features`` returns them (the group is their first character), and none
_CUE_NAMES = ("", "K.killed", "K.killedx", "T.detained", "W.downed", "H.cases", "F.negations", "F.mixed_or")


@pytest.fixture(scope="module")
def hot() -> Any:
    return compiled_module(fm._HOT, "figures")


@lru_cache(maxsize=1)
def _captive_words() -> tuple[str, ...]:
    """Every captive word and phrase of ``captives.yaml``: as written, capitalised, and a phrase's first word
    alone."""
    d = yaml.safe_load(fm._CAPTIVES_PATH.read_text(encoding="utf-8"))
    words: set[str] = set()
    for phrases in d["classes"].values():
        for p in phrases:
            words.update([p, p.capitalize(), p.split()[0]])
    return tuple(sorted(words))


#: numbers, release and casualty cues, fillers
_OTHER = (
    *("12", "24", "1.090", "39", "dua", "three", "orang", "people", "students", "warga", "dibebaskan"),
    *("membebaskan", "released", "freed", "tewas", "killed", "wounded", "luka", "and", "dan", "of", "dari"),
    *("the", "yang", "perang", "war", "hostage", ","),
)
#: sentence ends (a capital or a line after the full stop: a lower-case word after it continues the sentence)
_ENDS = (". The", ". Polisi", "\n")


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """Words of which one in nine is a captive word and two in nine end a sentence, so that sentences without
    one come between (the look-back and its bound)."""
    other, ends = st.sampled_from(_OTHER), st.sampled_from(_ENDS)
    word = st.one_of(other, other, other, other, other, other, st.sampled_from(_captive_words()), ends, ends)
    words = draw(st.lists(word, min_size=3, max_size=80))
    return " ".join(words).replace(" .", ".").replace(" ,", ",")


def _features_both(a: Any, hot: Any) -> tuple[list[Any], list[Any]]:
    """Every number's features on the compiled ``mention_features`` and on the pure-Python reference, each
    over its own article view."""
    v_hot, v_ref = fm.article_view(a), fm.article_view(a)
    got = on_path(True, lambda: [hot.mention_features(v_hot, n) for n in a.numbers])
    want = on_path(False, lambda: [fm.mention_features(v_ref, n) for n in a.numbers])
    return got, want


@settings(max_examples=300, deadline=None)
@given(_texts(), st.sampled_from(["id", "en"]))
def test_random_captive_text_gives_the_reference_features(hot: Any, text: str, lang: str) -> None:
    a = analyze(text, lang)
    got, want = _features_both(a, hot)
    assert got == want


@settings(max_examples=300, deadline=None)
@given(_texts(), st.sampled_from(["id", "en"]), st.data())
def test_random_mentions_give_the_reference_captive_features(
    hot: Any, text: str, lang: str, data: st.DataObject
) -> None:
    a = analyze(text, lang)
    if not a.numbers:
        return
    n = data.draw(st.sampled_from(a.numbers))
    before, after = data.draw(st.sampled_from(_CUE_NAMES)), data.draw(st.sampled_from(_CUE_NAMES))
    v_hot, v_ref = fm.article_view(a), fm.article_view(a)
    got: list[str] = ["x"]
    want: list[str] = ["x"]
    hot.captive_features(v_hot, n, got, before, after)
    fm._captive_features(v_ref, n, want, before, after)
    assert got == want
    assert v_hot.captives == v_ref.captives


def test_the_random_text_reaches_every_branch(hot: Any) -> None:
    """The vocabulary gives both classes, a mixed sentence, a word after the number and one sentences
    before it, so the property tests compare each branch."""
    text = "Gunmen abducted 12 students. Police said 39 people were freed. 24 prisoners and 3 hostages were released."
    a = analyze(text, "en")
    got, want = _features_both(a, hot)
    assert got == want
    caps = [[x for x in f if x.startswith("cap")] for f, _, _ in got]
    assert "cap=hostage" in caps[1] and not any(x.startswith("cap.s=") for x in caps[1])  # a sentence back
    assert {"cap=prisoner", "cap.s=both"} <= set(caps[2]) and {"cap=hostage", "cap.s=both"} <= set(caps[3])


def test_the_look_back_bound_is_the_references(hot: Any) -> None:
    """A captive word 0 to 6 sentences before the number and none after it (random text seldom leaves the
    sentences between free of captive words): near it gives the class, then the bound ends it."""
    seen = []
    for back in range(7):
        text = "Gunmen abducted people." + " The warga left." * back + " The army freed 12 orang."
        a = analyze(text, "en")
        got, want = _features_both(a, hot)
        assert got == want
        seen.append("cap=hostage" in got[0][0])
    assert seen[0] and not seen[-1] and seen == sorted(seen, reverse=True)


def test_real_captive_text_gives_the_reference_features_and_mentions(hot: Any) -> None:
    n_articles = n_cap = 0
    for _, text in real_texts():
        a = analyze(text, None)
        if not fm._captive_index(a).toks:
            continue
        got, want = _features_both(a, hot)
        assert got == want
        _compare(a)  # the whole passes (classify_mentions calls the compiled copy)
        n_articles += 1
        n_cap += sum(any(x.startswith("cap=") for x in f) for f, _, _ in got)
    assert n_articles >= 3 and n_cap > 0


def test_a_changed_captive_reference_turns_the_mention_pass_off(
    hot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled copy is guarded with ``classify_mentions`` (``_figures_hot._WHOLE``): a replaced
    ``_captive_features`` or ``_captive_index`` makes the reference pass run."""
    followed = set(hot.followed("classify_mentions"))
    for name in ("_captive_features", "_captive_index", "_captives"):
        assert ("streams.nlp.figure_model", name) in followed
    assert on_path(True, lambda: fm.whole_pass("classify_mentions")) is not None
    for name in ("_captive_features", "_captive_index"):
        ref = getattr(fm, name)
        monkeypatch.setattr(fm, name, lambda *args, ref=ref: ref(*args))
        assert on_path(True, lambda: fm.whole_pass("classify_mentions")) is None
        monkeypatch.undo()
        assert on_path(True, lambda: fm.whole_pass("classify_mentions")) is not None
