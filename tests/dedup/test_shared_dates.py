"""Dedup reads the dates the events stage found on the same analysis (``find_dates`` keeps its last
result): the same dates as a fresh scan, never a stale answer, and an article's dedup signature is
the same whether the events stage ran first or not."""

from __future__ import annotations

from streams.core.pipeline import build_pipeline
from streams.core.records import RawArticle
from streams.nlp import event_time
from streams.nlp.analysis import analyze

BODIES = [
    "JAKARTA, Senin (14/3/2022) - Banjir melanda 12 desa pada 13 Maret 2022, kata petugas.",
    "Thursday, August 28, 2025: Russia launched 150 drones at Kyiv, officials said on 27 August 2025.",
    "No date here, only 150 drones and 12 people.",
]


def test_kept_dates_are_a_fresh_scan() -> None:
    for body in BODIES * 2:
        an = analyze(body)
        fresh = event_time._find_dates(body, an.starts, an.lowers)
        first = event_time.find_dates(body, an.starts, an.lowers)
        again = event_time.find_dates(body, list(an.starts), list(an.lowers))  # equal, other objects
        assert first == fresh and again == fresh
        assert event_time.find_dates(body) == event_time._find_dates(body, None, None)


def test_no_stale_answer_after_a_change_in_place_or_of_the_caller_list() -> None:
    body = BODIES[0]
    an = analyze(body)
    starts, lowers = list(an.starts), list(an.lowers)
    got = event_time.find_dates(body, starts, lowers)
    assert got
    got.clear()  # the caller's list is its own
    assert event_time.find_dates(body, starts, lowers) == event_time._find_dates(body, starts, lowers)
    lowers[:] = ["x"] * len(lowers)  # the same list object, changed in place (no token may start a date)
    assert event_time.find_dates(body, starts, lowers) == []


def test_dedup_reads_the_dates_of_the_events_stage_and_signs_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
        assert scans == [doc.analysis.text]  # the events stage scanned; dedup (undated) read its dates
        with_memo = dedup.prepare(doc)
        event_time._LAST = None
        without = dedup.prepare(doc)
        assert scans == [doc.analysis.text] * 2
        assert with_memo.text_date == without.text_date and with_memo.features == without.features
        assert with_memo.text.keys == without.text.keys
