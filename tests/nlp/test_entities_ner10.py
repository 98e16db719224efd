"""ner10: a place mention takes the lower-case place noun before it when the tagger's scores favour it
(made-up text; the tagger's scores are stubbed), and the per-corpus training attributes never reach the
shipped weights."""

from __future__ import annotations

import pytest

import streams.nlp.entities as ent
from streams.evaluation import ner as N
from streams.nlp.entities import Mention, text_view
from tests.nlp.ner_stubs import table_scores


def _place(text: str, surface: str) -> Mention:
    start = text.index(surface)
    return Mention(start, start + len(surface), "GPE", "place:" + surface, surface, 0.8)


def test_a_place_takes_the_place_noun_before_it_when_the_tagger_favours_it() -> None:
    text = "Warga desa Zorvani mengungsi ke kota Kelmaru sejak Senin."
    v = text_view(text)
    ms = [_place(text, "Zorvani"), _place(text, "Kelmaru")]
    scores = table_scores(
        {
            ("desa Zorvani", "LOCATION"): 3.0,
            ("Zorvani", "LOCATION"): 1.0,
            ("kota Kelmaru", "LOCATION"): -2.0,
            ("Kelmaru", "LOCATION"): 2.5,
        }
    )
    got = ent._place_heads(v, scores, ms)  # type: ignore[arg-type]
    assert [(text[m.start : m.end], m.name) for m in got] == [
        ("desa Zorvani", "Zorvani"),
        ("Kelmaru", "Kelmaru"),
    ]


def test_no_noun_is_taken_across_a_sentence_for_a_person_or_when_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "Ia tiba di kota. Zorvani sepi. Bupati Kelmaru desa Tarvo hadir."
    v = text_view(text)
    person = Mention(text.index("Kelmaru"), text.index("Kelmaru") + 7, "PERSON", "x:K", "Kelmaru", 0.8)
    ms = [_place(text, "Zorvani"), person, _place(text, "Tarvo")]
    scores = table_scores({}, default=5.0)  # every span favoured: only the guards decide
    got = ent._place_heads(v, scores, ms)  # type: ignore[arg-type]
    assert [text[m.start : m.end] for m in got] == ["Zorvani", "Kelmaru", "desa Tarvo"]
    monkeypatch.setattr(ent, "PLACE_HEAD_MARGIN", None)
    ms = [_place(text, "Tarvo")]
    assert [text[m.start : m.end] for m in ent._place_heads(v, scores, ms)] == ["Tarvo"]  # type: ignore[arg-type]


def test_corpus_attributes_are_trained_but_never_shipped() -> None:
    pytest.importorskip("pycrfsuite")
    exs = [
        ("Budi tinggal di Bandung .", [(0, 4, "PERSON"), (16, 23, "LOCATION")]),
        ("Ani pergi ke Medan .", [(0, 3, "PERSON"), (13, 18, "LOCATION")]),
    ]
    rows = list(N._sentence_rows(exs[0], domain="nerui"))
    assert any(f.startswith(N.DOMAIN_MARK + "nerui|") for x in rows for fs in x[0] for f in fs)
    cfg = N.TrainConfig(iterations=5, en_copies=0, corpus_domains=("nerui",))
    model = N.fit({"nerui": exs}, cfg)
    assert model.weights and not any(a.startswith(N.DOMAIN_MARK) for a in model.weights)
    assert model.meta["corpus_domains"] == ["nerui"]
    assert "corpus_domains" in N._training_repr(cfg)
    assert "corpus_domains" not in N._training_repr(N.TrainConfig())


def test_a_run_after_a_place_noun_is_a_place_with_the_noun_when_the_tagger_supports_both() -> None:
    text = "Banjir melanda desa Zorvani dan kota Kelmaru kemarin. Warga desa Tarvo Selasa mengungsi."
    v = text_view(text)
    kept = _place("Banjir melanda desa Zorvani dan kota Kelmaru kemarin. Warga desa Tarvo", "Tarvo")
    scores = table_scores({("desa Zorvani", "LOCATION"): 1.0, ("kota Kelmaru", "LOCATION"): -5.0})
    got = ent._headed_places(v, scores, [kept], {}, {})  # type: ignore[arg-type]
    assert [(text[m.start : m.end], m.name, m.type) for m in got] == [
        ("desa Zorvani", "Zorvani", "GPE"),
        ("Tarvo", "Tarvo", "GPE"),  # a mention already there is left to _place_heads
    ]
    assert ("kota Kelmaru", "LOCATION") in scores.asked
