"""A generator of realistic, full-size news pages (1-2 MB) for the ingest tests: written here, not copied.

A real article page is mostly furniture: analytics and ad scripts, a JSON blob of the page's
state (``__NEXT_DATA__``), CSS, inline SVG icons, menus, related-link lists, ad-slot comments;
the article itself is 5-20 KB. The generator builds such a page, deterministic for a seed,
padded to a target size with that furniture.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

__all__ = ["NewsPage", "news_page"]

_PLACES = ["Jakarta", "Surabaya", "Makassar", "Medan", "Kupang", "Semarang", "Pontianak", "Ambon"]
_PEOPLE = ["Rina Kartika", "Budi Santoso", "Dewi Lestari", "Agus Pratama", "Siti Rahmawati", "Hendra Wijaya"]
_SUBJECTS = [
    "Badan Penanggulangan Bencana Daerah", "Dinas Pekerjaan Umum", "pemerintah provinsi",
    "Kementerian Kesehatan", "kepolisian setempat", "tim relawan gabungan",
]  # fmt: skip
_VERBS = ["mencatat", "melaporkan", "menyebutkan", "menegaskan", "mengumumkan", "memastikan"]
_OBJECTS = [
    "ketinggian air di permukiman warga mencapai satu meter",
    "sebanyak {n} keluarga mengungsi ke gedung sekolah terdekat",
    "bantuan logistik tiba di posko utama pada pukul {h}.00 WIB",
    "jalur utama menuju pelabuhan ditutup sementara untuk kendaraan roda empat",
    "perbaikan tanggul diperkirakan selesai dalam {d} hari ke depan",
    "anggaran darurat sebesar Rp {n} juta telah dicairkan",
]


@dataclass(frozen=True)
class NewsPage:
    html: str
    title: str
    #: a sentence of the article body (to find it in the pipeline's output)
    marker: str
    #: bytes of article text (what is left when the furniture is gone)
    article_chars: int


def _sentence(rng: random.Random, place: str) -> str:
    obj = rng.choice(_OBJECTS).format(n=rng.randint(12, 900), h=rng.randint(6, 22), d=rng.randint(2, 14))
    return f"{rng.choice(_SUBJECTS).capitalize()} {place} {rng.choice(_VERBS)} bahwa {obj}."


def _script(rng: random.Random, size: int) -> str:
    """Minified-looking analytics code."""
    parts: list[str] = []
    total = 0
    while total < size:
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 3)))
        parts.append(f"function {name}{rng.randint(0, 9999)}(e,t){{var n=e[{rng.randint(0, 99)}]||t;"
                     f"return n&&n.push({{k:\"{name}\",v:{rng.random():.6f}}}),n}}")  # fmt: skip
        total += len(parts[-1])
    return "<script>" + ";".join(parts) + "</script>"


def _css(rng: random.Random, size: int) -> str:
    rules: list[str] = []
    total = 0
    while total < size:
        cls = f".c-{rng.randint(0, 99999):05d}"
        rules.append(f"{cls}{{margin:{rng.randint(0, 40)}px;color:#{rng.randint(0, 0xFFFFFF):06x};"
                     f"font:{rng.randint(10, 24)}px/1.4 sans-serif}}")  # fmt: skip
        total += len(rules[-1])
    return "<style>" + "".join(rules) + "</style>"


def _svg(rng: random.Random) -> str:
    path = " ".join(f"L{rng.randint(0, 24)} {rng.randint(0, 24)}" for _ in range(30))
    return f'<svg viewBox="0 0 24 24" class="icon"><path d="M0 0 {path} Z"/></svg>'


def _state_blob(rng: random.Random, size: int) -> str:
    """The page-state JSON of a JavaScript framework: related stories, ads config, menus."""
    stories: list[dict[str, object]] = []
    total = 0
    while total < size:
        place = rng.choice(_PLACES)
        stories.append({"id": rng.randint(10**6, 10**7), "title": _sentence(rng, place)[:80],
                        "summary": _sentence(rng, place), "url": f"/berita/{rng.randint(10**5, 10**6)}",
                        "img": f"https://img.example.test/{rng.getrandbits(64):016x}.jpg"})  # fmt: skip
        total += len(json.dumps(stories[-1]))
    blob = json.dumps({"props": {"pageProps": {"related": stories}}}, ensure_ascii=False)
    return f'<script id="__NEXT_DATA__" type="application/json">{blob}</script>'


def news_page(target_bytes: int = 1_200_000, *, seed: int = 7, paragraphs: int = 14) -> NewsPage:
    """A news page of about ``target_bytes`` (UTF-8), deterministic for ``seed``."""
    rng = random.Random(seed)
    place = rng.choice(_PLACES)
    title = f"Banjir rob rendam {rng.randint(3, 30)} kelurahan di {place}, ribuan warga mengungsi"
    author = rng.choice(_PEOPLE)
    paras = [" ".join(_sentence(rng, place) for _ in range(4)) for _ in range(paragraphs)]
    marker = paras[2].split(". ")[0]
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": "2026-11-24T10:15:00+07:00", "author": {"@type": "Person", "name": author}},
                    ensure_ascii=False)  # fmt: skip
    nav = "".join(f'<li><a href="/kanal/{i}">{_svg(rng)}Kanal {i}</a></li>' for i in range(60))
    related = "".join(f'<li><a href="/berita/{rng.randint(10**5, 10**6)}">{_sentence(rng, rng.choice(_PLACES))[:90]}'
                      "</a></li>" for _ in range(25))  # fmt: skip
    body_paras = "".join(
        f"<p>{p}</p>"
        + (f"<!-- ad-slot inline-{i} --><div class='ad' data-slot='{i}'></div>" if i % 3 == 2 else "")
        for i, p in enumerate(paras)
    )
    article = (f"<article><h1>{title}</h1><div class='byline'>Oleh {author}</div>"
               f"<time datetime='2026-11-24T10:15:00+07:00'>Selasa, 24 November 2026 10:15 WIB</time>"
               f"<figure><img src='/foto.jpg' alt=''><figcaption>Warga {place} mengungsi.</figcaption></figure>"
               f"{body_paras}<div class='baca-juga'><b>Baca juga</b><ul>{related}</ul></div></article>")  # fmt: skip
    head = (f"<head><meta charset='utf-8'><title>{title} - Kabar Contoh</title>"
            f"<meta property='og:title' content='{title}'><meta name='author' content='{author}'>"
            f"<meta property='article:published_time' content='2026-11-24T10:15:00+07:00'>"
            f"<script type='application/ld+json'>{ld}</script>")  # fmt: skip
    fixed = (f"<!DOCTYPE html><html lang='id'>{head}</head><body><header><nav><ul>{nav}</ul></nav></header>"
             f"<main>{article}</main><footer><!-- footer links --><ul>{nav}</ul>FOLLOW US</footer>")  # fmt: skip
    budget = max(0, target_bytes - len(fixed.encode()) - 30)
    furniture = (_css(rng, budget * 2 // 10) + "".join(_script(rng, budget // 20) for _ in range(6))
                 + _state_blob(rng, budget // 2))  # fmt: skip
    html = fixed.replace("</head>", furniture + "</head>", 1) + "</body></html>"
    return NewsPage(html=html, title=title, marker=marker, article_chars=sum(len(p) for p in paras))
