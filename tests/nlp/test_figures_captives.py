"""Who a release frees: the ``cap.*`` features of the kind head (``captives.yaml``), hostages against prisoners."""

from __future__ import annotations

import pytest

from streams.nlp import figure_model
from streams.nlp.analysis import analyze
from streams.nlp.figure_model import article_view, mention_features
from tests.compiled_paths import on_path, require_compiled


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
