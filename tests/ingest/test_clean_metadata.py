"""Title, byline, dateline, dates, source and cited sources from made-up Indonesian and English articles."""

from __future__ import annotations

from datetime import datetime

import pytest

from streams.ingest.clean import clean_article
from streams.ingest.dates import find_date, parse_date

PARA_ID = (
    "Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap pada Senin malam. "
    "Warga diminta tetap waspada karena hujan diperkirakan turun hingga akhir pekan."
)
PARA_EN = (
    "Officials opened three shelters after the river burst its banks on Monday night. "
    "Residents were told to stay alert as more rain is expected through the weekend."
)


# ----------------------------------------------------------------------------- title


def test_title_from_first_heading_line_is_removed_from_body() -> None:
    res = clean_article(f"Sungai Meluap, Ribuan Warga Mengungsi\n{PARA_ID}")
    assert res.title == "Sungai Meluap, Ribuan Warga Mengungsi"
    assert res.body == PARA_ID


def test_title_question_in_title_case() -> None:
    res = clean_article(f"Akankah Harga Beras Turun Jelang Lebaran?\n{PARA_ID}")
    assert res.title == "Akankah Harga Beras Turun Jelang Lebaran?"


def test_no_title_when_text_starts_with_a_paragraph() -> None:
    res = clean_article(f"{PARA_ID}\n{PARA_EN}")
    assert res.title is None
    assert res.body.startswith("Pemerintah daerah")


def test_short_sentence_first_is_not_a_title() -> None:
    res = clean_article(f"Hujan turun sejak pagi.\n{PARA_ID}")
    assert res.title is None


def test_given_title_keeps_all_text_as_body() -> None:
    res = clean_article(f"Dampak Banjir di Kota\n{PARA_ID}", title="Sungai Meluap di Bekasi")
    assert res.title == "Sungai Meluap di Bekasi"
    assert res.body.startswith("Dampak Banjir di Kota")


def test_given_title_repeated_as_first_line_is_removed() -> None:
    res = clean_article(f"Sungai Meluap di Bekasi\n{PARA_ID}", title="Sungai Meluap di Bekasi")
    assert res.body == PARA_ID


def test_kicker_before_title_is_dropped() -> None:
    res = clean_article(f"Ekonomi\nHarga Beras Naik Tiga Persen Jelang Ramadan\n{PARA_ID}")
    assert res.title == "Harga Beras Naik Tiga Persen Jelang Ramadan"
    assert "Ekonomi" not in res.body


def test_english_title() -> None:
    res = clean_article(f"Floods Force Thousands From Their Homes\n{PARA_EN}")
    assert res.title == "Floods Force Thousands From Their Homes"


# ----------------------------------------------------------------------------- byline


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Penulis: Budi Santoso", "Budi Santoso"),
        ("Reporter: Siti Aminah | Editor: Joko Widagdo", "Siti Aminah"),
        ("Oleh: Rina Kartika", "Rina Kartika"),
        ("Pewarta: Agus Salim", "Agus Salim"),
        ("By John Smith", "John Smith"),
        ("Written by Mary Jones", "Mary Jones"),
    ],
)
def test_byline_at_top(line: str, name: str) -> None:
    res = clean_article(f"Sungai Meluap di Bekasi Hari Ini\n{line}\n{PARA_ID}")
    assert res.byline == name
    assert line not in res.body


def test_editor_line_at_bottom_when_no_author() -> None:
    res = clean_article(f"{PARA_ID}\n{PARA_EN}\nEditor: Rina Wati")
    assert res.byline == "Rina Wati"
    assert "Editor" not in res.body


def test_name_pipe_date_line() -> None:
    res = clean_article(
        f"Sungai Meluap di Bekasi Hari Ini\nYati Maulana | Minggu, 05/11/2023 11:01 WIB\n{PARA_ID}"
    )
    assert res.byline == "Yati Maulana"
    assert res.published_at == "2023-11-05T11:01:00+07:00"
    assert "Yati" not in res.body


def test_sentence_starting_with_by_is_not_a_byline() -> None:
    text = f"By Tuesday the army had withdrawn from the town, officials said.\n{PARA_EN}"
    res = clean_article(text)
    assert res.byline is None
    assert res.body.startswith("By Tuesday")


# ----------------------------------------------------------------------------- dateline


