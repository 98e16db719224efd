"""The learned page-line classifier: shipped model, features, outlet memory, cleaning with it."""

from __future__ import annotations

import pytest

from streams.ingest.clean import byline_candidate, byline_lines, clean_article, line_view
from streams.ingest.linemodel import (
    LABELS,
    LineModel,
    OutletMemory,
    load_line_model,
    page_features,
    section_tokens,
    slug_tokens,
)

PARA = (
    "Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap pada Senin "
    "malam. Warga diminta tetap waspada karena hujan diperkirakan turun hingga akhir pekan."
)
PARA2 = "Kepala dinas mengatakan bantuan logistik sudah dikirim ke seluruh posko sejak Selasa pagi, kata dia."
PARA3 = "Officials said more than 300 families had been moved to the shelters by Tuesday evening, he said."


def test_shipped_model_loads_with_every_label() -> None:
    model = load_line_model()
    assert model is not None, "streams/data/ingest/line_model.json is missing: run scripts/train_pages.py"
    assert model.labels == LABELS
    assert {"body", "title", "byline"} <= set(model.meta["thresholds"])
    probs = model.probs(["bias"])
    assert abs(sum(probs) - 1.0) < 1e-9


def test_features_see_position_neighbours_and_slug() -> None:
    lines, _, hints = line_view(
        f"Banjir Rendam Bekasi\n{PARA}", url="https://x.co.id/read/123/banjir-rendam-bekasi"
    )
    feats = page_features(lines, hints)
    assert "top=0" in feats[0] and "slug_best" in feats[0]
    assert any(f.startswith("-1:") for f in feats[1]) and "1:edge" in feats[1]
    assert slug_tokens("https://x.co.id/read/123/banjir-rendam-bekasi?page=2") == {
        "read",
        "banjir",
        "rendam",
        "bekasi",
    }


def test_outlet_memory_counts_earlier_pages_and_forgets_old_outlets() -> None:
    mem = OutletMemory(max_outlets=1)
    assert mem.seen("a.com", ["menu", "x"]) == {}
    assert mem.seen("a.com", ["menu", "y"]) == {0: 1}
    mem.seen("b.com", ["menu"])  # a.com is forgotten
    assert mem.seen("a.com", ["menu"]) == {}


def test_a_body_only_model_keeps_the_rules_body_and_restores_only_above_the_bar() -> None:
    bias = {"bias": [5.0] + [0.0] * (len(LABELS) - 1)}
    text = f"{PARA}\nBaca juga: Banjir Bandang di Garut\n{PARA2}"
    rules = clean_article(text, line_model=False)
    assert "Baca juga" not in rules.body
    strict = clean_article(text, line_model=LineModel(LABELS, bias, {"thresholds": {"restore": 1.01}}))
    assert strict.body == rules.body
    lenient = clean_article(text, line_model=LineModel(LABELS, bias, {"thresholds": {"restore": 0.9}}))
    assert "Baca juga: Banjir Bandang di Garut" in lenient.body  # the model overturns the rules


def test_a_model_line_verdict_removes_what_the_rules_keep() -> None:
    weights = {"bias": [0.0] * len(LABELS), "caption_word": [-9.0, 0, 0, 0, 0, 9.0, 0]}
    model = LineModel(LABELS, weights, {"thresholds": {"body": 0.5, "title": 2.0, "byline": 2.0}})
    text = (
        f"{PARA}\nWarga mengungsi di posko banjir di Bekasi, Selasa. Foto oleh redaksi kami\n{PARA2}\n{PARA3}"
    )
    res = clean_article(text, line_model=model)
    assert "Foto oleh" not in res.body
    assert PARA in res.body and PARA2 in res.body and PARA3 in res.body
    assert (
        "model:caption",
        "Warga mengungsi di posko banjir di Bekasi, Selasa. Foto oleh redaksi kami",
    ) in res.removed


@pytest.mark.parametrize("credit", ["ANTARA FOTO/Aprillio Akbar", "(Foto: Istimewa)"])
def test_shipped_model_keeps_paragraphs_and_drops_photo_credits(credit: str) -> None:
    res = clean_article(f"{PARA}\n{credit}\n{PARA2}\n{PARA3}", line_model=True)
    assert PARA in res.body and PARA2 in res.body and PARA3 in res.body
    assert credit not in res.body


