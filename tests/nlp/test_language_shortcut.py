"""The language stage's two speed paths: the Malay/Indonesian markers counted by one automaton pass (the
regexes' ``findall`` counts, exactly) and the shortcut before lingua (what lingua decides, on long texts
whose sample holds one language's function words only)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import language as lang_mod
from tests.compiled_paths import on_path, real_texts

_DATA = lang_mod._lexicon()[2]
_MARKERS = [*_DATA["malay_markers"], *_DATA["indonesian_markers"]]
_PIECES = [
    *_MARKERS,
    *(m.upper() for m in _MARKERS[:8]),
    *(m.title() for m in _MARKERS[8:16]),
    "dan",
    "yang",
    "_",
    "x",
    "9",
    "é",
    "ı",
    "ſ",
    "İ",
    "K",
    ".",
    ",",
    "“",
    "\n",
    "-",
]
_JOINS = st.sampled_from([" ", "", "  ", "\n", "-", "_", "a", "1"])


@st.composite
def _marker_text(draw: Any) -> str:
    pieces = draw(st.lists(st.sampled_from(_PIECES), max_size=40))
    out = []
    for p in pieces:
        out.append(p)
        out.append(draw(_JOINS))
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(_marker_text())
def test_the_automaton_counts_what_the_regex_finds(text: str) -> None:
    ms_rx, id_rx, _ = lang_mod._lexicon()
    for rx in (ms_rx, id_rx):
        assert on_path(True, lambda rx=rx: lang_mod._count_markers(text, rx)) == len(rx.findall(text))
        assert on_path(False, lambda rx=rx: lang_mod._count_markers(text, rx)) == len(rx.findall(text))


def test_the_automaton_counts_what_the_regex_finds_on_real_text() -> None:
    ms_rx, id_rx, _ = lang_mod._lexicon()
    assert lang_mod._marker_automata(), "the markers are plain lower-case words: the automaton path runs"
    n = 0
    for _, text in real_texts():
        head = text[:4000]
        for rx in (ms_rx, id_rx):
            assert on_path(True, lambda rx=rx, head=head: lang_mod._count_markers(head, rx)) == len(
                rx.findall(head)
            )
        n += 1
    assert n >= 30


def test_the_shortcut_gives_what_lingua_gives_on_real_text() -> None:
    fired = 0
    for _, text in real_texts():
        quick = lang_mod.detect_language(text)
        assert quick == lang_mod.detect_language(text, shortcut=False)
        _, _, data = lang_mod._lexicon()
        sample = lang_mod._sample(text, int(data.get("sample_chars", 600)))
        fired += lang_mod._shortcut(text, sample, ("id", "en", "ms")) is not None
    assert fired > 0


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("yang dan di dengan untuk ini itu dari " * 3, "shorter than min_chars"),
        ("yang dan di dengan untuk the " * 20, "both languages' function words in the sample"),
        ("1 2 3 4 5 6 7 8 9 0 yang dan di dengan " * 20, "a sample that is mostly digits"),
        ("Beliau berkata kerajaan persekutuan akan mengadakan mesyuarat selepas Isnin kerana syarikat itu "
         "yang dan di dengan untuk ini itu dari. " * 6, "Malay markers: lingua and the markers decide"),
    ],
)  # fmt: skip
def test_the_shortcut_leaves_to_lingua(text: str, why: str) -> None:
    _, _, data = lang_mod._lexicon()
    sample = lang_mod._sample(text, int(data.get("sample_chars", 600)))
    assert lang_mod._shortcut(text, sample, ("id", "en", "ms")) is None, why


def test_the_shortcut_answers_a_long_plain_text_and_only_for_the_default_candidates() -> None:
    text = (
        "Pemerintah daerah menyiapkan posko di tiga kecamatan yang terdampak dan akan terus memantau "
        "situasi dengan warga untuk beberapa pekan ke depan. "
    ) * 6
    _, _, data = lang_mod._lexicon()
    sample = lang_mod._sample(text, int(data.get("sample_chars", 600)))
    assert lang_mod._shortcut(text, sample, ("id", "en", "ms")) == lang_mod.LanguageGuess("id", 1.0)
    assert lang_mod._shortcut(text, sample, ("id", "en")) is None
    assert lang_mod.detect_language(text) == lang_mod.detect_language(text, shortcut=False)
