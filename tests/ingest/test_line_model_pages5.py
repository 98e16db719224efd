"""Page-line model, pages5: fewer lines scored in full mode, a faster rules prefilter (same verdicts)."""

from __future__ import annotations

from streams.ingest import clean
from streams.ingest.clean import body_lines, line_view
from streams.ingest.rules import anchored_prefilter, anchored_prefilter_for
from tests.ingest.test_line_model_pages3 import PARA, PARA2, PARA3


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


def test_the_shipped_model_scores_only_the_edge_paragraphs() -> None:
    from streams.ingest.linemodel import load_line_model

    model = load_line_model()
    if model is None:
        return
    th = model.meta["thresholds"]
    assert th["score_inner"] == 0 and th["score_min_inner"] == 25
