"""ner9's span passes: capitalized place designators, names spelled by the bracketed acronym after them
(and connector joins split by one), and a place's tail that the article writes without it elsewhere
(made-up news text; the tagger's scores are stubbed)."""

from __future__ import annotations

from typing import Any

import streams.nlp.entities as ent
from streams.nlp.entities import Mention, TextView, text_view
from tests.nlp.ner_stubs import StubScores, table_scores


def _mention(text: str, surface: str, typ: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    prefix = "place:" if typ in ("GPE", "LOC") else "x:"
    return Mention(start, start + len(surface), typ, prefix + surface, surface, 0.8)


def _run(fn: Any, view: TextView, mentions: list[Mention], scores: StubScores) -> list[tuple[str, str]]:
    hit_at = {(h.start, h.end): h for h in view.kb_hits}
    hits = {h.start: h for h in view.kb_hits}
    got = fn(view, scores, mentions, hit_at, hits)
    return [(view.text[m.start : m.end], m.type) for m in got]


# --- place designators ---


def test_a_place_takes_its_capitalized_designator_and_is_named_without_it() -> None:
    text = "Floods hit Zorvania State on Monday, and the Kelmar Region was spared."
    v = text_view(text)
    state = _mention(text, "Zorvania", "GPE")
    region = _mention(text, "Kelmar Region", "GPE")
    got = ent._place_nouns(v, [state, region])
    assert [(text[m.start : m.end], m.name) for m in got] == [
        ("Zorvania State", "Zorvania"),
        ("Kelmar Region", "Kelmar"),
    ]


def test_a_lower_case_region_stays_out_and_a_one_word_place_keeps_its_name() -> None:
    text = "Floods hit the Zorvania region. Region officials met."
    v = text_view(text)
    m = _mention(text, "Zorvania", "GPE")
    got = ent._place_nouns(v, [m])
    assert [(text[x.start : x.end], x.name) for x in got] == [("Zorvania", "Zorvania")]


# --- names spelled by a bracketed acronym ---


def test_the_words_a_bracketed_acronym_spells_become_one_name_in_place_of_their_pieces() -> None:
    text = "Ketua Umum Seleksi Nasional Penerimaan Mahasiswa Baru (SNPMB) hadir. Menurut the Zorvan Prisoner's Society (ZPS) itu."
    v = text_view(text)
    ms = [_mention(text, "Zorvan", "GPE")]
    scores = StubScores(lambda words, typ: 1.0 if typ == "ORGANIZATION" else -9.0)
    got = _run(ent._initials_expansions, v, ms, scores)
    assert got == [
        ("Seleksi Nasional Penerimaan Mahasiswa Baru", "ORG"),
        ("Zorvan Prisoner's Society", "ORG"),
    ]


def test_a_spelled_term_the_tagger_scores_low_is_no_name() -> None:
    text = "Indeks Harga Saham Gabungan (IHSG) naik tipis pada Selasa."
    v = text_view(text)
    low = StubScores(lambda words, typ: -6.0)
    assert _run(ent._initials_expansions, v, [], low) == []
    # an acronym the words do not spell exactly leaves them alone
    text2 = "Laboratorium Riset Kemanusiaan (HRL) di Universitas Yale."
    high = StubScores(lambda words, typ: 3.0)
    assert _run(ent._initials_expansions, text_view(text2), [], high) == []


def test_a_connector_join_is_split_where_the_acronym_spells_the_second_name() -> None:
    text = "Six personnel of the Zorvan Army and Federal Constabulary (FC) were killed."
    v = text_view(text)
    joined = _mention(text, "Zorvan Army and Federal Constabulary", "ORG")
    scores = StubScores(lambda words, typ: 2.0 if typ == "ORGANIZATION" else -9.0)
    got = _run(ent._initials_expansions, v, [joined], scores)
    assert got == [("Zorvan Army", "ORG"), ("Federal Constabulary", "ORG")]
    # "of" is no coordination: a name reaching over it past the spelled words stays whole
    text2 = "The Rally for the Return of Refugees and Democracy in Zorvan (RDZ) urged calm."
    whole = _mention(text2, "Return of Refugees and Democracy in Zorvan", "ORG")
    got2 = _run(ent._initials_expansions, text_view(text2), [whole], scores)
    assert got2 == [("Return of Refugees and Democracy in Zorvan", "ORG")]


def test_a_connector_join_stops_before_words_their_own_acronym_spells() -> None:
    text = "Six personnel of the Zorvan Army and Federal Constabulary (FC) were killed."
    v = text_view(text)
    army = _mention(text, "Zorvan Army", "ORG")
    scores = table_scores(
        {
            ("Zorvan Army", "ORGANIZATION"): 4.0,
            ("Federal Constabulary", "ORGANIZATION"): 4.0,
            ("Zorvan Army and Federal Constabulary", "ORGANIZATION"): 7.0,
        }
    )
    assert _run(ent._connector_joins, v, [army], scores) == [("Zorvan Army", "ORG")]
    text2 = "Six personnel of the Zorvan Army and Federal Constabulary were killed."
    army2 = _mention(text2, "Zorvan Army", "ORG")
    joined = _run(ent._connector_joins, text_view(text2), [army2], scores)
    assert joined == [("Zorvan Army and Federal Constabulary", "ORG")]


# --- a place's tail that the article writes without it ---


class _Paths:
    """``path_support`` stub: the whole span scores ``whole``, any split ``split``."""

    def __init__(self, whole: float, split: float) -> None:
        self.whole, self.split = whole, split

    def path_support(
        self, words: Any, firsts: Any, kbtags: Any, sent: Any, start: int, labels: list[str], lang: Any = None
    ) -> float:
        return self.whole if all(not x.endswith("PERSON") for x in labels) else self.split


def test_a_place_tail_goes_to_a_person_when_the_article_writes_the_place_alone() -> None:
    text = "Banjir melanda Kabupaten Sumberjo, Jawa Timur. Kepala BPBD Kabupaten Sumberjo Gunadri mengatakan."
    v = text_view(text)
    lo = v.words.index("Kabupaten", 4)
    model = _Paths(whole=12.0, split=6.5)  # the tagger prefers the whole by 5.5
    assert ent._person_tail(v, model, lo, lo + 3, "LOCATION") == lo + 2  # type: ignore[arg-type]
    alone = "Kepala BPBD Kabupaten Sumberjo Gunadri mengatakan."
    v2 = text_view(alone)
    lo2 = v2.words.index("Kabupaten")
    assert ent._person_tail(v2, model, lo2, lo2 + 3, "LOCATION") == 0  # type: ignore[arg-type]


# --- known acronyms ---


class _Floor(StubScores):
    kb_support = -4.0


def test_a_known_acronym_needs_a_little_less_support_than_a_known_name() -> None:
    text = "Pasukan gabungan mengejar KKB di hutan. Kelompok itu dikejar Polri."
    v = text_view(text)
    kkb = _Floor(lambda words, typ: -4.3)
    got = [(text[m.start : m.end], m.type) for m in ent._kb_additions(v, kkb, [])]  # type: ignore[arg-type]
    assert ("KKB", "ORG") in got and ("Polri", "ORG") not in got
    weaker = _Floor(lambda words, typ: -4.8)
    assert ent._kb_additions(v, weaker, []) == []  # type: ignore[arg-type]


# --- a role word closing a place run ---


def _place_runs(text: str) -> list[str]:
    from streams.nlp.kb import load_given_names
    from streams.nlp.name_heads import head_runs

    v = text_view(text)
    titles = frozenset(["Besar", "Ratu", "Kepala", "AKBP"])
    runs = head_runs(
        v.text, v.words, v.starts, v.ends, v.caps, v.sentences, frozenset(), frozenset(), titles,
        given_names=load_given_names(),
    )  # fmt: skip
    return [text[v.starts[lo] : v.ends[hi - 1]] for lo, hi, _ in runs]


def test_a_role_word_closing_a_place_run_is_the_places_own_but_not_before_a_name() -> None:
    assert _place_runs("Tambang di Desa Lubuk Besar, Kecamatan Lubuk ditutup.") == [
        "Desa Lubuk Besar",
        "Kecamatan Lubuk",
    ]
    assert _place_runs("Warga Desa Lubuk Besar Sutomo hadir.") == ["Desa Lubuk"]
    assert _place_runs("Kata Kabupaten Sumberjo AKBP, Harry Hart.") == ["Kabupaten Sumberjo"]


# --- an acronym spelled by an organisation named before it ---


def test_an_acronym_spelled_by_an_organisation_named_before_it_names_it_without_brackets() -> None:
    text = "Zorvan Support Forces has been accused of the attack. The ZSF denied it, said ABC."
    v = text_view(text)
    org = _mention(text, "Zorvan Support Forces", "ORG")
    got = ent._coref(v, [org])
    assert [(text[m.start : m.end], m.key) for m in got] == [
        ("Zorvan Support Forces", org.key),
        ("ZSF", org.key),
    ]
