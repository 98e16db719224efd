"""Page-line model, pages8: meta mode cuts longer lines, captions and keeps announced lists; tail codes."""

from __future__ import annotations

from streams.ingest import clean
from streams.ingest.clean import _Ctx, clean_article
from streams.ingest.linemodel import LABELS, load_line_model
from tests.ingest.test_line_model_pages3 import PARA, PARA2, PARA3

TH = {
    "meta_short": 8,
    "meta_long": 60,
    "meta_long_body": 0.1,
    "meta_caption": 0.3,
    "meta_announced": 1,
    "body": 0.1,
    "body_caption": 0.5,
    "body_list": 0.1,
}
LONG = "Please view the main text area of the page by skipping the main menu of this site."


def _p(body: float, other: str = "furniture", caption: float = 0.0) -> dict[str, float]:
    probs = dict.fromkeys(LABELS, 0.0)
    probs["body"] = body
    probs["caption"] = caption
    probs[other] = probs.get(other, 0.0) + 1.0 - body - caption
    return probs


def test_meta_scores_longer_lines_only_where_furniture_sits() -> None:
    th = {**TH, "meta_long": 19, "meta_caption_words": 60}
    sentence = "Pemerintah menandatangani kesepakatan dengan warga setelah perundingan selama dua hari."
    cap = "Seorang wanita terlihat dengan poster ketika kerabat korban berkumpul di depan kantor polisi (ANTARA)"
    orig = [
        LONG,
        PARA,
        sentence,
        PARA2,
        cap,
        PARA3,
        "Gabung ke Channel WhatsApp kami untuk update berita terbaru dan terpercaya.",
    ]
    kept = {i: [x] for i, x in enumerate(orig)}
    marks = {4: ["credit_end"], 6: ["cta"]}
    # above the first paragraph: scored; a plain sentence between paragraphs: not; a caption: scored
    # whatever its length; a call to action below the last paragraph: scored; paragraphs: not
    assert clean._short_lines(orig, kept, th, True, marks) == [0, 4, 6]
    marks[2] = ["cta"]
    assert clean._short_lines(orig, kept, th, True, marks) == [0, 2, 4, 6]
    # without marks (the old call) only the short lines
    assert clean._short_lines(orig, kept, th) == []
    assert clean._short_lines(orig, kept, th, False, marks) == []


def test_a_longer_line_leaves_only_when_the_model_is_sure() -> None:
    orig = [LONG, PARA]
    marks: dict[int, list[str]] = {}
    assert clean._meta_cut(orig, 0, _p(0.05), TH, marks) == "furniture"
    # a short line goes at 0.15 as furniture under the caption cut; a longer one needs p(body) < 0.1
    assert clean._meta_cut(orig, 0, _p(0.15), TH, marks) is None
    assert clean._meta_cut(["Share to friends"], 0, _p(0.09), TH, marks) == "furniture"
    # without meta_long the longer line is not even scored
    assert clean._short_lines(orig, {0: [LONG]}, {"meta_short": 8}, True, {0: ["cta"]}) == []


def test_a_line_much_like_a_caption_leaves_even_when_read_as_body() -> None:
    caption = "Smoke billowing over the residential towers in the south following the bombardment."
    marks: dict[int, list[str]] = {}
    assert clean._meta_cut([caption], 0, _p(0.6, caption=0.35), TH, marks) == "caption"
    assert clean._meta_cut([caption], 0, _p(0.75, caption=0.25), TH, marks) is None
    # without the threshold in the model file nothing is cut this way
    assert clean._meta_cut([caption], 0, _p(0.6, caption=0.35), {**TH, "meta_caption": 2.0}, marks) is None


def test_an_announced_list_and_its_announcement_stay_but_not_a_list_under_a_bare_label() -> None:
    orig = [
        "Berikut adalah daftar pejabat yang dilantik:",
        "- Menteri ESDM, Balil Lahadalia",
        "- Kepala BPOM",
    ]
    marks = {0: ["list_intro"]}
    for i in range(3):
        assert clean._meta_cut(orig, i, _p(0.01), TH, marks) is None
    assert clean._meta_cut(orig, 1, _p(0.01), {**TH, "meta_announced": 0}, marks) == "furniture"
    # "Oleh :" ends with a colon but is a byline label: the UI items under it may go
    ui = ["Oleh :", "• Font:", "• Ukuran Font: - +"]
    assert clean._meta_cut(ui, 2, _p(0.05), TH, {0: ["list_intro"]}) == "furniture"
    assert not clean._announced(ui, 2, {0: ["list_intro"]})


def test_short_cuts_drop_the_cut_lines_and_name_them() -> None:
    cap = "Smoke billowing over the towers in the south after the bombardment on Saturday"
    orig = [cap, PARA, PARA2, LONG]
    kept = {i: [x] for i, x in enumerate(orig)}
    probs = [_p(0.55, caption=0.4), _p(1.0), _p(1.0), _p(0.02)]
    ctx = _Ctx(title=None, raw_source=None)
    out = clean._short_cuts(list(orig), orig, kept, probs, ctx, {**TH, "shared": 0}, {0: ["caption_verb"]})
    assert out == [PARA, PARA2]
    assert ctx.removed == [("model:caption", cap), ("model:furniture", LONG)]


def test_editor_codes_and_starred_agency_initials_leave_the_paragraph_end() -> None:
    code = "Sisanya masih dalam pencarian tim Basarnas, tulis tempo. (Abraham-01)."
    star = '"Saya sudah unggul tapi akhirnya kalah," kata Putri. *ant'
    covid = "Pasien itu dirawat karena terinfeksi virus corona. (COVID-19)."
    body = clean_article("\n\n".join([PARA, code, PARA2, star, covid, PARA3])).body
    paras = body.split("\n\n")
    assert "Sisanya masih dalam pencarian tim Basarnas, tulis tempo." in paras
    assert '"Saya sudah unggul tapi akhirnya kalah," kata Putri.' in paras
    assert "Abraham" not in body and "*ant" not in body
    # a number that is not zero-padded is no editor's code
    assert covid in paras


def test_the_shipped_model_carries_the_meta_thresholds() -> None:
    model = load_line_model()
    if model is None:
        return
    th = model.meta["thresholds"]
    assert th["meta_long"] >= th["meta_short"] and 0 < th["meta_long_body"] <= th["body"]
    assert (
        0 < th["meta_caption"] < 1
        and th["meta_announced"] == 1
        and th["meta_caption_words"] >= th["meta_long"]
    )


def test_meta_scores_the_dropped_lines_next_to_a_scored_one_only() -> None:
    kept = {1, 2, 6, 7}
    th = {"meta_near": 1}
    # line 0 and 3 (dropped, within two of line 1 or 2) join; 5 (dropped, three lines away) does not
    assert clean._with_dropped_neighbours([1, 2], kept, th, 8) == [0, 1, 2, 3, 4]
    assert clean._with_dropped_neighbours([7], kept, th, 8) == [5, 7]
    # nothing scored (most pages): nothing added; off: the lines as given
    assert clean._with_dropped_neighbours([], kept, th, 8) == []
    assert clean._with_dropped_neighbours([1], kept, {}, 8) == [1]
