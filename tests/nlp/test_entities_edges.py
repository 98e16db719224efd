"""ner7's span passes: names grown over the words beside them, joined through connectors, place chains
split at a known town, slash pairs of people, tagged spans the word lists reject, a person's first name
taken back from the name before it, bracketed acronyms and place nouns (made-up news text; the
tagger's scores are stubbed)."""

from __future__ import annotations

from typing import Any

import streams.nlp.entities as ent
from streams.nlp.entities import Mention, TextView, text_view
from streams.nlp.kb import KBEntry
from tests.nlp.ner_stubs import StubScores, table_scores


def _mention(text: str, surface: str, typ: str, nth: int = 0, entry: KBEntry | None = None) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), typ, "x:" + surface, surface, 0.8, entry)


def _run(fn: Any, view: TextView, mentions: list[Mention], scores: StubScores) -> list[tuple[str, str]]:
    hit_at = {(h.start, h.end): h for h in view.kb_hits}
    hits = {h.start: h for h in view.kb_hits}
    got = fn(view, scores, mentions, hit_at, hits)
    return [(view.text[m.start : m.end], m.type) for m in got]


# --- _edge_words: free words beside a mention ---


def test_a_mention_takes_the_capitalized_words_after_it_when_the_scores_nearly_chose_them() -> None:
    text = "The Zorvan Geological Survey measured the quake."
    v = text_view(text)
    m = _mention(text, "Zorvan", "GPE")
    near = table_scores({("Zorvan", "LOCATION"): 4.0, ("Zorvan Geological Survey", "ORGANIZATION"): 3.5})
    assert _run(ent._edge_words, v, [m], near) == [("Zorvan Geological Survey", "ORG")]
    far = table_scores({("Zorvan", "LOCATION"): 4.0, ("Zorvan Geological Survey", "ORGANIZATION"): 0.5})
    assert _run(ent._edge_words, v, [m], far) == [("Zorvan", "GPE")]


def test_an_acronym_before_a_place_joins_it_but_a_role_word_does_not() -> None:
    text = "kata salah satu petugas BPBD Sumberjo kepada wartawan. Analis Sumberjo Sekuritas menolak."
    v = text_view(text)
    place = _mention(text, "Sumberjo", "GPE")
    scores = table_scores({("Sumberjo", "LOCATION"): 4.3, ("BPBD Sumberjo", "ORGANIZATION"): 4.2})
    assert _run(ent._edge_words, v, [place], scores) == [("BPBD Sumberjo", "ORG")]
    org = _mention(text, "Sumberjo Sekuritas", "ORG")
    role = table_scores(
        {("Sumberjo Sekuritas", "ORGANIZATION"): 2.0, ("Analis Sumberjo Sekuritas", "ORGANIZATION"): 9.0}
    )
    assert _run(ent._edge_words, v, [org], role) == [("Sumberjo Sekuritas", "ORG")]


def test_a_persons_name_takes_no_lower_case_word_nor_degree_after_it() -> None:
    text = "Menurut Ivan Sumberjo Pengusaha itu, dan Abdullah Sitopan BA hadir."
    v = text_view(text)
    ivan = _mention(text, "Ivan Sumberjo", "PERSON")
    abd = _mention(text, "Abdullah Sitopan", "PERSON")
    scores = StubScores(lambda words, typ: 5.0 if typ == "PERSON" else -50.0)
    assert _run(ent._edge_words, v, [ivan, abd], scores) == [
        ("Ivan Sumberjo", "PERSON"),
        ("Abdullah Sitopan", "PERSON"),
    ]


def test_a_glued_hyphen_chain_and_a_web_address_join_an_organisation() -> None:
    text = "Dikutip dari Kabar-Sumberjo.com, dan kapal milik Lapu-Lapu Shipping Lines itu."
    v = text_view(text)
    site = _mention(text, "Kabar-Sumberjo", "ORG")
    ship = _mention(text, "Lapu Shipping Lines", "ORG")
    scores = StubScores(lambda words, typ: 3.0 if typ == "ORGANIZATION" else -50.0)
    got = _run(ent._edge_words, v, [site, ship], scores)
    assert got == [("Kabar-Sumberjo.com", "ORG"), ("Lapu-Lapu Shipping Lines", "ORG")]


