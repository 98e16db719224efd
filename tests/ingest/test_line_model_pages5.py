"""Page-line model, pages5: runs of headline-like lines, twins, fewer lines scored, faster rules."""

from __future__ import annotations

from streams.ingest import clean
from streams.ingest.clean import body_lines, line_view
from streams.ingest.linemodel import LineHints, page_features, stack_features, twins_of
from streams.ingest.rules import anchored_prefilter, anchored_prefilter_for
from tests.ingest.test_line_model_pages3 import PARA, PARA2, PARA3


def test_headline_like_lines_read_their_run_and_where_it_sits() -> None:
    lines = [
        "Kecelakaan Bus Giri Indah di Cisarua",
        PARA,
        PARA2,
        "Sebaran Korban",
        PARA3,
        "- PDIP Ajak Masyarakat Pilih Pemimpin yang Bawa Jatim Lebih Maju",
        "- Tragis! Ibu dan Anak di Surabaya Tewas Gegara Warisan",
        "Arogansi Ivan Pengusaha Berujung Bui",
    ]
    feats = page_features(lines, LineHints())
    assert {"hrun_at=top", "hrun=1&top"} <= set(feats[0])
    assert {"hrun_at=inside", "hrun=1&inside"} <= set(feats[3])
    assert {"hrun_at=tail", "hrun=3&tail"} <= set(feats[5]) and "hrun=3&tail" in feats[7]
    assert not any(f.startswith("hrun_at") for f in feats[1])
    # the first paragraph knows another follows at once (a lead, or a long caption above the lead)
    assert "hrun_first_para&next" in feats[1]


def test_twins_are_lines_with_the_same_words_and_the_second_pass_reads_the_lowest() -> None:
    lines = ["Advertising", PARA, "ADVERTISING.", PARA2, "Advertising here"]
    twins = twins_of(lines)
    assert twins == {0: [2], 2: [0]}
    body = [0.97, 0, 0, 0, 0, 0, 0.03]
    furn = [0.02, 0, 0, 0, 0, 0, 0.98]
    vecs = [body, body, furn, body, body]
    assert "s:twin=0" in stack_features(vecs, 0, twins=twins)
    assert "s:twin=5" in stack_features(vecs, 2, twins=twins)
    assert not any(f.startswith("s:twin") for f in stack_features(vecs, 1, twins=twins))


def test_inner_paragraphs_are_not_scored_when_the_thresholds_say_so() -> None:
    lines = ["Judul Berita Banjir Besar", PARA, PARA2, PARA3, PARA, PARA2, "Baca juga: lainnya"]
    kept = {0, 1, 2, 3, 4, 5}
    assert body_lines(lines, kept, {"score_max_words": 60}) == [0, 1, 2, 3, 4, 5, 6]
    # the first two and the last paragraphs are scored (captions sit above the lead), the others are not
    th = {"score_max_words": 60, "score_inner": 0, "score_min_inner": 15}
    assert body_lines(lines, kept, th) == [0, 1, 2, 5, 6]
    # unless they carry a caption's mark ("… shows …", "(AP Photo/…)")
    assert body_lines(lines, kept, th, {3: ["caption_verb"], 4: ["sentence"]}) == [0, 1, 2, 3, 5, 6]


def test_the_long_line_prefilter_gives_the_same_verdicts() -> None:
    lines, _, _ = line_view(
        f"Tags: banjir, bekasi\n{PARA} {PARA2}\nBaca juga: Banjir Rendam Bekasi\n{PARA3}\nFOLLOW US"
    )
    long = f"{PARA} {PARA2} {PARA3}"
    assert anchored_prefilter_for(len(long.split())) is not anchored_prefilter()
    assert anchored_prefilter_for(3) is anchored_prefilter()
    for line in [*lines, long, "Tags: " + long]:
        new = clean._rules_verdict(line)
        old_for = clean._anchored_for
        clean._anchored_for = lambda _n: anchored_prefilter()  # type: ignore[assignment]
        try:
            assert clean._rules_verdict(line) == new
        finally:
            clean._anchored_for = old_for
