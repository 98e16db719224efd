"""Train the top-level topic model on IndoSum (CC BY-SA 4.0) and write it as a JSON data file.

Deterministic: same input file -> byte-identical model. Usage:
    python scripts/train_topics.py [INDOSUM.jsonl] [-o streams/data/taxonomy/toplevel_model.json]
Report held-out quality with ``warta eval topics INDOSUM.jsonl --cv 5`` (never on the training articles).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

from streams.nlp.classify_model import CATEGORY_TO_TOPIC, DEFAULT_MODEL_PATH, OTHER, train_model

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    shared = Path(os.environ.get("WARTA_SHARED", "../shared"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(shared / "eval" / "indosum_dev.jsonl"))
    ap.add_argument("-o", "--out", default=str(DEFAULT_MODEL_PATH))
    args = ap.parse_args(argv)
    raw = Path(args.data).read_bytes()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    texts = [r.get("text") or "" for r in rows]
    labels = [CATEGORY_TO_TOPIC.get(str(r.get("category", "")).strip().lower(), OTHER) for r in rows]
    model = train_model(
        texts,
        labels,
        version="indosum-1",
        meta={
            "trained_on": "IndoSum (CC BY-SA 4.0), " + Path(args.data).name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "articles": len(rows),
            "classes": {c: labels.count(c) for c in sorted(set(labels))},
            "algorithm": "sublinear TF-IDF word unigrams + multinomial logistic regression (C=10)",
        },
    )
    out = Path(args.out)
    out.write_text(
        json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    )
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {len(model.vocab)} features, classes {model.classes})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
