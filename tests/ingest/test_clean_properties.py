"""Property tests of the clean stage: never raises (but StageError), only removes, idempotent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.core.errors import StageError
from streams.ingest.clean import clean_article
from streams.ingest.normalize import normalize_text

# Lines that look like news: real sentences, headings, furniture, bylines, datelines, dates.
NEWSY = st.sampled_from(
    [
        "KYIV - Pasukan Rusia menembakkan rudal ke kota itu pada Senin malam.",
        "JAKARTA, KOMPAS.com - Presiden meresmikan jembatan baru di Kalimantan.",
        "WASHINGTON (Reuters) - The talks ended without a deal, officials said.",
        "Newestindonesia.co.id, Kedua negara sepakat melanjutkan dialog.",
        "Baca juga: Harga Beras Naik Jelang Ramadan",
        "MEMBACA Pemilu Digelar Serentak",
        "Dapatkan update berita terkini langsung di WhatsApp Anda.",
        "FOLLOW US",
        "(DAW)",
        "Penulis: Budi Santoso",
        "Yati Maulana | Minggu, 05/11/2023 11:01 WIB",
        "Judul Berita Yang Panjang Sekali",
        "Sub Judul",
        "• News",
        "Foto: Reuters",
        "Harga Cabai Naik |",
        "---|",
        "Warga diminta waspada karena hujan diperkirakan turun hingga akhir pekan. (Antara)",
        "The minister declined to comment on the report.",
        "“Kami akan terus bekerja sama,” kata dia.",
        "Isi komentar sepenuhnya adalah tanggung jawab pengguna.",
        "",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(NEWSY, st.text(max_size=60)), max_size=14).map("\n".join),
)


def _subsequence(words: list[str], source: str) -> bool:
    pos = 0
    for w in words:
        found = source.find(w, pos)
        if found < 0 and len(w) > 1 and w[0].isupper() and w[1].islower():
            # a drop cap ("W" on its own line) joined to the rest of its word ("aterlogged")
            cap = source.find(w[0], pos)
            found = source.find(w[1:], cap + 1) if cap >= 0 else -1
            w = w[1:]
        if found < 0:
            return False
        pos = found + len(w)
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_never_raises_only_removes_and_is_idempotent(text: str) -> None:
    try:
        first = clean_article(text)
    except StageError as exc:
        assert exc.code in {"W200", "W201"}
        return
    # only removes: every body word appears in the (normalized) input, in order; the one join
    # allowed is a drop cap ("W" on its own line + "aterlogged ..." -> "Waterlogged ...")
    assert _subsequence(first.body.split(), normalize_text(text))
    # the lead is a prefix of the body's paragraphs, never invented text
    assert first.lead == "" or first.lead in first.body
    # idempotent on its own output
    second = clean_article(first.body, title=first.title)
    assert second.body == first.body


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.text(max_size=40)),
)
def test_metadata_inputs_never_crash(text: str, title: str | None, url: str | None) -> None:
    try:
        res = clean_article(text, title=title, url=url, raw_source=title, published_at=url)
    except StageError as exc:
        assert exc.code in {"W200", "W201"}
        return
    assert res.body.strip()
