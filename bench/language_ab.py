"""Language identification on the hot path: lingua as configured against restricted alternatives.

Reads the clean title + body of every record of a ``warta process`` output (JSONL) and the texts of
``indosum_dev.jsonl``, runs ``streams.nlp.language.detect_language`` with each detector variant
(lingua over id/en/ms or id/en only, high or low accuracy), and prints the time per article
(thread CPU, best of 3), the accuracy against the realdev/realtrain manifests, IndoSum (all
Indonesian) and the seeds, and how many results (label and confidence) equal today's.

Usage: python -m bench.language_ab PROCESS_OUTPUT.jsonl [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _variants() -> dict[str, Callable[[], Any]]:
    from lingua import Language, LanguageDetectorBuilder

    three = (Language.INDONESIAN, Language.ENGLISH, Language.MALAY)
    two = (Language.INDONESIAN, Language.ENGLISH)

    def build(langs: tuple[Any, ...], low: bool) -> Callable[[], Any]:
        def make() -> Any:
            b = LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models()
            return (b.with_low_accuracy_mode() if low else b).build()

        return make

    return {
        "lingua id/en/ms, high accuracy (today)": build(three, False),
        "lingua id/en/ms, low accuracy": build(three, True),
        "lingua id/en, high accuracy": build(two, False),
        "lingua id/en, low accuracy": build(two, True),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("process_output")
    ap.add_argument("--shared", default=os.environ.get("WARTA_SHARED", "../shared"))
    args = ap.parse_args(argv)
    import streams.nlp.language as lang

    shared = Path(args.shared)
    gold: dict[str, str] = {}
    for sub in ("realdev", "realtrain"):
        for line in (shared / "eval" / sub / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                m = json.loads(line)
                gold[m["id"]] = m["language"]
    recs = [json.loads(x) for x in Path(args.process_output).read_text(encoding="utf-8").splitlines() if x]
    texts = [
        (r["id"], f"{r['title']}\n\n{r['body']}" if r.get("title") else r["body"])
        for r in recs
        if "body" in r
    ]
    indosum = (shared / "eval" / "indosum_dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [("indosum", json.loads(x)["text"]) for x in indosum if x.strip()]
    seeds = {p.stem for p in (shared / "seeds").glob("*.txt")}
    original = lang.detector
    base: list[Any] | None = None
    print("| detector | ms / article | real pages | IndoSum | seeds | same label + confidence as today |")
    print("|---|---:|---:|---:|---|---:|")
    for name, make in _variants().items():
        det = make()
        lang.detector = lambda cands, det=det: det  # type: ignore[assignment]
        try:
            out = [lang.detect_language(t) for _, t in texts]
            best = float("inf")
            for _ in range(3):
                t0 = time.thread_time()
                for _, t in texts:
                    lang.detect_language(t)
                best = min(best, (time.thread_time() - t0) / len(texts) * 1000)
        finally:
            lang.detector = original
        base = base or out
        real = [(i, o) for (i, _), o in zip(texts, out, strict=True) if i in gold]
        ind = [o for (i, _), o in zip(texts, out, strict=True) if i == "indosum"]
        seed_langs = [o.language for (i, _), o in zip(texts, out, strict=True) if i in seeds]
        same = sum(a == b for a, b in zip(out, base, strict=True))
        print(
            f"| {name} | {best:.3f} | {sum(o.language == gold[i] for i, o in real)}/{len(real)} "
            f"| {sum(o.language == 'id' for o in ind)}/{len(ind)} | {', '.join(map(str, seed_langs))} "
            f"| {same}/{len(out)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
