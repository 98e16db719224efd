"""Compare two ``warta process`` outputs record by record, ignoring the fields that vary run to run.

    python -m streams process FILES... > before.jsonl      # the untouched code
    python -m streams process FILES... > after.jsonl       # the refactored code
    python scripts/compare_process.py before.jsonl after.jsonl

Two runs of the same code differ only in ``ingested_at`` and ``processed_at`` (wall-clock times);
every other field must be identical for a pure refactor. Exits 1 and names the first differing
records and fields otherwise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["VARYING", "differences", "main"]

#: Fields that differ between two runs of the same code (timestamps of the run).
VARYING = frozenset({"ingested_at", "processed_at"})


def _records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in VARYING} for line in lines if line.strip()]


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[tuple[int, list[str]]]:
    """``(record index, differing top-level fields)`` of every record that differs (a missing record
    counts as differing in every field)."""
    out: list[tuple[int, list[str]]] = []
    for i in range(max(len(before), len(after))):
        a = before[i] if i < len(before) else {}
        b = after[i] if i < len(after) else {}
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if fields:
            out.append((i, fields))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    before, after = _records(args.before), _records(args.after)
    diff = differences(before, after)
    print(f"{len(before)} vs {len(after)} records; {len(diff)} differ")
    for i, fields in diff[:10]:
        print(f"  record {i} ({(before[i] if i < len(before) else after[i]).get('id')}): {', '.join(fields)}")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())
