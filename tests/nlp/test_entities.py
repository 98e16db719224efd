"""Entity recognition on made-up Indonesian and English news text."""

from __future__ import annotations

from typing import get_args

import pytest

from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Entity, EntityType, RawArticle
from streams.nlp.entities import EntityStage, extract_entities
from streams.nlp.kb import load_kb


def _by_name(text: str, lang: str = "id") -> dict[str, object]:
    return {e.name: e for e in extract_entities(text, lang)}


def test_one_entity_per_referent_with_all_spans() -> None:
    text = (
        "Presiden Ukraina Volodymyr Zelensky bertemu utusan AS. Zelensky mengatakan Ukraina siap. "
        "Kemudian Volodymyr Zelenskyy terbang ke Kyiv."
    )
    ents = _by_name(text)
    z = ents["Volodymyr Zelensky"]
    assert z.type == "PERSON"
    assert len(z.spans) == 3
    assert [text[s:e] for s, e in z.spans] == ["Volodymyr Zelensky", "Zelensky", "Volodymyr Zelenskyy"]
    assert z.id == "Q3874799"


def test_country_forms_resolve_to_one_gpe_with_country_code() -> None:
    text = "Amerika Serikat dan Rusia berunding. Pejabat AS mengatakan Washington siap membantu."
    ents = _by_name(text)
    us = ents["United States"]
    assert us.type == "GPE" and us.country == "US" and us.id == "Q30"
    assert {text[s:e] for s, e in us.spans} == {"Amerika Serikat", "AS", "Washington"}
    assert ents["Russia"].country == "RU"


def test_washington_after_locative_preposition_is_the_city() -> None:
    ents = _by_name("Delegasi itu tiba di Washington pada Senin.")
    assert "Washington, D.C." in ents and "United States" not in ents


def test_short_ambiguous_forms_need_their_case() -> None:
    # "as" (English word) and "Who" are not the US and the WHO
    ents = _by_name("As the talks began, Who would lead was unclear, as usual.", "en")
    assert "United States" not in ents and "World Health Organization" not in ents
    ents = _by_name("The US and the WHO said so.", "en")
    assert "United States" in ents and "World Health Organization" in ents


def test_surname_joins_full_name_and_beats_the_city() -> None:
    text = "Menteri Pertahanan AS Lloyd Austin berbicara dengan mitranya. Austin menyerukan gencatan senjata."
    ents = _by_name(text)
    assert len(ents["Lloyd Austin"].spans) == 2
    assert "Austin" not in ents  # not the Texas city


def test_unknown_person_after_title_and_short_form_coreference() -> None:
    text = (
        "Juru bicara Kementerian Luar Negeri Kazakhstan, Aibek Smadiyarov, membantah laporan itu. "
        "Smadiyarov menyebut tuduhan tersebut tidak berdasar."
    )
    ents = extract_entities(text, "id")
    person = next(e for e in ents if e.type == "PERSON")
    assert person.name == "Aibek Smadiyarov"
    assert len(person.spans) == 2
    org = next(e for e in ents if e.type == "ORG")
    assert org.text == "Kementerian Luar Negeri Kazakhstan"
    assert org.name == "Ministry of Foreign Affairs of Kazakhstan"


def test_english_titles_and_organisation_patterns() -> None:
    text = (
        "General Maria Kowalczyk, commander of the Polish Land Forces, met officials of the "
        "Ministry of Digital Affairs in Warsaw. Kowalczyk said the drills would continue."
    )
    ents = extract_entities(text, "en")
    names = {e.name: e for e in ents}
    assert names["Maria Kowalczyk"].type == "PERSON"
    assert len(names["Maria Kowalczyk"].spans) == 2
    assert any(e.type == "ORG" and e.text.startswith("Ministry of Digital Affairs") for e in ents)
    assert names["Warsaw"].country == "PL"


def test_place_patterns_for_unknown_places() -> None:
    text = "Banjir melanda Kabupaten Sukamakmur dan warga mengungsi ke Tanjungsari. Pasukan maju di Velykyi Burluk Oblast."
    ents = extract_entities(text, "id")
    texts = {e.text: e.type for e in ents}
    assert texts.get("Kabupaten Sukamakmur") == "GPE"
    assert texts.get("Tanjungsari") == "GPE"


