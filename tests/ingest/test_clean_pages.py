"""Real-page shapes: datelines, author blocks, time zones and furniture kinds seen across outlets."""

from __future__ import annotations

import pytest

from streams.core.records import EnrichedArticle
from streams.ingest.clean import CLEAN_FIELDS, CleanStage, clean_article, clean_byline
from streams.ingest.dates import find_date

PARA_ID = (
    "Petugas gabungan masih mencari dua warga yang hilang sejak Sabtu malam di sekitar lokasi longsor. "
    "Hujan deras membuat pencarian beberapa kali dihentikan."
)
PARA_EN = (
    "Rescuers searched through the night for people missing after the landslide, officials said on Monday. "
    "Heavy rain forced them to pause several times."
)
PARA_EN2 = "The regional disaster agency said more than 300 residents had been moved to schools and mosques."


# ----------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    ("prefix", "place"),
    [
        ("KYIV, Dec 10 (Reuters) - ", "KYIV"),
        ("JAKARTA, KOMPAS.com - ", "JAKARTA"),
        ("CONCEPCION, Chile -- ", "CONCEPCION"),
        ("GAZA: ", "GAZA"),
        ("Surabaya: ", "Surabaya"),
        ("KONTAN.CO.ID - MEDAN - ", "MEDAN"),
    ],
)
def test_dateline_forms(prefix: str, place: str) -> None:
    res = clean_article(prefix + PARA_EN + "\n" + PARA_EN2)
    assert res.dateline == place
    assert res.body.startswith("Rescuers searched")


def test_dateline_country_is_never_the_source() -> None:
    res = clean_article("CONCEPCION, Chile -- " + PARA_EN)
    assert res.source.name != "Chile" and "Chile" not in res.cited_sources


def test_colon_after_an_unknown_word_is_not_a_dateline() -> None:
    res = clean_article("Catatan: " + PARA_ID)
    assert res.dateline is None and res.body.startswith("Catatan:")


def test_place_and_agency_line_is_dateline_and_credit() -> None:
    res = clean_article(
        f"Flood Waters Rise in the Capital Region\nManila, Philippines — AFP\n{PARA_EN}\n{PARA_EN2}"
    )
    assert res.dateline == "Manila"
    assert "AFP" not in res.body and "Philippines —" not in res.body
    assert res.source.name == "AFP" or "AFP" in res.cited_sources


# ----------------------------------------------------------------------------- author blocks


def test_name_above_bare_author_label() -> None:
    res = clean_article(
        f"Longsor Tutup Jalan Provinsi di Lereng Gunung\nSiti Rahmawati Putri\n\nPenulis\n\n{PARA_ID}"
    )
    assert res.byline == "Siti Rahmawati Putri"
    assert "Penulis" not in res.body and "Rahmawati" not in res.body


def test_bare_label_above_name() -> None:
    res = clean_article(f"Longsor Tutup Jalan Provinsi di Lereng Gunung\nPewarta\nBudi Santoso\n{PARA_ID}")
    assert res.byline == "Budi Santoso"
    assert "Budi" not in res.body


def test_source_and_editor_on_one_line() -> None:
    res = clean_article(f"Sumber: Antara | Editor: Rina Kusuma Dewi\n{PARA_ID}")
    assert res.byline == "Rina Kusuma Dewi"
    assert "Sumber" not in res.body and "Antara" in res.cited_sources


@pytest.mark.parametrize("label", ["By", "Reporter:", "Editor:"])
def test_english_and_indonesian_labels(label: str) -> None:
    res = clean_article(f"Flood Waters Rise in the Capital Region\n{label} Maria Santos\n{PARA_EN}")
    assert res.byline == "Maria Santos"


# ----------------------------------------------------------------------------- time zones


def test_date_without_zone_takes_outlet_zone() -> None:
    res = clean_article(
        f"Longsor Tutup Jalan Provinsi\nSenin, 12 Februari 2024 08:30\n{PARA_ID}",
        url="https://www.kompas.com/read/2024/02/12/longsor",
    )
    assert res.published_at == "2024-02-12T08:30:00+07:00" and res.published_at_zone == "outlet"


def test_date_without_zone_takes_dateline_zone() -> None:
    res = clean_article(f"Flood Waters Rise in the Capital Region\nJune 20, 2024 17:42\nKYIV - {PARA_EN}")
    assert res.published_at == "2024-06-20T17:42:00+03:00" and res.published_at_zone == "dateline"


def test_unknown_zone_is_not_guessed() -> None:
    res = clean_article(f"Flood Waters Rise in the Capital Region\nUpdated June 20, 2018 17:42:23\n{PARA_EN}")
    assert res.published_at == "2018-06-20T17:42:23" and res.published_at_zone == "unknown"


