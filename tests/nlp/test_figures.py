"""Figures normalised and typed from made-up Indonesian and English news text."""

from __future__ import annotations

import math
from typing import get_args

import pytest

from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Figure, FigureKind, RawArticle
from streams.nlp.analysis import AnalysisStage
from streams.nlp.entities import extract_entities
from streams.nlp.figures import FigureStage, extract_figures
from streams.nlp.numbers import parse_numeral


def _kv(text: str, lang: str = "id") -> list[tuple[str, float]]:
    return [(f.kind, f.value) for f in extract_figures(text, lang, extract_entities(text, lang))]


@pytest.mark.parametrize(
    ("s", "lang", "want"),
    [
        ("55.000", "id", 55000),
        ("17,5", "id", 17.5),
        ("1.250.000", "id", 1250000),
        ("55,000", "en", 55000),
        ("17.5", "en", 17.5),
        ("3", "id", 3),
        ("55,000", None, 55000),
        ("55,000", "id", 55000),
        ("0,125", "id", 0.125),
        ("2645.08", None, 2645.08),
    ],
)
def test_parse_number_conventions(s: str, lang: str | None, want: float) -> None:
    assert parse_numeral(s, lang) == want


def test_indonesian_casualties_with_qualifiers() -> None:
    figs = extract_figures("Sedikitnya 1.250 orang tewas dan ratusan lainnya terluka akibat gempa.", "id")
    assert [(f.kind, f.value, f.qualifier) for f in figs] == [
        ("killed", 1250, "at_least"),
        ("wounded", 100, "hundreds"),
    ]
    assert figs[0].text == "1.250" and figs[0].unit == "orang"


def test_scale_words_and_lower_bounds() -> None:
    figs = extract_figures("Perang itu memaksa lebih dari 5 juta orang mengungsi ke luar negeri.", "id")
    assert [(f.kind, f.value, f.qualifier) for f in figs] == [("displaced", 5_000_000, "more_than")]


def test_written_out_numbers() -> None:
    assert ("detained", 23) in _kv("Polisi menyebut dua puluh tiga tentara ditangkap di perbatasan.")
    assert ("prisoners_released", 300) in _kv("Three hundred prisoners were freed in the exchange.", "en")
    assert ("killed", 1000) in _kv("Ribuan warga tewas dalam serangan itu.")


def test_drones_and_missiles_launched_and_downed() -> None:
    text = "Russia launched 120 drones and 8 missiles overnight; air defences shot down 95 drones."
    got = _kv(text, "en")
    assert ("drones_launched", 120) in got
    assert ("missiles_launched", 8) in got
    assert ("drones_downed", 95) in got
    launched = next(
        f for f in extract_figures(text, "en", extract_entities(text, "en")) if f.kind == "drones_launched"
    )
    assert launched.actor == "Russia"


def test_prisoner_exchange_in_indonesian() -> None:
    assert ("prisoners_released", 157) in _kv(
        "Kedua negara sepakat melepas 157 tawanan perang dalam pertukaran itu."
    )


def test_percent_territory_and_money_aid() -> None:
    assert ("territory_controlled_percent", 17.5) in _kv("Rusia menguasai sekitar 17,5% wilayah Ukraina.")
    assert ("percent", 5.1) in _kv("Ekonomi tumbuh 5,1 persen tahun ini.")
    got = extract_figures("The EU pledged $1.5 billion in aid to Ukraine.", "en")
    assert [(f.kind, f.value, f.unit) for f in got] == [("aid_amount", 1.5e9, "USD")]
    got = extract_figures("Pemerintah menyiapkan bantuan Rp 2 triliun untuk korban banjir.", "id")
    assert [(f.kind, f.value, f.unit) for f in got] == [("aid_amount", 2e12, "IDR")]


def test_years_dates_times_and_ordinals_are_not_figures() -> None:
    text = (
        "Pada 24 Februari 2022 pukul 05.30 WIB, invasi dimulai. Perang memasuki hari ke-21 (5/2). "
        "Sejak 2014 konflik berlanjut selama dua tahun di G20 dan COVID-19."
    )
    assert extract_figures(text, "id") == []
    assert extract_figures("On 5 May 2024, at 10:30, the 2nd round began in 1999.", "en") == []


def test_spans_and_text_match_the_body() -> None:
    text = "Sekitar 55.000 tentara Ukraina telah tewas, kata Zelensky."
    (f,) = extract_figures(text, "id")
    assert text[f.span[0] : f.span[1]] == f.text == "55.000"
    assert (f.kind, f.value, f.qualifier) == ("killed", 55000, "about")


@pytest.mark.parametrize(
    "text",
    ["", "0", "1.2.3.4", "9" * 400, "Rp", "$", "%", "lebih dari", "ratusan ribu", "ke-",
     "Sedikitnya 12 orang tewas, 5 juta dolar, 17,5% wilayah.", "😀 ẞ 1.2.3,4,5 tewas İ 3 drone\x00 %"],
)  # fmt: skip
def test_never_crashes(text: str) -> None:
    for lang in ("id", "en"):
        for f in extract_figures(text, lang):
            assert isinstance(f, Figure)
            assert f.kind in get_args(FigureKind)
            assert math.isfinite(f.value)
            s, e = f.span
            assert 0 <= s < e <= len(text)
            assert text[s:e] == f.text


def test_stage() -> None:
    doc = Doc(raw=RawArticle(text="x"), body="Sedikitnya 12 orang tewas.", language="id")
    AnalysisStage()(doc)
    FigureStage()(doc)
    assert [(f.kind, f.value) for f in doc.figures] == [("killed", 12)]
    bad = Doc(raw=RawArticle(text="x"))
    bad.body = None  # type: ignore[assignment]
    with pytest.raises(StageError):
        FigureStage()(bad)
