"""Page-line model, pages9: one key per line a page, a higher cut at the article's edges in meta mode."""

from __future__ import annotations

from streams.ingest import clean
from streams.ingest.clean import _Ctx
from streams.ingest.linemodel import LineHints
from tests.ingest.test_line_model_pages3 import PARA, PARA2, PARA3
from tests.ingest.test_line_model_pages8 import TH, _p


def test_page_keys_read_each_line_once_and_drop_a_short_label_head() -> None:
    orig = ["IMAGE: Smoke over the towers", "Smoke over the towers.", PARA]
    keys = clean._PageKeys(orig)
    assert keys.key(0) == "image smoke over the towers"
    assert keys.bare(0) == keys.key(1) == keys.bare(1) == "smoke over the towers"
    # the same answer again comes from the page's table, not from a new computation
    assert keys.key(0) is keys.key(0)


def test_shared_probs_limited_to_the_scored_lines_decide_as_over_the_whole_page() -> None:
    orig = [
        "Advertising",
        PARA,
        "advertising.",
        "IMAGE: Smoke over the towers",
        "Smoke over the towers",
        PARA2,
    ]
    probs = [_p(0.11), _p(1.0), _p(0.04), _p(0.02, "caption"), _p(0.9), _p(1.0)]
    probs[1] = probs[5] = dict.fromkeys(probs[1], 0.0) | {"body": 1.0}
    whole = clean._shared_probs(orig, probs)
    scored = [i for i, p in enumerate(probs) if p["body"] < 1.0]
    part = clean._shared_probs(orig, probs, clean._PageKeys(orig), [0, 4], scored)
    assert part[0] == whole[0] and part[4] == whole[4]
    assert part[4]["body"] == 0.02
    # the lines not asked for keep their own probabilities
    assert part[2] is probs[2]


def test_meta_cuts_harder_at_the_edges_of_the_article_but_not_a_sentence() -> None:
    th = {**TH, "meta_edge_body": 0.3}
    orig = [
        "Share to friends",
        PARA,
        "Kecelakaan di jalan raya",
        PARA2,
        PARA3,
        "- Headline of another story today",
    ]
    first, last = clean._text_span(orig, set(range(len(orig))))
    assert (first, last) == (1, 4)
    assert clean._at_edge(orig, 0, first, last) and clean._at_edge(orig, 5, first, last)
    assert not clean._at_edge(orig, 2, first, last)  # between two paragraphs: a subhead
    assert not clean._at_edge(["Short lead sentence here.", PARA], 0, 1, 1)  # a sentence
    # p(body) 0.2: cut at the edge, kept between the paragraphs (the usual cut is 0.1)
    assert clean._meta_cut(orig, 0, _p(0.2), th, {}, True) == "furniture"
    assert clean._meta_cut(orig, 2, _p(0.2), th, {}, False) is None
    assert clean._meta_cut(orig, 0, _p(0.2), {**th, "meta_edge_body": 0}, {}, True) is None
    # a line the model reads as body stays wherever it sits
    assert clean._meta_cut(orig, 0, _p(0.6), th, {}, True) is None


def test_short_cuts_apply_the_edge_cut_to_the_page() -> None:
    orig = ["Share to friends", PARA, "Kecelakaan di jalan raya", PARA2, PARA3]
    kept = {i: [x] for i, x in enumerate(orig)}
    probs = [_p(0.2), _p(1.0), _p(0.2), _p(1.0), _p(1.0)]
    ctx = _Ctx(title=None, raw_source=None)
    th = {**TH, "meta_edge_body": 0.3, "shared": 1}
    out = clean._short_cuts(list(orig), orig, kept, probs, ctx, th)
    assert out == orig[1:]
    assert ctx.removed == [("model:furniture", "Share to friends")]


def test_meta_body_drops_copies_with_the_same_keys() -> None:
    orig = ["{{#rendered}} {{/rendered}}", PARA, "{{#rendered}} {{/rendered}}", PARA2]
    kept = {1: [PARA], 2: [orig[2]], 3: [PARA2]}
    ctx = _Ctx(title=None, raw_source=None)
    hints = LineHints(rule_kind={0: "section"})
    out = clean._without_copies([PARA, orig[2], PARA2], orig, kept, hints, ctx, clean._PageKeys(orig))
    assert out == [PARA, PARA2]


def test_a_kept_line_is_keyed_only_when_it_may_copy_a_cut_line() -> None:
    assert clean._may_hold("IMAGE: Smoke over the TOWERS", {"towers"})
    assert not clean._may_hold(PARA, {"advertisement"})
