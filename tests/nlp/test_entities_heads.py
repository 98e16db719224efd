"""Head words shape names after the tagger: institution heads, place type words and tails, context types
(made-up news text; the word lists are streams/data/kb/name_heads.yaml)."""

from __future__ import annotations

import pytest

import streams.nlp.entities as ent
from streams.nlp.analysis import analyze
from streams.nlp.entities import extract_entities, text_view
from streams.nlp.name_heads import head_runs, is_head, load_heads
from streams.nlp.ner_crf import _windows, candidate_windows
from tests.nlp.head_runs_text import text_runs


def _types(text: str, lang: str = "id") -> dict[str, str]:
    return {e.text: e.type for e in extract_entities(text, lang)}


def _runs(text: str, stops: frozenset[int] = frozenset()) -> list[tuple[str, str]]:
    return text_runs(text, stops, frozenset(["Ipda", "AKBP", "Kepala"]))


def test_institution_head_starts_one_name() -> None:
    assert _runs("Anggota Komisi V DPR meninjau lokasi.") == [("Komisi V DPR", "ORGANIZATION")]
    assert _runs("Kepala Pusat Gempa Bumi dan Tsunami BMKG hadir.") == [
        ("Pusat Gempa Bumi dan Tsunami BMKG", "ORGANIZATION")
    ]
    assert _runs("Data dari Badan Meteorologi Klimatologi, dan Geofisika menunjukkan itu.") == [
        ("Badan Meteorologi Klimatologi, dan Geofisika", "ORGANIZATION")
    ]
    assert _runs("Prajurit Satgas Yonif R 321/GT berjaga.") == [("Satgas Yonif R 321/GT", "ORGANIZATION")]
    assert _runs("Siswa SMAN 1 Wringinanom ikut.") == [("SMAN 1 Wringinanom", "ORGANIZATION")]


def test_run_stops_at_a_rank_a_person_a_second_head_and_a_line_break() -> None:
    assert _runs("Kanit Polres Situbondo Ipda Teguh Santoso datang.") == [
        ("Polres Situbondo", "ORGANIZATION")
    ]
    assert _runs("Anggota Komisi I DPR Fraksi Golkar bicara.") == [
        ("Komisi I DPR", "ORGANIZATION"),
        ("Fraksi Golkar", "ORGANIZATION"),
    ]
    assert _runs("Anggota Polres Situbondo\nBudi Santoso datang.") == [("Polres Situbondo", "ORGANIZATION")]
    v = text_view("Juru bicara Badan Anggaran Lasarus Budi hadir.")
    lasarus = v.words.index("Lasarus")
    runs = head_runs(
        v.text, v.words, v.starts, v.ends, v.caps, v.sentences, frozenset(), {lasarus}, frozenset()
    )
    assert [(v.words[lo], v.words[hi - 1]) for lo, hi, _ in runs] == [("Badan", "Anggaran")]


def test_weak_heads_need_two_name_words() -> None:
    assert _runs("Pasukan Israel menyerang kamp itu.") == []
    assert _runs("Kata Angkatan Udara Ukraina pada Senin.") == [("Angkatan Udara Ukraina", "ORGANIZATION")]
    assert _runs("Kelompok milisi Pasukan Dukungan Cepat menyerang.") == [
        ("Pasukan Dukungan Cepat", "ORGANIZATION")
    ]


def test_place_type_words_start_a_place() -> None:
    assert _runs("Kebakaran terjadi di Kota Ambon tadi malam.") == [("Kota Ambon", "GPE")]
    assert _runs("Drone jatuh di Laut Azov.") == [("Laut Azov", "LOC")]
    assert _runs("Warga di Kota Tua Yerusalem berkumpul.") == [("Kota Tua Yerusalem", "GPE")]
    assert _runs("Kota ini sepi.") == []  # a head needs a name after it


def test_a_head_inside_a_name_starts_nothing_and_connectors_do_not_join_known_names() -> None:
    assert _runs("Saham Angkasa Pura I naik.") == []
    assert _runs("Kata Humas PA Jakarta Selatan.") == [("PA Jakarta Selatan", "ORGANIZATION")]
    assert _runs("Pendukung Partai Golkar dan PKS menang.") == [("Partai Golkar", "ORGANIZATION")]
    # the head run stops at the known place; the merge pass then reads the tagger's scores, which take
    # "Partai Golkar Jakarta" for one organisation (a regional branch, as the annotated pages list
    # "Basarnas Makassar" and "BPBD Bali"); without that pass the two names stay apart
    t = _types("Kader Partai Golkar Jakarta hadir.")
    assert t.get("Partai Golkar Jakarta") == "ORG"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ent, "MERGE_MARGIN", None)
        t = _types("Kader Partai Golkar Jakarta hadir.")
    assert t.get("Partai Golkar") == "ORG" and t.get("Jakarta") == "GPE"
    assert _runs("Kader Dewan Pembina Andi Mallarangeng hadir.") == [("Dewan Pembina", "ORGANIZATION")]


