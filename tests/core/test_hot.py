"""The compiled hot path (``streams.core._hot``) gives exactly what the pure-Python reference gives.

Every compiled function is compared with its reference on random text (hypothesis) and on real
pages (the seeds, realdev and realtrain articles under ``../shared``), and the whole analysis
(tokens, sentences, lines, paragraphs, numbers, lexicon hits) is compared with the analysis the
reference path builds. ``make test`` builds the extension (``pip install -e .``), so a missing
extension fails here instead of silently testing the reference against itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import streams.core.hot as hot_state
from streams.core.analysis import Analysis, Block, Hit, NumberToken, Sentence, normalize_form, py_word_lowers
from streams.core.hot import load_compiled
from streams.nlp.analysis import (
    _py_layout,
    _py_runs,
    _rules,
    analyze,
    py_lowers,
    py_split_sentences,
    py_tokenize,
)
from streams.nlp.lexicons import lexicon_automaton, py_match_lexicons
from streams.nlp.numbers import number_rules, parse_words, py_parse_numbers, py_parse_numeral
from tests.compiled_paths import compiled_module

ROOT = Path(__file__).resolve().parents[2]


def compiled_requested() -> bool:
    """False when the run asks for the reference (``WARTA_COMPILED=0``, read as Settings reads it)."""
    from streams.core.settings import Settings

    return Settings().compiled


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(load_compiled(), "analysis")


@pytest.fixture
def reference(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within the test, the analysis runs the pure-Python reference."""
    monkeypatch.setattr(hot_state, "HOT", None)
    yield


def test_the_analysis_uses_the_compiled_path_unless_told_not_to(hot: ModuleType) -> None:
    if not compiled_requested():
        pytest.skip("WARTA_COMPILED=0 selects the reference")
    assert hot_state.HOT is hot and hot_state.is_compiled()


