"""Page-line model: copies of other lines, runs of list items, the stacked second pass, per-label cuts."""

from __future__ import annotations

import pytest

from streams.ingest.clean import clean_article, line_view
from streams.ingest.linemodel import (
    LABELS,
    LineHints,
    LineModel,
    load_line_model,
    page_features,
    stack_features,
)

PARA = (
    "Badan Penanggulangan Bencana Daerah mencatat ratusan rumah warga terendam banjir setinggi satu meter "
    "sejak Selasa malam setelah hujan deras mengguyur kawasan itu selama berjam-jam, kata petugas."
)
PARA2 = (
    "Petugas gabungan dari kepolisian, TNI dan relawan masih mengevakuasi warga yang terjebak di rumah "
    "mereka dengan perahu karet hingga Rabu pagi, sementara dapur umum didirikan di balai desa."
)
PARA3 = (
    "Kepala pelaksana BPBD mengatakan posko pengungsian sudah menampung lebih dari dua ratus keluarga dan "
    "bantuan logistik terus berdatangan dari pemerintah provinsi serta warga sekitar, ujarnya."
)
CAPTION = "Erling Haaland scores the second goal from the penalty spot at Etihad Stadium on Saturday"


def test_a_caption_shown_twice_is_a_copy_of_the_line_the_rules_cut() -> None:
    lines = ["Manchester City Beat Fulham", PARA, f"IMAGE: {CAPTION}.", f"{CAPTION}.", PARA2, PARA3]
    hints = LineHints(rule_kind={0: "title", 2: "caption"})  # the rules cut the labelled one
    feats = page_features(lines, hints)
    assert {"copy", "copy_of=caption", "copy_part", "copy_near"} <= set(feats[3])
    assert not any(f.startswith("copy") for n in (0, 1, 4, 5) for f in feats[n])
    # the longer line of the pair holds the other: it is no copy (a lead its standfirst repeats)
    assert not any(f.startswith("copy") for f in feats[2])
    same = page_features(["Advertising here today", PARA, "Advertising here today", PARA2], LineHints())
    assert {"copy", "copy_of=kept"} <= set(same[0]) and "copy_part" not in same[0] and "copy_near" in same[2]


def test_a_standfirst_cut_short_is_the_part_copy_of_the_lead() -> None:
    short = " ".join(PARA.split()[:14]) + "…"
    lines, _, hints = line_view(f"Banjir Rendam Bekasi\n{short}\n{PARA}\n{PARA2}")
    feats = page_features(lines, hints)
    assert {"copy", "copy_of=kept", "copy_part"} <= set(feats[lines.index(short)])
    # the lead is a paragraph: it is not compared (its copy is the short line)
    assert not any(f.startswith("copy") for f in feats[lines.index(PARA)])


def test_list_runs_tell_a_data_list_from_a_tail_of_headlines() -> None:
    text = (
        f"{PARA}\nBanjir kali ini bikin duka di beberapa daerah. Rinciannya:\n- Denpasar: 8 orang\n"
        f"- Gianyar: 3 orang\n- Badung: 1 orang\n{PARA2}\n{PARA3}\n"
        "- PDIP Ajak Masyarakat Pilih Pemimpin yang Bawa Jatim Lebih Maju\n"
        "- Tragis! Ibu dan Anak di Surabaya Tewas Gegara Warisan"
    )
    lines, _, hints = line_view(text)
    feats = page_features(lines, hints)
    data = set(feats[lines.index("- Gianyar: 3 orang")])
    tail = set(feats[lines.index("- Tragis! Ibu dan Anak di Surabaya Tewas Gegara Warisan")])
    assert {"run_intro=announce", "run_digits=3", "run_len=3"} <= data and "run_tail" not in data
    assert {"run_tail", "run_digits=0", "run_len=2"} <= tail and "run_intro=announce" not in tail
    # the heads never read them (meta mode does not build them)
    assert not any(f.startswith("run_") for f in page_features(lines, hints, context=False)[2])


def test_stack_features_read_the_neighbours_first_pass_verdicts() -> None:
    body = [1.0, 0, 0, 0, 0, 0, 0]
    furn = [0.05, 0, 0, 0, 0, 0, 0.95]
    vecs = [body, furn, furn, furn, body]
    mid = stack_features(vecs, 2)
    assert {"s0:t=furniture", "s-1:t=furniture", "s1:t=furniture", "s:run=2"} <= set(mid)
    first = stack_features(vecs, 0)
    assert {"s-2:edge", "s-1:edge", "s0:t=body", "s:run=3"} <= set(first)
    assert stack_features(vecs, 4)[-1] != "s:tail=last" and "s:tail=last" in stack_features(vecs, 4)


def test_the_second_pass_overrules_the_first_from_the_neighbours() -> None:
    # first pass: a caption word makes a line a caption; second pass: a line whose neighbours read as
    # captions is a caption too, whatever its own words
    first = {"bias": [2.0, 0, 0, 0, 0, 0, 0], "caption_word": [0, 0, 0, 0, 0, 9.0, 0]}
    second = {"bias": [2.0, 0, 0, 0, 0, 0, 0], "s-1:t=caption": [0, 0, 0, 0, 0, 9.0, 0]}
    th = {"thresholds": {"body": 0.5, "title": 2.0, "byline": 2.0}}
    text = f"{PARA}\nFoto: warga di posko banjir\nWarga di posko pengungsian Bekasi\n{PARA2}"
    alone = clean_article(text, line_model=LineModel(LABELS, first, th))
    stacked = clean_article(text, line_model=LineModel(LABELS, first, th, stack=second))
    assert "Warga di posko pengungsian Bekasi" in alone.body
    assert "Warga di posko pengungsian Bekasi" not in stacked.body
    assert PARA in stacked.body and PARA2 in stacked.body
    round_trip = LineModel.from_json(LineModel(LABELS, first, th, stack=second).to_json())
    assert round_trip.stack == second


@pytest.mark.parametrize(("cut_below", "cut"), [(0.1, False), (0.6, True)])
def test_a_label_may_have_its_own_cut_threshold(cut_below: float, cut: bool) -> None:
    # p(body) about 0.5 and caption the likeliest: cut only under a caption threshold above it
    weights = {"bias": [0.0] * len(LABELS), "caption_word": [1.0, -9, -9, -9, -9, 1.1, -9]}
    th = {"thresholds": {"body": 0.1, "body_caption": cut_below, "title": 2.0, "byline": 2.0}}
    line = "Warga mengungsi di posko banjir di Bekasi, Selasa. Foto oleh redaksi kami"
    text = f"{PARA}\n{line}\n{PARA2}"
    assert line in clean_article(text, line_model=False).body  # the rules keep it
    res = clean_article(text, line_model=LineModel(LABELS, weights, th))
    assert (line not in res.body) is cut


def test_shipped_model_has_a_second_pass_and_keeps_a_data_list() -> None:
    model = load_line_model()
    if model is None:
        pytest.skip("no shipped line model: run scripts/train_pages.py")
    assert model.stack and "body_caption" in model.meta["thresholds"]
    text = (
        f"Banjir Rendam Bali\n{PARA}\nBanjir kali ini bikin duka di beberapa daerah. Rinciannya:\n"
        f"- Denpasar: 8 orang\n- Gianyar: 3 orang\n- Jembrana: 2 orang\n{PARA2}\n{PARA3}"
    )
    res = clean_article(text, line_model=True, model_body=True)
    for item in ("- Denpasar: 8 orang", "- Gianyar: 3 orang", "- Jembrana: 2 orang"):
        assert item in res.body