@pytest.mark.parametrize(
    ("prefix", "place", "domain"),
    [
        ("KYIV - ", "KYIV", None),
        ("JAKARTA, KOMPAS.com - ", "JAKARTA", "kompas.com"),
        ("Jakarta, CNN Indonesia -- ", "Jakarta", "cnnindonesia.com"),
        ("KENDARIEKSPRES.COM – ", None, "kendariekspres.com"),
        ("Newestindonesia.co.id, ", None, "newestindonesia.co.id"),
        ("JUARA.NET, TOKYO - ", "TOKYO", "juara.net"),
        ("SURABAYA – ", "SURABAYA", None),
    ],
)
def test_dateline_id(prefix: str, place: str | None, domain: str | None) -> None:
    res = clean_article(prefix + PARA_ID)
    assert res.dateline == place
    assert res.body == PARA_ID
    assert res.source.domain == domain


def test_wire_dateline_credits_the_agency() -> None:
    res = clean_article("WASHINGTON (Reuters) - " + PARA_EN, url="https://example-news.com/world/floods")
    assert res.dateline == "WASHINGTON"
    assert res.body == PARA_EN
    assert "Reuters" in res.cited_sources
    assert res.source.domain == "example-news.com"


def test_wire_dateline_with_date() -> None:
    res = clean_article("LONDON, Nov 5 (Reuters) - " + PARA_EN)
    assert res.dateline == "LONDON"
    assert res.body == PARA_EN


def test_agency_dateline_in_parentheses_id() -> None:
    res = clean_article("Bandung (ANTARA) - " + PARA_ID, url="https://www.contohberita.id/a/1")
    assert res.dateline == "Bandung"
    assert res.cited_sources == ["Antara"]


def test_dash_inside_a_sentence_is_not_a_dateline() -> None:
    text = "Presiden Joko Widodo - yang akrab disapa Jokowi - meresmikan jembatan baru di Kalimantan Barat pada Senin."
    res = clean_article(text)
    assert res.dateline is None
    assert res.body == text


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Minggu, 05/11/2023 11:01 WIB", "2023-11-05T11:01:00+07:00"),
        ("Senin, 27 Maret 2017 | 14:20 WITA", "2017-03-27T14:20:00+08:00"),
        ("Kamis, 2 November 2023 - 09.15 WIT", "2023-11-02T09:15:00+09:00"),
        ("Jumat, 17 Agustus 2018 pukul 10.00 WIB", "2018-08-17T10:00:00+07:00"),
        ("Nov 5, 2023 11:01 AM EST", "2023-11-05T11:01:00-05:00"),
        ("Sunday, November 5, 2023 3:45 PM GMT", "2023-11-05T15:45:00+00:00"),
        ("2023-11-05T11:01:00Z", "2023-11-05T11:01:00+00:00"),
    ],
)
def test_find_date_forms(text: str, iso: str) -> None:
    found = find_date(text)
    assert found is not None and found[0] == iso


def test_date_without_zone_stays_local() -> None:
    # no zone is guessed: the local time is kept without an offset
    found = find_date("Rabu, 1 Januari 2020")
    assert found is not None and found[0] == "2020-01-01T00:00:00"


def test_impossible_date_is_not_a_date() -> None:
    assert find_date("31/02/2020") is None


def test_parse_date_free_form_and_datetime() -> None:
    assert parse_date("5 Nov 2023 10:00 WIB") == "2023-11-05T10:00:00+07:00"
    assert parse_date(datetime(2024, 1, 2, 3, 4)) == "2024-01-02T03:04:00"
    assert parse_date("not a date at all") is None


def test_date_line_at_top_is_removed() -> None:
    res = clean_article(
        f"Banjir Rendam Ratusan Rumah di Bekasi\nSenin, 12 Februari 2024 08:30 WIB\n{PARA_ID}"
    )
    assert res.published_at == "2024-02-12T08:30:00+07:00"
    assert "Februari" not in res.body


def test_raw_published_at_wins() -> None:
    res = clean_article(
        f"Banjir di Bekasi Hari Ini\nSenin, 12 Februari 2024 08:30 WIB\n{PARA_ID}",
        published_at="2024-02-13T09:00:00+07:00",
    )
    assert res.published_at == "2024-02-13T09:00:00+07:00"


def test_dates_inside_paragraphs_do_not_become_metadata() -> None:
    text = (
        f"{PARA_ID}\nSidang lanjutan dijadwalkan pada Senin, 12 Februari 2024, di Pengadilan Negeri Bekasi."
    )
    res = clean_article(text)
    assert "12 Februari 2024" in res.body


# ----------------------------------------------------------------------------- sources


def test_source_from_url() -> None:
    res = clean_article(PARA_ID, url="https://www.kompas.com/read/2024/02/12/banjir")
    assert res.source.domain == "kompas.com"
    assert res.source.name == "Kompas"


