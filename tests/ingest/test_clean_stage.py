"""The clean stage in the pipeline: registration, HTML input, error codes for bad input."""

from __future__ import annotations

import pytest

from streams.core.errors import StageError
from streams.core.pipeline import DEFAULT_STAGES, STAGE_REGISTRY, build_pipeline
from streams.core.records import RawArticle

ARTICLE = (
    "Banjir Rendam Ratusan Rumah di Bekasi\n"
    "Penulis: Dewi Lestari\n"
    "BEKASI - Hujan deras yang mengguyur Kota Bekasi sejak Minggu malam menyebabkan ratusan rumah warga "
    "terendam banjir setinggi satu meter.\n"
    "Baca juga: Jakarta Siaga Banjir\n"
    "Kepala BPBD mengatakan sedikitnya 350 keluarga terdampak, seperti dilaporkan Antara.\n"
    "Dapatkan update berita terkini langsung di WhatsApp Anda."
)

PAGE = """<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>Banjir Rendam Ratusan Rumah di Bekasi - Kabar Contoh</title>
<meta property="og:title" content="Banjir Rendam Ratusan Rumah di Bekasi">
<meta property="og:site_name" content="Kabar Contoh">
<meta name="author" content="Dewi Lestari">
<meta property="article:published_time" content="2024-02-12T08:30:00+07:00">
<link rel="canonical" href="https://www.kabarcontoh.co.id/news/banjir-bekasi">
</head><body><nav><a href="/">Beranda</a> <a href="/news">News</a></nav>
<article><h1>Banjir Rendam Ratusan Rumah di Bekasi</h1>
<p>BEKASI - Hujan deras yang mengguyur Kota Bekasi sejak Minggu malam menyebabkan ratusan rumah warga
terendam banjir setinggi satu meter.</p>
<p>Kepala Badan Penanggulangan Bencana Daerah setempat mengatakan sedikitnya 350 keluarga terdampak dan
sebagian telah dievakuasi ke tempat yang lebih aman.</p>
<p>Baca juga: Jakarta Siaga Banjir, Pintu Air Manggarai Siaga Satu</p>
<p>Petugas gabungan mendirikan dapur umum dan posko kesehatan di sejumlah titik pengungsian.</p>
</article><footer>Copyright © 2024 Kabar Contoh. All rights reserved.</footer></body></html>"""


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return build_pipeline(stages=["decode", "clean", "language", "ids"])


def test_stages_registered_in_order() -> None:
    assert STAGE_REGISTRY["clean"] == "streams.ingest.clean:CleanStage"
    assert STAGE_REGISTRY["language"] == "streams.nlp.language:LanguageStage"
    order = list(DEFAULT_STAGES)
    assert order.index("decode") < order.index("clean") < order.index("language") < order.index("ids")


def test_pipeline_fills_every_clean_field(pipeline) -> None:  # type: ignore[no-untyped-def]
    art = pipeline.run(RawArticle(id="a1", text=ARTICLE, url="https://www.kabarcontoh.co.id/a/1"))
    assert art.title == "Banjir Rendam Ratusan Rumah di Bekasi"
    assert art.byline == "Dewi Lestari"
    assert art.dateline == "BEKASI"
    assert art.body.startswith("Hujan deras")
    assert "Baca juga" not in art.body and "Dapatkan update" not in art.body
    assert art.lead and art.body.startswith(art.lead)
    assert art.source.domain == "kabarcontoh.co.id"
    assert art.cited_sources == ["Antara"]
    assert art.language == "id" and art.language_confidence is not None and art.language_confidence > 0.5
    assert art.url == "https://www.kabarcontoh.co.id/a/1"


def test_a_standfirst_under_a_given_title_stays_article_text(pipeline) -> None:  # type: ignore[no-untyped-def]
    # the text opens with a standfirst, not the title: with a title given it is not taken for one
    text = f"{STANDFIRST}\n" + ARTICLE.split("\n", 2)[2]
    art = pipeline.run(RawArticle(id="t2", title="Judul Dari Produsen", text=text))
    assert art.title == "Judul Dari Produsen"
    assert art.body.startswith(STANDFIRST)


def test_html_input_goes_through_trafilatura_then_cleaning(pipeline) -> None:  # type: ignore[no-untyped-def]
    art = pipeline.run(RawArticle(id="h1", html=PAGE))
    assert art.title == "Banjir Rendam Ratusan Rumah di Bekasi"
    assert art.byline == "Dewi Lestari"
    assert art.dateline == "BEKASI"
    assert art.published_at == "2024-02-12T08:30:00+07:00"
    assert art.source.domain == "kabarcontoh.co.id"
    assert art.url == "https://www.kabarcontoh.co.id/news/banjir-bekasi"
    assert "Baca juga" not in art.body and "Copyright" not in art.body and "Beranda" not in art.body
    assert "350 keluarga" in art.body
    assert art.language == "id"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav>Home</nav><div>Login</div></body></html>",
        "<html><head><title>404</title></head><body><h1>Halaman tidak ditemukan</h1></body></html>",
        "<<<>>>",
    ],
)
def test_html_page_without_article_is_w202(pipeline, html: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StageError) as exc:
        pipeline.run(RawArticle(id="h2", html=html))
    assert exc.value.code == "W202"


def test_text_of_only_furniture_is_w200(pipeline) -> None:  # type: ignore[no-untyped-def]
    text = "FOLLOW US\nBaca juga: Harga Beras Naik\nTags: beras, harga\n© 2024 Contoh Media"
    with pytest.raises(StageError) as exc:
        pipeline.run(RawArticle(id="f1", text=text))
    assert exc.value.code == "W200"


def test_binary_text_is_w201(pipeline) -> None:  # type: ignore[no-untyped-def]
    blob = "".join(chr(i % 32) for i in range(1, 400)) + "\ufffd" * 50 + "abc"
    with pytest.raises(StageError) as exc:
        pipeline.run(RawArticle(id="b1", text=blob))
    assert exc.value.code == "W201"


STANDFIRST = "Ratusan rumah warga di Bekasi terendam setelah hujan deras mengguyur sejak Minggu malam."


def test_given_title_and_published_at_are_honoured(pipeline) -> None:  # type: ignore[no-untyped-def]
    art = pipeline.run(
        RawArticle(
            id="t1",
            title="Judul Dari Produsen",
            text=ARTICLE.split("\n", 2)[2],
            published_at="2024-02-12 08:30",
            source="Kabar Contoh",
        )
    )
    assert art.title == "Judul Dari Produsen"
    assert art.body.startswith("Hujan deras")
    assert art.published_at == "2024-02-12T08:30:00+07:00"
    assert art.source.name == "Kabar Contoh"
