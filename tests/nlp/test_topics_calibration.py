"""Calibrated top-level topics: thresholds, page notices, both languages, the shared analysis."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from streams.core.doc import Doc
from streams.core.records import RawArticle
from streams.evaluation.topics_calibration import (
    ArticleCandidates,
    _choose_threshold,
    fit_calibration,
    reliability,
)
from streams.nlp import topics as topics_mod
from streams.nlp.analysis import analyze
from streams.nlp.classify_model import load_model, model_tokens
from streams.nlp.topics import (
    Calibration,
    TopCandidate,
    TopicStage,
    choose_top_level,
    classify_topics,
    load_calibration,
    top_candidates,
)

#: Short articles written for these tests, one per topic an editor must reach, in both languages.
ARTICLES: dict[tuple[str, str], str] = {
    (
        "01000000",
        "en",
    ): "The singer released her new album on Friday and will begin a world concert tour next "
    "month. The pop star said the record was inspired by films she loved; critics praised the songs and "
    "fans queued for tickets.",
    (
        "01000000",
        "id",
    ): "Penyanyi itu merilis album baru pekan ini dan akan menggelar konser di lima kota. Sang "
    "artis mengatakan lagu-lagunya terinspirasi film favoritnya; para penggemar antre membeli tiket.",
    (
        "15000000",
        "en",
    ): "The striker scored twice as the club beat its rivals 3-1 in the league on Saturday. The "
    "coach praised his players after the match and the goalkeeper saved a penalty.",
    (
        "15000000",
        "id",
    ): "Persib menang 3-1 atas Persija dalam laga Liga 1. Striker mencetak dua gol dan pelatih "
    "memuji para pemain setelah pertandingan di stadion.",
    ("13000000", "en"): "The company unveiled a new smartphone with a faster processor, a better camera and "
    "artificial intelligence features. The app update also brings new software tools for developers.",
    (
        "13000000",
        "id",
    ): "Perusahaan itu meluncurkan ponsel baru dengan prosesor lebih cepat dan kamera 200 MP. "
    "Smartphone Android ini punya fitur kecerdasan buatan dan aplikasi bawaan.",
    ("04000000", "en"): "Inflation slowed to 2.5 percent and the central bank kept interest rates unchanged. "
    "Stocks rose and the currency strengthened as investors welcomed the economic growth figures.",
    ("04000000", "id"): "Bank Indonesia menahan suku bunga acuan karena inflasi melambat. IHSG menguat dan "
    "rupiah naik setelah data pertumbuhan ekonomi diumumkan.",
    ("02000000", "en"): "Police arrested three suspects over the robbery and murder of a shop owner. "
    "Prosecutors charged them and the court will hear the case next week.",
    (
        "02000000",
        "id",
    ): "Polisi menangkap tiga tersangka pembunuhan dan perampokan pemilik toko. Jaksa mendakwa "
    "mereka dan pengadilan akan menggelar sidang pekan depan.",
    (
        "07000000",
        "en",
    ): "Dengue cases rose sharply and hospitals struggled to treat patients. Health officials "
    "urged people to clean water containers as doctors warned of the outbreak.",
    (
        "07000000",
        "id",
    ): "Kasus demam berdarah meningkat dan rumah sakit kewalahan merawat pasien. Dinas kesehatan "
    "meminta warga membersihkan tempat air karena dokter memperingatkan wabah.",
    (
        "03000000",
        "en",
    ): "A magnitude 6.2 earthquake killed 40 people and destroyed hundreds of homes. Rescuers "
    "searched the rubble as landslides blocked roads to the disaster zone.",
    (
        "03000000",
        "id",
    ): "Gempa bumi magnitudo 6,2 menewaskan 40 orang dan merusak ratusan rumah. Tim SAR mencari "
    "korban di reruntuhan sementara longsor menutup jalan ke lokasi bencana.",
    (
        "11000000",
        "en",
    ): "The president won the election with 58 percent of the vote, the electoral commission "
    "said. Opposition parties said they would challenge the result in parliament.",
    (
        "11000000",
        "id",
    ): "Presiden memenangi pemilu dengan 58 persen suara, kata KPU. Partai oposisi menyatakan "
    "akan menggugat hasilnya dan DPR akan membahas kabinet baru.",
    (
        "16000000",
        "en",
    ): "Russian forces launched missiles and drones at Kyiv overnight as fighting continued on "
    "the front line. The army said troops repelled an attack; the war has killed thousands of soldiers.",
    (
        "16000000",
        "id",
    ): "Pasukan Rusia meluncurkan rudal dan drone ke Kyiv sementara pertempuran berlanjut di "
    "garis depan. Tentara menyatakan serangan berhasil dipukul mundur dalam perang itu.",
}

BROWSER_NOTICE = (
    "Please Update your browser\n\nYour browser is out of date, and may not be compatible with our website. "
    "A list of the most popular web browsers can be found below. Just click on the icons to get to the "
    "download page."
)


def _tops(text: str, language: str | None) -> list[tuple[str, float]]:
    return [
        (t.code.split(":")[1], t.score) for t in classify_topics(text, language=language) if t.parent is None
    ]


@pytest.mark.parametrize(("key", "text"), ARTICLES.items(), ids=[f"{c}-{lang}" for c, lang in ARTICLES])
def test_each_topic_is_reached_in_both_languages(key: tuple[str, str], text: str) -> None:
    code, lang = key
    tops = _tops(text, lang)
    assert tops and tops[0][0] == code, tops
    assert 0.5 <= tops[0][1] <= 1.0


def test_page_notices_give_no_topic() -> None:
    assert _tops(BROWSER_NOTICE, "en") == []
    assert (
        _tops("IE 11 is not supported. For an optimal experience visit our site on another browser.", "en")
        == []
    )
    # inside a real article, the notice adds nothing: the same topics with and without it
    article = ARTICLES[("03000000", "en")]
    with_notice = _tops(BROWSER_NOTICE + "\n\n" + article, "en")
    assert [c for c, _ in with_notice] == [c for c, _ in _tops(article, "en")]
    assert "13000000" not in {c for c, _ in with_notice}


def test_one_mention_in_a_full_article_is_no_topic() -> None:
    disaster = ARTICLES[("03000000", "id")] * 3  # longer than SHORT_BODY
    tops = {c for c, _ in _tops(disaster + " Pertandingan itu ditunda.", "id")}
    assert "15000000" not in tops and "03000000" in tops


def test_calibrated_probability_is_monotone() -> None:
    cal = load_calibration()
    assert cal.meta.get("sha256"), "the shipped calibration says what it was fitted on"
    lows = [cal.prob("medtop:04000000", r, 0.5, None) for r in (0.5, 1.0, 3.0, 8.0)]
    assert lows == sorted(lows) and lows[0] < lows[-1]
    shares = [cal.prob("medtop:04000000", 3.0, s, None) for s in (0.1, 0.5, 1.0)]
    assert shares == sorted(shares)
    model = [cal.prob("medtop:01000000", 1.0, 0.3, p) for p in (0.05, 0.3, 0.6, 0.95)]
    assert model == sorted(model) and model[-1] > 0.5 > model[0]
    assert 0.0 < cal.primary <= cal.secondary_lexicon < 1.0
    assert 0.0 < cal.secondary < 1.0


def test_thresholds_decide_what_is_reported() -> None:
    cal = Calibration(((1.0, 0.0), -2.0), None, 0.6, 0.3, {}, {}, 0.6)
    # log1p(raw) - 2: raw 6 -> 0.49 (a weak second), raw 20 -> 0.74, raw 2 -> 0.28
    cands = [
        TopCandidate("medtop:16000000", 20.0, 1.0, None, 5),
        TopCandidate("medtop:11000000", 6.0, 0.3, None, 3),
        TopCandidate("medtop:07000000", 30.0, 1.0, None, 1),  # one place only: never reported
    ]
    assert [c for c, _ in choose_top_level(cands, cal)] == ["medtop:16000000"]
    assert [c for c, _ in choose_top_level(cands, cal, min_hits=1)] == ["medtop:07000000", "medtop:16000000"]
    weak = [TopCandidate("medtop:11000000", 2.0, 1.0, None, 3)]
    assert choose_top_level(weak, cal) == []  # 0.28 < primary 0.3
    assert cal.threshold(0, None) == 0.3 and cal.threshold(1, 0.4) == 0.6


def test_threshold_choice_and_reliability_bins() -> None:
    pairs = [(0.9, 1)] * 8 + [(0.7, 1)] * 2 + [(0.7, 0)] * 2 + [(0.3, 0)] * 6 + [(0.3, 1)]
    t = _choose_threshold(pairs, positives=11)
    assert 0.3 < t <= 0.7
    strict = _choose_threshold(pairs, positives=11, beta=0.25)
    assert strict > t
    rows = reliability(pairs)
    assert [r[2] for r in rows] == [7, 4, 8]
    assert rows[-1][4] == 1.0 and math.isclose(rows[0][3], 0.3)


def test_fit_calibration_learns_from_checkable_labels() -> None:
    arts = []
    for i in range(60):
        gold = "medtop:15000000" if i % 2 else None
        strong = TopCandidate("medtop:15000000", 6.0 + i % 5, 1.0, 0.9, 6)
        weak = TopCandidate("medtop:15000000", 0.6, 0.1, 0.1, 2)
        c = strong if gold else weak
        other = TopCandidate("medtop:11000000", 4.0, 1.0 if not gold else 0.5, None, 4)
        arts.append(ArticleCandidates(i, i % 5, gold, (c, other), (c, other)))
    cal = fit_calibration(arts)
    assert cal.prob("medtop:15000000", 7.0, 1.0, 0.9) > 0.8
    assert cal.prob("medtop:15000000", 0.6, 0.1, 0.1) < 0.2


def test_stage_reads_the_shared_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ARTICLES[("15000000", "id")]
    doc = Doc.from_raw(RawArticle(id="x", text=text))
    doc.body, doc.language = text, "id"
    doc.analysis = analyze(text, "id")
    assert "analysis" in TopicStage.requires
    stage = TopicStage()

    def no_tokenising(*a: object, **k: object) -> None:
        raise AssertionError("the topics stage tokenised the body itself")

    monkeypatch.setattr(topics_mod, "analyze", no_tokenising)
    stage(doc)
    assert next(t.code for t in doc.topics if t.parent is None) == "medtop:15000000"
    assert all(text[s:e] for t in doc.topics for s, e in t.evidence)


def test_model_reads_analysis_tokens() -> None:
    an = analyze("Timnas menang 2-0, kata pelatih Shin Tae-yong.", "id")
    words, index = model_tokens(an)
    assert "timnas" in words and "," not in words and "0" not in words
    assert all(an.lowers[i] == w for w, i in zip(words, index, strict=True))
    cands, _spans, *_ = top_candidates(ARTICLES[("15000000", "id")], language="id", model=load_model())
    sport = next(c for c in cands if c.code == "medtop:15000000")
    assert sport.p_model is not None and sport.p_model > 0.5 and sport.hits >= 2


def test_shipped_calibration_file_is_json_with_thresholds() -> None:
    path = Path(topics_mod.CALIBRATION_PATH)
    data = json.loads(path.read_text())
    assert set(data) >= {"lexicon", "model", "primary_threshold", "secondary_threshold", "meta"}
    assert set(data["model"]["offsets"]) == {"medtop:13000000", "medtop:01000000"}


def test_a_lexicon_only_second_topic_needs_a_sentence_of_its_own() -> None:
    cal = Calibration(((1.0, 0.0), -2.0), ((1.0, 1.0), 0.0), 0.3, 0.3, {}, {}, 0.3)
    war = TopCandidate("medtop:16000000", 20.0, 1.0, None, 9, frozenset({0, 1, 2}))
    health_inside = TopCandidate("medtop:07000000", 8.0, 0.4, None, 3, frozenset({1, 2}))
    health_own = TopCandidate("medtop:07000000", 8.0, 0.4, None, 3, frozenset({1, 5}))
    sport_model = TopCandidate("medtop:15000000", 8.0, 0.4, 0.9, 3, frozenset({1}))
    assert [c for c, _ in choose_top_level([war, health_inside], cal)] == ["medtop:16000000"]
    assert [c for c, _ in choose_top_level([war, health_own], cal)] == ["medtop:16000000", "medtop:07000000"]
    # the model reads the whole article: its topics are not held to the sentence rule
    assert "medtop:15000000" in [c for c, _ in choose_top_level([war, sport_model], cal)]
    # a one-sentence item: no sentence rule
    assert len(choose_top_level([war, health_inside], cal, min_hits=1)) == 2


def test_a_notice_inside_a_long_paragraph_masks_its_sentence_only() -> None:
    disaster = ARTICLES[("03000000", "en")]
    notice = "Download our app to read the latest smartphone and software news on your device. "
    paragraph = (disaster + " ") * 2 + notice + disaster  # one line, longer than NEUTRAL_MAX_SPAN
    assert len(paragraph) > topics_mod.NEUTRAL_MAX_SPAN and "\n" not in paragraph
    tops = {c for c, _ in _tops(paragraph, "en")}
    assert "03000000" in tops and "13000000" not in tops
