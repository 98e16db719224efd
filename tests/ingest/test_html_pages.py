"""HTML pages imitating real outlets' markup (nav, related-link blocks, captions, live-blog entries,
paywall and browser notices): the body keeps the article's sentences and little else.

Each ``pages/NAME.html`` has a reference ``pages/NAME.txt`` written and checked by hand: the
article's text, one paragraph (or live-entry heading) a line. The body must keep at least 95% of
the reference sentences (recall) and at least 95% of its sentences must be reference sentences
(precision), on every page and over all pages.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from streams.core.doc import Doc
from streams.core.records import RawArticle
from streams.ingest.clean import CleanStage
from streams.ingest.normalize import DecodeStage

PAGES = Path(__file__).parent / "pages"
NAMES = sorted(p.stem for p in PAGES.glob("*.html"))
_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")


def _sentences(text: str) -> list[str]:
    out = []
    for para in text.split("\n"):
        for sent in _SPLIT.split(para.strip()):
            key = " ".join(re.findall(r"\w+", sent.casefold()))
            if key:
                out.append(key)
    return out


@cache
def _run(name: str) -> Doc:
    doc = Doc.from_raw(RawArticle(id=name, html=(PAGES / f"{name}.html").read_text(encoding="utf-8")))
    DecodeStage()(doc)
    CleanStage()(doc)
    return doc


@cache
def _scores(name: str) -> tuple[int, int, int, int]:
    body = _sentences(_run(name).body)
    ref = _sentences((PAGES / f"{name}.txt").read_text(encoding="utf-8"))
    kept = sum(1 for s in ref if s in body)
    right = sum(1 for s in body if s in ref)
    return kept, len(ref), right, len(body)


def test_there_are_pages() -> None:
    assert len(NAMES) >= 5


@pytest.mark.parametrize("name", NAMES)
def test_page_sentences_recall_and_precision(name: str) -> None:
    kept, n_ref, right, n_body = _scores(name)
    assert kept / n_ref >= 0.95, f"{name}: kept {kept}/{n_ref} reference sentences"
    assert n_body and right / n_body >= 0.95, f"{name}: {right}/{n_body} body sentences are article text"


def test_all_pages_together() -> None:
    totals = [_scores(n) for n in NAMES]
    kept, n_ref = sum(t[0] for t in totals), sum(t[1] for t in totals)
    right, n_body = sum(t[2] for t in totals), sum(t[3] for t in totals)
    assert kept / n_ref >= 0.95 and right / n_body >= 0.95


def test_page_metadata_is_checked_and_cleaned() -> None:
    # the <title> is a browser notice and the author meta a CMS user name: neither is used
    portal = _run("portal_ekonomi")
    assert portal.title == "Bank Sentral Tahan Suku Bunga, Rupiah Menguat Tipis"
    assert portal.byline == "Rina Kusuma Dewi"
    assert portal.published_at == "2023-12-14T15:20:00+07:00"
    assert portal.dateline == "JAKARTA"
    # a doubled author name is given once; the photo caption goes to captions
    feature = _run("paper_feature")
    assert feature.byline == "Maria Santos"
    assert feature.captions and "floating vegetable bed" in feature.captions[0]
    assert feature.body.startswith("Waterlogged fields")
    # " – Metro US" is cut from the title; "Username" is no byline; the AP credit is cited
    wire = _run("wire_copy")
    assert wire.title == "Ferry capsizes in storm, dozens missing"
    assert wire.byline is None
    assert wire.dateline == "MEDAN" and "Associated Press" in wire.cited_sources
    assert any("Binsar Bakkara" in c for c in wire.captions) and "Binsar" not in wire.body
    kabar = _run("kabar_banjir")
    assert kabar.published_at == "2024-02-12T08:30:00+07:00" and kabar.published_at_zone == "stated"
    assert kabar.byline == "Dewi Lestari"