# --- _connector_joins ---


def test_two_organisations_joined_by_and_become_one_when_the_scores_read_one_name() -> None:
    text = "An announcement from the Ministry of Water Resources and Meteorology said the river rose."
    v = text_view(text)
    left = _mention(text, "Ministry of Water Resources", "ORG")
    right = _mention(text, "Meteorology", "ORG")
    table = {
        ("Ministry of Water Resources", "ORGANIZATION"): 15.4,
        ("Meteorology", "ORGANIZATION"): 3.1,
        ("Ministry of Water Resources and Meteorology", "ORGANIZATION"): 16.9,
    }
    assert _run(ent._connector_joins, v, [left, right], table_scores(table)) == [
        ("Ministry of Water Resources and Meteorology", "ORG")
    ]
    table[("Ministry of Water Resources and Meteorology", "ORGANIZATION")] = 10.0
    assert len(_run(ent._connector_joins, v, [left, right], table_scores(table))) == 2


def test_places_and_people_are_never_joined_through_and() -> None:
    text = "Airstrikes hit Kayah and Karen states, and Little Big Town and Wiz Khalifa sang."
    v = text_view(text)
    ms = [
        _mention(text, "Kayah", "GPE"),
        _mention(text, "Karen", "GPE"),
        _mention(text, "Little Big Town", "ORG"),
        _mention(text, "Wiz Khalifa", "PERSON"),
    ]
    scores = StubScores(lambda words, typ: 30.0)
    assert len(_run(ent._connector_joins, v, ms, scores)) == 4


# --- _place_chains ---


def test_a_place_closed_by_a_known_town_is_two_names() -> None:
    text = "kata Suryana di kantornya kawasan Ragunan Jakarta Selatan, Kamis."
    v = text_view(text)
    m = _mention(text, "Ragunan Jakarta Selatan", "GPE")
    scores = table_scores({("Ragunan", "LOCATION"): 4.8})
    got = _run(ent._place_chains, v, [m], scores)
    assert got == [("Ragunan", "GPE"), ("Jakarta Selatan", "GPE")]
    assert _run(ent._place_chains, v, [m], table_scores({})) == [("Ragunan Jakarta Selatan", "GPE")]


def test_a_head_or_a_number_before_the_town_keeps_the_chain_one_name() -> None:
    text = "Macet di Jalan Raya Sumberjo Surabaya dan di SMA Negeri 4 Surabaya pagi tadi."
    v = text_view(text)
    street = _mention(text, "Jalan Raya Sumberjo Surabaya", "LOC")
    school = _mention(text, "SMA Negeri 4 Surabaya", "LOC")
    scores = StubScores(lambda words, typ: 5.0)
    assert _run(ent._place_chains, v, [street, school], scores) == [
        ("Jalan Raya Sumberjo Surabaya", "LOC"),
        ("SMA Negeri 4 Surabaya", "LOC"),
    ]


# --- _slash_pairs ---


def test_the_other_side_of_a_slash_pair_with_a_full_name_is_a_person() -> None:
    text = "Ganda putri Febriana Dwipuji Kusuma/Putri Sumarni mengalahkan lawannya."
    v = text_view(text)
    full = _mention(text, "Febriana Dwipuji Kusuma", "PERSON")
    part = _mention(text, "Putri", "PERSON")
    ok = table_scores({("Putri Sumarni", "PERSON"): -5.0})
    assert _run(ent._slash_pairs, v, [full, part], ok) == [
        ("Febriana Dwipuji Kusuma", "PERSON"),
        ("Putri Sumarni", "PERSON"),
    ]
    low = table_scores({("Putri Sumarni", "PERSON"): -10.0})
    assert _run(ent._slash_pairs, v, [full, part], low) == [
        ("Febriana Dwipuji Kusuma", "PERSON"),
        ("Putri", "PERSON"),
    ]