def test_source_from_unknown_url_uses_domain() -> None:
    res = clean_article(PARA_ID, url="https://news.contohberita.co.id/a")
    assert res.source.domain == "news.contohberita.co.id"


def test_cited_sources_canonical_names_and_trailing_credit() -> None:
    text = (
        "Menurut kantor berita RIA Novosti, pertemuan berlangsung tertutup. "
        "Associated Press melaporkan hal serupa.\n"
        "Pejabat itu juga berbicara kepada AP dan AFP dalam wawancara terpisah. (Antara)"
    )
    res = clean_article(text)
    assert res.cited_sources == ["RIA Novosti", "Associated Press", "AFP", "Antara"]
    assert "(Antara)" not in res.body


def test_cited_sources_en() -> None:
    res = clean_article(
        "The talks were first reported by The Moscow Times and later confirmed to Al Jazeera "
        "and the BBC by two officials, according to Bloomberg."
    )
    assert res.cited_sources == ["The Moscow Times", "Al Jazeera", "BBC", "Bloomberg"]


def test_common_words_are_not_outlets() -> None:
    res = clean_article(
        "Dalam tempo singkat, suasana menjadi meriah dan gembira ria ketika warga merayakan hari kemerdekaan."
    )
    assert res.cited_sources == []


def test_own_outlet_is_not_cited() -> None:
    res = clean_article(
        "JAKARTA, KOMPAS.com - " + PARA_ID + " Hal itu dikutip dari Kompas.", url="https://kompas.com/x"
    )
    assert "Kompas" not in res.cited_sources


def test_gmt_offset_zone() -> None:
    found = find_date("November 5, 2023 11:01 AM GMT+7 Updated 2 hours ago")
    assert found is not None and found[0] == "2023-11-05T11:01:00+07:00"


def test_wire_story_en_byline_and_signoff() -> None:
    text = (
        "World news\nUkraine and Russia swap prisoners in UAE-brokered deal\nBy Tom Balmforth\n"
        "November 5, 2023 11:01 AM GMT+7 Updated 2 hours ago\n"
        "KYIV, Nov 5 (Reuters) - Ukraine and Russia exchanged 157 prisoners each on Sunday, officials said.\n"
        "Russia's defence ministry confirmed the swap, according to the TASS news agency.\n"
        "Reporting by Tom Balmforth; Editing by Mark Heinrich\n"
        "Our Standards: The Thomson Reuters Trust Principles."
    )
    res = clean_article(text, url="https://www.reuters.com/world/europe/swap")
    assert res.title == "Ukraine and Russia swap prisoners in UAE-brokered deal"
    assert res.byline == "Tom Balmforth"
    assert res.dateline == "KYIV"
    assert res.published_at == "2023-11-05T11:01:00+07:00"
    assert res.source.name == "Reuters" and res.cited_sources == ["TASS"]
    assert res.body.startswith("Ukraine and Russia exchanged")
    assert "Reporting by" not in res.body and "Our Standards" not in res.body and "World news" not in res.body


def test_name_next_to_outlet_is_a_byline() -> None:
    res = clean_article(
        "Kecelakaan Bus di Tol Cipali, 5 Orang Luka\nAhmad Fauzi - detikNews\nSenin, 12 Feb 2024 08:30 WIB\n"
        "Jakarta - Sebuah bus pariwisata terguling di ruas Tol Cipali pada Senin pagi. Lima penumpang luka ringan.\n"
        'Simak Video "Detik-detik Bus Terguling di Tol"\n[Gambas:Video 20detik]\n'
        'Baca artikel detiknews, "Kecelakaan Bus" selengkapnya https://news.detik.com/berita/d-1/x'
    )
    assert res.byline == "Ahmad Fauzi"
    assert res.dateline == "Jakarta"
    assert res.published_at == "2024-02-12T08:30:00+07:00"
    assert (
        res.body
        == "Sebuah bus pariwisata terguling di ruas Tol Cipali pada Senin pagi. Lima penumpang luka ringan."
    )


def test_place_then_unknown_outlet_dateline() -> None:
    res = clean_article(
        "PADANG, Warta Sumbar - Tim SAR gabungan menemukan korban ketiga tertimbun longsor pada Selasa."
    )
    assert res.dateline == "PADANG"
    assert res.source.name == "Warta Sumbar"
    assert res.body.startswith("Tim SAR")


