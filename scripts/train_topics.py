"""Train the top-level topic model and its calibration on IndoSum (CC BY-SA 4.0), as JSON data files.

Deterministic: same input file -> byte-identical files. Usage:
    python scripts/train_topics.py [INDOSUM.jsonl] [-o streams/data/taxonomy/toplevel_model.json]
        [--calibration streams/data/taxonomy/calibration.json] [--folds 5]
The calibration (Platt scaling) and the reporting thresholds are fitted on cross-validated predictions:
each article's model probability comes from a model trained on the other folds. Report held-out quality
with ``warta eval topics INDOSUM.jsonl --cv 5`` (never on the training articles).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

from streams.evaluation.topics_calibration import cv_candidates, fit_calibration
from streams.nlp.classify_model import CATEGORY_TO_CLASS, DEFAULT_MODEL_PATH, OTHER, train_model
from streams.nlp.topics import CALIBRATION_PATH

__all__ = ["main"]


def _write(path: Path, data: dict[str, object]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    shared = Path(os.environ.get("WARTA_SHARED", "../shared"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(shared / "eval" / "indosum_dev.jsonl"))
    ap.add_argument("-o", "--out", default=str(DEFAULT_MODEL_PATH))
    ap.add_argument("--calibration", default=str(CALIBRATION_PATH))
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    raw = Path(args.data).read_bytes()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    texts = [r.get("text") or "" for r in rows]
    cats = [str(r.get("category", "")).strip().lower() for r in rows]
    labels = [CATEGORY_TO_CLASS.get(c, OTHER) for c in cats]
    source = {
        "trained_on": "IndoSum (CC BY-SA 4.0), " + Path(args.data).name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "articles": len(rows),
    }
    arts = cv_candidates(texts, cats, args.folds)
    calibration = fit_calibration(arts)
    _write(
        Path(args.calibration),
        {
            "lexicon": {"coef": list(calibration.lexicon[0]), "intercept": calibration.lexicon[1]},
            "model": (
                {"coef": list(calibration.model[0]), "intercept": calibration.model[1]}
                if calibration.model
                else None
            ),
            "primary_threshold": calibration.primary,
            "secondary_threshold": calibration.secondary,
            "meta": {
                **source,
                "method": (
                    f"Platt scaling on {args.folds}-fold cross-validated candidates: lexicon [log1p(raw), "
                    "share] for every topic, then [lexicon logit, model logit] for the model's topics; "
                    "labels: sport / technology / entertainment candidates against the IndoSum category; "
                    "thresholds: best F1 of the strongest and of the other candidates"
                ),
            },
        },
    )
    model = train_model(
        texts,
        labels,
        version="indosum-2",
        meta={
            **source,
            "classes": {c: labels.count(c) for c in sorted(set(labels))},
            "algorithm": "sublinear TF-IDF word unigrams + multinomial logistic regression (C=10)",
        },
    )
    out = Path(args.out)
    _write(out, model.to_json())
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {len(model.vocab)} features, classes {model.raw_classes})"
    )
    print(
        f"wrote {args.calibration}: lexicon {calibration.lexicon}, model {calibration.model}, "
        f"primary >= {calibration.primary}, secondary >= {calibration.secondary}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
