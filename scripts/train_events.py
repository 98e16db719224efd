"""Train the event models (trigger/modality classifier, source and target rankers) on the gold events.

Deterministic: the same gold files and articles give a byte-identical model file. Usage:
    python scripts/train_events.py [GOLD_DIR] [-o streams/data/events/models/events_model.json]
GOLD_DIR (default ``$WARTA_SHARED/eval/events``) holds ``realdev.jsonl`` and ``realtrain.jsonl``; their
articles are read from ``../realdev`` and ``../realtrain``. Report held-out quality with
``warta eval events GOLD_DIR --cv 5`` (outlets held out), never on the training articles.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from streams.evaluation.events import choose_thresholds, load_articles, models_to_json, train_models
from streams.nlp.events import THRESHOLDS, EventModels

__all__ = ["main"]

_DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "streams" / "data" / "events" / "models" / "events_model.json"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("WARTA_SHARED", "../shared"))
    ap.add_argument("gold", nargs="?", type=Path, default=shared / "eval" / "events")
    ap.add_argument("-o", "--out", type=Path, default=_DEFAULT_OUT)
    ap.add_argument(
        "--folds", type=int, default=5, help="folds (outlets held out) that choose the thresholds"
    )
    args = ap.parse_args(argv)
    articles = sorted(load_articles(args.gold), key=lambda a: a.id)
    if not articles:
        print(f"no gold articles under {args.gold}")
        return 2
    defaults = EventModels.__dataclass_fields__
    thresholds: dict[str, Any] = {k: defaults[k].default for k in THRESHOLDS}
    # the emission thresholds: chosen by 5-fold cross-validation with outlets held out (as nested in the eval)
    thresholds.update(choose_thresholds(articles, args.folds))
    models = train_models(articles, thresholds=thresholds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = models_to_json(models)
    data["trained_on"] = {"gold": args.gold.name, "articles": len(articles)}
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n")
    n = sum(len(m.weights) for m in (models.trigger, models.source, models.target))
    chosen = ", ".join(f"{k} {thresholds[k]}" for k in ("emit_top", "emit_happened"))
    print(f"wrote {args.out} ({len(articles)} articles, {n} weights; thresholds by CV: {chosen})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