def test_lone_heads_are_not_names() -> None:
    assert is_head(["PT"]) and is_head(["Rumah", "Sakit"]) and not is_head(["Bank", "Indonesia"])
    h = load_heads()
    assert "Polres" in h.firsts and "Kota" in h.firsts


def test_pipeline_keeps_institution_and_place_names_whole() -> None:
    t = _types(
        "Kapolres Situbondo AKBP Rezi Dharmawan mengatakan anggota Polres Situbondo sudah di TKP. "
        "Api dipadamkan petugas Pemadam Kebakaran Ambon di Kota Ambon. "
        "Kata Angkatan Udara Ukraina, drone jatuh di Laut Azov."
    )
    assert t.get("Polres Situbondo") == "ORG"
    assert t.get("Pemadam Kebakaran Ambon") == "ORG"
    assert t.get("Kota Ambon") == "GPE"
    assert t.get("Angkatan Udara Ukraina") == "ORG"
    assert t.get("Laut Azov") == "LOC"
    assert "TKP" not in t and "Ambon" not in t


def test_english_tail_heads_take_the_words_before_them() -> None:
    t = _types(
        "Nepal's National Seismological Centre said the quake had a magnitude of 6.4. "
        "The West Sumatra Disaster Mitigation Agency said 11 hikers died.",
        "en",
    )
    assert t.get("National Seismological Centre") == "ORG"
    assert t.get("West Sumatra Disaster Mitigation Agency") == "ORG"


def test_place_tails_belong_to_the_place() -> None:
    t = _types("Serangan terjadi di Kabupaten Nduga, Papua Pegunungan, pada Sabtu.")
    assert "Papua Pegunungan" in t and t["Papua Pegunungan"] in ("GPE", "LOC")
    t = _types("Rebels took a pilot hostage in Papua Province last year.", "en")
    assert "Papua Province" in t


def test_a_building_names_its_organisation_and_hyphen_suffixes_are_not_names() -> None:
    t = _types('"Kami masih mencari," kata Syaugi di Gedung Kemenhub, Jakarta, Rabu.')
    assert "Gedung Kemenhub" not in t and t.get("Kemenhub") == "ORG"
    t = _types("Figures from the Hamas-led government media office in Gaza.", "en")
    assert "Hamas-led" not in t and t.get("Hamas") == "ORG"


@pytest.mark.parametrize(
    ("text", "name", "typ"),
    [
        ("An institution was damaged in the Cherkasy region, officials said.", "Cherkasy", "GPE"),
        ("The school was damaged, regional governor Ihor Taburets said.", "Ihor Taburets", "PERSON"),
    ],
)
def test_context_words_type_unknown_names(text: str, name: str, typ: str) -> None:
    assert _types(text, "en").get(name) == typ


def test_a_candidate_pair_is_two_people_but_a_hyphenated_name_is_one() -> None:
    t = _types("Pasangan Ridwan Kamil-Suswono dan Dharma Pongrekun-Kun Wardana mendaftar ke KPU.")
    assert "Ridwan Kamil-Suswono" not in t and "Dharma Pongrekun-Kun Wardana" not in t
    assert t.get("Dharma Pongrekun") == "PERSON" and t.get("Kun Wardana") == "PERSON"
    t = _types("Pelatih Shin Tae-yong memanggil 26 pemain.")
    assert t.get("Shin Tae-yong") == "PERSON"


def test_article_windows_equal_the_per_sentence_windows() -> None:
    text = (
        "Menteri Luar Negeri Retno Marsudi bertemu Ministry of Defence di Jakarta. "
        "Tim SAR dan Basarnas mencari korban. the end of It and Then. Bosnia and Herzegovina menang."
    )
    an = analyze(text)
    sents = [(s.tok_start, s.tok_end) for s in an.sentences]
    caps = [w != lw for w, lw in zip(an.words, an.lowers, strict=True)]
    want = [
        (lo, hi, lo + a, lo + b)
        for lo, hi in sents
        for a, b in candidate_windows(an.words[lo:hi], caps[lo:hi])
    ]
    assert _windows(an.words, caps, sents) == want
    assert _windows(an.words, None, sents) == want


def test_an_institution_word_before_of_or_for_keeps_the_name_whole() -> None:
    t = _types("Tremors were felt in New Delhi, India's National Centre for Seismology said on Friday.", "en")
    assert t.get("National Centre for Seismology") == "ORG"
    assert "Seismology" not in t


def test_a_place_run_stops_at_a_coordination_and_before_a_count() -> None:
    from streams.nlp.entities import extract_entities

    text = (
        "Di sebelah selatan berbatasan dengan Desa Wonorejo dan Desa Kebonagung. "
        "Desa itu terletak di lereng Gunung Muria 9 km ke arah utara."
    )
    names = {e.text for e in extract_entities(text, "id")}
    assert "Desa Wonorejo dan Desa Kebonagung" not in names
    assert {"Desa Wonorejo", "Desa Kebonagung"} <= names
    assert "Gunung Muria" in names and "Gunung Muria 9" not in names
