"""Seeded generator of realistic synthetic news articles (Indonesian and English, 1-10 KB)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

__all__ = ["generate_articles"]

_ID = {
    "people": [
        "Presiden Joko Widodo",
        "Menteri Luar Negeri Retno Marsudi",
        "Presiden Ukraina Volodymyr Zelensky",
        "Presiden Rusia Vladimir Putin",
        "Sekjen PBB Antonio Guterres",
        "Kapolri Listyo Sigit Prabowo",
        "Gubernur Jawa Barat",
        "juru bicara Kementerian Pertahanan",
    ],
    "places": [
        "Jakarta",
        "Surabaya",
        "Kyiv",
        "Moskow",
        "Gaza",
        "Makassar",
        "Medan",
        "Abu Dhabi",
        "Washington",
    ],
    "subjects": [
        "pemerintah",
        "aparat keamanan",
        "warga",
        "pasukan Rusia",
        "militer Ukraina",
        "tim SAR",
        "Bank Indonesia",
        "para pengunjuk rasa",
        "delegasi kedua negara",
    ],
    "verbs": [
        "menggelar pertemuan dengan",
        "mengecam",
        "menyerukan gencatan senjata kepada",
        "meluncurkan serangan ke",
        "menandatangani kesepakatan dengan",
        "mengevakuasi warga dari",
        "membahas kerja sama dengan",
        "menolak tuntutan",
    ],
    "tails": [
        "pada Selasa malam",
        "menurut keterangan resmi",
        "di tengah ketegangan yang meningkat",
        "sebagaimana dilaporkan kantor berita Antara",
        "setelah perundingan selama dua hari",
        "meski belum ada tanda-tanda kesepakatan",
    ],
    "figures": [
        "sedikitnya {n} orang tewas",
        "{n} drone diluncurkan",
        "sekitar {n}.000 warga mengungsi",
        "{n} tahanan dibebaskan",
        "bantuan senilai Rp {n} miliar",
        "{n} rumah rusak berat",
    ],
    "quote": '"Kami akan terus memantau situasi dan memastikan keselamatan warga," kata {p}.',
    "furniture": [
        "Baca juga: {t}",
        "Dapatkan update berita terkini setiap hari. Ikuti kami di Google News.",
        "FOLLOW US",
        "Editor: {p}",
        "(red/ant)",
        "Simak juga: {t}",
        "Tags: {w} {w} {w}",
    ],
}
_EN = {
    "people": [
        "President Volodymyr Zelensky",
        "Kremlin spokesman Dmitry Peskov",
        "UN Secretary-General Antonio Guterres",
        "Defence Secretary",
        "Foreign Minister Retno Marsudi",
        "the army chief of staff",
    ],
    "places": ["Kyiv", "Moscow", "Jakarta", "Geneva", "Gaza", "Washington", "Brussels", "Kharkiv"],
    "subjects": [
        "the government",
        "Russian forces",
        "Ukraine's military",
        "rescue teams",
        "the central bank",
        "protesters",
        "negotiators from both sides",
        "the United Nations",
    ],
    "verbs": [
        "held talks with",
        "condemned",
        "called for a ceasefire with",
        "launched strikes on",
        "signed an agreement with",
        "evacuated residents from",
        "discussed cooperation with",
        "rejected demands from",
    ],
    "tails": [
        "on Tuesday night",
        "according to an official statement",
        "amid rising tensions",
        "Reuters reported",
        "after two days of negotiations",
        "although no deal was in sight",
    ],
    "figures": [
        "at least {n} people were killed",
        "{n} drones were launched",
        "about {n},000 residents fled",
        "{n} prisoners were released",
        "aid worth ${n} million",
        "{n} homes were destroyed",
    ],
    "quote": '"We will keep monitoring the situation and make sure people are safe," {p} said.',
    "furniture": [
        "Read more: {t}",
        "Sign up for our newsletter to get the latest news.",
        "Share this article",
        "Follow us on X and Facebook",
        "Copyright 2024 Example News. All rights reserved.",
        "Tags: {w} {w} {w}",
    ],
}


def _sentence(rng: random.Random, v: dict[str, Any]) -> str:
    s = f"{rng.choice(v['subjects'])} {rng.choice(v['verbs'])} {rng.choice(v['places'])} {rng.choice(v['tails'])}"
    if rng.random() < 0.4:
        s += ", " + rng.choice(v["figures"]).format(n=rng.randint(2, 900))
    return s[0].upper() + s[1:] + "."


def _article(rng: random.Random, lang: str, size: int) -> tuple[str, str]:
    v = _ID if lang == "id" else _EN
    title = _sentence(rng, v).rstrip(".")[:90]
    paras: list[str] = []
    length = 0
    while length < size:
        para = " ".join(_sentence(rng, v) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.25:
            para += " " + v["quote"].format(p=rng.choice(v["people"]))
        paras.append(para)
        length += len(para) + 2
        if rng.random() < 0.12:
            paras.append(
                rng.choice(v["furniture"]).format(t=_sentence(rng, v), p="Redaksi", w=rng.choice(v["places"]))
            )
    city = rng.choice(v["places"]).upper()
    paras[0] = f"{city} - {paras[0]}"
    paras.append(rng.choice(v["furniture"]).format(t=_sentence(rng, v), p="Redaksi", w="berita"))
    return title, "\n\n".join(paras)


def _near_copy(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 60)):
        i = rng.randrange(len(words))
        words[i] = rng.choice(["juga", "pun", "the", "also", words[i]])
    cut = int(len(words) * rng.uniform(0.75, 1.0))
    return " ".join(words[:cut])


def generate_articles(
    n: int,
    *,
    seed: int = 7,
    dup_share: float = 0.15,
    min_kb: float = 1.0,
    max_kb: float = 10.0,
    size_kb: float | None = None,
) -> Iterator[dict[str, Any]]:
    """``n`` RawArticle dicts; about ``dup_share`` of them near-copies of earlier ones."""
    rng = random.Random(seed)
    originals: list[dict[str, Any]] = []
    for i in range(n):
        if originals and rng.random() < dup_share:
            src = rng.choice(originals)
            yield {"id": f"gen-{seed}-{i}", "title": src["title"], "text": _near_copy(rng, src["text"]),
                   "source": "copycat.example"}  # fmt: skip
            continue
        lang = "id" if rng.random() < 0.6 else "en"
        size = int(1024 * (size_kb if size_kb is not None else rng.uniform(min_kb, max_kb)))
        title, text = _article(rng, lang, size)
        art = {
            "id": f"gen-{seed}-{i}",
            "title": title,
            "text": text,
            "source": f"outlet{rng.randint(1, 30)}.example",
        }
        originals.append(art)
        yield art
