"""Furniture removal on made-up Indonesian and English articles: each kind is dropped, text is kept."""

from __future__ import annotations

import pytest

from streams.ingest.clean import clean_article

PARA_ID = (
    "Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap pada Senin malam. "
    "Warga diminta tetap waspada karena hujan diperkirakan turun hingga akhir pekan."
)
PARA_ID2 = "Kepala dinas mengatakan bantuan logistik sudah dikirim ke seluruh posko sejak Selasa pagi."
PARA_EN = (
    "Officials opened three shelters after the river burst its banks on Monday night. "
    "Residents were told to stay alert as more rain is expected through the weekend."
)
PARA_EN2 = "The head of the agency said food and water had reached every shelter by Tuesday morning."


def body_of(text: str, **kw: object) -> str:
    return clean_article(text, **kw).body  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "furniture",
    [
        # promotion / subscription
        "Dapatkan update berita pilihan dan breaking news setiap hari dari kami.",
        "Ikuti kami di Google News untuk berita terbaru",
        "Simak berita lainnya di Google News",
        "Ingin pasang iklan? Hubungi marketing kami di WhatsApp",
        "Get the latest headlines delivered to your inbox every morning.",
        "Subscribe to our newsletter",
        "ADVERTISEMENT",
        "Scroll to continue with content",
        # login / comments
        "Login untuk berkomentar",
        "Komentar yang melanggar aturan menjadi tanggung jawab pengguna sepenuhnya.",
        # related links
        "Baca juga: Harga Beras Naik Jelang Ramadan",
        "BACA JUGA: Gempa Guncang Maluku Utara",
        "MEMBACA Pemilu Digelar Serentak Tahun Depan",
        "Simak juga: Tips Aman Berkendara Saat Hujan",
        "Read more: Floods hit the capital again",
        "Berita Terkait",
        # social / share bars
        "FOLLOW US",
        "Share: Facebook Twitter WhatsApp",
        "Bagikan artikel ini",
        # tags
        "Tags: banjir, bekasi, bpbd",
        "#banjir #bekasi #cuaca",
        # copyright
        "Copyright © 2024 Contoh Media. All rights reserved.",
        "© 2023 Harian Contoh",
        "Dilarang mengutip atau menyalin artikel ini tanpa izin redaksi.",
        # editor initials alone
        "(DAW)",
        "(red/ant)",
        # separators
        "* * *",
    ],
)
def test_furniture_line_is_dropped_and_text_kept(furniture: str) -> None:
    text = f"{PARA_ID}\n{furniture}\n{PARA_ID2}"
    body = body_of(text)
    assert furniture not in body
    assert PARA_ID in body and PARA_ID2 in body


@pytest.mark.parametrize("initials", ["(DAW)", "(red/ant)", "(ant/rus)", "[PageSix.com]"])
def test_trailing_editor_initials_and_credits_are_cut_from_the_paragraph(initials: str) -> None:
    body = body_of(f"{PARA_ID}\n{PARA_ID2} {initials}")
    assert initials not in body
    assert body.endswith("sejak Selasa pagi.")


def test_parenthesis_inside_sentence_is_not_an_editor_mark() -> None:
    text = f"{PARA_ID}\nPresiden bertemu Perdana Menteri Inggris (PM) di London."
    assert "(PM)" in body_of(text)


def test_related_block_as_table_is_dropped() -> None:
    text = (
        f"{PARA_ID}\n{PARA_ID2}\n"
        "Harga Cabai Naik Tajam di Pasar Induk |\n---|\n"
        "Warga Keluhkan Jalan Rusak di Pinggiran Kota |\n---|\n"
    )
    body = body_of(text)
    assert "Harga Cabai" not in body and "---|" not in body and "Warga Keluhkan" not in body
    assert PARA_ID2 in body


def test_bare_related_header_takes_the_link_titles_after_it() -> None:
    text = f"{PARA_ID}\nBaca Juga:\nPolisi Tangkap Pelaku Pencurian Motor\nGubernur Resmikan Jembatan Baru\n{PARA_ID2}"
    body = body_of(text)
    assert "Polisi Tangkap" not in body and "Gubernur Resmikan" not in body
    assert PARA_ID2 in body


def test_comment_section_at_the_end_is_cut_with_everything_after() -> None:
    text = (
        f"{PARA_EN}\n{PARA_EN2}\nYou must be logged in to post a comment.\n"
        "Great article, thanks for sharing it with everyone here."
    )
    body = body_of(text)
    assert "logged in" not in body and "Great article" not in body
    assert PARA_EN2 in body


def test_comment_disclaimer_id() -> None:
    text = f"{PARA_ID}\n{PARA_ID2}\nIsi komentar sepenuhnya adalah tanggung jawab pengguna dan diatur dalam UU ITE."
    assert "Isi komentar" not in body_of(text)


def test_subheadings_between_paragraphs_stay_in_the_body() -> None:
    text = f"{PARA_ID}\nDampak bagi Petani\n{PARA_ID2}\nLangkah Pemerintah Selanjutnya\n{PARA_ID}"
    body = body_of(text)
    assert "Dampak bagi Petani" in body and "Langkah Pemerintah Selanjutnya" in body


def test_subheading_en_kept() -> None:
    text = f"{PARA_EN}\nWhat happens next\n{PARA_EN2}"
    assert "What happens next" in body_of(text)


def test_photo_caption_goes_to_captions() -> None:
    cap = "Warga mengungsi menggunakan perahu karet di Bekasi, Senin. Foto: Antara/Budi Santoso"
    res = clean_article(f"{PARA_ID}\n{cap}\n{PARA_ID2}")
    assert cap not in res.body
    assert res.captions == [cap]


