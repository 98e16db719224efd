"""The seed articles' cleaning and metadata field checks (gold in $WARTA_SHARED/eval/seeds.gold.yaml)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from streams.core.pipeline import build_pipeline
from streams.core.records import RawArticle
from streams.evaluation.seeds import field_checks


def _shared() -> Path:
    return Path(os.environ.get("WARTA_SHARED", "../shared"))


def test_seed_field_checks_all_pass() -> None:
    gold_path = _shared() / "eval" / "seeds.gold.yaml"
    if not gold_path.exists():
        pytest.skip(f"{gold_path} not found (set WARTA_SHARED to the shared data folder)")
    gold_all = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    pipeline = build_pipeline(stages=["decode", "clean", "language", "ids"])
    failed = []
    for fname, gold in gold_all.items():
        text = (gold_path.parent.parent / "seeds" / fname).read_text(encoding="utf-8")
        art = pipeline.run(RawArticle(id=Path(fname).stem, text=text))
        failed += [
            f"{r.article}: {r.check} ({r.detail})" for r in field_checks(fname, gold, art) if not r.passed
        ]
    assert not failed, failed
