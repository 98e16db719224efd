"""Dedup text features read the shared analysis: shingles, names and numbers."""

from __future__ import annotations

from streams.dedup.text import extract_names, extract_numbers, shingles, words
from streams.nlp.analysis import analyze

TEXT = "Banjir di Semarang, 1.200 warga mengungsi.\n\nWali Kota Semarang Hevearita mengatakan dana Rp 5 juta cair."


def test_words_are_the_analysis_word_tokens() -> None:
    an = analyze(TEXT, "id")
    assert words(an) == words(TEXT) == [w for w in an.lowers if any(c.isalnum() for c in w)]
    assert "1.200" in words(TEXT) and "," not in words(TEXT)
    assert shingles(words(an), 3)[0] == "banjir di semarang"


def test_numbers_come_from_the_parsed_numbers() -> None:
    got = extract_numbers(TEXT)
    assert got == {"1200": 1, "5000000": 1}
    assert extract_numbers(analyze(TEXT, "id")) == got  # an analysis with its numbers parsed
    assert extract_numbers("tahun 2025, 17,5 persen, dua ratus orang") == {}


def test_names_join_words_on_spaces_only() -> None:
    names = extract_names("Warga melapor ke Wali Kota Semarang.\nKemudian Semarang\u00a0Barat tergenang.")
    assert "wali kota semarang" in names
    assert "semarang barat" not in names and "kemudian" not in names
