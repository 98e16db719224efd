"""The recogniser as a learned tagger: what the model decides, and what the knowledge base may add."""

from __future__ import annotations

from streams.nlp.entities import extract_entities, text_view
from streams.nlp.ner_crf import candidate_windows, load_model


def test_nationality_adjectives_and_sentence_initial_nouns_are_never_people() -> None:
    text = (
        "Turkish officials said the Taiwanese company would help. Engineers arrived on Monday. "
        "Workers protested outside. Indonesian troops and Ukrainian soldiers stayed."
    )
    people = [e.text for e in extract_entities(text, "en") if e.type == "PERSON"]
    assert people == []


def test_a_title_before_a_place_does_not_swallow_the_person() -> None:
    text = "Wali Kota Semarang Hevearita Gunaryanti Rahayu meninjau banjir di Kota Semarang."
    types = {e.text: e.type for e in extract_entities(text, "id")}
    assert types.get("Hevearita Gunaryanti Rahayu") == "PERSON"
    assert all("Hevearita" not in t for t, ty in types.items() if ty != "PERSON")


def test_windows_span_initials_and_connectors_but_not_lower_case_runs() -> None:
    words = [
        "scored",
        "by",
        "C",
        ".",
        "Hooper",
        "and",
        "the",
        "Ministry",
        "of",
        "Defence",
        "ran",
        "far",
        "Rome",
    ]
    caps = [w != w.lower() for w in words]
    assert candidate_windows(words, caps) == [(2, 5), (7, 10), (12, 13)]


def test_support_prefers_the_type_the_tagger_chose() -> None:
    view = text_view("Presiden Joko Widodo tiba di Surabaya kemarin.")
    model = load_model()
    sent = view.sentences[0]
    k = view.words.index("Surabaya")
    loc = model.support(view.words, view.firsts, view.kbtags, sent, (k, k + 1), "LOCATION")
    per = model.support(view.words, view.firsts, view.kbtags, sent, (k, k + 1), "PERSON")
    assert loc > 0 > per
    j = view.words.index("Joko")
    assert model.support(view.words, view.firsts, view.kbtags, sent, (j, j + 2), "PERSON") > 0


def test_a_person_named_elsewhere_in_the_article_may_close_an_organisation_span() -> None:
    """ "NTSB Bruce Landsberg" read as one organisation: the tagger's scores prefer the span whole by a
    little more than ``PERSON_TAIL_MARGIN``; the cut is taken only when "Landsberg" is a person the tagger
    found elsewhere in the article (and the tail has two words)."""
    from streams.nlp import entities

    class Scores:
        def path_support(self, words, firsts, kbtags, sent, lo, labels, lang):  # type: ignore[no-untyped-def]
            return 0.0 if all(x.endswith("ORGANIZATION") for x in labels) else -4.0

    text = "Vice Chairman of the Safety Board Bruce Landsberg said so."
    view = text_view(text)
    lo, hi = view.words.index("Safety"), view.words.index("said")
    assert entities.PERSON_TAIL_MARGIN < 4.0 < entities.PERSON_TAIL_NAMED_MARGIN
    model = Scores()
    assert entities._person_tail(view, model, lo, hi, "ORGANIZATION", {}) == 0  # type: ignore[arg-type]
    far = {"Landsberg": [len(view.words) + 5]}
    assert entities._person_tail(view, model, lo, hi, "ORGANIZATION", far) == hi - 2  # type: ignore[arg-type]
    inside = {"Landsberg": [hi - 1]}  # only the span itself: no evidence
    assert entities._person_tail(view, model, lo, hi, "ORGANIZATION", inside) == 0  # type: ignore[arg-type]
