"""Train the shipped figure model (deterministic) and optionally print its outlet-held-out scores.

Usage: PYTHONPATH=. python scripts/train_figures.py [--shared ../shared] [--cv 5] [--no-write]
Trains on $WARTA_SHARED/eval/realdev + realtrain (every figure with its evidence and part; the other
numbers are negatives) and writes streams/data/figures/model.json.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from streams.evaluation.figures import TARGETS, TrainConfig, cross_validate, fit, load_articles, model_json
from streams.nlp.figure_model import MODEL_PATH


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("WARTA_SHARED", "../shared")))
    ap.add_argument(
        "--cv", type=int, default=0, help="folds grouped by outlet for a held-out estimate (0: skip)"
    )
    ap.add_argument("--c1", type=float, default=TrainConfig.c1)
    ap.add_argument("--c2", type=float, default=TrainConfig.c2)
    ap.add_argument("--iterations", type=int, default=TrainConfig.iterations)
    ap.add_argument("--min-probability", type=float, default=TrainConfig.min_probability)
    ap.add_argument(
        "--threshold-folds",
        type=int,
        default=TrainConfig.threshold_folds,
        help="outlet folds of the training articles whose held-out figures choose the casualty threshold "
        "(0: --min-probability)",
    )
    ap.add_argument("--target-precision", type=float, default=TrainConfig.target_precision)
    ap.add_argument(
        "--excess-cost",
        type=float,
        default=TrainConfig.excess_cost,
        help="totals a false figure beyond the precision target's allowance costs when choosing the thresholds "
        "(a negative number: the target is hard, figq7's rule)",
    )
    ap.add_argument(
        "--weapon-probability",
        type=float,
        default=TrainConfig.weapon_probability,
        help="a fixed threshold of the drone and missile kinds (default: chosen with the casualty threshold "
        "on the inner folds)",
    )
    ap.add_argument(
        "--calibration-folds",
        type=int,
        default=TrainConfig.calibration_folds,
        help="outlet folds of the training articles that choose each casualty kind's threshold (0: none)",
    )
    ap.add_argument("--fp-cost", type=float, default=TrainConfig.fp_cost)
    ap.add_argument(
        "--calibration-reach",
        type=float,
        default=TrainConfig.calibration_reach,
        help="how far a kind's threshold may be from the one chosen over all kinds",
    )
    ap.add_argument(
        "--bags",
        type=int,
        default=TrainConfig.bags,
        help="heads averaged over this many trainings, each without one fold of outlets (0: one training)",
    )
    ap.add_argument("--no-write", action="store_true", help="only cross-validate")
    args = ap.parse_args()
    cfg = TrainConfig(
        args.c1,
        args.c2,
        args.iterations,
        args.min_probability,
        calibration_folds=args.calibration_folds,
        fp_cost=args.fp_cost,
        calibration_reach=args.calibration_reach,
        bags=args.bags,
        threshold_folds=args.threshold_folds,
        target_precision=args.target_precision,
        weapon_probability=args.weapon_probability,
        excess_cost=None if args.excess_cost is None or args.excess_cost < 0 else args.excess_cost,
    )
    eval_dir = args.shared / "eval"
    arts = load_articles([eval_dir / "realdev" / "manifest.jsonl", eval_dir / "realtrain" / "manifest.jsonl"])
    if args.cv:
        rep = cross_validate(arts, args.cv, cfg)
        for line in rep.folds:
            print(line)
        for key, label, target, _ in TARGETS:
            c = rep.measures[key]
            print(
                f"{label:50} {c.right}/{c.total} = {c.value if c.value is not None else '-'} (target {target})"
            )
    if args.no_write:
        return
    model = fit(arts, cfg)
    MODEL_PATH.write_text(model_json(model), encoding="utf-8")
    print(f"model written to {MODEL_PATH} ({len(model.kind.weights)} + {len(model.part.weights)} features)")
    print(
        f"casualty threshold {model.min_probability:g} (chosen on {cfg.threshold_folds} inner outlet folds, "
        "with the drone and missile one)"
    )
    print("thresholds:", " ".join(f"{k}={v:g}" for k, v in sorted(model.thresholds.items())))


if __name__ == "__main__":
    main()
