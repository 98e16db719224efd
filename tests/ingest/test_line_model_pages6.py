"""Page-line model, pages6: one decision per string, glued related headlines, short lines in meta mode."""

from __future__ import annotations

from streams.ingest import clean
from streams.ingest.clean import _Ctx, clean_article
from streams.ingest.linemodel import LABELS, LineHints, load_line_model
from tests.ingest.test_line_model_pages3 import PARA, PARA2, PARA3


def _p(body: float, other: str = "furniture") -> dict[str, float]:
    probs = dict.fromkeys(LABELS, 0.0)
    probs["body"] = body
    probs[other] = 1.0 - body
    return probs


def test_copies_of_one_string_share_the_copy_least_like_article_text() -> None:
    orig = [
        "Advertising",
        PARA,
        "advertising.",
        "IMAGE: Smoke over the towers on Saturday",
        "Smoke over the towers on Saturday",
        PARA2,
    ]
    probs = [_p(0.11), _p(0.99), _p(0.04), _p(0.02, "caption"), _p(0.9), _p(0.98)]
    shared = clean._shared_probs(orig, probs)
    # "Advertising" twice (case and punctuation aside): both copies take the lower p(body)
    assert shared[0]["body"] == shared[2]["body"] == 0.04
    # the bare caption takes the probabilities of its copy under a short label
    assert shared[4]["body"] == 0.02 and max(shared[4], key=shared[4].__getitem__) == "caption"
    # lines said once keep their own
    assert shared[1] is probs[1] and shared[5] is probs[5] and shared[3] is probs[3]


def test_meta_drops_a_kept_copy_of_a_string_the_rules_cut_but_not_a_repeated_paragraph() -> None:
    orig = ["{{#rendered}} {{/rendered}}", PARA, "{{#rendered}} {{/rendered}}", PARA2, PARA2]
    kept = {1: [PARA], 2: [orig[2]], 3: [PARA2]}
    lines = [PARA, orig[2], PARA2]
    # line 0 cut by a rule; line 4 repeats a paragraph the rules kept once (no rule named it: "other")
    hints = LineHints(rule_kind={0: "section", 4: "other"})
    ctx = _Ctx(title=None, raw_source=None)
    out = clean._without_copies(lines, orig, kept, hints, ctx)
    assert out == [PARA, PARA2]
    assert ("copy:section", orig[2]) in ctx.removed


def test_a_related_headline_glued_to_the_next_paragraph_is_cut_at_the_glue() -> None:
    tail = "Dari jumlah itu, 200 warga Ukraina ditukar dengan hanya satu orang tahanan Rusia, kata pejabat."
    text = "\n".join(
        [PARA, f"BACA JUGA: Dua Warga AS Tahanan Perang Dipindahkan ke Arab Saudi{tail}", PARA2, PARA3]
    )
    res = clean_article(text)
    assert tail in res.body.split("\n\n")
    assert "Arab Saudi" not in res.body
    assert ("related", "BACA JUGA: Dua Warga AS Tahanan Perang Dipindahkan ke Arab Saudi") in res.removed
    # a bare label, then the headline glued to the paragraph
    text2 = "\n".join([PARA, "Baca Juga:", f"Harga Minyakita Naik Jadi Rp15.700/Liter{tail}", PARA2, PARA3])
    res2 = clean_article(text2)
    assert tail in res2.body.split("\n\n") and "Minyakita" not in res2.body


def test_a_brand_written_in_camel_case_is_no_glue() -> None:
    assert clean._glued_headline("Baca juga: Cara Mengunduh Video YouTube dan Menyimpannya di Galeri") is None
    assert clean._glued_headline("Read more: The new iPhone sells out in a day across the country.") is None
    # a sentence that is no related link is never split, glue or not
    text = "\n".join(
        [PARA, f"Warga memakai WhatsApp untuk mengabarkan banjir kepada keluarga mereka. {PARA2}", PARA3]
    )
    assert "WhatsApp untuk" in clean_article(text).body


def test_meta_short_lines_are_cut_only_when_the_model_reads_them_as_furniture() -> None:
    orig = ["COMMERCIAL BREAK", PARA, "- Gianyar: 3 orang", "Sebaran Korban", PARA2]
    kept = {i: [x] for i, x in enumerate(orig)}
    th = {"meta_short": 8, "body": 0.1, "body_caption": 0.5}
    assert clean._short_lines(orig, kept, th) == [0, 2, 3]
    assert clean._short_lines(orig, kept, {"meta_short": 0}) == []
    probs = [_p(0.05), _p(1.0), _p(0.2), _p(0.6), _p(1.0)]
    ctx = _Ctx(title=None, raw_source=None)
    out = clean._short_cuts(list(orig), orig, kept, probs, ctx, th)
    # only the line below the cut goes; a list item at p(body) 0.2 and a subhead read as body stay
    assert out == orig[1:]
    assert ctx.removed == [("model:furniture", "COMMERCIAL BREAK")]


def test_the_shipped_model_shares_decisions_and_cuts_short_lines_in_meta() -> None:
    model = load_line_model()
    if model is None:
        return
    th = model.meta["thresholds"]
    assert th["shared"] == 1 and th["meta_short"] > 0
