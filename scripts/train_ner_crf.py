"""Train the shipped CRF NER tagger on a CoNLL file (deterministic) and report cross-validated scores.

Usage: PYTHONPATH=. python scripts/train_ner_crf.py ../shared/eval/nerugm_dev.conll [--cv 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from streams.evaluation.ner import cross_validate
from streams.nlp.ner_crf import MODEL_PATH, read_conll, save_model, train_crf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("conll", type=Path)
    ap.add_argument("--cv", type=int, default=5, help="folds for the held-out estimate (0: skip)")
    args = ap.parse_args()
    sents = read_conll(args.conll)
    if args.cv:
        scores = cross_validate(sents, args.cv)
        for name, p, r, f, n in scores.rows():
            print(f"{name:14} P={p:.3f} R={r:.3f} F1={f:.3f} (n={n})")
    crf = train_crf(sents)
    save_model(crf, args.conll)
    print(f"model written to {MODEL_PATH}")


if __name__ == "__main__":
    main()
