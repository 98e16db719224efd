"""Who a release frees: the ``cap.*`` features of the kind head (``captives.yaml``, the analysis automaton's
``captive`` hits), hostages against prisoners."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import figure_model
from streams.nlp.analysis import analyze
from streams.nlp.figure_model import article_view, load_model, mention_features
from tests.compiled_paths import on_path, real_texts, require_compiled
from tests.nlp.test_figures_captives_hot import _texts


def _cap(text: str, lang: str, value: float) -> list[str]:
    a = analyze(text, lang)
    view = article_view(a, None, None)
    n = next(n for n in a.numbers if n.value == value)
    return [x for x in mention_features(view, n)[0] if x.startswith("cap")]


@pytest.mark.parametrize(
    ("text", "lang", "value", "want"),
    [
        # the freed people's own noun, in the sentence
        ("Hamas membebaskan 24 sandera pada hari Jumat.", "id", 24, "hostage"),
        ("Israel released 200 prisoners on Saturday.", "en", 200, "prisoner"),
        ("Junta Myanmar membebaskan 23.184 tahanan dari penjara.", "id", 23184, "prisoner"),
        ("The 17 kidnapped workers were freed by the army.", "en", 17, "hostage"),
    ],
)
def test_the_class_of_the_freed_people_in_the_sentence(text: str, lang: str, value: float, want: str) -> None:
    got = _cap(text, lang, value)
    assert f"cap={want}" in got
    assert f"cap.s={want}" in got


def test_the_class_goes_with_the_group_of_the_nearest_cue() -> None:
    got = _cap("Jumlah total sandera yang dibebaskan menjadi 24 orang.", "id", 24)
    assert {"cap=hostage", "cap&b=hostage&K", "cap&a=hostage&"} <= set(got)


def test_the_nearest_captive_word_before_reaches_back_over_sentences() -> None:
    text = (
        "Gunmen abducted the students from a school two weeks ago. "
        "The governor said he received 24 students on Saturday after they were released."
    )
    got = _cap(text, "en", 24)
    assert "cap=hostage" in got
    assert not any(x.startswith("cap.s=") for x in got)  # no captive word in its own sentence


def test_the_look_back_is_bounded() -> None:
    back = figure_model._captives().look_back
    filler = " ".join(f"The weather was calm on day {k}." for k in range(back + 1))
    text = (
        f"Gunmen abducted the students. {filler} The governor received 24 students after they were released."
    )
    assert _cap(text, "en", 24) == []


def test_the_nearest_word_in_the_sentence_wins_and_a_mixed_sentence_is_both() -> None:
    text = "Israel released 39 prisoners after Hamas freed 13 hostages."
    assert {"cap=prisoner", "cap.s=both"} <= set(_cap(text, "en", 39))
    assert {"cap=hostage", "cap.s=both"} <= set(_cap(text, "en", 13))
    # a word after the number in its sentence beats a nearer one in the sentence before
    text = "Hamas freed the hostages. Israel then released 39 Palestinian prisoners."
    assert "cap=prisoner" in _cap(text, "en", 39)


def test_no_captive_word_no_captive_features() -> None:
    assert _cap("The company released 30 new phones.", "en", 30) == []
    assert _cap("Banjir menewaskan 12 orang.", "id", 12) == []


def test_a_longer_phrase_is_read_first() -> None:
    lex = figure_model._captives()
    assert lex.version >= 1
    a = analyze("Kedua negara membebaskan 90 tawanan perang.", "id")
    idx = figure_model._captive_index(a)
    assert idx.classes == ["prisoner"]
    assert a.lowers[idx.toks[0]] == "tawanan"


def test_the_compiled_pass_gives_the_same_features() -> None:
    fast = figure_model._HOT
    require_compiled(fast, "figures")
    text = (
        "Hamas freed 13 hostages. Israel released 39 prisoners from its jails in exchange for 10 detainees."
    )
    a = analyze(text, "en")
    view = article_view(a, None, None)
    got = on_path(True, lambda: [fast.mention_features(view, n) for n in a.numbers])
    want = on_path(False, lambda: [mention_features(article_view(a, None, None), n) for n in a.numbers])
    assert got == want
    assert [("cap=hostage" in f, "cap=prisoner" in f) for f, _, _ in got] == [
        (True, False),
        (False, True),
        (False, True),
    ]


def _scan(a: Any) -> list[tuple[int, str]]:
    """The captive words as a scan of the lowered tokens finds them (the matcher the automaton's hits replaced,
    kept as the oracle): at each token, the longest phrase of ``captives.yaml`` (the first class among equal
    lengths) whose words follow within the sentence."""
    d = yaml.safe_load(figure_model._CAPTIVES_PATH.read_text(encoding="utf-8"))
    phrases = [(tuple(str(p).lower().split()), str(c)) for c, ps in d["classes"].items() for p in ps]
    phrases.sort(key=lambda p: -len(p[0]))  # stable: file order among equal lengths
    low, sent_ids = a.lowers, a.sent_ids
    out = []
    for k in range(len(low)):
        for words, cls in phrases:
            end = k + len(words)
            if tuple(low[k:end]) == words and sent_ids[end - 1] == sent_ids[k]:
                out.append((k, cls))
                break
    return out


def _index(a: Any) -> list[tuple[int, str]]:
    idx = figure_model._captive_index(a)
    return list(zip(idx.toks, idx.classes, strict=True))


def test_the_index_is_the_scan_of_the_lowered_tokens_on_real_text() -> None:
    n = 0
    for _, text in real_texts():
        a = analyze(text, None)
        got = _index(a)
        assert got == _scan(a)
        n += bool(got)
    assert n >= 50  # bench articles, seeds and real pages with a captive word


@settings(max_examples=200, deadline=None)
@given(_texts(), st.sampled_from(["id", "en"]))
def test_the_index_is_the_scan_of_the_lowered_tokens_on_random_text(text: str, lang: str) -> None:
    a = analyze(text, lang)
    assert _index(a) == _scan(a)


def test_a_phrase_never_crosses_a_sentence() -> None:
    """A "tawanan perang" split by a line is no phrase (and "tawanan" alone no captive word); "held hostage"
    split by one leaves its "hostage"."""
    a = analyze("Mereka ditahan sebagai tawanan\nperang di kamp itu.", "id")
    assert _index(a) == []
    a = analyze("The workers were held\nhostage for a year.", "en")
    assert [(a.lowers[k], c) for k, c in _index(a)] == [("hostage", "hostage")]


def test_the_features_read_the_captive_hits_of_the_analysis() -> None:
    """No second scan: the same text without its ``captive`` hits has no captive word."""
    a = analyze("Hamas membebaskan 24 sandera pada hari Jumat.", "id")
    assert {h.keys for h in a.hits_by_tag("captive")} == {("classes.hostage",)}
    a.set_hits([h for h in a.hits if h.tag != "captive"])
    assert figure_model._captive_index(a) is figure_model._NO_CAPTIVES
    view = article_view(a, None, None)
    assert not any(x.startswith("cap") for x in mention_features(view, a.numbers[0])[0])


@pytest.mark.parametrize(
    ("text", "lang", "feature"),
    [
        ("Hamas membebaskan 24 sandera pada hari Jumat.", "id", "cap=hostage"),
        ("Israel released 200 prisoners on Saturday.", "en", "cap=prisoner"),
    ],
)
def test_the_shipped_model_weighs_the_captive_features_it_is_given(
    text: str, lang: str, feature: str
) -> None:
    """The features of a freed count include the class feature, and the shipped model has weights for it."""
    model = load_model()
    a = analyze(text, lang)
    f = mention_features(article_view(a, None, None), a.numbers[0])[0]
    assert model.index[feature] in model.ids(f)
    assert any(w != 0 for w in model.kind.weights[feature])
