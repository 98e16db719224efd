"""``warta eval seeds``: run the pipeline on the seed articles and check them against the gold."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from streams.core.pipeline import build_pipeline
from streams.core.records import EnrichedArticle, RawArticle

__all__ = ["CHECK_MODULES", "CheckResult", "default_gold", "field_checks", "run_seed_eval"]


@dataclass(frozen=True)
class CheckResult:
    article: str
    check: str
    passed: bool
    detail: str = ""
    #: Optional counts for precision/recall style checks: (true positives, reported, expected).
    counts: tuple[int, int, int] | None = None


Check = Callable[[str, dict[str, Any], EnrichedArticle], list[CheckResult]]

#: Modules that define ``checks(name, gold, article) -> list[CheckResult]``; each domain adds its own.
CHECK_MODULES: list[str] = [
    "streams.evaluation.seeds",
    "streams.evaluation.topics",
    "streams.evaluation.seeds_entities",
    "streams.evaluation.seeds_alerts",
]


def default_gold(shared: Path) -> Path:
    """``<shared>/eval/seeds.gold.yaml`` (``shared`` is the ``shared`` setting, ``$WARTA_SHARED``)."""
    return shared / "eval" / "seeds.gold.yaml"


def _norm(s: str | None) -> str:
    return " ".join((s or "").split()).casefold()


def checks(name: str, gold: dict[str, Any], art: EnrichedArticle) -> list[CheckResult]:
    """Field checks of the cleaning and metadata stage."""
    return field_checks(name, gold, art)


def field_checks(name: str, gold: dict[str, Any], art: EnrichedArticle) -> list[CheckResult]:
    out: list[CheckResult] = []
    body = _norm(art.body)
    for prefix in gold.get("must_drop", []):
        out.append(CheckResult(name, "furniture removed", _norm(prefix) not in body, prefix[:50]))
    for prefix in gold.get("must_keep", []):
        out.append(CheckResult(name, "article text kept", _norm(prefix) in body, prefix[:50]))
    if "title" in gold:
        out.append(CheckResult(name, "title", _norm(art.title) == _norm(gold["title"]), str(art.title)[:60]))
    if "language" in gold:
        out.append(CheckResult(name, "language", art.language == gold["language"], str(art.language)))
    if "source_domain" in gold:
        out.append(
            CheckResult(name, "source", art.source.domain == gold["source_domain"], str(art.source.domain))
        )
    if "byline" in gold:
        out.append(CheckResult(name, "byline", _norm(art.byline) == _norm(gold["byline"]), str(art.byline)))
    if "dateline" in gold:
        out.append(
            CheckResult(name, "dateline", _norm(art.dateline) == _norm(gold["dateline"]), str(art.dateline))
        )
    if "published_at" in gold:
        out.append(
            CheckResult(name, "published_at", art.published_at == gold["published_at"], str(art.published_at))
        )
    if "cited_sources" in gold:
        want = {_norm(s) for s in gold["cited_sources"]}
        got = {_norm(s) for s in art.cited_sources}
        found = {w for w in want if any(w == g or w in g.split() or g.startswith(w) for g in got)}
        out.append(CheckResult(name, "cited sources", found == want, ", ".join(art.cited_sources)))
    return out


def run_seed_eval(
    gold_path: Path, seeds_dir: Path | None = None, *, settings: Any = None
) -> list[CheckResult]:
    gold_all: dict[str, Any] = yaml.safe_load(gold_path.read_text())
    seeds_dir = seeds_dir or gold_path.parent.parent / "seeds"
    pipeline = build_pipeline(settings)
    modules = [importlib.import_module(m) for m in CHECK_MODULES]
    results: list[CheckResult] = []
    for fname, gold in gold_all.items():
        path = seeds_dir / fname
        raw = RawArticle(id=Path(fname).stem, text=path.read_text(encoding="utf-8"))
        art = pipeline.run(raw)
        for mod in modules:
            results.extend(mod.checks(fname, gold, art))
    return results
