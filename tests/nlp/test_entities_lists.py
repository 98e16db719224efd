"""Span passes after the tagger: bracketed short names, lists beside a name, adjacent mentions
(made-up news text; the tagger's scores are stubbed so each pass is tested on its own)."""

from __future__ import annotations

from typing import Any

import pytest

import streams.nlp.entities as ent
from streams.nlp.entities import Mention, TextView, extract_entities, text_view
from tests.nlp.ner_stubs import StubScores


def _mention(view: TextView, phrase: str, typ: str) -> Mention:
    start = view.text.index(phrase)
    return Mention(start, start + len(phrase), typ, f"x:{phrase}", phrase, 0.8)


def _surfaces(view: TextView, mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(view.text[m.start : m.end], m.type) for m in mentions]


def _passes(view: TextView, model: Any, mentions: list[Mention], fn: Any) -> list[Mention]:
    hit_at = {(h.start, h.end): h for h in view.kb_hits}
    hits = {h.start: h for h in view.kb_hits}
    return fn(view, model, mentions, hit_at, hits)  # type: ignore[no-any-return]


def test_bracketed_short_name_and_the_place_after_it_join_the_organisation() -> None:
    v = text_view("Petugas Kepolisian Daerah (Polda) Jabar tiba pagi ini.")
    got = ent._bracket_join(v, [_mention(v, "Kepolisian Daerah", "ORG"), _mention(v, "Polda) Jabar", "ORG")])
    assert _surfaces(v, got) == [("Kepolisian Daerah (Polda) Jabar", "ORG")]
    v = text_view("Kata Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten Garut kemarin.")
    got = ent._bracket_join(
        v, [_mention(v, "Badan Penanggulangan Bencana Daerah", "ORG"), _mention(v, "Kabupaten Garut", "GPE")]
    )
    assert _surfaces(v, got) == [("Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten Garut", "ORG")]


def test_bracket_join_leaves_people_parent_organisations_and_new_sentences() -> None:
    v = text_view("Kepala Badan Nasional Penanggulangan Bencana (BNPB) Suharyanto datang.")
    ms = [_mention(v, "Badan Nasional Penanggulangan Bencana", "ORG"), _mention(v, "Suharyanto", "PERSON")]
    assert ent._bracket_join(v, ms) == ms
    v = text_view(
        "Menurut Pusat Vulkanologi dan Mitigasi Bencana Geologi (PVMBG) Kementerian ESDM status naik."
    )
    ms = [
        _mention(v, "Pusat Vulkanologi dan Mitigasi Bencana Geologi", "ORG"),
        _mention(v, "Kementerian ESDM", "ORG"),
    ]
    assert ent._bracket_join(v, ms) == ms
    v = text_view("Ia bekerja di Badan Pusat Statistik (BPS). Jakarta diguyur hujan.")
    ms = [_mention(v, "Badan Pusat Statistik", "ORG"), _mention(v, "Jakarta", "GPE")]
    assert ent._bracket_join(v, ms) == ms


def test_a_joined_name_keeps_its_short_name_for_later_mentions() -> None:
    text = (
        "Kepala Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten Garut menyebut dua rumah rusak. "
        "Tim BPBD masih di lokasi."
    )
    ents = extract_entities(text, "id")
    joined = [e for e in ents if "(BPBD)" in e.text]
    if not joined:
        pytest.skip("the shipped tagger does not find both parts of this made-up sentence")
    spans = [text[a:b] for a, b in joined[0].spans]
    assert spans.count("BPBD") >= 1


def test_list_items_beside_a_name_take_its_type_where_the_tagger_supports_them(monkeypatch: Any) -> None:
    v = text_view("Korban tersebar di Gianyar (14), Badung (12), Tabanan (8), dan Klungkung (1).")
    scores = StubScores(lambda words, typ: -1.0 if typ == "LOCATION" else -20.0)
    monkeypatch.setattr(ent, "LIST_SUPPORT", -4.0)
    got = _passes(v, scores, [_mention(v, "Gianyar", "GPE")], ent._list_items)
    assert [s for s, _ in _surfaces(v, got)] == ["Gianyar", "Badung", "Tabanan", "Klungkung"]
    assert {t for _, t in _surfaces(v, got)} <= {"GPE", "LOC"}
    assert ("Korban", "LOCATION") not in scores.asked  # no separator before the run: not a list item
    low = StubScores(lambda words, typ: -6.0)
    assert _passes(v, low, [_mention(v, "Gianyar", "GPE")], ent._list_items) == [
        _mention(v, "Gianyar", "GPE")
    ]