def test_stated_zone_wins_over_outlet() -> None:
    res = clean_article(
        f"Flood Waters Rise in the Capital Region\nJune 20, 2024 07:00 GMT\n{PARA_EN}",
        url="https://www.kompas.com/read/x",
    )
    assert res.published_at == "2024-06-20T07:00:00+00:00" and res.published_at_zone == "stated"


def test_time_after_an_en_dash() -> None:
    found = find_date("Sabtu, 03 Februari 2018 – 13:22 WIB")
    assert found is not None and found[0] == "2018-02-03T13:22:00+07:00"


# ----------------------------------------------------------------------------- furniture kinds


@pytest.mark.parametrize(
    "line",
    [
        "Please update your browser",
        "IE 11 is not supported. For an optimal experience visit our site on another browser.",
        "share-facebook-white",
        "news_tickers",
        "zoom-in-whiteEnlarge",
        "2 minute read",
        "1 minute",
        "Updated: | Originally published:",
        "Powered by automated translation",
        "Key points:",
        "Ringkasan Berita:",
        "READ: Central bank holds rates as rupiah weakens",
        "Baca berita tanpa iklan. Gabung Contoh.com+",
        "Tentang KamiPedoman Media SiberKontakKarir",
        "About Us | Contact | Privacy Policy | Terms of Service",
        "2025 © PT Contoh Media Network Version 1.94.1",
    ],
)
def test_furniture_line_removed(line: str) -> None:
    res = clean_article(f"{PARA_EN}\n{line}\n{PARA_EN2}")
    assert line not in res.body
    assert PARA_EN in res.body and PARA_EN2 in res.body


def test_furniture_line_is_never_the_title() -> None:
    res = clean_article(
        f"Baca berita tanpa iklan. Gabung Contoh.com+\nLongsor Tutup Jalan Provinsi di Lereng Gunung\n{PARA_ID}"
    )
    assert res.title == "Longsor Tutup Jalan Provinsi di Lereng Gunung"


def test_search_box_text_cut_from_a_line() -> None:
    res = clean_article(
        f"Can't find what you're looking for?\nView all search resultsCan't find what you're looking for?\n{PARA_EN}"
    )
    assert "looking for" not in res.body and "search results" not in res.body
    assert res.body.startswith("Rescuers")


def test_html_tags_removed_anchor_text_kept() -> None:
    res = clean_article(
        '<a href="https://example.org/2023/x" target="_blank">Last year </a>was the wettest on record, '
        "the weather agency said in its annual report on Tuesday."
    )
    assert res.body.startswith("Last year was the wettest")
    assert "<a" not in res.body and "</a>" not in res.body and "href" not in res.body


def test_tag_fragment_and_duplicate_caption() -> None:
    cap = "Holding on: Residents wade through a flooded street in the old town on Sunday"
    res = clean_article(
        f'{cap}\nspan class="caption">{cap}. Water rose quickly overnight. AP/Jane Roe\n{PARA_EN}\n{PARA_EN2}'
    )
    assert "span class" not in res.body and "Holding on" not in res.body and "AP/Jane Roe" not in res.body
    assert any("Holding on" in c for c in res.captions)


@pytest.mark.parametrize(
    "line",
    [
        "- ANTARA FOTO/Budi Santoso",
        "Instagram/@someone.official",
        "Tangkap Layar YouTube",
        "A woman walks past a damaged building in the city centre. The fighting has lasted weeks. AFP",
    ],
)
def test_photo_credits_and_captions_go_to_captions(line: str) -> None:
    res = clean_article(f"{PARA_EN}\n{line}\n{PARA_EN2}")
    assert line not in res.body
    assert line.lstrip("- ") in " ".join(res.captions) or line in res.captions


def test_copyright_credit_cut_from_line_end() -> None:
    res = clean_article(f"{PARA_EN} Copyright: © Jane Roe/Agency\n{PARA_EN2}")
    assert "©" not in res.body and PARA_EN in res.body


def test_faq_teaser_block_removed_single_question_kept() -> None:
    block = (
        "Siapa pemilik gudang itu? Polisi masih menyelidiki kepemilikan gudang tersebut.\n-\n"
        "Bagaimana api bisa cepat membesar? Angin kencang membuat api menjalar ke bangunan lain.\n-\n"
        "Kenapa warga sulit memadamkan api? Sumber air terdekat berjarak ratusan meter."
    )
    single = "Apa penyebab longsor? Menurut petugas, tanah labil setelah hujan tiga hari berturut-turut."
    res = clean_article(f"{PARA_ID}\n{block}\n{PARA_EN}\n{single}\n{PARA_ID}")
    assert "pemilik gudang" not in res.body and "Angin kencang" not in res.body
    assert single in res.body


def test_drop_cap_rejoined() -> None:
    res = clean_article(
        f"W\n\naterlogged streets slowed rescuers on Monday, officials said in a statement.\n{PARA_EN2}"
    )
    assert res.body.startswith("Waterlogged streets")


