"""An article's dates are scanned once, by its shared analysis (``Analysis.dates``), and read by both the
events stage (its time line) and the dedup stage (an undated article's date): the same dates as a fresh
scan, a new list for every caller, and the same events and dedup signature as scanning in each stage."""

from __future__ import annotations

import dataclasses

import pytest

from streams.core.pipeline import build_pipeline
from streams.core.records import RawArticle
from streams.nlp import event_time
from streams.nlp.analysis import analyze

BODIES = [
    "JAKARTA, Senin (14/3/2022) - Banjir melanda 12 desa pada 13 Maret 2022, kata petugas.",
    "Thursday, August 28, 2025: Russia launched 150 drones at Kyiv, officials said on 27 August 2025.",
    "No date here, only 150 drones and 12 people.",
]


def test_the_analysis_dates_are_a_fresh_scan_and_a_new_list_each_time() -> None:
    for body in BODIES:
        an = analyze(body)
        fresh = event_time.find_dates(body, an.starts, an.lowers)
        assert fresh == event_time.find_dates(body)  # the token scan finds what the text scan finds
        got = an.dates()
        assert got == fresh
        got.clear()  # the caller's list is its own
        assert an.dates() == fresh
        assert an.dates() is not an.dates()
    assert analyze(BODIES[0]).dates(), "the first body writes dates"
    assert analyze(BODIES[2]).dates() == []


def test_time_line_with_the_dates_given_is_the_one_it_scans() -> None:
    for body in BODIES:
        an = analyze(body)
        for published in (None, "2022-03-20T00:00:00+00:00", "2025-08-28"):
            scanned = event_time.time_line(body, published, an.starts, an.lowers)
            assert event_time.time_line(body, published, an.starts, an.lowers, an.dates()) == scanned


def test_the_pipeline_scans_each_article_once_and_dedup_signs_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pipe = build_pipeline()
    dedup = next(s for s in pipe.stages if s.name == "dedup")
    scans: list[str] = []
    scan = event_time._find_dates

    def counted(body, starts, lowers):  # type: ignore[no-untyped-def]
        scans.append(body)
        return scan(body, starts, lowers)

    monkeypatch.setattr(event_time, "_find_dates", counted)
    for i, body in enumerate(BODIES):
        scans.clear()
        doc = pipe.run_doc(RawArticle(id=f"shared-dates-{i}", source="test", title="Banjir", text=body))
        assert doc.analysis is not None and doc.published_at is None
        assert scans == [doc.analysis.text]  # one scan: the events stage's and dedup's (undated) read of it
        shared = dedup.prepare(doc)
        assert scans == [doc.analysis.text]
        doc.analysis = dataclasses.replace(doc.analysis, _dates=None)  # the same analysis, dates not scanned
        alone = dedup.prepare(doc)
        assert scans == [doc.analysis.text] * 2
        assert shared.text_date == alone.text_date and shared.features == alone.features
        assert shared.text.keys == alone.text.keys
    assert alone.text_date is None and shared.text_date is None  # the last body writes no date


def test_the_scanner_is_the_events_stages_and_core_needs_it_registered() -> None:
    from streams.core import analysis as core_analysis

    assert core_analysis.DATE_SCANNER[0] is event_time.find_dates  # registered by streams.nlp.analysis
    an = analyze(BODIES[0])
    core_analysis.DATE_SCANNER[0] = None
    try:
        with pytest.raises(RuntimeError, match="date scanner"):
            an.dates()
    finally:
        core_analysis.DATE_SCANNER[0] = event_time.find_dates
    assert an.dates() == event_time.find_dates(an.text, an.starts, an.lowers)
