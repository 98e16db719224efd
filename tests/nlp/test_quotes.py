"""Quotations and their speakers in made-up Indonesian and English news text."""

from __future__ import annotations

import pytest

from streams.core.doc import Doc
from streams.core.records import Quote, RawArticle
from streams.nlp.entities import extract_entities
from streams.nlp.quotes import QuoteStage, extract_quotes


def _q(text: str, lang: str = "id") -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in extract_quotes(text, extract_entities(text, lang))]


def test_inverted_attribution_resolves_to_the_entity() -> None:
    text = (
        "Presiden Prancis Emmanuel Macron berbicara dengan Zelensky.\n"
        "“Prancis akan terus mendukung Ukraina sampai perdamaian tercapai,” kata Macron di Paris."
    )
    ((speaker, quote),) = _q(text)
    assert speaker == "Emmanuel Macron"
    assert quote.startswith("Prancis akan terus")


def test_follow_on_paragraph_inherits_the_speaker() -> None:
    text = (
        "“Kami membahas jaminan keamanan secara rinci dengan mitra kami,” ujar Zelensky.\n\n"
        "“Pertemuan berikutnya akan digelar di Jenewa pekan depan bersama para penasihat.”\n\n"
        "“Ini bukan kutipan yang berkaitan dengan siapa pun di sini sama sekali.”"
    )
    got = _q(text)
    assert got[0][0] == "Volodymyr Zelensky"
    assert got[1][0] == "Volodymyr Zelensky"


def test_role_speaker_is_kept_and_demonstrative_refers_back() -> None:
    text = (
        "“Para pemimpin militer membahas beberapa masalah keamanan bersama,” kata juru bicara Kepala Staf Gabungan AS.\n"
        "“Detail percakapan mereka akan tetap dirahasiakan,” tambah juru bicara itu."
    )
    got = _q(text)
    assert got[0][0] == "juru bicara Kepala Staf Gabungan AS"
    assert got[1][0] == "juru bicara Kepala Staf Gabungan AS"


def test_english_said_after_and_before_and_colon() -> None:
    text = (
        '"We will not give up a single village to the invaders," said Defence Minister Olena Hrytsenko.\n'
        "“The talks were difficult but useful for both sides,” Hrytsenko told reporters.\n"
        "The governor said: “Power has been restored to most of the city by now.”"
    )
    got = _q(text, "en")
    assert got[0][0] == "Olena Hrytsenko"
    assert got[1][0] == "Olena Hrytsenko"
    assert got[2][0] == "The governor"


def test_pronoun_speaker_and_multi_sentence_quote() -> None:
    text = (
        "Menteri Luar Negeri Sugiono bertemu mitranya.\n"
        "“Kami sepakat. Kerja sama ini penting bagi kawasan dan bagi rakyat kedua negara,” ujar Sugiono.\n"
        "“Indonesia siap menjadi tuan rumah perundingan berikutnya tahun depan,” katanya."
    )
    got = _q(text)
    assert got[0] == (
        "Sugiono",
        "Kami sepakat. Kerja sama ini penting bagi kawasan dan bagi rakyat kedua negara,",
    )
    assert got[1][0] == "Sugiono"


def test_scare_quotes_are_not_quotations() -> None:
    text = "Hotline ‘deconfliction’ itu disebut “sangat konstruktif” oleh para pejabat yang menyebutnya “target sah”."
    assert _q(text) == []


@pytest.mark.parametrize(
    "text",
    ["", "“", "”", "“”", '"', "‘a’", "“" * 50, "“satu dua tiga empat lima",
     "“Kami siap berunding kapan saja dengan mereka,” kata Putin. 😀 “ẞ İ”",
     '"We are ready to talk at any time with them," Zelensky said.\x00 "'],
)  # fmt: skip
def test_never_crashes(text: str) -> None:
    found = extract_quotes(text, extract_entities(text, "id"))
    if "kata Putin" in text:
        assert [q.speaker for q in found][:1] == ["Vladimir Putin"]
    for q in found:
        assert isinstance(q, Quote)
        assert q.speaker is None or (isinstance(q.speaker, str) and q.speaker)
        s, e = q.span
        assert 0 <= s < e <= len(text)
        assert text[s:e] == q.text


def test_stage() -> None:
    doc = Doc(raw=RawArticle(text="x"), body="“Kami siap berunding kapan saja dengan mereka,” kata Putin.")
    from streams.nlp.entities import EntityStage

    EntityStage()(doc)
    QuoteStage()(doc)
    assert doc.quotes[0].speaker == "Vladimir Putin"
    assert doc.quotes[0].speaker_id == "Q7747"