@pytest.mark.parametrize(("value", "want"), [("0", "False"), ("false", "False"), ("1", "True")])
def test_the_compiled_setting_selects_the_path_when_the_pipeline_is_built(
    hot: ModuleType, value: str, want: str
) -> None:
    code = (
        "import streams.core.hot as h; from streams.core.settings import Settings; "
        "from streams.core.pipeline import build_pipeline; "
        "before = h.is_compiled(); build_pipeline(Settings(), stages=['decode', 'language', 'analysis']); "
        "print(before, h.is_compiled())"
    )
    env = {**os.environ, "WARTA_COMPILED": value, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", want]


# Characters the tokenizer and sentence splitter treat specially, plus letters and digits of
# other scripts (Arabic-Indic digits are \d; superscripts and fractions are \w but not \d).
_SPECIAL = list("RpntNs'’.,!?…\"“”‘()[]«»-–—•:;_/%$ \n\t\u00a0\u2009") + list("aZé²½٣İıßǅ\u0301")
_WORDS = [
    "Rp30.000", "U.S.", "a.m.", "S.H.", "didn't", "Jakarta's", "we're", "55.000", "1.250.000,50",
    "3,2", "Dr.", "Presiden", "Joko", "Widodo", "ribuan", "dua", "belas", "juta", "sedikitnya",
    "at least", "hundreds of", "Kyiv", "Zelensky", "drones", "tewas", "orang", "17,5%", "US$",
    "Rp 5 triliun", "tens of thousands", "killed", "persen", "Jl.", "J. Smith",
]  # fmt: skip
_pieces = st.one_of(
    st.sampled_from(_WORDS),
    st.text(alphabet=st.sampled_from(_SPECIAL), min_size=1, max_size=4),
    st.text(min_size=1, max_size=3),
    st.from_regex(r"\d{1,4}([.,]\d{1,4}){0,3}", fullmatch=True),
)
texts = st.lists(_pieces, max_size=60).map("".join)


def _same_tokens(hot: ModuleType, text: str) -> None:
    assert hot.tokenize(text) == py_tokenize(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
@example("didn't Didn’t don't n't 't isn't")
@example("U.S.A. U.S.A a.b.c. a.b a. Rp5 Rpx Rp")
@example("x'sx it's 'S I'm they'll ve're '")
@example("٣٤.٥ ²3 ½ 1,2.3.4 1. .5 ,5")
def test_tokens_are_the_reference_tokens(hot: ModuleType, text: str) -> None:
    _same_tokens(hot, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
@example("a\ud800b\x00 c\x85d\u2028e\u3000f 𝟘𝟙.𝟚")  # lone surrogate, NUL, odd spaces, math digits
def test_tokens_of_any_unicode_text(hot: ModuleType, text: str) -> None:
    _same_tokens(hot, text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts, st.text(max_size=200)))
@example("ABC abc Äbc straße ǅ İstanbul ﬁ Ⅻ ¨ K 東京 a\u00a0b")
def test_lowers_are_the_reference_lowers(hot: ModuleType, text: str) -> None:
    """hot12: ``_hot.lowers`` (an ASCII word without capitals kept as it is) gives ``py_lowers``' strings."""
    words = py_tokenize(text)[2]
    got = hot.lowers(text, words, normalize_form)
    assert got == py_lowers(text, words)
    assert all(type(w) is str for w in got)


def test_numbers_sentences_and_blocks_are_built_in_place_for_their_classes_and_called_for_any_other(
    hot: ModuleType,
) -> None:
    """hot12: ``NumberToken``, ``Sentence`` and ``Block`` are built by writing their slots (complete objects,
    equal to the called class's); a class whose construction differs is called."""
    import dataclasses
    import gc
    import sys

    text = "Presiden tiba. Sedikitnya 1.250 orang tewas.\n\nRp5 triliun, 17,5% dan dua belas rumah."
    an = analyze(text, "id")
    assert an.numbers and an.sentences and an.lines and an.paragraphs
    for obj in [*an.numbers, *an.sentences, *an.lines, *an.paragraphs]:
        cls = type(obj)
        again = cls(*(getattr(obj, f.name) for f in dataclasses.fields(cls)))
        assert again == obj and repr(again) == repr(obj)
        assert gc.is_tracked(obj)
    assert sys.getrefcount(an.numbers[0]) == sys.getrefcount(NumberToken(0, 1, 0, 1, 1.0, "1")) + 1

    @dataclasses.dataclass(slots=True)
    class Counted:  # construction with a side: must be called
        i: int
        start: int
        end: int
        tok_start: int
        tok_end: int
        para: int

        def __post_init__(self) -> None:
            self.para += 100

    starts, ends, words, gaps = py_tokenize(text)
    got = hot.layout(text, starts, ends, words, gaps, Counted, Block, *_rules())
    assert [s.para for s in got[3]] == [100, 100, 101]


@settings(max_examples=300, deadline=None)
@given(texts)
@example("Dr. Retno tiba. “Kami siap,” kata dia. A. B. Jl. Sudirman! 3 orang? (Ya.) Selesai…\nBaru")
def test_sentences_runs_and_word_lowers_are_the_reference_ones(hot: ModuleType, text: str) -> None:
    starts, ends, words, gaps = py_tokenize(text)
    n = len(words)
    breaks = [k for k in range(n) if k and "\n" in gaps[k]]
    got = hot.split_sentences(words, starts, ends, breaks, *_rules())
    assert got == py_split_sentences(words, starts, ends, breaks)
    assert hot.runs(breaks, n) == _py_runs(breaks, n)
    assert hot.runs([a for a, _ in got[1:]], n) == _py_runs([a for a, _ in got[1:]], n)
    lowers = [w.casefold() for w in words]
    assert hot.word_lowers(lowers) == py_word_lowers(lowers)
    assert hot.digit_starts(words) == [i for i, w in enumerate(words) if "0" <= w[:1] <= "9"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts)
@example("Judul\n\nParagraf satu. Kalimat dua!\nBaris dua\n\n\nParagraf tiga")
def test_lines_paragraphs_and_sentences_are_the_reference_ones(
    hot: ModuleType, reference: None, text: str
) -> None:
    starts, ends, words, gaps = py_tokenize(text)
    got = hot.layout(text, starts, ends, words, gaps, Sentence, Block, *_rules())
    assert got == _py_layout(text, starts, ends, words, gaps)


_numerals = st.one_of(
    st.from_regex(r"\d{1,7}([.,]\d{1,4}){0,4}", fullmatch=True),
    st.text(alphabet="0123456789.,", min_size=1, max_size=12),
    st.text(alphabet="0123456789٣²", min_size=1, max_size=5),
)


@settings(max_examples=500, deadline=None)
@given(_numerals, st.sampled_from(["id", "en", "ms", None]), st.booleans())
@example("30,880", "id", True)
@example("1.500", "en", True)
@example("0.500", "id", False)
@example("2024.123", "id", False)
def test_numerals_are_the_reference_values(hot: ModuleType, raw: str, lang: str | None, scaled: bool) -> None:
    def value(f: object) -> object:
        try:
            return f(raw, lang, before_multiplier=scaled)  # type: ignore[operator]
        except ValueError as e:  # the reference raises on some malformed groups: so must the copy
            return ("ValueError", str(e))

    assert value(hot.parse_numeral) == value(py_parse_numeral)


#: Words around a scale that is a unit of length too ("15m into", "Rp 5 M", "5m dollars").
_MEASURE_WORDS = ("into", "high", "Rp", "dollars")


def _number_words() -> list[str]:
    r = number_rules()
    return sorted({*r.units, *r.scales, "-", "and", "of", "belas", "orang", "a", "dozen", *_MEASURE_WORDS})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_number_words()), min_size=1, max_size=8), st.integers(0, 3))
