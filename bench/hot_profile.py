"""py-spy profile of the in-process pipeline: the share of each stage and of the hottest functions.

Runs the pipeline of this tree over RawArticle JSON lines (or generated articles) in a child
process sampled by ``py-spy record`` (raw collapsed stacks), then keeps only the samples taken
inside ``Pipeline.run_doc`` (start-up and warm-up excluded) and prints, as shares of those samples,
every stage's inclusive time and the functions with the most inclusive and the most own (self)
time. Native frames (the compiled hot path, lingua, pyahocorasick) count for the Python function
that called them.

Usage: python -m bench.hot_profile [--articles FILE.jsonl | --n N --size-kb KB] [--rate HZ] [--top K]
       [--raw FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.generate import generate_articles

__all__ = ["main", "summarise"]

ROOT = Path(__file__).resolve().parent.parent
_CHILD = """
import json, sys
from streams.core.pipeline import MemoryState, build_pipeline
from streams.core.records import RawArticle
from streams.core.settings import Settings
arts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
pipe = build_pipeline(Settings(), MemoryState())
for a in arts[:20]:
    pipe.run(RawArticle(**{**a, "id": "warm-" + a["id"]}))
for a in arts:
    pipe.run(RawArticle(**a))
"""


def _frame(f: str) -> str:
    name, _, rest = f.partition(" (")
    path = rest.split(":")[0].replace(str(ROOT) + "/", "")
    return f"{name} {path}".strip()


def summarise(raw: str, top: int = 25) -> str:
    """Shares of the samples inside ``Pipeline.run_doc``: stages, then functions (inclusive, self)."""
    incl: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for m in re.finditer(r"(.+?) (\d+)\n", raw, flags=re.S):
        stack, count = m.group(1), int(m.group(2))
        if "Pipeline.run_doc" not in stack:
            continue
        total += count
        frames = [_frame(f) for f in stack.split(";")]
        for f in set(frames):
            incl[f] += count
        own[frames[-1]] += count
    total = max(total, 1)
    out = [f"samples inside Pipeline.run_doc: {total}", "", "stage (inclusive):"]
    out += [f"  {c / total:6.1%} {f}" for f, c in incl.most_common() if "Stage.__call__" in f]
    out += ["", "functions (inclusive):"]
    out += [f"  {c / total:6.1%} {f}" for f, c in incl.most_common(top + 2) if "Pipeline.run" not in f]
    out += ["", "functions (self):"]
    out += [f"  {c / total:6.1%} {f}" for f, c in own.most_common(top)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--articles", help="RawArticle JSON lines (default: generated articles)")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--size-kb", type=float, default=3.0, help="0 for the 1-10 KB mix")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--raw", help="also keep py-spy's raw collapsed stacks in this file")
    args = ap.parse_args(argv)
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        print("py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(args.articles) if args.articles else Path(tmp) / "articles.jsonl"
        if not args.articles:
            arts = generate_articles(args.n, seed=args.seed, size_kb=args.size_kb or None)
            src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
        child = Path(tmp) / "child.py"
        child.write_text(_CHILD, encoding="utf-8")
        raw = Path(tmp) / "profile.raw"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [exe, "record", "-r", str(args.rate), "-f", "raw", "-o", str(raw), "--",
               sys.executable, str(child), str(src)]  # fmt: skip
        subprocess.run(cmd, check=True, env=env, cwd=str(ROOT), capture_output=True)
        if args.raw:
            shutil.copyfile(raw, args.raw)
        print(summarise(raw.read_text(errors="replace"), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
