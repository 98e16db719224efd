"""The topic evaluation (cross-validated) and the seed checks of topics and events."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from streams.core.records import CameoEvent, EnrichedArticle, Topic
from streams.evaluation.topics import _folds, checks, run_topic_eval

SHARED = Path(os.environ.get("WARTA_SHARED", "../shared"))

SPORT_ID = (
    "Persib menang 3-1 atas Persija dalam laga Liga 1 di stadion. Striker mencetak dua gol dan kiper "
    "menggagalkan penalti; pelatih memuji para pemain dan suporter setelah pertandingan."
)
SPORT_EN = (
    "The striker scored twice as the club won the league match; the coach praised his players and "
    "the goalkeeper saved a penalty at the stadium."
)
TECH_ID = (
    "Ponsel terbaru itu dibekali prosesor baru, kamera 200 MP dan baterai besar. Smartphone Android ini "
    "punya fitur kecerdasan buatan, aplikasi bawaan dan dukungan jaringan 5G."
)


def test_folds_are_stratified_and_deterministic() -> None:
    labels = ["a"] * 10 + ["b"] * 5
    f1 = _folds(labels, 5)
    assert f1 == _folds(labels, 5)
    assert sorted(f1[:10]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_eval_on_a_small_made_up_file(tmp_path: Path) -> None:
    rows = [{"text": SPORT_ID, "category": "olahraga"}, {"text": SPORT_EN, "category": "olahraga"},
            {"text": TECH_ID, "category": "teknologi"}, {"text": "Berita lain.", "category": "tajuk utama"}]  # fmt: skip
    p = tmp_path / "small.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows))
    res = run_topic_eval(p, cv=0)
    assert res.evaluated == 3 and res.skipped == 1
    sport = next(c for c in res.classes if c.code == "medtop:15000000")
    assert sport.tp == 2


def _article(topics: list[str], events: list[tuple[str, bool]]) -> EnrichedArticle:
    body = "x" * 50
    return EnrichedArticle(
        id="a",
        event_id="e",
        body=body,
        topics=[Topic(code=c, label=c, score=0.9, evidence=[(0, 5)]) for c in topics],
        events=[CameoEvent(code=c, label=c, score=0.9, evidence=[(1, 4)], negated=n) for c, n in events],
    )


def test_seed_checks_count_precision_and_recall() -> None:
    gold = {"topics": {"required": ["medtop:16000000"], "optional": ["medtop:11000000"]},
            "events": {"required": ["046"], "optional": ["040"]}}  # fmt: skip
    art = _article(["medtop:16000000", "medtop:15000000"], [("046", False), ("0871", True)])
    res = {r.check: r for r in checks("x", gold, art)}
    assert res["topics recall"].passed
    assert not res["topics precision"].passed  # 1 of 2 in gold
    assert res["events precision"].passed  # the negated ceasefire is not a claim that one happened
    assert res["labels have evidence"].passed
    missing = checks("x", gold, _article([], []))
    assert not next(r for r in missing if r.check == "topics recall").passed


@pytest.mark.skipif(
    not (SHARED / "eval" / "seeds.gold.yaml").exists(),
    reason="seed gold not found: set WARTA_SHARED to the shared folder",
)
def test_seed_topics_and_events_against_gold() -> None:
    from streams.evaluation.seeds import default_gold, run_seed_eval

    results = [
        r for r in run_seed_eval(default_gold(SHARED)) if r.check.startswith(("topics", "events", "labels"))
    ]
    assert results
    failed = [(r.article, r.check, r.detail) for r in results if not r.passed]
    assert not failed


def test_training_is_deterministic_and_exports_json() -> None:
    from streams.nlp.classify_model import DEFAULT_MODEL_PATH, train_model

    texts = [
        SPORT_ID,
        SPORT_EN,
        TECH_ID,
        "Presiden dan DPR membahas anggaran negara.",
        SPORT_ID + " gol",
        TECH_ID + " aplikasi",
    ]
    labels = [
        "medtop:15000000",
        "medtop:15000000",
        "medtop:13000000",
        "other",
        "medtop:15000000",
        "medtop:13000000",
    ]
    a = train_model(texts, labels, min_df=1).to_json()
    b = train_model(texts, labels, min_df=1).to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert DEFAULT_MODEL_PATH.stat().st_size < 3_000_000
    shipped = json.loads(DEFAULT_MODEL_PATH.read_text())
    assert "IndoSum" in shipped["meta"]["trained_on"]
