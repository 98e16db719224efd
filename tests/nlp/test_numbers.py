"""Numbers parsed once by the analysis: digits, words, multipliers, vague amounts, qualifiers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.core.analysis import NumberToken
from streams.nlp.analysis import analyze
from streams.nlp.numbers import parse_numeral, parse_words


def nums(text: str, lang: str | None = "id") -> list[NumberToken]:
    return analyze(text, lang).numbers


def one(text: str, lang: str | None = "id") -> NumberToken:
    got = nums(text, lang)
    assert len(got) == 1, got
    return got[0]


@pytest.mark.parametrize(
    ("raw", "lang", "value"),
    [
        ("55.000", "id", 55000),
        ("55,000", "en", 55000),
        ("1.500", "id", 1500),
        ("1,500", "en", 1500),
        ("1.5", "en", 1.5),
        ("1,5", "id", 1.5),
        ("3,2", "id", 3.2),
        ("17,5", "id", 17.5),
        ("1.250.000", "id", 1250000),
        ("1,250,000", "en", 1250000),
        ("1.250.000,50", "id", 1250000.5),
        ("1,250,000.50", "en", 1250000.5),
        ("0,125", "id", 0.125),
        ("2024", "en", 2024),
        ("1.500", "en", 1500),  # writers mix conventions: three digits after one mark are thousands
        ("1,500", "id", 1500),
    ],
)
def test_parse_numeral(raw: str, lang: str, value: float) -> None:
    assert parse_numeral(raw, lang) == pytest.approx(value)


def test_parse_numeral_decimal_before_multiplier_follows_the_language() -> None:
    assert parse_numeral("30,880", "id", before_multiplier=True) == pytest.approx(30.88)
    assert parse_numeral("30,880", "en", before_multiplier=True) == pytest.approx(30880)
    assert parse_numeral("1.500", "en", before_multiplier=True) == pytest.approx(1.5)
    assert parse_numeral("1.500", "id", before_multiplier=True) == pytest.approx(1500)


def test_parse_numeral_rejects_malformed_groups() -> None:
    assert parse_numeral("10.30.45", "id") is None
    assert parse_numeral("1.2,3,4", "id") is None


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("sebanyak 55.000 warga", "id", 55000),
        ("inflasi 3,2 persen", "id", 3.2),
        ("naik 17,5% tahun ini", "id", 17.5),
        ("dana Rp 30,880 juta", "id", 30_880_000),
        ("dana Rp30.000 saja", "id", 30000),
        ("sebanyak 5 juta orang", "id", 5_000_000),
        ("about 1.5 million people", "en", 1_500_000),
        ("some 1,200 people", "en", 1200),
        ("a dozen people", "en", 12),
        ("dua belas orang", "id", 12),
        ("two people", "en", 2),
        ("sebelas orang", "id", 11),
        ("seratus orang", "id", 100),
        ("dua ratus lima puluh ribu orang", "id", 250_000),
        ("twenty-five people", "en", 25),
        ("one hundred and five people", "en", 105),
        ("three hundred thousand people", "en", 300_000),
        ("2,5 miliar dolar", "id", 2_500_000_000),
        ("US$ 3.5 billion", "en", 3_500_000_000),
    ],
)
def test_number_values(text: str, lang: str, value: float) -> None:
    assert one(text, lang).value == pytest.approx(value)


def test_multiplier_word_and_span() -> None:
    text = "Anggaran Rp 30,880 juta disetujui"
    n = one(text)
    assert n.multiplier == "juta"
    assert n.raw == "30,880 juta" == text[n.start : n.end]
    assert n.currency == "IDR"
    an = analyze(text, "id")
    assert an.words[n.unit or 0] == "disetujui"


def test_percent_flag_and_unit_after_the_sign() -> None:
    an = analyze("Sebanyak 17,5% warga miskin", "id")
    (n,) = an.numbers
    assert n.percent and n.value == pytest.approx(17.5)
    assert n.unit is not None and an.words[n.unit] == "warga"


@pytest.mark.parametrize(
    ("text", "lang", "qualifier"),
    [
        ("sedikitnya 20 orang tewas", "id", "at_least"),
        ("setidaknya 20 orang tewas", "id", "at_least"),
        ("sekitar 20 orang tewas", "id", "about"),
        ("hampir 20 orang tewas", "id", "nearly"),
        ("lebih dari 20 orang tewas", "id", "more_than"),
        ("kurang dari 20 orang tewas", "id", "less_than"),
        ("hingga 20 orang tewas", "id", "up_to"),
        ("at least 20 people died", "en", "at_least"),
        ("about 20 people died", "en", "about"),
        ("nearly 20 people died", "en", "nearly"),
        ("more than 20 people died", "en", "more_than"),
        ("up to 20 people died", "en", "up_to"),
        ("sekitar Rp 5 juta", "id", "about"),
    ],
)
def test_qualifiers(text: str, lang: str, qualifier: str) -> None:
    n = one(text, lang)
    assert n.qualifier == qualifier
    assert n.qualifier_start == 0


def test_no_qualifier_across_a_sentence_end() -> None:
    (n,) = nums("Jumlahnya sekitar. 20 orang tewas", "id")
    assert n.qualifier is None


@pytest.mark.parametrize(
    ("text", "lang", "value", "vague", "unit"),
    [
        ("ribuan warga mengungsi", "id", 1000, "thousands", "warga"),
        ("puluhan ribu warga mengungsi", "id", 10000, "tens_of_thousands", "warga"),
        ("hundreds of people fled", "en", 100, "hundreds", "people"),
        ("tens of thousands of people fled", "en", 10000, "tens_of_thousands", "people"),
        ("dozens of homes burned", "en", 12, "dozens", "homes"),
    ],
)
def test_vague_amounts(text: str, lang: str, value: float, vague: str, unit: str) -> None:
    an = analyze(text, lang)
    (n,) = an.numbers
    assert n.value == value and n.vague == vague and not n.is_word
    assert n.unit is not None and an.words[n.unit] == unit


def test_written_numbers_are_flagged() -> None:
    n = one("dua belas orang", "id")
    assert n.is_word and n.raw == "dua belas"


def test_separate_numbers_stay_separate() -> None:
    got = nums("antara 10 dan 15 orang, lalu dua tiga kali", "id")
    assert [n.value for n in got] == [10, 15, 2, 3]


def test_short_scale_only_attached_or_after_currency() -> None:
    assert one("tinggi 5 m saja", "id").value == 5
    assert one("cost $5m in total", "en").value == 5_000_000


def test_m_is_metres_before_a_word_of_length_and_miliar_after_the_rupiah() -> None:
    fell = one("a soldier who fell 15m into a ravine", "en")
    assert fell.value == 15 and fell.multiplier is None
    assert one("a 100m-high wall", "en").value == 100
    assert one("about 2m people fled", "en").value == 2_000_000  # English millions stay
    assert one("they paid 5m dollars", "en").value == 5_000_000
    assert one("it cost £2.5m last year", "en").value == 2_500_000
    assert one("Indonesia raised 3bn", "en").value == 3_000_000_000  # other short scales are unchanged
    assert one("dana hibah Rp 5 M untuk desa", "id").value == 5_000_000_000  # "M" after the rupiah: miliar
    assert one("senilai Rp2,5M.", "id").value == 2_500_000_000
    assert one("sebesar US$ 5m", "id").value == 5_000_000
    assert one("tembok setinggi 15m", "id").value == 15  # Indonesian writes juta: "m" alone is metres


def test_indefinite_one_is_a_number() -> None:
    # "seorang pria tewas": a single victim is a count of one (a total when it is the only one)
    n = one("Seorang pria tewas ditembak", "id")
    assert n.value == 1 and n.is_word and n.raw == "Seorang"
    assert one("sebuah rudal jelajah", "id").value == 1


def test_unit_is_none_at_sentence_end() -> None:
    (n,) = nums("Korban tewas mencapai 12.", "id")
    assert n.unit is None


def test_parse_words_directly() -> None:
    an = analyze("dua ratus lima puluh", "id", lexicons=False)
    assert parse_words(an.lowers, 0, len(an)) == (250, 4)
    assert parse_words(["ratus"], 0, 1) is None


@given(st.integers(min_value=1000, max_value=10**12))
def test_grouped_integers_round_trip(value: int) -> None:
    en = f"{value:,}"
    idn = en.replace(",", ".")
    assert parse_numeral(en, "en") == value
    assert parse_numeral(idn, "id") == value
    assert one(f"sebanyak {idn} orang", "id").value == value
    assert one(f"some {en} people", "en").value == value


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=1, max_value=99))
def test_decimals_round_trip(whole: int, frac: int) -> None:
    assert parse_numeral(f"{whole},{frac}", "id") == pytest.approx(float(f"{whole}.{frac}"))
    assert parse_numeral(f"{whole}.{frac}", "en") == pytest.approx(float(f"{whole}.{frac}"))


@given(st.text(alphabet=st.sampled_from(list("0123456789.,% abcRpjutaribu-\n")), max_size=60))
def test_never_crashes_and_spans_are_exact(text: str) -> None:
    an = analyze(text, "id")
    for n in an.numbers:
        assert isinstance(n.value, float)
        assert 0 <= n.start < n.end <= len(text)
        assert n.raw == text[n.start : n.end]
        assert an.starts[n.tok_start] == n.start and an.ends[n.tok_end - 1] == n.end


@pytest.mark.parametrize(
    ("text", "lang", "raw", "value"),
    [
        ("Sebanyak 173 064 orang mengungsi.", "id", "173 064", 173_064),
        ("Korban mencapai 1 234 567 jiwa.", "id", "1 234 567", 1_234_567),
        ("Some 12 000 people fled.", "en", "12 000", 12_000),
        ("About 5 500 000 people live there.", "en", "5 500 000", 5_500_000),
        ("Dana Rp 1 500 juta cair.", "id", "1 500 juta", 1_500_000_000),
        ("sekitar 12\u00a0000 orang", "id", "12\u00a0000", 12_000),
        ("nearly 17\u202f500 troops", "en", "17\u202f500", 17_500),
    ],
)
def test_thousands_written_with_spaces(text: str, lang: str, raw: str, value: float) -> None:
    n = one(text, lang)
    assert n.raw == raw and n.value == pytest.approx(value)
    assert text[n.start : n.end] == raw


@pytest.mark.parametrize(
    ("text", "lang", "values"),
    [
        ("pada tahun 2020 150 orang tewas", "id", [2020, 150]),  # a year, then a count
        ("in 2022 300 people died", "en", [2022, 300]),
        ("2020 150 000 orang", "id", [2020, 150, 0]),  # no group read after another number
        ("pada 2020, 150 orang", "id", [2020, 150]),  # clause punctuation
        ("Sebanyak 17 500. 300 lainnya hilang.", "id", [17_500, 300]),  # a sentence end
        ("nomor 021 123 456", "id", [21, 123, 456]),  # a head starting with 0
        ("1 2345 orang", "id", [1, 2345]),  # a group of four digits
        ("jet Su-35 100 unit", "id", [35, 100]),  # a head glued to a hyphen
        ("x 5 173 064,5 y", "en", [5, 173, 64.5]),  # a number right after the last group
        ("scored 3 - 100 points", "en", [3, 100]),
        ("antara 10 dan 100 orang", "id", [10, 100]),
    ],
)
def test_numbers_with_spaces_between_that_are_no_thousands(text: str, lang: str, values: list[float]) -> None:
    assert [n.value for n in nums(text, lang)] == pytest.approx(values)