def test_agency_photo_credit_caption_en() -> None:
    cap = "Rescue workers search the rubble of a building in Kyiv. REUTERS/Anna Smith"
    res = clean_article(f"{PARA_EN}\n{cap}\n{PARA_EN2}")
    assert res.captions == [cap] and "REUTERS/Anna" not in res.body


def test_section_kicker_repeated_at_bottom_with_links_is_dropped() -> None:
    text = (
        "Bencana Alam\nBanjir Rendam Ratusan Rumah di Pinggiran Kota\n"
        f"{PARA_ID}\n{PARA_ID2}\nBencana Alam\nLongsor Tutup Jalur Utama Menuju Puncak\nGempa Kecil Guncang Pesisir Selatan"
    )
    res = clean_article(text)
    assert res.title == "Banjir Rendam Ratusan Rumah di Pinggiran Kota"
    assert "Bencana Alam" not in res.body
    assert "Longsor" not in res.body and "Gempa Kecil" not in res.body
    assert res.body.startswith("Pemerintah daerah")


def test_bullet_section_label_on_top() -> None:
    res = clean_article(f"• Nasional\nBanjir Rendam Ratusan Rumah di Pinggiran Kota\n{PARA_ID}")
    assert res.title == "Banjir Rendam Ratusan Rumah di Pinggiran Kota"
    assert "Nasional" not in res.body


def test_real_sentences_mentioning_whatsapp_or_comments_are_kept() -> None:
    s1 = (
        "Polisi mengatakan pelaku menipu korban melalui pesan WhatsApp dengan mengaku sebagai petugas bank, "
        "lalu meminta kode rahasia yang dikirim ke ponsel korban pada malam hari."
    )
    s2 = "The minister declined to comment on the report, saying the investigation was still under way."
    body = body_of(f"{PARA_ID}\n{s1}\n{s2}")
    assert s1 in body and s2 in body


def test_paragraphs_are_separated_by_blank_lines() -> None:
    body = body_of(f"{PARA_ID}\n{PARA_ID2}")
    assert body == f"{PARA_ID}\n\n{PARA_ID2}"


def test_lead_is_first_sentences_of_first_paragraph() -> None:
    res = clean_article(f"{PARA_EN}\n{PARA_EN2}")
    assert res.lead.startswith("Officials opened three shelters")
    assert res.body.startswith(res.lead)
    assert len(res.lead) <= len(PARA_EN)


def test_list_after_an_announcing_sentence_is_kept() -> None:
    text = (
        f"{PARA_ID}\nBerikut jadwal pertandingan wakil Indonesia pada hari kedua.\n"
        "Lapangan Satu\nGanda Putra Marcus Gideon Melawan Takeshi Kamura\nGanda Campuran Praveen Jordan Melawan Zheng Siwei"
    )
    body = body_of(text)
    assert "Ganda Campuran Praveen Jordan" in body and "Lapangan Satu" in body


def test_trailing_data_lines_are_kept() -> None:
    text = (
        f"{PARA_ID}\nKategori 1 (tribun utama): 500 ribu rupiah\nKategori 2 (tribun samping): 275 ribu rupiah"
    )
    assert "Kategori 2" in body_of(text)


def test_trailing_related_headlines_are_dropped() -> None:
    text = f"{PARA_ID}\n{PARA_ID2}\nPolisi Tangkap Pelaku Pencurian Motor di Bekasi\nGubernur Resmikan Jembatan Baru di Pesisir"
    body = body_of(text)
    assert "Polisi Tangkap" not in body and "Gubernur Resmikan" not in body
    assert body.endswith("sejak Selasa pagi.")


def test_sentence_with_a_date_is_not_a_date_line() -> None:
    text = f"{PARA_ID}\nFilm itu dijadwalkan tayang 25 Januari 2018."
    assert "dijadwalkan tayang 25 Januari 2018" in body_of(text)


@pytest.mark.parametrize(
    "furniture",
    [
        "Baca berita dengan sedikit iklan, klik di sini",
        "Click here to read the full report",
        'Artikel ini telah tayang di Kompas.com dengan judul "Harga Beras Naik"',
        "This article was originally published on The Conversation.",
        "Listen to this article",
        "5 min read",
        "Halaman selanjutnya",
        "Halaman: 1 2 3",
        "1 2 3 4",
        "Lihat Foto",
    ],
)
def test_more_furniture_is_dropped(furniture: str) -> None:
    body = body_of(f"{PARA_ID}\n{furniture}\n{PARA_ID2}")
    assert furniture not in body and PARA_ID2 in body


@pytest.mark.parametrize(
    "caption",
    [
        "Image caption, Firefighters at the scene of the blaze in the city centre",
        "Sumber gambar, Getty Images",
        "Petugas memadamkan api di Pasar Senen, Jakarta, Senin (12/2/2024). KOMPAS.com/Garry Lotulung",
    ],
)
def test_more_captions(caption: str) -> None:
    res = clean_article(f"{PARA_ID}\n{caption}\n{PARA_ID2}")
    assert res.captions == [caption] and caption not in res.body


def test_republished_credit_is_cited() -> None:
    res = clean_article(f'{PARA_ID}\nArtikel ini telah tayang di Kompas.com dengan judul "Harga Beras Naik"')
    assert res.cited_sources == ["Kompas"]


def test_one_word_section_label_above_first_paragraph() -> None:
    assert body_of(f"Nasional\n{PARA_ID}\n{PARA_ID2}") == f"{PARA_ID}\n\n{PARA_ID2}"
    res = clean_article(f"Internasional\n{PARA_EN}", title="Floods Hit the Capital")
    assert res.body == PARA_EN
