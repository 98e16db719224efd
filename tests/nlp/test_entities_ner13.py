"""A connector inside an institution's name (ner13): an acronym after "dan" goes on with the name only where
the tagger read one name across the connector ("Kementerian Hukum dan HAM"), else it is a name of its own."""

from __future__ import annotations

from streams.nlp.entities import extract_entities
from tests.nlp.head_runs_text import text_runs


def _runs(text: str, named_words: tuple[str, ...] | None) -> list[str]:
    """The head runs of ``text`` when the tagger read the tokens ``named_words`` as names (None: unknown)."""
    return [t for t, _ in text_runs(text, named_words=named_words)]


def test_an_acronym_after_dan_joins_only_a_name_the_tagger_read_across_the_connector() -> None:
    text = "Pejabat Kementerian Hukum dan HAM hadir."
    assert _runs(text, ("Kementerian", "Hukum", "dan", "HAM")) == ["Kementerian Hukum dan HAM"]
    # the tagger read two names ("dan" outside them) or nothing is known: the acronym stays apart
    assert _runs(text, ("Kementerian", "Hukum", "HAM")) == ["Kementerian Hukum"]
    assert _runs(text, None) == ["Kementerian Hukum"]
    # after ", dan" as well ("Badan Meteorologi, Klimatologi, dan Geofisika")
    text2 = "Data Badan Pengawas Obat, dan POM menunjukkan itu."
    assert _runs(text2, ("Badan", "Pengawas", "Obat", ",", "dan", "POM")) == ["Badan Pengawas Obat, dan POM"]
    assert _runs(text2, ("Badan", "Pengawas", "Obat", "POM")) == ["Badan Pengawas Obat"]


def test_a_lower_case_word_after_dan_is_unchanged() -> None:
    text = "Kepala Pusat Gempa Bumi dan Tsunami BMKG hadir."
    for named in (None, (), ("Pusat", "Gempa", "Bumi", "dan", "Tsunami", "BMKG")):
        assert _runs(text, named) == ["Pusat Gempa Bumi dan Tsunami BMKG"]


def test_the_pipeline_keeps_the_ministry_whole_and_known_acronyms_apart() -> None:
    names = {
        e.text: e.type
        for e in extract_entities("Menurut Kementerian Hukum dan HAM, jumlah narapidana naik.", "id")
    }
    assert names.get("Kementerian Hukum dan HAM") == "ORG"
    assert "Kementerian Hukum" not in names
    names = {
        e.text for e in extract_entities("Kementerian Sosial dan BNPB mengirim bantuan ke lokasi.", "id")
    }
    assert {"Kementerian Sosial", "BNPB"} <= names
