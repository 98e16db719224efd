"""Topic classification on made-up Indonesian and English articles (seed/gold tests are separate)."""

from __future__ import annotations

import re

import pytest

from streams.nlp.classify_model import load_model
from streams.nlp.topics import TopicStage, classify_topics, load_lexicon, load_taxonomy

WAR_ID = (
    "Rusia melancarkan serangan rudal dan drone ke Kyiv pada Selasa malam, kata militer Ukraina. "
    "Pasukan Ukraina menembak jatuh sebagian besar rudal, namun dua warga sipil tewas. "
    "Perang yang dimulai dengan invasi Rusia pada Februari 2022 itu belum menunjukkan tanda berakhir. "
    "Tentara Rusia terus menyerang garis depan di wilayah Donetsk."
)
WAR_EN = (
    "Russian forces shelled frontline towns in eastern Ukraine overnight, killing three civilians, "
    "officials said. The war, now in its third year, has displaced millions. Ukrainian troops said "
    "they repelled an offensive near Pokrovsk while air defence units shot down 40 drones and six missiles."
)
PEACE_EN = (
    "Negotiators from Kyiv and Moscow met in Istanbul for a new round of peace talks mediated by Turkey. "
    "The delegations discussed a ceasefire and a prisoner exchange, and agreed to continue the negotiations "
    "next month. Diplomats said the peace process remained fragile."
)
SPORT_ID = (
    "Timnas Indonesia menang 2-0 atas Vietnam dalam laga kualifikasi Piala Dunia di Stadion Utama "
    "Gelora Bung Karno. Gol pertama dicetak striker Rafael Struick pada menit ke-23, disusul gol kedua "
    "lewat tendangan penalti. Pelatih Shin Tae-yong memuji permainan skuad Garuda dan para pemain."
)
SPORT_EN = (
    "Arsenal beat Chelsea 3-1 in the Premier League on Sunday. The striker scored twice and the "
    "goalkeeper saved a penalty as the club moved top of the league. The coach praised his players "
    "after the match at the Emirates Stadium."
)
TECH_ID = (
    "Samsung resmi meluncurkan ponsel lipat terbaru di Jakarta. Smartphone itu dibekali prosesor "
    "Snapdragon, kamera 200 MP, dan baterai 5.000 mAh. Perangkat ini menjalankan Android 15 dengan "
    "fitur kecerdasan buatan untuk menerjemahkan percakapan. Aplikasi bawaan bisa diunduh lewat internet."
)
ECONOMY_EN = (
    "Bank Indonesia raised its benchmark interest rate by 25 basis points to defend the rupiah, as "
    "inflation climbed and investors sold shares. The central bank said economic growth would slow, "
    "while exports fell and the stock market closed lower."
)
POLITICS_ID = (
    "Komisi Pemilihan Umum (KPU) menetapkan jadwal pemilu 2029. Partai politik di DPR menyambut "
    "keputusan itu, sementara koalisi oposisi meminta Bawaslu mengawasi kampanye. Para politisi mulai "
    "menyiapkan calon presiden dan calon anggota legislatif."
)
DISASTER_ID = (
    "Gempa bumi bermagnitudo 6,2 mengguncang Sulawesi Barat, menyebabkan tanah longsor dan kerusakan "
    "ratusan rumah. BNPB melaporkan 12 korban jiwa, sementara tim SAR dan Basarnas masih melakukan "
    "evakuasi warga. BPBD menetapkan status tanggap darurat bencana selama dua pekan."
)
HEALTH_EN = (
    "The hospital said the patient had recovered from the virus. Doctors warned that the outbreak could "
    "spread, and the health ministry urged vaccination. The World Health Organization said cases of the "
    "disease had risen."
)


def codes(text: str, **kw: object) -> set[str]:
    return {t.code for t in classify_topics(text, **kw)}  # type: ignore[arg-type]


def test_taxonomy_has_the_17_top_level_codes() -> None:
    tax = load_taxonomy()
    tops = sorted(c for c, e in tax.items() if e.is_top)
    assert tops == [f"medtop:{i:02d}000000" for i in range(1, 18)]
    for code, entry in tax.items():
        assert re.fullmatch(r"medtop:\d{8}", code)
        assert entry.label and entry.label_id
        if entry.parent:
            assert entry.parent in tax


def test_design_subtopics_present_with_parents() -> None:
    tax = load_taxonomy()
    for code in ("20000053", "20000056", "20000062", "20000060", "20000073", "20000074", "20000075",
                 "20000076", "20000059", "20000078", "20001377", "20000080", "20000638", "20000639",
                 "20000640", "20000641", "20000642", "20000643", "20000645", "20000599", "20000602",
                 "20000105", "20000598"):  # fmt: skip
        assert f"medtop:{code}" in tax
    assert tax["medtop:20000076"].parent == "medtop:20000073"
    assert tax["medtop:20000073"].parent == "medtop:16000000"
    # the official hierarchy (IPTC release 2026-07-02), where it differs from DESIGN.md's grouping
    assert tax["medtop:20000080"].parent == "medtop:20001377"
    assert tax["medtop:20000598"].parent == "medtop:20000593"
    assert tax["medtop:20000105"].parent == "medtop:20000082"
    assert tax["medtop:11000000"].label == "politics and government"