def test_reporter_of_outlet_byline() -> None:
    res = clean_article(
        f"Banjir Rendam Ratusan Rumah di Bekasi\nLaporan Wartawan Tribunnews.com, Fahmi Ramadhan\n{PARA_ID}"
    )
    assert res.byline == "Fahmi Ramadhan"


@pytest.mark.parametrize(
    ("prefix", "place", "domain"),
    [
        ("Liputan6.com, Jakarta - ", "Jakarta", "liputan6.com"),
        ("REPUBLIKA.CO.ID, JAKARTA -- ", "JAKARTA", "republika.co.id"),
        ("TEMPO.CO, Jakarta - ", "Jakarta", "tempo.co"),
        ("Jakarta, IDN Times - ", "Jakarta", "idntimes.com"),
    ],
)
def test_more_datelines(prefix: str, place: str, domain: str) -> None:
    res = clean_article(prefix + PARA_ID)
    assert (res.dateline, res.source.domain, res.body) == (place, domain, PARA_ID)


def test_agency_byline_and_credit_line() -> None:
    res = clean_article(f"Floods Force Thousands From Their Homes\nBy The Associated Press\n{PARA_EN}")
    assert res.byline == "The Associated Press"
    assert "By The" not in res.body
    res2 = clean_article(f"{PARA_ID}\n(Antara)")
    assert res2.cited_sources == ["Antara"] and res2.body == PARA_ID


def test_byline_with_outlet_suffix() -> None:
    res = clean_article(f"Floods Force Thousands From Their Homes\nBy Jane Doe, CNN\n{PARA_EN}")
    assert res.byline == "Jane Doe"


def test_title_line_matches_title_with_site_suffix() -> None:
    res = clean_article(
        f"Banjir Rendam Ratusan Rumah di Bekasi\n{PARA_ID}",
        title="Banjir Rendam Ratusan Rumah di Bekasi - Kabar Contoh",
    )
    assert res.body == PARA_ID


def test_trailing_agency_credit_in_parentheses() -> None:
    res = clean_article(f"{PARA_EN} (Reuters)")
    assert res.body == PARA_EN and res.cited_sources == ["Reuters"]


def test_ap_style_dateline_with_region() -> None:
    res = clean_article("KYIV, Ukraine (AP) — " + PARA_EN)
    assert res.dateline == "KYIV"
    assert res.cited_sources == ["Associated Press"] or res.source.name == "Associated Press"
    assert res.body == PARA_EN


def test_initials_are_not_the_associated_press() -> None:
    res = clean_article(
        "Polisi menangkap tersangka berinisial AP (34) di rumahnya di Bekasi pada Senin malam."
    )
    assert res.cited_sources == []
    res2 = clean_article("Polisi menangkap tersangka di rumahnya di Bekasi pada Senin malam. (AP)")
    assert res2.cited_sources == ["Associated Press"]


def test_guardian_style_byline_date_and_topic_list() -> None:
    text = (
        "Ukraine war\nDrone attack on Odesa port kills two, officials say\n"
        "Regional governor says grain terminal damaged in overnight strike\nJane Smith in Kyiv\n"
        f"Tue 14 Nov 2023 09.12 GMT\nShare\n{PARA_EN}\nExplore more on these topics\nUkraine\nRussia\nEurope\n"
        "Reuse this content"
    )
    res = clean_article(text)
    assert res.title == "Drone attack on Odesa port kills two, officials say"
    assert res.byline == "Jane Smith"
    assert res.published_at == "2023-11-14T09:12:00+00:00"
    assert res.body.endswith(PARA_EN)
    assert "Explore" not in res.body and "Europe" not in res.body and "Reuse" not in res.body


def test_dateline_on_its_own_line() -> None:
    res = clean_article(f"Senin, 13 Nov 2023 15:45 WIB\nJakarta, CNN Indonesia --\n{PARA_ID}\n(dna/bac)")
    assert res.title is None
    assert res.dateline == "Jakarta"
    assert res.source.name == "CNN Indonesia"
    assert res.published_at == "2023-11-13T15:45:00+07:00"
    assert res.body == PARA_ID


def test_indonesian_subheading_with_di_is_not_a_byline() -> None:
    res = clean_article(f"Banjir Rendam Ratusan Rumah\nDampak Banjir di Kota\n{PARA_ID}")
    assert res.byline is None
    assert "Dampak Banjir di Kota" in res.body


def test_one_word_name_before_a_dash_is_not_a_dateline() -> None:
    text = "Jokowi - sapaan akrab Presiden Joko Widodo - meresmikan jembatan baru di Kalimantan Barat pada Senin."
    res = clean_article(text)
    assert res.dateline is None and res.body == text
