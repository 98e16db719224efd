"""Train the shipped CRF name tagger (deterministic) and print held-out scores on request.

Usage (from the project root, ``nice -n 10`` on a shared machine):

    PYTHONPATH=. python scripts/train_ner.py --valid        # train on the train files, score the valid files
    PYTHONPATH=. python scripts/train_ner.py --real-cv 5    # realdev+realtrain entity recall, outlets held out
    PYTHONPATH=. python scripts/train_ner.py --internal /tmp/m.json --no-write  # the train-internal split
    PYTHONPATH=. python scripts/train_ner.py                # write the shipped model (train + valid files)

Training data ($WARTA_SHARED/eval): ner/conll2003_en_train + ner/nergrit_train (+ their valid files for the
shipped model only), nerui, nerugm_dev, streams/data/kb/ner_en_train.txt and silver lines of the names
annotated in realdev/realtrain. Writes streams/data/kb/ner_case.tsv (how words are written inside sentences
of unlabelled text: the training sentences and IndoSum) and streams/data/kb/ner_model.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from streams.evaluation.ner import (
    NER_VALID,
    TrainConfig,
    default_training,
    evaluate,
    fit,
    internal_split,
    pipeline_tagger,
    read_conll,
    real_cv,
    sentences_language,
    tagger_only,
    write_case_classes,
    write_word_clusters,
)
from streams.nlp.ner_crf import MODEL_PATH, CrfModel


def _print_scores(label: str, rows: list[tuple[str, float, float, float, int]]) -> None:
    for name, p, r, f, n in rows:
        print(f"{label:22} {name:13} P={p:.3f} R={r:.3f} F1={f:.3f} (n={n})", flush=True)


def _internal(shared: Path, path: Path, cfg: TrainConfig) -> None:
    """Train on the train-internal split (or read the model ``path`` trained so before) and score the
    tagger alone and the whole recogniser on its held-out NERGrit and CoNLL sentences."""
    corpora, dev = internal_split(shared)
    if path.is_file():
        model = CrfModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    else:
        t0 = time.time()
        model = fit(corpora, cfg)
        path.write_text(json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n")
        print(f"trained on the internal split in {time.time() - t0:.0f} s: {path}", flush=True)
    for name, sents in dev.items():
        lang = sentences_language(sents)
        _print_scores(f"internal {name} tagger", evaluate(sents, tagger_only(model, lang)).rows())
        _print_scores(f"internal {name}", evaluate(sents, pipeline_tagger(model, lang)).rows())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("WARTA_SHARED", "../shared")))
    ap.add_argument("--valid", action="store_true", help="train without the valid files and score them")
    ap.add_argument("--real-cv", type=int, default=0, help="folds (outlets held out) of realdev+realtrain")
    ap.add_argument(
        "--cache", type=Path, help="keep the real-cv fold models here (re-measure without training)"
    )
    ap.add_argument("--misses", type=Path, help="write the real-cv misses and extra entities here")
    ap.add_argument("--algorithm", default="lbfgs", choices=["lbfgs", "ap"])
    ap.add_argument("--c1", type=float, default=TrainConfig.c1)
    ap.add_argument("--c2", type=float, default=TrainConfig.c2)
    ap.add_argument("--iterations", type=int, default=TrainConfig.iterations)
    ap.add_argument(
        "--silver-repeat",
        type=int,
        default=TrainConfig.silver_repeat,
        help="times the real pages' silver lines are repeated",
    )
    ap.add_argument(
        "--internal",
        type=Path,
        help="model file of the train-internal split (trained when missing) to score on its held-out part",
    )
    ap.add_argument(
        "--nergrit-repeat",
        type=int,
        default=TrainConfig.nergrit_repeat,
        help="times the NERGrit sentences are repeated",
    )
    ap.add_argument("--no-write", action="store_true", help="only evaluate")
    ap.add_argument("--no-clusters", action="store_true", help="train without word-cluster features")
    ap.add_argument(
        "--finest-clusters",
        type=int,
        default=0,
        help="a third, finer word clustering of this many clusters (0: none, as the shipped model)",
    )
    ap.add_argument("--no-lang", action="store_true", help="train without the per-language word features")
    ap.add_argument(
        "--gaz-dropout",
        type=float,
        default=TrainConfig.gaz_dropout,
        help="share of sentences without KB features",
    )
    ap.add_argument(
        "--corpus-domains",
        default="",
        help="comma-separated corpora ('*': all) whose sentences see every attribute once more per corpus, "
        "dropped after training (docs/ner10.md)",
    )
    args = ap.parse_args()
    cfg = TrainConfig(
        args.algorithm,
        args.c1,
        args.c2,
        args.iterations,
        lang_features=not args.no_lang,
        gaz_dropout=args.gaz_dropout,
        silver_repeat=args.silver_repeat,
        nergrit_repeat=args.nergrit_repeat,
        corpus_domains=tuple(c for c in args.corpus_domains.split(",") if c),
    )
    print(f"case classes of {write_case_classes(args.shared)} words written (unlabelled text)", flush=True)
    if args.no_clusters:
        from streams.nlp.ner_crf import CLUSTER_PATH, _clusters

        CLUSTER_PATH.unlink(missing_ok=True)
        _clusters.cache_clear()
    else:
        print(
            f"word clusters of {write_word_clusters(args.shared, args.finest_clusters)} words written",
            flush=True,
        )
    if args.internal:
        _internal(args.shared, args.internal, cfg)
    if args.valid:
        t0 = time.time()
        model = fit(default_training(args.shared), cfg)
        print(f"trained without the valid files in {time.time() - t0:.0f} s", flush=True)
        for name in NER_VALID:
            path = args.shared / "eval" / "ner" / f"{name}.conll"
            sents = read_conll(path)
            _print_scores(name, evaluate(sents, pipeline_tagger(model, sentences_language(sents))).rows())
    if args.real_cv:
        res = real_cv(args.shared, args.real_cv, cfg, log=print, cache=args.cache)
        for key in ("entity_recall", "entity_recall_typed", "entity_gold_share"):
            right, checked = res.counts.get(key, [0, 0])
            print(
                f"real {args.real_cv}-fold outlets held out: {key} {res.value(key):.3f} ({right}/{checked})"
            )
        if args.misses:
            args.misses.write_text(json.dumps(res.misses, indent=1, ensure_ascii=False) + "\n")
    if args.no_write:
        return
    model = fit(default_training(args.shared, final=True), cfg)
    MODEL_PATH.write_text(json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"model written to {MODEL_PATH} ({len(model.weights)} attributes)")


if __name__ == "__main__":
    main()