def test_comment_marker_near_top_goes_alone() -> None:
    res = clean_article(f"{PARA_EN}\ncomment\n{PARA_EN2}\n{PARA_EN}")
    assert "comment" not in res.body.split() and PARA_EN2 in res.body


def test_agency_only_dateline_and_wire_photo_caption_above_it() -> None:
    caption = (
        "Shoppers queue outside an electronics store in Jakarta, Indonesia, on Friday, Sept. 20, 2024. "
        "The company launched its newest handset last month."
    )
    res = clean_article(f"{caption}\n(Bloomberg) -- {PARA_EN}\n{PARA_EN2}")
    assert res.body.startswith("Rescuers searched")
    assert caption in res.captions
    assert res.source.name == "Bloomberg" or "Bloomberg" in res.cited_sources


def test_outlet_dateline_below_deck_and_summary_gives_source() -> None:
    deck = "Warga terdampak longsor di lereng gunung masih bertahan di pengungsian hingga hari ketiga."
    bullets = "• Dua warga masih dicari tim gabungan.\n• Jalan provinsi ditutup total sejak Sabtu."
    res = clean_article(
        f"Longsor Tutup Jalan Provinsi di Lereng Gunung\n{deck}\n{bullets}\nTRIBUNNEWS.COM - {PARA_ID}"
    )
    assert res.source.name == "Tribunnews"
    assert deck in res.body and "Dua warga masih dicari" in res.body  # decks and summaries stay
    assert "TRIBUNNEWS.COM" not in res.body


# ----------------------------------------------------------------------------- page metadata


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Jeffrey Gettleman; JEFFREY GETTLEMAN", "Jeffrey Gettleman"),
        ("Username", None),
        ("admin", None),
        ("By Jane Roe and Tom Lee", "Jane Roe, Tom Lee"),
        ("@newsdesk", None),
        ("Dewi Lestari", "Dewi Lestari"),
    ],
)
def test_clean_byline(raw: str, clean: str | None) -> None:
    assert clean_byline(raw) == clean


def test_page_title_that_is_furniture_is_not_used() -> None:
    res = clean_article(
        f"Longsor Tutup Jalan Provinsi di Lereng Gunung\n{PARA_ID}", title="Please Update your browser"
    )
    assert res.title == "Longsor Tutup Jalan Provinsi di Lereng Gunung"


def test_page_title_loses_site_suffix() -> None:
    res = clean_article(
        PARA_EN, title="Ferry capsizes in storm, dozens missing – Metro US", meta={"sitename": "Metro US"}
    )
    assert res.title == "Ferry capsizes in storm, dozens missing"
    res2 = clean_article(PARA_EN, title="Peace talks resume in Geneva - The Guardian")
    assert res2.title == "Peace talks resume in Geneva"


def test_clean_result_fields_are_enriched_article_fields() -> None:
    res = clean_article(PARA_EN)
    assert set(res.values) == set(CLEAN_FIELDS)
    assert set(CLEAN_FIELDS) <= set(EnrichedArticle.model_fields)
    assert set(CleanStage.assigns) == {*CLEAN_FIELDS, "url"}
    with pytest.raises(AttributeError):
        _ = res.not_a_field


def test_a_hard_wrapped_page_is_joined_back_into_paragraphs() -> None:
    """Plain text wrapped at ~70 characters (a paragraph broken into lines, some opening in lower case)
    is read as paragraphs; a web page of one line a paragraph is left alone."""
    from streams.ingest.clean import _unwrap, clean_article

    para = (
        "Kepala Badan Search and Rescue Nasional (Basarnas) Marsekal Madya Mohammad Syafii mengatakan "
        "pencarian terhadap korban tenggelamnya kapal motor penyeberangan (KMP) Tunu Pratama Jaya di Selat "
        "Bali masih terus berlanjut. Ia mengatakan Basarnas memiliki waktu tujuh hari kerja untuk mencari korban."
    )
    para2 = (
        "Sesuai dengan data Basarnas, sebanyak 29 orang penumpang selamat dalam insiden ini. Namun, setelah "
        "dilakukan rekonfirmasi ke PT ASDP dan kepolisian, jumlah penumpang selamat ternyata sebanyak 30 orang."
    )
    import textwrap

    wrapped = textwrap.wrap(para, 68) + textwrap.wrap(para2, 68)
    assert len(wrapped) >= 8
    assert _unwrap(wrapped) == [para, para2]
    body = clean_article("\n".join(wrapped)).body
    assert para2 in body and "Tunu Pratama Jaya di Selat Bali masih terus berlanjut." in body
    web = [para, para2, "Baca juga: Banjir Bandang di Garut", para]
    assert _unwrap(web) == web  # one line a paragraph: nothing to join
    headlines = [f"Banjir Rendam {x} Ribuan Warga Mengungsi ke Posko Terdekat Hari Ini" for x in "ABCDEFGHIJ"]
    assert _unwrap(headlines) == headlines  # lines of one width, none continuing in lower case
