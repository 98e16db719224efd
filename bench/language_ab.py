"""Language identification on the hot path: lingua as configured against faster alternatives.

Runs ``streams.nlp.language.detect_language`` with each variant over every set at hand and prints, per
variant, the time per text (thread CPU, best of 3, over the article sets), the label accuracy per set and
how many results (label and confidence) equal lingua's as shipped before the shortcut:

- lingua over id/en/ms, high accuracy, on every text (the reference);
- the same with the function-word shortcut before it (``data/text/language_shortcut.yaml``, shipped);
- lingua over id/en/ms in low-accuracy mode (lingua reads trigrams only on texts of 120 characters or
  more in both modes, and the sample is ``sample_chars`` long: the same answers);
- lingua over id/en only (no Malay).

Sets: the clean title + body of every record of a ``warta process`` output (gold: the realdev/realtrain
manifests; the seeds are Indonesian), IndoSum (Indonesian), generated bench articles (their generator's
language), CoNLL-2003 English and NERGrit / NER-UGM / NER-UI Indonesian sentences, alone and joined five
at a time into article-sized texts.

Usage: python -m bench.language_ab PROCESS_OUTPUT.jsonl [--shared ../shared] [--sentences N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["main"]

_ARTICLE_SETS = ("real pages", "IndoSum", "bench 3 KB")


def _variants() -> dict[str, tuple[Callable[[], Any], bool]]:
    from lingua import Language, LanguageDetectorBuilder

    three = (Language.INDONESIAN, Language.ENGLISH, Language.MALAY)
    two = (Language.INDONESIAN, Language.ENGLISH)

    def build(langs: tuple[Any, ...], low: bool) -> Callable[[], Any]:
        def make() -> Any:
            b = LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models()
            return (b.with_low_accuracy_mode() if low else b).build()

        return make

    return {
        "lingua id/en/ms, every text (before)": (build(three, False), False),
        "shortcut, then lingua id/en/ms (shipped)": (build(three, False), True),
        "lingua id/en/ms, low accuracy": (build(three, True), False),
        "lingua id/en": (build(two, False), False),
    }


def _conll(path: Path) -> list[str]:
    sents: list[str] = []
    cur: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(" ".join(cur))
            cur = []
            continue
        tok = line.split("\t")[0].split(" ")[0]
        if tok != "-DOCSTART-":
            cur.append(tok)
    if cur:
        sents.append(" ".join(cur))
    return sents


def _sets(process_output: str, shared: Path, sentences: int) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(set name, [(gold language, text)])."""
    from bench.generate import generate_articles

    gold: dict[str, str] = {}
    for sub in ("realdev", "realtrain"):
        for line in (shared / "eval" / sub / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                m = json.loads(line)
                gold[m["id"]] = m["language"]
    gold.update({p.stem: "id" for p in (shared / "seeds").glob("*.txt")})
    recs = [json.loads(x) for x in Path(process_output).read_text(encoding="utf-8").splitlines() if x]
    yield (
        "real pages",
        [
            (gold[r["id"]], f"{r['title']}\n\n{r['body']}" if r.get("title") else r["body"])
            for r in recs
            if "body" in r and r["id"] in gold
        ],
    )
    indosum = (shared / "eval" / "indosum_dev.jsonl").read_text(encoding="utf-8").splitlines()
    yield "IndoSum", [("id", json.loads(x)["text"]) for x in indosum if x.strip()]
    arts = generate_articles(300, seed=7, size_kb=3)
    yield "bench 3 KB", [("?", f"{a['title']}\n\n{a['text']}") for a in arts]
    ner = shared / "eval" / "ner"
    for name, path, lang in (
        ("CoNLL-2003 en", ner / "conll2003_en_valid.conll", "en"),
        ("CoNLL-2003 en train", ner / "conll2003_en_train.conll", "en"),
        ("NERGrit id", ner / "nergrit_train.conll", "id"),
        ("NER-UGM id", shared / "eval" / "nerugm_dev.conll", "id"),
        ("NER-UI id", shared / "eval" / "nerui.conll", "id"),
    ):
        if not path.is_file():
            continue
        sents = _conll(path)[:sentences]
        yield f"{name} sentences", [(lang, s) for s in sents]
        yield f"{name}, 5 joined", [(lang, " ".join(sents[i : i + 5])) for i in range(0, len(sents), 5)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("process_output")
    ap.add_argument("--shared", default=os.environ.get("WARTA_SHARED", "../shared"))
    ap.add_argument("--sentences", type=int, default=5000, help="sentences read per NER file at most")
    args = ap.parse_args(argv)
    import streams.nlp.language as lang

    sets = list(_sets(args.process_output, Path(args.shared), args.sentences))
    timed = [t for name, texts in sets if name in _ARTICLE_SETS for _, t in texts]
    original = lang.detector
    base: dict[str, list[Any]] = {}
    header = ["variant", "ms / article"] + [f"{name} ({len(texts)})" for name, texts in sets]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for vname, (make, shortcut) in _variants().items():
        det = make()
        lang.detector = lambda cands, det=det: det  # type: ignore[assignment]
        try:
            outs = {
                name: [lang.detect_language(t, shortcut=shortcut) for _, t in texts] for name, texts in sets
            }
            best = float("inf")
            for _ in range(3):
                t0 = time.thread_time()
                for t in timed:
                    lang.detect_language(t, shortcut=shortcut)
                best = min(best, (time.thread_time() - t0) / len(timed) * 1000)
        finally:
            lang.detector = original
        base = base or outs
        cells = [vname, f"{best:.3f}"]
        for name, texts in sets:
            out = outs[name]
            scored = [(g, o) for (g, _), o in zip(texts, out, strict=True) if g != "?"]
            right = sum(o.language == g for g, o in scored)
            same = sum(a == b for a, b in zip(out, base[name], strict=True))
            cells.append(f"{right}/{len(scored)} right, {same} same")
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
