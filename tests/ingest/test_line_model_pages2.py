"""Page-line model features for desk and agency bylines, calls to action and the outlet naming itself."""

from __future__ import annotations

import pytest

from streams.ingest.clean import _line_marks, byline_candidate, clean_article, line_view, org_candidate
from streams.ingest.linemodel import load_line_model, own_name, page_features

PARA = "Officials said more than 300 families had been moved to the shelters by Tuesday evening, he said."
LEAD = (
    "BS Web Team New Delhi An airstrike carried out by the military on Tuesday is believed to have killed "
    "dozens of people who had gathered for a ceremony in the village, residents said."
)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (LEAD, "BS Web Team"),  # a desk glued to the lead
        (
            "Express News Service Chennai The state government on Monday announced relief for the farmers of ten districts",
            "Express News Service",
        ),
        # a capitalised team in a sentence is no byline: a lower-case word follows it
        (
            "The Rescue Team arrived on the scene on Tuesday morning after the building collapsed in the city centre",
            None,
        ),
        ("By IANS,", "IANS"),
        ("From Times Wire Services", "Times Wire Services"),
    ],
)
def test_desk_bylines_give_a_candidate(line: str, name: str | None) -> None:
    assert byline_candidate(line) == name


@pytest.mark.parametrize(
    ("cand", "org"),
    [
        ("IANS", True),
        ("Times Wire Services", True),
        ("BS Web Team", True),
        ("Redaksi", True),
        ("Reuters", True),
        ("Ryan Nakashima", False),
        ("Adelio Pratama", False),
        ("A", False),
    ],
)
def test_org_candidate_tells_a_desk_or_agency_from_a_person(cand: str, org: bool) -> None:
    assert org_candidate(cand) is org


def test_marks_name_a_desk_byline_and_a_call_to_action() -> None:
    assert "cand_org" in _line_marks("By IANS,")
    assert "cand_org" not in _line_marks("By Ryan Nakashima, Business Writer")
    assert {"cand_org", "cand_glued"} <= set(_line_marks(LEAD))
    assert "cta" in _line_marks("Share to friends")
    assert "cta" in _line_marks("SCROLL TO CONTINUE READING")
    assert "cta" in _line_marks(
        "Gabung ke Channel WhatsApp KompasTV untuk update berita terbaru dan terpercaya."
    )
    assert "cta" not in _line_marks(PARA)


def test_the_next_line_opening_with_the_name_is_a_bio_not_a_recurring_subject() -> None:
    bio = "George Costa is a reporter specialized in defence and security systems."
    lines, _, hints = line_view(f"Blast Kills Nine in Mogadishu\n{PARA}\n{PARA}\nGeorge Costa\n{bio}")
    i = lines.index("George Costa")
    assert "cand_elsewhere=0" in hints.marks[i]
    # the same name in another line of the article is the article's subject
    lines, _, hints = line_view(
        f"Blast Kills Nine\n{PARA}\nGeorge Costa\n{PARA}\nIt was George Costa who called."
    )
    assert "cand_elsewhere=1" in hints.marks[lines.index("George Costa")]


@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("kompas.tv", "kompas"),
        ("business-standard.com", "businessstandard"),
        ("nasional.tempo.co", "tempo"),
        ("news.sky.com", ""),  # too short to look for
        (None, ""),
    ],
)
def test_own_name_is_the_domain_label_before_its_suffix(domain: str | None, name: str) -> None:
    assert own_name(domain, frozenset({"com", "co", "tv", "id", "news"})) == name


def test_a_line_naming_the_outlet_itself_is_marked() -> None:
    text = (
        f"Bus Masuk Jurang\n{PARA}\n{PARA}\nGabung ke Channel WhatsApp KompasTV untuk update berita terbaru."
    )
    lines, _, hints = line_view(text, url="https://www.kompas.tv/regional/1/bus-masuk-jurang")
    feats = page_features(lines, hints)
    assert "self_ref" in feats[-1]
    assert not any("self_ref" in f for f in feats[:-1])


@pytest.mark.parametrize("model_body", [False, True])
def test_the_line_the_byline_came_from_leaves_the_body(model_body: bool) -> None:
    if load_line_model() is None:
        pytest.skip("no shipped line model: run scripts/train_pages.py")
    text = f"Floods Force Thousands From Their Homes\nFrom Times Wire Services\n{PARA}\n{PARA}"
    res = clean_article(text, line_model=True, model_body=model_body)
    assert res.byline == "Times Wire Services"
    assert "Wire Services" not in res.body and PARA in res.body