def test_structural_parents_are_not_reported_alone() -> None:
    text = (
        "Kementerian Pertahanan dan Pentagon membahas keamanan nasional. Menteri Pertahanan mengatakan "
        "intelijen dan badan intelijen memperkuat pertahanan udara."
    )
    got = codes(text)
    assert "medtop:20000598" in got
    assert "medtop:20000593" not in got


def test_lexicon_loads() -> None:
    assert load_lexicon().version


@pytest.mark.parametrize("text", [WAR_ID, WAR_EN])
def test_war_articles_get_conflict_war_and_peace(text: str) -> None:
    got = codes(text)
    assert "medtop:16000000" in got
    assert "medtop:15000000" not in got


def test_peace_talks_subtopics() -> None:
    got = codes(PEACE_EN)
    assert {"medtop:16000000", "medtop:20000073", "medtop:20000076"} <= got


@pytest.mark.parametrize(
    "text,expected,not_expected",
    [
        (SPORT_ID, "medtop:15000000", "medtop:16000000"),
        (SPORT_EN, "medtop:15000000", "medtop:16000000"),
        (TECH_ID, "medtop:13000000", "medtop:15000000"),
        (ECONOMY_EN, "medtop:04000000", "medtop:15000000"),
        (POLITICS_ID, "medtop:11000000", "medtop:15000000"),
        (DISASTER_ID, "medtop:03000000", "medtop:15000000"),
        (HEALTH_EN, "medtop:07000000", "medtop:16000000"),
    ],
)
def test_domain_articles(text: str, expected: str, not_expected: str) -> None:
    got = codes(text)
    assert expected in got
    assert not_expected not in got
    best = max(classify_topics(text), key=lambda t: t.score if t.parent is None else -1)
    assert best.code == expected


def test_election_subtopic_under_politics() -> None:
    assert "medtop:20000574" in codes(POLITICS_ID)


def test_every_topic_has_evidence_inside_body() -> None:
    for text in (WAR_ID, WAR_EN, PEACE_EN, SPORT_ID, TECH_ID, ECONOMY_EN, DISASTER_ID):
        topics = classify_topics(text)
        assert topics
        for t in topics:
            assert 0.0 <= t.score <= 1.0
            assert t.evidence, t.code
            for s, e in t.evidence:
                assert 0 <= s < e <= len(text)
                assert text[s:e].strip()


def test_evidence_points_at_the_terms() -> None:
    sport = next(t for t in classify_topics(SPORT_ID, model=False) if t.code == "medtop:15000000")
    words = {SPORT_ID[s:e].lower() for s, e in sport.evidence}
    assert words & {"gol", "striker", "pelatih", "laga", "stadion"}


def test_subtopic_needs_its_top_level() -> None:
    for t in classify_topics(SPORT_ID):
        assert t.parent is None or t.code.startswith("medtop:2")


def test_model_is_shipped_and_adds_evidence() -> None:
    model = load_model()
    assert model is not None
    pred = model.predict(SPORT_ID)
    assert max(pred.probs, key=pred.probs.get) == "medtop:15000000"  # type: ignore[arg-type]
    assert pred.evidence["medtop:15000000"]


def test_language_hint_is_optional() -> None:
    assert codes(WAR_EN, language="en") == codes(WAR_EN, language=None) or "medtop:16000000" in codes(
        WAR_EN, language="en"
    )


@pytest.mark.parametrize("text", ["", " ", "\x00\x01", "a" * 5000, "🙂" * 100, "İİİ perang İ", "<<<>>>"])
def test_never_crashes(text: str) -> None:
    for t in classify_topics(text):
        for s, e in t.evidence:
            assert 0 <= s < e <= len(text)


def test_stage_assigns_topics() -> None:
    from streams.core.doc import Doc
    from streams.core.records import RawArticle

    doc = Doc.from_raw(RawArticle(text=WAR_ID))
    doc.body = WAR_ID
    TopicStage()(doc)
    assert any(t.code == "medtop:16000000" for t in doc.topics)


@pytest.mark.parametrize("text", [PEACE_EN, HEALTH_EN, WAR_EN])
def test_model_abstains_on_english(text: str) -> None:
    model = load_model()
    assert model is not None
    assert not model.applies_to(text)
    assert model.applies_to(WAR_ID)
    assert "medtop:01000000" not in codes(text)
