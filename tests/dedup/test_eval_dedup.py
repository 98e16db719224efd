"""The generated evaluation set (built at test time from ../shared, never committed) scores well."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from streams.evaluation.dedup import VARIANT_KINDS, evaluate, make_set, pair_scores


def test_pair_scores_count_pairs() -> None:
    gold = {"a": "1", "b": "1", "c": "2", "d": "3"}
    pred = {"a": "x", "b": "y", "c": "z", "d": "z"}
    kinds = {"a": "original", "b": "exact", "c": "negative", "d": "negative"}
    total, per = pair_scores(gold, pred, kinds)
    assert (total.tp, total.fp, total.fn) == (0, 1, 1)
    assert per["negative"].fp == 1 and per["exact"].fn == 1


def test_generated_set_is_reproducible_and_scores(shared_dir: Path, tmp_path: Path) -> None:
    src = shared_dir / "eval" / "indosum_dev.jsonl"
    if not src.exists():
        pytest.skip(f"{src} is absent")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    make_set(src, a, seed=11, originals=60, negatives=80)
    make_set(src, b, seed=11, originals=60, negatives=80)
    assert a.read_bytes() == b.read_bytes()
    lines = [orjson.loads(x) for x in a.read_bytes().splitlines()]
    assert {d["kind"] for d in lines} >= {"original", "negative", *VARIANT_KINDS}
    res = evaluate(a)
    dedup, per_kind = res["dedup"]
    assert dedup.f1 >= 0.95
    assert res["dedup_same_outlet_false_merges"] == 0
    assert all(per_kind[k].recall >= 0.9 for k in VARIANT_KINDS)
    assert res["story"][0].precision >= 0.9
