"""Exact and near duplicates, redelivery, expiry and state size, on made-up articles."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from streams.core.errors import StageError
from streams.core.pipeline import MemoryState, build_pipeline
from streams.core.records import RawArticle
from streams.core.routing import MessageMeta, route_message
from streams.core.settings import Settings
from streams.dedup.config import load_config
from streams.dedup.minhash import estimate_containment, estimate_jaccard, signature
from streams.dedup.stage import DedupStage

ID_TEXT = """Pemerintah Kota Bandung meresmikan jalur sepeda baru sepanjang 12 kilometer yang menghubungkan Dago dengan Alun-alun pada Selasa pagi.
Wali Kota Bandung mengatakan jalur itu dibangun untuk mengurangi kemacetan dan polusi udara di pusat kota, terutama pada jam berangkat kerja.
Proyek senilai Rp 45 miliar tersebut dikerjakan selama delapan bulan oleh Dinas Perhubungan bersama kontraktor lokal.
Warga menyambut baik jalur baru itu, meski sebagian pedagang kaki lima khawatir kehilangan tempat berjualan di trotoar.
Dinas Perhubungan berjanji menyediakan lokasi relokasi bagi pedagang dan memasang rambu tambahan di persimpangan yang rawan kecelakaan.
Menurut rencana, jalur serupa akan dibangun di kawasan Buah Batu dan Cibiru tahun depan jika anggaran disetujui DPRD."""

EN_TEXT = """The city council of Leeds approved a plan on Tuesday to close three public libraries and merge their collections into a new central hub.
Council leaders said the move would save about 2.4 million pounds a year while keeping opening hours at the remaining branches unchanged.
Residents in Headingley and Armley protested outside the town hall, saying elderly readers and schoolchildren would lose a quiet place to study.
The new hub, in a refurbished warehouse near the railway station, is due to open next spring with a café and a makerspace for young people.
Opposition councillors called for a public consultation and said they would ask the regional government to review the decision."""

FURNITURE_HEAD = "BERANDA | NASIONAL | EKONOMI\nLaporan Wartawan Kabar Pelita"
FURNITURE_FOOT = "Baca juga: Harga beras turun\nIkuti Kabar Pelita di Google News\nCopyright © Kabar Pelita"


def _pipe(**kw: Any) -> Any:
    settings = Settings(**kw)
    return build_pipeline(settings, MemoryState(), stages=["decode", "ids", "dedup"])


def _raw(
    aid: str, text: str, when: str = "2026-11-20T08:00:00+07:00", source: str | None = None
) -> RawArticle:
    return RawArticle(id=aid, text=text, published_at=when, source=source)


def _trim(text: str, share: float = 0.7) -> str:
    cut = int(len(text) * share)
    return text[: text.rfind(" ", 0, cut)]


def _edit(text: str, seed: int = 3) -> str:
    rng = random.Random(seed)
    words = text.split(" ")
    for _ in range(4):
        i = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i] = "kemudian"
    return " ".join(words)


@pytest.mark.parametrize("text", [ID_TEXT, EN_TEXT], ids=["id", "en"])
@pytest.mark.parametrize(
    ("kind", "make", "method"),
    [
        ("exact", lambda t: t, "exact"),
        ("exact-reflowed", lambda t: "  " + t.replace("\n", "\n\n").upper(), "exact"),
        ("furniture", lambda t: f"{FURNITURE_HEAD}\n\n{t}\n\n{FURNITURE_FOOT}", "near"),
        ("trim70", _trim, "near"),
        ("edit", _edit, "near"),
        ("joined-dateline", lambda t: "JAKARTA, Kabar Pelita - " + " ".join(t.splitlines()), "near"),
    ],
)
def test_variants_are_flagged_as_duplicates_of_the_first(
    text: str, kind: str, make: Any, method: str
) -> None:
    pipe = _pipe()
    first = pipe.run(_raw("a1", text))
    copy = pipe.run(_raw("a2", make(text), when="2026-11-21T09:00:00+07:00", source="kabarpelita.id"))
    assert first.dedup.duplicate_of is None
    assert copy.dedup.duplicate_of == "a1", kind
    assert copy.dedup.method == method
    assert copy.dedup.similarity is not None and 0.5 <= copy.dedup.similarity <= 1.0
    assert copy.dedup.story_id == first.dedup.story_id


def test_duplicate_of_points_to_the_earliest_of_the_group() -> None:
    pipe = _pipe()
    pipe.run(_raw("a1", ID_TEXT))
    pipe.run(_raw("a2", _edit(ID_TEXT, 1)))
    third = pipe.run(_raw("a3", _edit(_edit(ID_TEXT, 1), 2)))
    assert third.dedup.duplicate_of == "a1"


def test_distinct_articles_are_not_duplicates() -> None:
    pipe = _pipe()
    a = pipe.run(_raw("a1", ID_TEXT))
    b = pipe.run(_raw("b1", EN_TEXT))
    assert b.dedup.duplicate_of is None
    assert a.dedup.story_id != b.dedup.story_id


def test_same_outlet_boilerplate_does_not_make_a_duplicate() -> None:
    # Two different stories wrapped in the same long outlet furniture.
    furniture = "\n".join(f"Baca juga: berita pilihan redaksi nomor {i} hari ini" for i in range(6))
    pipe = _pipe()
    pipe.run(_raw("a1", f"{ID_TEXT}\n{furniture}"))
    b = pipe.run(_raw("b1", f"{EN_TEXT}\n{furniture}"))
    assert b.dedup.duplicate_of is None


def test_redelivery_of_the_same_article_is_not_a_duplicate_of_itself() -> None:
    pipe = _pipe()
    first = pipe.run(_raw("a1", ID_TEXT))
    again = pipe.run(_raw("a1", ID_TEXT))
    assert again.dedup.duplicate_of is None
    assert again.dedup.story_id == first.dedup.story_id
    # A redelivered duplicate keeps its verdict.
    dup = pipe.run(_raw("a2", ID_TEXT))
    dup_again = pipe.run(_raw("a2", ID_TEXT))
    assert dup.dedup == dup_again.dedup and dup_again.dedup.duplicate_of == "a1"


def test_an_update_under_the_same_id_is_not_a_duplicate_of_itself() -> None:
    pipe = _pipe()
    pipe.run(_raw("a1", ID_TEXT))
    updated = pipe.run(_raw("a1", ID_TEXT + "\nPembaruan: DPRD menyetujui anggaran tambahan."))
    assert updated.dedup.duplicate_of is None


def test_window_expires_old_articles() -> None:
    pipe = _pipe(dedup_window_days=2)
    pipe.run(_raw("a1", ID_TEXT, when="2026-11-01T08:00:00+00:00"))
    late = pipe.run(_raw("a2", ID_TEXT, when="2026-11-05T08:00:00+00:00"))
    assert late.dedup.duplicate_of is None
    soon = pipe.run(_raw("a3", ID_TEXT, when="2026-11-06T08:00:00+00:00"))
    assert soon.dedup.duplicate_of == "a2"


def test_expiry_frees_state() -> None:
    state = MemoryState()
    pipe = build_pipeline(Settings(dedup_window_days=1), state, stages=["decode", "ids", "dedup"])
    for i in range(5):
        pipe.run(_raw(f"old{i}", f"{ID_TEXT}\nCatatan {i}: " + " ".join(f"kata{i}x{j}" for j in range(80)),
                      when="2026-11-01T08:00:00+00:00"))  # fmt: skip
    before = len(state.tables["dedup_articles"])
    pipe.run(_raw("new", EN_TEXT, when="2026-11-10T08:00:00+00:00"))
    assert before == 5
    assert len(state.tables["dedup_articles"]) == 1
    assert len(state.tables["dedup_stories"]) == 1


def test_state_is_json_serializable_and_compact() -> None:
    state = MemoryState()
    pipe = build_pipeline(Settings(), state, stages=["decode", "ids", "dedup"])
    rng = random.Random(5)
    vocab = ID_TEXT.split() + EN_TEXT.split()
    n = 40
    for i in range(n):
        text = " ".join(rng.choice(vocab) for _ in range(450))
        pipe.run(_raw(f"https://example.com/{i}", text, source="example.com"))
    size = sum(
        len(orjson.dumps(k)) + len(orjson.dumps(v)) for t in state.tables.values() for k, v in t.items()
    )
    assert size / n < 1024


def test_stage_without_content_hash_raises_stage_error() -> None:
    from streams.core.doc import Doc

    stage = DedupStage(Settings(), MemoryState())
    doc = Doc.from_raw(_raw("x", "teks"))
    doc.body = "teks"
    with pytest.raises(StageError) as exc:
        stage(doc)
    assert exc.value.code == "W301"


def test_duplicate_notice_is_routed() -> None:
    pipe = _pipe()
    meta = MessageMeta("raw", 0, 1, None)
    route_message(pipe, orjson.dumps({"id": "a1", "text": EN_TEXT}), meta)
    routed = route_message(pipe, orjson.dumps({"id": "a2", "text": _trim(EN_TEXT)}), meta)
    roles = [o.role for o in routed.outputs]
    assert "duplicates" in roles
    notice = next(o.record for o in routed.outputs if o.role == "duplicates")
    assert notice.duplicate_of == "a1" and notice.method == "near"  # type: ignore[attr-defined]


def test_minhash_estimates() -> None:
    cfg = load_config()
    a = [f"s{i}" for i in range(400)]
    b = a[:280]
    ja = estimate_jaccard(signature(a, cfg), signature(b, cfg), cfg)
    assert 0.5 < ja < 0.9
    assert estimate_containment(0.7, 400, 280) == pytest.approx(1.0)
    assert estimate_jaccard(signature(a, cfg), signature([f"t{i}" for i in range(400)], cfg), cfg) < 0.15


@pytest.mark.parametrize(
    "text",
    [
        "!!!",
        "😀" * 500,
        "x" * 50_000,
        "1 2 3 4 5 6 7 8 9 10 11 12 13",
        "مرحبا بالعالم " * 40,
        "A\u0301\u0301 b\u200b c\u00ad d " * 100,  # NUL-heavy text is W201 binary, tested in ingest
        "Zelensky " * 3000,
    ],
)
def test_odd_inputs_never_crash(text: str) -> None:
    pipe = _pipe()
    a = pipe.run(_raw("o1", text, when="not a date"))
    b = pipe.run(_raw("o2", text, when="9999-12-31T00:00:00+00:00"))
    assert a.dedup.duplicate_of is None
    assert b.dedup.duplicate_of == "o1"


def test_eval_cli_makes_a_set_and_scores(shared_dir: Any, tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from streams.cli.main import app

    src = shared_dir / "eval" / "indosum_dev.jsonl"
    if not src.exists():
        pytest.skip(f"{src} is absent")
    out = tmp_path / "set.jsonl"
    res = CliRunner().invoke(
        app, ["eval", "dedup", "--make-set", str(out), "--source", str(src), "--seed", "3"]
    )
    assert res.exit_code == 0, res.output
    assert out.exists()
    res = CliRunner().invoke(app, ["eval", "dedup", str(out)])
    assert res.exit_code == 0, res.output
    assert "dedup pairwise F1:" in res.output


def test_stories_open_gauge_follows_the_story_table() -> None:
    from streams.observability.metrics import STORIES_OPEN

    pipe = _pipe()
    pipe.run(_raw("g1", "Banjir besar melanda Kota Semarang, ribuan warga mengungsi ke masjid. " * 5))
    pipe.run(_raw("g2", "Harga saham teknologi di bursa New York jatuh tajam pada Senin pagi. " * 5))
    assert STORIES_OPEN._value.get() == 2


def test_window_is_arrival_time_so_an_old_dated_copy_meets_its_original() -> None:
    """An original dated two years ago and an undated copy, both arriving now: still duplicates."""
    import time as _time

    pipe = _pipe()
    body = " ".join(f"kalimat nomor {i} tentang banjir di kota pesisir utara" for i in range(40))
    now = _time.time()
    first = _raw("old1", body, when="2024-03-12T14:20:00+07:00").model_copy(update={"ingested_at": now})
    copy = RawArticle(id="old2", text=_trim(body, 0.85), ingested_at=now + 60)
    pipe.run(first)
    out = pipe.run(copy)
    assert out.dedup.duplicate_of == "old1"