@example(["dua", "ratus", "lima", "puluh", "ribu"], 0)
@example(["twenty", "-", "five", "thousand"], 0)
@example(["one", "hundred", "and", "five"], 0)
def test_written_numbers_are_the_reference_values(hot: ModuleType, words: list[str], at: int) -> None:
    at = min(at, len(words) - 1)
    r = number_rules()
    assert hot.parse_words(words, at, len(words), r) == parse_words(words, at, len(words), r)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_number_words()), _pieces), max_size=30), st.sampled_from(["id", "en"])
)
@example(["ratusan", "of", "orang", "sedikitnya", "Rp", "5", "triliun", "persen"], "en")
@example(["at least", "3", "m", "US$", "2", "bn", "dua", "belas", "of", "them"], "en")
@example(["fell", "15m", "into", "a", "100m-high", "wall", "2m", "people", "5m", "dollars", "$", "2m"], "en")
@example(["setinggi", "15m", "Rp", "5", "M", "Rp5M", "US$", "2m", "5M", "rupiah", "2m", "up"], "id")
@example(["15m", "-", "deep", "Rp", "2,5", "M", "15m", "–"], "en")
def test_numbers_of_number_heavy_text_are_the_reference_numbers(
    hot: ModuleType, parts: list[str], lang: str
) -> None:
    from streams.core.analysis import NumberToken

    an = analyze(" ".join(parts), lang, lexicons=False)
    assert hot.parse_numbers(an, number_rules(), NumberToken) == py_parse_numbers(an)


_digit_groups = st.lists(
    st.tuples(
        st.from_regex(r"\d{1,4}", fullmatch=True),
        st.sampled_from([" ", " ", "\u00a0", "\u202f", "  ", ", ", ". ", "-", "/", " orang ", "\n"]),
    ),
    min_size=1,
    max_size=8,
).map(lambda parts: "".join(d + sep for d, sep in parts))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab -.", max_size=4), _digit_groups, st.sampled_from(["id", "en"]))
@example("", "173 064 ", "id")
@example("tahun ", "2020 150 000 ", "id")
@example("Su-", "35 100 ", "en")
def test_thousands_written_with_spaces_are_the_reference_numbers(
    hot: ModuleType, before: str, digits: str, lang: str
) -> None:
    from streams.core.analysis import NumberToken
    from streams.nlp.numbers import space_groups

    an = analyze(before + digits + "juta", lang, lexicons=False)
    assert hot.parse_numbers(an, number_rules(), NumberToken) == py_parse_numbers(an)
    for i in range(len(an.words)):
        args = (an.words, an.starts, an.ends, an.text, i, 0, len(an.words))
        assert hot.space_groups(*args) == space_groups(*args)


def _hits(hot: ModuleType, an: Analysis) -> list[Hit]:
    auto = lexicon_automaton().automaton
    got: list[Hit] = hot.lexicon_hits(
        auto, an.lowers, an.words, an.starts, an.ends, an.sent_ids, an.text, Hit
    )
    return got


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts, st.sampled_from(["id", "en"]))
def test_whole_analysis_is_the_reference_analysis(
    hot: ModuleType, reference: None, text: str, lang: str
) -> None:
    want = analyze(text, lang)  # the fixture patched the modules: the reference path
    an = analyze(text, lang, lexicons=False)
    assert _hits(hot, an) == py_match_lexicons(an) == want.hits
    hot_state.HOT = hot
    try:
        got = analyze(text, lang)
    finally:
        hot_state.HOT = None
    assert got == want


