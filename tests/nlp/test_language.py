"""Language detection: Indonesian, English, Malay, mixed text, and the IndoSum dev figure."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from streams.core.doc import Doc
from streams.core.records import RawArticle
from streams.core.settings import Settings
from streams.evaluation.language import evaluate_language
from streams.nlp.language import LanguageStage, detect_language

ID_TEXT = (
    "Pemerintah daerah menyiapkan posko pengungsian di tiga kecamatan setelah sungai meluap pada Senin malam. "
    "Warga diminta tetap waspada karena hujan diperkirakan turun hingga akhir pekan, kata kepala dinas."
)
EN_TEXT = (
    "Officials opened three shelters after the river burst its banks on Monday night. "
    "Residents were told to stay alert as more rain is expected through the weekend, the agency said."
)
MS_TEXT = (
    "Kerajaan negeri telah mengumumkan bahawa semua sekolah akan dibuka semula selepas cuti perayaan. "
    "Menurut kenyataan jabatan, ibu bapa boleh menghantar anak mereka seperti biasa kerana keadaan "
    "sudah selamat dan polis akan berkawal di kawasan sekolah sepanjang minggu ini sahaja."
)
MIXED = (
    "“We will never give up our land, and we will keep fighting until the last soldier,” said the commander. "
    "Komandan itu mengatakan bahwa pasukannya telah bertahan di kota tersebut selama tiga bulan terakhir. "
    "Menurut dia, pasokan amunisi dan makanan masih mencukupi untuk beberapa pekan ke depan, meski serangan "
    "udara terus terjadi setiap malam. Pemerintah juga telah mengirim bantuan kepada warga yang mengungsi "
    "dari desa-desa di sekitar garis depan dan akan terus memantau situasi di wilayah tersebut."
)


def test_indonesian() -> None:
    g = detect_language(ID_TEXT)
    assert g.language == "id" and g.confidence is not None and 0.5 < g.confidence <= 1.0


def test_english() -> None:
    g = detect_language(EN_TEXT)
    assert g.language == "en" and g.confidence is not None and g.confidence > 0.5


def test_clear_malay_is_malay() -> None:
    assert detect_language(MS_TEXT).language == "ms"


def test_indonesian_with_english_quote_stays_indonesian() -> None:
    assert detect_language(MIXED).language == "id"


def test_no_letters_gives_no_language() -> None:
    g = detect_language("12345 --- 678")
    assert g.language is None and g.confidence is None


def test_candidates_restrict_the_answer() -> None:
    assert detect_language(ID_TEXT, ("en", "id")).language == "id"


def test_stage_assigns_language_from_title_and_body() -> None:
    stage = LanguageStage(Settings())
    doc = Doc.from_raw(RawArticle(text=EN_TEXT))
    doc.title, doc.body = "Floods Hit the Capital", EN_TEXT
    stage(doc)
    assert doc.language == "en" and doc.language_confidence is not None


def _shared() -> Path:
    return Path(os.environ.get("WARTA_SHARED", "../shared"))


def test_indosum_dev_is_at_least_99_percent_indonesian(tmp_path: Path) -> None:
    path = _shared() / "eval" / "indosum_dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found (set WARTA_SHARED to the shared data folder)")
    # IndoSum lines carry `text`; feed them as RawArticles (id, text, url)
    lines = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            lines.append(json.dumps({"id": obj["id"], "text": obj["text"], "url": obj.get("url")}))
    raw = tmp_path / "indosum.jsonl"
    raw.write_text("\n".join(lines), encoding="utf-8")
    result = evaluate_language(str(raw), Settings(), expect="id")
    assert result.total == 750
    assert result.accuracy >= 0.99, result.counts


def test_eval_language_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from streams.cli.eval import eval_app

    path = tmp_path / "mixed.jsonl"
    rows = [
        {"id": "a", "text": ID_TEXT, "language": "id"},
        {"id": "b", "text": EN_TEXT, "language": "en"},
        {"id": "c", "text": MIXED},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(eval_app, ["language", str(path)])
    assert result.exit_code == 0, result.output
    assert "language accuracy: 3/3 = 1.0000" in result.output