def test_list_items_go_backwards_and_stop_at_a_word_that_ends_no_item(monkeypatch: Any) -> None:
    v = text_view("Korban meninggal yakni Darwis, Hardiawan, Rukasih warga Lalang.")
    scores = StubScores(lambda words, typ: 0.0 if typ == "PERSON" else -20.0)
    monkeypatch.setattr(ent, "LIST_SUPPORT", -4.0)
    got = _passes(v, scores, [_mention(v, "Hardiawan", "PERSON")], ent._list_items)
    # "Rukasih" is followed by "warga", which ends no list item; "Darwis" comes before a comma
    assert [s for s, _ in _surfaces(v, got)] == ["Darwis", "Hardiawan"]


def test_adjacent_mentions_merge_only_where_the_tagger_nearly_reads_one_name(monkeypatch: Any) -> None:
    monkeypatch.setattr(ent, "MERGE_MARGIN", 2.0)
    v = text_view("Juru bicara Kemenkes Thailand menyebut korban bertambah.")
    ms = [_mention(v, "Kemenkes", "ORG"), _mention(v, "Thailand", "GPE")]
    whole = StubScores(lambda words, typ: 3.0 if len(words) == 2 and typ == "ORGANIZATION" else 2.0)
    assert _surfaces(v, _passes(v, whole, ms, ent._merge_adjacent)) == [("Kemenkes Thailand", "ORG")]
    parts = StubScores(lambda words, typ: -5.0 if len(words) == 2 else 2.0)
    assert _passes(v, parts, ms, ent._merge_adjacent) == ms


def test_adjacent_merge_keeps_an_officials_full_name_and_two_places(monkeypatch: Any) -> None:
    monkeypatch.setattr(ent, "MERGE_MARGIN", 2.0)
    anything = StubScores(lambda words, typ: 10.0)
    v = text_view("Gubernur BI Perry Warjiyo hadir.")
    ms = [_mention(v, "BI", "ORG"), _mention(v, "Perry Warjiyo", "PERSON")]
    assert _passes(v, anything, ms, ent._merge_adjacent) == ms
    v = text_view("Drone datang dari Kursk Rusia semalam.")
    ms = [_mention(v, "Kursk", "GPE"), _mention(v, "Rusia", "GPE")]
    assert _passes(v, anything, ms, ent._merge_adjacent) == ms
    v = text_view("Aparat TNI-Polri berjaga.")
    ms = [_mention(v, "TNI", "ORG"), _mention(v, "Polri", "ORG")]
    assert _passes(v, anything, ms, ent._merge_adjacent) == ms


def test_a_name_goes_on_through_lower_case_particles_where_the_tagger_allows(monkeypatch: Any) -> None:
    monkeypatch.setattr(ent, "PARTICLE_MARGIN", 3.0)
    v = text_view("Warga Omar al-Hobi dan Cees van der Hoeven bicara di Jakarta.")
    ms = [_mention(v, "Omar", "PERSON"), _mention(v, "Hoeven", "PERSON"), _mention(v, "Jakarta", "GPE")]
    even = StubScores(lambda words, typ: 1.0)
    got = _surfaces(v, _passes(v, even, ms, ent._particle_tails))
    assert got == [("Omar al-Hobi", "PERSON"), ("Cees van der Hoeven", "PERSON"), ("Jakarta", "GPE")]
    # "di" is no particle; a longer span the tagger rejects stays short
    rejected = StubScores(lambda words, typ: 1.0 if len(words) == 1 else -5.0)
    assert _passes(v, rejected, ms, ent._particle_tails) == ms


def test_particles_do_not_reach_back_into_another_name(monkeypatch: Any) -> None:
    monkeypatch.setattr(ent, "PARTICLE_MARGIN", 3.0)
    v = text_view("Kata Hamad bin Khalifa kemarin.")
    ms = [_mention(v, "Hamad", "PERSON"), _mention(v, "Khalifa", "PERSON")]
    got = _surfaces(v, _passes(v, StubScores(lambda words, typ: 1.0), ms, ent._particle_tails))
    assert got == [("Hamad bin Khalifa", "PERSON")]


def test_an_organisation_closing_a_longer_ones_name_is_a_mention_too() -> None:
    v = text_view(
        "Kepala Biro Komunikasi dan Pelayanan Publik Kementerian Kesehatan hadir. Anggota Pasukan Garuda datang."
    )
    ms = [
        _mention(v, "Biro Komunikasi dan Pelayanan Publik Kementerian Kesehatan", "ORG"),
        _mention(v, "Anggota Pasukan Garuda", "ORG"),  # "Pasukan" is a weak head: no nested name
    ]
    got = _surfaces(v, ent._nested_orgs(v, None, ms, {}, {}))
    assert got == [
        ("Biro Komunikasi dan Pelayanan Publik Kementerian Kesehatan", "ORG"),
        ("Kementerian Kesehatan", "ORG"),
        ("Anggota Pasukan Garuda", "ORG"),
    ]