def _real_texts(shared: Path) -> list[tuple[str, str]]:
    paths = sorted((shared / "seeds").glob("*.txt"))
    for sub in ("realdev", "realtrain"):
        paths += sorted((shared / "eval" / sub / "articles").glob("*.txt"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


def test_real_pages_analyse_identically(
    hot: ModuleType, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _real_texts(shared_dir)
    assert len(texts) >= 100
    compiled = [(name, analyze(t, lang)) for name, t in texts for lang in ("id", "en")]
    monkeypatch.setattr(hot_state, "HOT", None)
    differing = [name for name, an in compiled if analyze(an.text, an.language) != an]
    assert not differing, f"compiled and reference analyses differ on {differing[:5]}"
    numerals = {w for _, an in compiled for w in an.words if w[:1].isdigit()}
    for raw in sorted(numerals):
        for lang in ("id", "en"):
            for scaled in (False, True):
                want = py_parse_numeral(raw, lang, before_multiplier=scaled)
                assert hot.parse_numeral(raw, lang, before_multiplier=scaled) == want, raw


def test_read_yaml_gives_what_safe_load_gives_on_every_data_file() -> None:
    import yaml

    from streams.core.hot import read_yaml

    files = sorted((ROOT / "streams" / "data").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert read_yaml(text) == yaml.safe_load(text), path


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, st.text(max_size=200)))
def test_padded_words_are_the_reference_ones(hot: ModuleType, text: str) -> None:
    from streams.nlp.classify_match import lower_same_length, py_padded

    low = lower_same_length(text)
    assert hot.padded_words(low) == py_padded(low)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "kata dia, 12 orang_tewas.",  # ASCII: the byte table
        "café à 3 km\u00a0de là",  # Latin-1
        "“kata dia” — tewas’",  # two bytes, every wide character punctuation: the result narrows to ASCII
        "Σοφία “rusia” Москва ２０２４",  # two bytes, wide letters kept
        "drone 😀 serang 𝟙𝟚 ok",  # four bytes
    ],
)
def test_padded_words_of_every_string_width_are_the_reference_ones(hot: ModuleType, text: str) -> None:
    from streams.nlp.classify_match import lower_same_length, py_padded

    for low in (text, lower_same_length(text), text * 300):
        got, want = hot.padded_words(low), py_padded(low)
        assert got == want and hash(got) == hash(want)
        assert got.isascii() == want.isascii()  # the compact width, as the reference string has


def _event_phrases() -> Any:
    from streams.nlp.events import load_event_rules

    return load_event_rules().phrases


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_WORDS), _pieces), max_size=40).map(" ".join))
def test_phrase_matches_are_the_reference_matches(hot: ModuleType, text: str) -> None:
    from streams.nlp.classify_match import lower_same_length

    low = lower_same_length(text)
    assert _event_phrases().find(low) == _event_phrases().py_find(low)


def test_phrase_matches_of_real_pages_are_the_reference_matches(hot: ModuleType, shared_dir: Path) -> None:
    from streams.nlp.classify_match import lower_same_length

    pages = sorted((shared_dir / "eval").glob("real*/articles/*.txt")) + sorted(
        (shared_dir / "seeds").glob("*.txt")
    )
    assert pages
    found = 0
    for page in pages:
        low = lower_same_length(page.read_text(encoding="utf-8"))
        got = _event_phrases().find(low)
        assert got == _event_phrases().py_find(low), page.name
        found += len(got)
    assert found > 1000


def test_hits_are_built_in_place_for_the_hit_class_and_called_for_any_other(hot: ModuleType) -> None:
    """``lexicon_hits`` writes a ``Hit``'s slots directly (no ``__init__`` call); a class whose fields,
    slots or construction differ is called instead. Both give the reference hits, in the reference order,
    as complete objects (every slot set, tracked by the cycle collector, one reference held by the list)."""
    import dataclasses
    import gc
    import sys

    assert hot.hit_layout(Hit)

    @dataclasses.dataclass
    class DictHit:  # no slots: built by calling it
        start: int
        end: int
        tok_start: int
        tok_end: int
        tag: str
        keys: tuple[str, ...]
        forms: tuple[str, ...]
        exact_case: bool
        prefix: bool = False

    @dataclasses.dataclass(slots=True)
    class CheckedHit:
        start: int
        end: int
        tok_start: int
        tok_end: int
        tag: str
        keys: tuple[str, ...]
        forms: tuple[str, ...]
        exact_case: bool
        prefix: bool = False

        def __post_init__(self) -> None:  # construction with a side: must be called
            self.tag = self.tag.upper()

    assert not hot.hit_layout(DictHit) and not hot.hit_layout(CheckedHit)
    text = (
        "Presiden Joko Widodo mengatakan 1.250 orang tewas di Jakarta, Indonesia.\n"
        "Russia launched 150 drones at Kyiv; at least 12 people were killed. Serangan udara berlanjut."
    ) * 3
    an = analyze(text, "id", lexicons=False)
    want = py_match_lexicons(an)
    assert len(want) > 20
    auto = lexicon_automaton().automaton
    args = (auto, an.lowers, an.words, an.starts, an.ends, an.sent_ids, an.text)
    got = hot.lexicon_hits(*args, Hit)
    assert got == want and [type(h) for h in got] == [Hit] * len(want)
    assert all(gc.is_tracked(h) and sys.getrefcount(h) == 3 for h in got)  # the list, h, the call
    assert all(
        getattr(h, f.name) is not None for h in got for f in dataclasses.fields(Hit) if f.name != "tag"
    )
    as_dicts = hot.lexicon_hits(*args, DictHit)
    assert [dataclasses.astuple(h) for h in as_dicts] == [dataclasses.astuple(h) for h in want]
    checked = hot.lexicon_hits(*args, CheckedHit)
    assert [h.tag for h in checked] == [h.tag.upper() for h in want]
    assert hot.hit_layout(Hit)  # back to the analysis' class
    del got
    gc.collect()