def _train_module():  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "train_pages.py"
    spec = importlib.util.spec_from_file_location("train_pages", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_labels_come_from_the_manifest_fields_and_other_lines_are_weak() -> None:
    tp = _train_module()
    gold = {
        "title": "Banjir Rendam Bekasi",
        "byline": "Budi Santoso",
        "furniture": ["Baca juga: Banjir Bandang di Garut", "ANTARA FOTO/Aprillio Akbar"],
        "must_keep": [PARA],
    }
    lines = [
        "Banjir Rendam Bekasi",
        "Oleh Budi Santoso",
        PARA,
        "ANTARA FOTO/Aprillio Akbar",
        "Baca juga: Banjir Bandang di Garut",
        PARA2,
    ]
    labels, weights = tp.label_page(gold, lines, {})
    assert labels == ["title", "byline", "body", "caption", "furniture", "body"]
    assert weights[:5] == [1.0] * 5 and weights[5] < 1.0


def test_training_is_deterministic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tp = _train_module()
    arts = tp.load_articles()[:12]
    if not arts:
        pytest.skip("needs ../shared/eval/realdev and realtrain (WARTA_SHARED)")
    rows = tp.page_rows(arts)
    first = tp.train([rows[i] for i in sorted(rows)])
    second = tp.train([rows[i] for i in sorted(rows)])
    assert first.weights == second.weights and first.weights
    assert first.stack == second.stack  # the second pass, trained out of fold, too


def test_meta_mode_takes_title_from_the_model_and_keeps_the_rules_body() -> None:
    weights = {
        "bias": [0.0] * len(LABELS),
        "top=0": [0.0, 9.0, 0, 0, 0, 0, 0],
        "caption_word": [-9.0, 0, 0, 0, 0, 9.0, 0],
    }
    model = LineModel(LABELS, weights, {"thresholds": {"title": 0.5, "byline": 2.0}})
    first = "Warga Bekasi mengungsi setelah banjir setinggi satu meter melanda kota mereka."
    caption = "Warga mengungsi di posko banjir di Bekasi, Selasa. Foto oleh redaksi kami"
    text = f"{first}\n{PARA}\n{caption}\n{PARA2}"
    rules = clean_article(text, line_model=False)
    meta = clean_article(text, line_model=model, model_body=False)
    assert meta.title == first and rules.title != first
    assert meta.body == rules.body.replace(f"{first}\n\n", "")
    assert caption in meta.body  # the body is the rules': the model's caption verdict is not applied
    assert caption not in clean_article(text, line_model=model).body


def test_the_pipeline_default_is_the_model_for_title_and_byline(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from streams.core.settings import Settings
    from streams.ingest.clean import CleanStage

    monkeypatch.delenv("WARTA_PAGE_MODEL", raising=False)
    assert Settings().page_model == "meta"
    stage = CleanStage(Settings())
    assert stage.page_model and not stage.model_body
    full = CleanStage(Settings(page_model="full"))
    assert full.page_model and full.model_body
    off = CleanStage(Settings(page_model="off"))
    assert not off.page_model


# ----------------------------------------------------------------------------- byline and title heads


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By IANS,", "IANS"),
        ("From Times Wire Services", "Times Wire Services"),
        ("Oleh : Redaksi", "Redaksi"),  # a desk the page names under a byline label
        ("Editor: Redaksi", None),  # ... but not under an editor label
        ("- Adryan N", "Adryan N"),
        ("Thursday, 06 February 20 Bonita Ningsih", "Bonita Ningsih"),
        ("Ihfa Firdausya • 27 May 2025 12:02", "Ihfa Firdausya"),
        ("Sumber: Reuters | Editor: Syamsul Azhar", "Syamsul Azhar"),
        ("Last Modified Tuesday, 24 December 2019 (12:53 IST)", None),
        ("• Ukuran Font: - +", None),
        ("- Penulis :", None),
        ("Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap.", None),
    ],
)
def test_byline_candidate_reads_the_name_a_line_would_give(line: str, name: str | None) -> None:
    assert byline_candidate(line) == name


def test_byline_lines_include_a_bare_label_above_a_name() -> None:
    lines, _, hints = line_view(f"Banjir Rendam Bekasi\n{PARA}\n{PARA2}\n- Penulis :\n- Adryan N")
    cands = byline_lines(lines, hints)
    got = [lines[i] for i in cands]
    assert "- Penulis :" in got and "- Adryan N" in got  # the head decides between them and the title
    assert PARA not in got and PARA2 not in got


def test_shipped_heads_pick_a_byline_under_the_title() -> None:
    model = load_line_model()
    assert model is not None and {"byline", "title"} <= set(model.heads)
    text = f"Floods Force Thousands From Their Homes\nBy Jane Roe,\n{PARA3}\n{PARA3}"
    res = clean_article(text, line_model=True)
    assert res.byline == "Jane Roe"
    assert res.title == "Floods Force Thousands From Their Homes"
    assert "Jane Roe" not in res.body
    assert clean_article(f"{PARA3}\n{PARA3}", line_model=True).byline is None


def test_title_head_cuts_a_leading_date_stamp() -> None:
    # a head that takes the first line: the title keeps the headline, not the page's date stamp
    model = LineModel(
        LABELS,
        {},
        {"thresholds": {"title_head": 0.5}},
        {"title": {"top=0": 5.0, "bias": -2.0}, "byline": {"bias": -5.0}},
    )
    res = clean_article(
        f"date 2023-03-07 Malaysia floods: Number of victims halved\n{PARA3}", line_model=model
    )
    assert res.title == "Malaysia floods: Number of victims halved"
    model.heads["title"]["top=0"] = 0.0  # nothing above the threshold: no title invented
    assert (
        clean_article(f"date 2023-03-07 Malaysia floods: victims halved\n{PARA3}", line_model=model).title
        is None
    )


