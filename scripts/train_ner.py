"""Train the shipped CRF name tagger (deterministic) and optionally print its cross-validated scores.

Usage: PYTHONPATH=. python scripts/train_ner.py [--shared ../shared] [--cv 5] [--algorithm lbfgs|ap]
Trains on $WARTA_SHARED/eval/nerugm_dev.conll + nerui.conll + streams/data/kb/ner_en_train.txt and writes
streams/data/kb/ner_model.json.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from streams.evaluation.ner import TrainConfig, cross_validate, default_training, fit, read_conll
from streams.nlp.ner_crf import MODEL_PATH


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("WARTA_SHARED", "../shared")))
    ap.add_argument("--cv", type=int, default=0, help="folds of NER-UGM for a held-out estimate (0: skip)")
    ap.add_argument("--algorithm", default="lbfgs", choices=["lbfgs", "ap"])
    ap.add_argument("--c1", type=float, default=TrainConfig.c1)
    ap.add_argument("--c2", type=float, default=TrainConfig.c2)
    ap.add_argument("--iterations", type=int, default=TrainConfig.iterations)
    ap.add_argument("--no-write", action="store_true", help="only cross-validate")
    args = ap.parse_args()
    cfg = TrainConfig(args.algorithm, args.c1, args.c2, args.iterations)
    corpora = default_training(args.shared)
    if args.cv:
        ugm = read_conll(args.shared / "eval" / "nerugm_dev.conll")
        extra = {k: v for k, v in corpora.items() if k != "nerugm_dev"}
        scores = cross_validate(ugm, args.cv, extra, cfg)
        for name, p, r, f, n in scores.rows():
            print(f"{name:14} P={p:.3f} R={r:.3f} F1={f:.3f} (n={n})")
    if args.no_write:
        return
    model = fit(corpora, cfg)
    MODEL_PATH.write_text(json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"model written to {MODEL_PATH} ({len(model.weights)} attributes)")


if __name__ == "__main__":
    main()