def test_a_slash_run_that_goes_on_past_four_words_or_a_stop_word_is_left_alone() -> None:
    text = "setelah mengalahkan Feng Yang Zhe/Lin Fang Ling 21-18."
    v = text_view(text)
    right = _mention(text, "Lin Fang Ling", "PERSON")
    scores = StubScores(lambda words, typ: 5.0)
    assert _run(ent._slash_pairs, v, [right], scores) == [("Lin Fang Ling", "PERSON")]


# --- _tagger_keeps ---


def test_a_tagged_span_of_listed_words_is_kept_only_on_strong_scores() -> None:
    text = "Ukraine's Air Force said 15 drones fell, the agency PA said."
    v = text_view(text)
    lo = v.words.index("Air")
    strong = table_scores({("Air Force", "ORGANIZATION"): 6.8})
    weak = table_scores({("Air Force", "ORGANIZATION"): 1.0})
    assert ent._tagger_keeps(v, strong, lo, lo + 2, "ORGANIZATION", "crf")  # type: ignore[arg-type]
    assert not ent._tagger_keeps(v, weak, lo, lo + 2, "ORGANIZATION", "crf")  # type: ignore[arg-type]
    assert not ent._tagger_keeps(v, strong, lo, lo + 2, "ORGANIZATION", "run")  # type: ignore[arg-type]
    pa = v.words.index("PA")
    lone = table_scores({("PA", "ORGANIZATION"): 9.0})
    assert not ent._tagger_keeps(v, lone, pa, pa + 1, "ORGANIZATION", "crf")  # type: ignore[arg-type]


# --- _person_first_words ---

KYAW = {
    ("Kyaw", "PERSON"): -6.0,
    ("Kyaw", "ORGANIZATION"): -7.3,
    ("Kyaw", "LOCATION"): -6.4,
    ("Tun Oo", "PERSON"): 7.9,
    ("Kyaw Tun Oo", "PERSON"): 7.1,
}


def test_a_first_name_closing_the_organisation_before_a_person_goes_to_the_person() -> None:
    text = "kata juru bicara Departemen Penjara Kyaw Tun Oo kepada Reuters."
    v = text_view(text)
    org = _mention(text, "Departemen Penjara Kyaw", "ORG")
    per = _mention(text, "Tun Oo", "PERSON")
    got = _run(ent._person_first_words, v, [org, per], table_scores(KYAW))
    assert got == [("Departemen Penjara", "ORG"), ("Kyaw Tun Oo", "PERSON")]


def test_no_first_name_moves_when_the_article_writes_the_person_without_it() -> None:
    text = "kata juru bicara Departemen Penjara Kyaw Tun Oo kepada Reuters. Tun mengaku lelah."
    v = text_view(text)
    org = _mention(text, "Departemen Penjara Kyaw", "ORG")
    per = _mention(text, "Tun Oo", "PERSON")
    got = _run(ent._person_first_words, v, [org, per], table_scores(KYAW))
    assert got == [("Departemen Penjara Kyaw", "ORG"), ("Tun Oo", "PERSON")]


# --- bracketed acronyms, place nouns ---


def test_a_bracketed_acronym_fits_the_knowledge_base_name_or_follows_an_organisation() -> None:
    text = "kota jatuh ke tangan Pasukan Dukungan Cepat (RSF) dan Laboratorium Riset Kemanusiaan (HRL) serta Kementerian Luar Negeri (AS) menyatakan."
    v = text_view(text)
    rsf = KBEntry("org:rsf", "Rapid Support Forces", "ORG")
    ms = [
        _mention(text, "Pasukan Dukungan Cepat", "ORG", entry=rsf),
        _mention(text, "Laboratorium Riset Kemanusiaan", "ORG"),
        _mention(text, "Kementerian Luar Negeri", "ORG"),
    ]
    acronyms, _ = ent._bracket_acronyms(v, ms)
    assert set(acronyms) == {"RSF", "HRL"}


def test_a_place_retyped_late_takes_the_place_noun_after_it() -> None:
    text = "Only Siem Pang district was flooded."
    v = text_view(text)
    m = _mention(text, "Siem Pang", "GPE")
    got = ent._place_nouns(v, [m])
    assert [text[x.start : x.end] for x in got] == ["Siem Pang district"]