def test_section_names_of_the_url_are_cut_from_the_title() -> None:
    assert section_tokens("https://www.irrawaddy.com/news/burma/myanmar-junta-airstrikes-hit.html") == {
        "news",
        "burma",
    }
    # a slug kept in a directory is not a section
    assert "ukraine" not in section_tokens(
        "https://www.reuters.com/world/europe/ukraine-says-it-downed-42-drones/"
    )
    model = LineModel(
        LABELS,
        {},
        {"thresholds": {"title_head": 0.5}},
        {"title": {"top=0": 5.0, "bias": -2.0}, "byline": {"bias": -5.0}},
    )
    url = (
        "https://www.irrawaddy.com/news/burma/myanmar-junta-airstrikes-hit-three-resistance-strongholds.html"
    )
    res = clean_article(
        f"Burma Myanmar Junta Airstrikes Hit Three Resistance Strongholds\n{PARA3}", url=url, line_model=model
    )
    assert res.title == "Myanmar Junta Airstrikes Hit Three Resistance Strongholds"
    plain = "https://www.example.com/myanmar-junta-airstrikes-hit-three-resistance-strongholds"
    res = clean_article(
        f"Burma Myanmar Junta Airstrikes Hit Three Resistance Strongholds\n{PARA3}",
        url=plain,
        line_model=model,
    )
    assert res.title == "Burma Myanmar Junta Airstrikes Hit Three Resistance Strongholds"


# ----------------------------------------------------------------------------- where the article text is


def test_text_context_tells_a_list_inside_the_article_from_a_related_list_below_it() -> None:
    text = (
        f"Banjir Rendam Bekasi\n{PARA}\n- Bekasi Utara: 120 warga\n- Bekasi Timur: 80 warga\n{PARA2} {PARA3}\n"
        "- Harga Cabai Naik Jelang Ramadan\n- Timnas Menang Tipis atas Vietnam"
    )  # two paragraphs of 20 words or more: the article text the lines are placed against
    lines, _, hints = line_view(text)
    feats = page_features(lines, hints)
    inside = feats[lines.index("- Bekasi Utara: 120 warga")]
    related = feats[lines.index("- Timnas Menang Tipis atas Vietnam")]
    assert "inside_text" in inside and "item&inside_text" in inside
    assert "inside_text" not in related and "text_below=none" in related
    # the related headline shares none of the article's words; the list item shares "bekasi"/"warga"
    assert "in_text=0" in related and not any(f == "in_text=0" for f in inside)


def test_a_hard_wrapped_paragraph_shows_its_continuation() -> None:
    lines, _, hints = line_view(
        f"{PARA}\nKepala dinas mengatakan pencarian korban banjir\nmasih berlanjut hingga Rabu, kata dia.\n{PARA2}"
    )
    feats = page_features(lines, hints)
    assert "wraps_next" in feats[1] and "wrapped_prev" in feats[2] and "lower_start" in feats[2]


def test_lines_between_two_kept_sentences_are_strong_body_labels() -> None:
    tp = _train_module()
    gold = {"furniture": ["Baca juga: Banjir Bandang di Garut"], "must_keep": [PARA, PARA3]}
    lines = [PARA, "- Bekasi Utara: 120 warga", "Baca juga: Banjir Bandang di Garut", PARA3, PARA2]
    labels, weights = tp.label_page(gold, lines, {})
    assert labels == ["body", "body", "furniture", "body", "body"]
    assert weights[1] == tp.INSIDE and weights[4] == tp.WEAK  # after the last kept sentence: weak


@pytest.mark.parametrize(
    ("line", "marks"),
    [
        ("Kondisi gerbong kereta setelah tabrakan di Ulujami. TEMPO/Subekti.", {"credit_slash"}),
        (
            "A woman holds a poster in Abuja, July 25, 2022. REUTERS/Afolabi Sotunde/File Photo",
            {"credit_slash", "credit_end"},
        ),
        ("The regional government building destroyed in March (AFP File)", {"credit_end"}),
        ("Basarnas Palembang Terjunkan Tim Rescue/ist", {"credit_end", "credit_slash"}),
        ("Harga Minyakita Naik Jadi Rp15.700/Liter", set()),
        ("He said the talks (held in 2020) failed.", set()),
    ],
)
def test_caption_credit_marks(line: str, marks: set[str]) -> None:
    from streams.ingest.clean import _line_marks

    assert {m for m in _line_marks(line) if m.startswith("credit_")} == marks


def test_heads_score_the_same_whether_or_not_the_body_is_scored() -> None:
    model = load_line_model()
    assert model is not None
    lines, _, hints = line_view(
        f"Banjir Rendam Bekasi\nOleh Budi Santoso\n{PARA}\n- Bekasi Utara: 120\n{PARA2}"
    )
    cands = {"byline": byline_lines(lines, hints), "title": [0, 1]}
    meta = model.decide(lines, hints, (), cands)[1]
    full = model.decide(lines, hints, None, cands)[1]
    assert meta == full and meta["byline"]
