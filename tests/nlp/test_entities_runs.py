"""The capitalized-run pass: runs no mention covers become names where the tagger's scores nearly chose
them (made-up news text; the tagger's scores are stubbed so the pass is tested on its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

import streams.nlp.entities as ent
from streams.nlp.entities import Mention, TextView, text_view
from tests.nlp.ner_stubs import table_scores


def _runs(view: TextView, model: Any, mentions: list[Mention]) -> list[tuple[str, str]]:
    hit_at = {(h.start, h.end): h for h in view.kb_hits}
    hits = {h.start: h for h in view.kb_hits}
    got = ent._capital_runs(view, model, mentions, hit_at, hits)
    return [(view.text[m.start : m.end], m.type) for m in got]


def test_a_run_the_scores_nearly_chose_is_a_name_of_the_best_type() -> None:
    v = text_view("Satu alat berat jenis ekskavator merek Hitachi juga ikut tertimbun di lokasi itu.")
    scores = table_scores({("Hitachi", "ORGANIZATION"): -0.5, ("Hitachi", "PERSON"): -1.5})
    assert _runs(v, scores, []) == [("Hitachi", "ORG")]
    far = table_scores({("Hitachi", "ORGANIZATION"): ent.CAPS_SUPPORT - 0.5})  # type: ignore[operator]
    assert _runs(v, far, []) == []


def test_a_run_the_scores_cannot_type_is_left_out() -> None:
    v = text_view("Satu alat berat jenis ekskavator merek Hitachi juga ikut tertimbun di lokasi itu.")
    close = ent.CAPS_TYPE_MARGIN / 2
    scores = table_scores({("Hitachi", "ORGANIZATION"): -0.5, ("Hitachi", "LOCATION"): -0.5 - close})
    assert _runs(v, scores, []) == []


def test_runs_inside_mentions_and_sentence_first_words_are_not_asked() -> None:
    text = "Warga Desa Sukamaju melapor. Kemudian petugas datang ke rumah Budi Santoso di sana."
    v = text_view(text)
    start = text.index("Budi Santoso")
    person = Mention(start, start + len("Budi Santoso"), "PERSON", "person:Budi Santoso", "Budi Santoso", 0.8)
    scores = table_scores({(w, t): 5.0 for w in ("Warga", "Kemudian") for t in ent._RUN_TYPES})
    got = _runs(v, scores, [person])
    assert ("Budi Santoso", "PERSON") in got
    assert "Budi Santoso" not in scores.asked_texts and "Budi" not in scores.asked_texts
    assert "Kemudian" not in scores.asked_texts  # a sentence's first word written lower-case elsewhere


def test_a_lone_acronym_needs_the_article_to_write_it_again() -> None:
    once = text_view("Kota itu kini dikuasai RSF sejak pekan lalu, kata warga setempat.")
    again = text_view("Kota itu kini dikuasai RSF sejak pekan lalu. Pasukan RSF menembaki warga setempat.")
    table = {("RSF", "ORGANIZATION"): -1.0}
    assert _runs(once, table_scores(table), []) == []
    assert [s for s, _ in _runs(again, table_scores(table), [])] == ["RSF", "RSF"]


def test_a_title_case_phrase_of_common_words_is_not_a_name() -> None:
    v = text_view("Rapat membahas Penyampaian Pandangan Fraksi atas Kerangka Ekonomi Makro tahun depan.")
    scores = table_scores(
        {
            (p, t): 1.0
            for p in ("Penyampaian Pandangan Fraksi", "Kerangka Ekonomi Makro")
            for t in ent._RUN_TYPES
        }
    )
    assert _runs(v, scores, []) == []


def test_the_setting_none_turns_the_pass_off(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Satu alat berat jenis ekskavator merek Hitachi juga ikut tertimbun di lokasi itu."
    monkeypatch.setattr(ent, "CAPS_SUPPORT", None)
    calls: list[int] = []
    monkeypatch.setattr(ent, "_capital_runs", lambda *a: calls.append(1) or a[2])
    ent.extract_entities(text, "id")
    assert calls == []
    monkeypatch.setattr(ent, "CAPS_SUPPORT", -2.0)
    ent.extract_entities(text, "id")
    assert calls == [1]


class _Paths:
    """Stands in for ``CrfModel.path_support``: the whole span scores 0, a split ``split``."""

    def __init__(self, split: float) -> None:
        self.split = split

    def path_support(
        self,
        words: Sequence[str],
        firsts: Sequence[int],
        kbtags: Sequence[str],
        sentence: tuple[int, int],
        start: int,
        labels: Sequence[str],
        lang: str | None = None,
    ) -> float:
        return self.split if "B-PERSON" in labels else 0.0


def test_a_person_tail_is_cut_with_the_wider_margin_only_when_given() -> None:
    text = "Wakil ketua National Transportation Safety Board Bruce Landsberg mengatakan itu."
    v = text_view(text)
    lo = v.words.index("National")
    hi = v.words.index("Landsberg") + 1
    model = _Paths(-(ent.PERSON_TAIL_MARGIN + ent.PERSON_TAIL_DOC_MARGIN) / 2)  # between the margins
    assert ent._person_tail(v, model, lo, hi, "ORGANIZATION") == 0
    cut = ent._person_tail(v, model, lo, hi, "ORGANIZATION", ent.PERSON_TAIL_DOC_MARGIN)
    assert cut and v.words[cut] in ("Bruce", "Landsberg")
    far = _Paths(-ent.PERSON_TAIL_DOC_MARGIN - 1)
    assert ent._person_tail(v, far, lo, hi, "ORGANIZATION", ent.PERSON_TAIL_DOC_MARGIN) == 0


def test_supports_are_the_supports_of_each_type() -> None:
    from streams.nlp.ner_crf import load_model

    model = load_model()
    text = (
        "Kapolres Situbondo AKBP Andi Sinjaya mengatakan bus Ladju Indah masuk jurang di Desa Wonorejo. "
        "The Disease Surveillance Team in Apia said Samoa's Ministry of Health counted 53 deaths."
    )
    v = text_view(text)
    model.tag_sentences(v.words, v.firsts, v.kbtags, v.sentences, v.caps, v.lang)  # the cached scores
    n = 0
    for lo, hi in v.sentences:
        for a in range(lo, hi):
            for b in range(a + 1, min(hi, a + 4) + 1):
                want = [
                    model.support(v.words, v.firsts, v.kbtags, (lo, hi), (a, b), t, v.lang)
                    for t in ent._RUN_TYPES
                ]
                got = model.supports(v.words, v.firsts, v.kbtags, (lo, hi), (a, b), ent._RUN_TYPES, v.lang)
                assert got == want
                n += 1
    assert n > 50
