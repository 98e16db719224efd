"""``warta eval language``: how many articles of a JSONL file get which language, and how many the gold."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from streams.core.decode import parse_raw_obj
from streams.core.errors import WartaError
from streams.core.pipeline import build_pipeline
from streams.core.settings import Settings

__all__ = ["LanguageEval", "evaluate_language"]


@dataclass(frozen=True, slots=True)
class LanguageEval:
    """Outcome of ``warta eval language``: how many articles got which language."""

    total: int
    counts: dict[str, int]
    correct: int
    errors: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def evaluate_language(path: str, settings: Settings, *, expect: str | None = "id") -> LanguageEval:
    """Run decode, clean and language over a JSONL of RawArticles; gold is each line's
    ``language`` when present, else ``expect``."""
    pipeline = build_pipeline(settings, stages=["decode", "clean", "language"])
    counts: dict[str, int] = {}
    total = correct = errors = 0
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = orjson.loads(line)
            gold = obj.get("language") or expect
            total += 1
            try:
                doc = pipeline.run_doc(parse_raw_obj({k: v for k, v in obj.items() if k != "language"}))
                got = doc.language or "none"
            except WartaError:
                errors += 1
                got = "error"
            counts[got] = counts.get(got, 0) + 1
            correct += got == gold
    return LanguageEval(total=total, counts=counts, correct=correct, errors=errors)
