"""scripts/compare_process.py: two ``warta process`` outputs agree up to the run's timestamps."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("compare_process", ROOT / "scripts" / "compare_process.py")
assert _spec is not None and _spec.loader is not None
compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare)


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_timestamps_are_ignored_and_any_other_field_counts(tmp_path: Path) -> None:
    rec = {"id": "a", "title": "T", "quotes": [{"speaker": "X"}], "processed_at": "1", "ingested_at": "1"}
    before = _write(tmp_path / "before.jsonl", [rec])
    same = _write(tmp_path / "same.jsonl", [{**rec, "processed_at": "2", "ingested_at": "3"}])
    assert compare.main([str(before), str(same)]) == 0
    other = _write(tmp_path / "other.jsonl", [{**rec, "quotes": [{"speaker": "Y"}]}])
    assert compare.main([str(before), str(other)]) == 1
    assert compare.differences([rec], [{**rec, "quotes": []}]) == [(0, ["quotes"])]


def test_a_missing_record_differs(tmp_path: Path) -> None:
    rec = {"id": "a", "title": "T"}
    before = _write(tmp_path / "before.jsonl", [rec, {**rec, "id": "b"}])
    after = _write(tmp_path / "after.jsonl", [rec])
    assert compare.main([str(before), str(after)]) == 1