def test_regions_and_transliterations_of_the_war() -> None:
    text = "Pasukan Rusia menyerang Zaporozhye dan Kharkov, sementara Krimea tetap diduduki. Kiev mengecam."
    ents = _by_name(text)
    for name in ("Zaporizhzhia", "Kharkiv", "Crimea", "Kyiv"):
        assert name in ents, name
    assert ents["Crimea"].type == "LOC"


def test_organisations_and_agencies() -> None:
    text = (
        "Menurut PBB dan NATO, Uni Eropa akan membantu. Kantor berita Reuters melaporkan hal itu, "
        "seperti dikutip kantor berita Antara."
    )  # "antara" is also a common word: the KB adds the agency where the tagger's scores support it
    ents = _by_name(text)
    assert {"United Nations", "NATO", "European Union", "Reuters", "Antara"} <= set(ents)
    assert ents["NATO"].id == "Q7184"


def test_headline_title_case_is_not_a_person() -> None:
    ents = extract_entities("Jenderal Tertinggi AS Panggil Kepala Staf Rusia", "id")
    assert not any(e.type == "PERSON" for e in ents)


def test_spans_point_into_the_text_and_confidence_is_bounded() -> None:
    text = "Sekretaris Jenderal PBB António Guterres tiba di Jenewa. Guterres bertemu Presiden Prancis Emmanuel Macron."
    for e in extract_entities(text, "id"):
        assert 0 <= e.confidence <= 1
        for s, t in e.spans:
            assert 0 <= s < t <= len(text)


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n", "12345", "“”", "AS", "a" * 5000, "Ω≈ç√∫˜µ≤≥÷ 😀 ẞ İstanbul",
     "😀 Presiden Joe Biden\x00 di Gedung Putih, ẞ AS.", "İİ Vladimir Putin " * 30],
)  # fmt: skip
def test_never_crashes(text: str) -> None:
    found = extract_entities(text, "id")
    if "Joe Biden" in text:
        assert {e.name for e in found} >= {"Joe Biden"}
    for e in found:
        assert isinstance(e, Entity)
        assert e.type in get_args(EntityType)
        assert e.name and e.text
        assert 0 <= e.confidence <= 1
        assert e.spans
        for s, t in e.spans:
            assert 0 <= s < t <= len(text)
            assert text[s:t].strip()


def test_stage_fills_entities_and_rejects_non_text() -> None:
    stage = EntityStage()
    doc = Doc(raw=RawArticle(text="x"), body="Presiden Joe Biden di Gedung Putih.")
    stage(doc)
    assert {e.name for e in doc.entities} >= {"Joe Biden", "White House"}
    bad = Doc(raw=RawArticle(text="x"))
    bad.body = None  # type: ignore[assignment]
    with pytest.raises(StageError) as err:
        stage(bad)
    assert err.value.code == "W600"


def test_kb_covers_all_countries_in_indonesian() -> None:
    kb = load_kb()
    countries = [e for e in kb.entries if e.key.startswith("country:")]
    assert len(countries) >= 240
    for alias, a2 in [("Jerman", "DE"), ("Belanda", "NL"), ("Korea Selatan", "KR"), ("Selandia Baru", "NZ")]:
        assert any(e.country == a2 for e in kb.candidates(alias)), alias


def test_name_before_speech_verb_without_title() -> None:
    ents = extract_entities("Anna Kowalska said the talks failed. Later Kowalska added more details.", "en")
    (p,) = [e for e in ents if e.type == "PERSON"]
    assert p.name == "Anna Kowalska" and len(p.spans) == 2
    ents = extract_entities("Menurut laporan itu, Rahmat Hidayatullah mengatakan banjir surut.", "id")
    assert [e.name for e in ents if e.type == "PERSON"] == ["Rahmat Hidayatullah"]


def test_every_kb_country_is_an_alpha2_string() -> None:
    """YAML 1.1 turns an unquoted ``NO`` into False; every entry must keep a real ISO code."""
    from streams.nlp.kb import load_kb

    kb = load_kb()
    countries = {e.key: e.country for e in kb.by_key.values() if e.country is not None}
    assert countries, "the KB names no countries at all"
    bad = {k: c for k, c in countries.items() if not (isinstance(c, str) and len(c) == 2 and c.isupper())}
    assert not bad
    assert kb.by_key["country:NO"].country == "NO"
