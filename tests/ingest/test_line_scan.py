"""The line model's fast yes/no scan reports exactly what the one-regex scan reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.ingest.linemodel import _HEAD, _SCAN, _scan_names

TRICKY = [
    "Jakarta, Senin (12/5/2024) pukul 10.30 WIB - Foto: Reuters",
    "Posted 3 hours ago | www.example.co.id/berita",
    "SENİN 12 Jan 2024, ſabtu dan KAMIS",  # characters IGNORECASE folds to ASCII letters
    "Updated: Thursday, March 5 2:15 PM EST. He said. The end.",
    "2024-03-05 photo credit: Getty Images; dokumentasi istimewa",
    "Rabu, 5 Desember 2023 08:00 WITA",
    "selasa.com 7 hari yang lalu",  # a url whose words are also a weekday's
    "12/05/24-13 AEST reuters.com AM",
    "no pattern here at all",
    "“Kutipan.” Lalu dia pergi. Ilustrasi: shutterstock",
    "",
]


def _slow(head: str) -> set[str]:
    return {m.lastgroup for m in _SCAN.finditer(head) if m.lastgroup}


@pytest.mark.parametrize("line", TRICKY)
def test_fast_scan_equals_the_alternation(line: str) -> None:
    head = line[:_HEAD]
    assert _scan_names(head) == _slow(head)


def test_fast_scan_finds_overlapping_patterns_as_the_alternation_does() -> None:
    # "5 Desember 2023" is a date; its "2023 08" must not also yield a time the date consumed
    head = "Rabu, 5 Desember 2023 08:00 WITA"
    assert _scan_names(head) == _slow(head)
    assert {"date", "weekday", "zone", "time"} & _scan_names(head)


def test_fast_scan_on_real_article_lines() -> None:
    shared = Path(os.environ.get("WARTA_SHARED", "../shared"))
    files = sorted((shared / "eval" / "realtrain" / "articles").glob("*.txt"))
    if not files:
        pytest.skip(f"no realtrain articles under {shared} (set WARTA_SHARED)")
    n = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            head = line[:_HEAD]
            assert _scan_names(head) == _slow(head), line
            n += 1
    assert n > 1000
