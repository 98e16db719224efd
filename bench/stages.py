"""``make bench-stages``: in-process per-stage times, this tree against a baseline commit, one run.

The baseline is checked out as a git worktree under ``bench/.baseline/COMMIT`` (git-ignored). Both
sides run ``bench/stage_worker.py`` in a subprocess pinned to one core, with their own tree first
on PYTHONPATH, over the same generated ~3 KB articles; rounds alternate between the two sides so
machine load falls on both alike. Prints a before/after table of the median and p90 milliseconds
per article, for the whole pipeline and per stage (the ``analysis`` stage is the shared analysis's
own cost), and writes ``stages.json`` and ``stages.md`` (to ``bench/results/`` with ``--save``, else
to the ignored ``bench/.out/``). Times are the thread's CPU time by default (``--clock wall`` for wall-clock time; both are in the JSON): on a shared machine
preemption inflates wall-clock figures of whichever side it hits.

Usage: python -m bench.stages [--baseline COMMIT] [--n N] [--rounds R] [--seed S] [--clock cpu|wall]
                              [--size-kb KB]   (default 3; 0 = the generator's 1-10 KB mix)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.generate import generate_articles
from bench.outdir import results_dir
from bench.stats import percentile

__all__ = ["main", "table"]

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "bench" / ".baseline"
WORKER = ROOT / "bench" / "stage_worker.py"
DEFAULT_BASELINE = "af7d607"


def baseline_tree(commit: str) -> Path:
    """A git worktree of ``commit`` under ``bench/.baseline`` (created once, then reused)."""
    full = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{commit}^{{commit}}"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    path = BASELINES / full[:12]
    if not (path / "streams").is_dir():
        BASELINES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(path), full],
            check=True, capture_output=True,
        )  # fmt: skip
    _build_compiled(path)
    return path


#: ``setup.py build_ext --inplace`` without reading ``pyproject.toml`` (its license form needs a newer
#: setuptools than some environments have): the tree's own ``_extensions()`` and compile flags.
_BUILD = (
    "import runpy, setuptools\n"
    "setuptools.setup = lambda **kw: None\n"
    "exts = runpy.run_path('setup.py', run_name='warta_setup')['_extensions']()\n"
    "dist = setuptools.Distribution({'ext_modules': exts, 'script_args': ['build_ext', '--inplace']})\n"
    "dist.parse_command_line()\n"
    "dist.run_commands()\n"
)


def _build_compiled(tree: Path) -> None:
    """Build the baseline's compiled extensions in place, as its own ``pip install`` would (the
    ``.so`` files are git-ignored, so a fresh worktree has none and would run the pure-Python
    reference path: the comparison would credit this tree with the extension itself). Skipped
    for a commit without ``setup.py``; a failed build is reported, and that side then runs the
    reference path."""
    if not (tree / "setup.py").exists():
        return
    sources = sorted(tree.glob("streams/**/*.pyx"))
    if sources and all(list(src.parent.glob(f"{src.stem}.*.so")) for src in sources):
        return
    proc = subprocess.run([sys.executable, "-c", _BUILD], cwd=tree, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"baseline {tree.name}: building its extensions failed; it runs the pure-Python "
              f"reference path:\n{proc.stderr[-1500:]}", file=sys.stderr)  # fmt: skip


def _run_side(tree: Path, articles: Path, warmup: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_STAGES")}
    env.update(
        PYTHONPATH=str(tree),
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        subprocess.run(
            [sys.executable, str(WORKER), str(articles), str(out), str(warmup)],
            check=True, env=env, cwd=str(tree),
        )  # fmt: skip
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)
    if Path(result["streams"]).resolve() != (tree / "streams").resolve():
        raise RuntimeError(f"the worker imported {result['streams']}, not the tree {tree}")
    return result


def _merge(runs: list[dict[str, Any]], clock: str) -> dict[str, Any]:
    suffix = "_wall_ms" if clock == "wall" else "_ms"
    stage_ms: dict[str, list[float]] = {}
    for r in runs:
        for name, xs in r["stage" + suffix].items():
            stage_ms.setdefault(name, []).extend(xs)
    return {
        "stages": runs[0]["stages"],
        "total_ms": [x for r in runs for x in r["total" + suffix]],
        "stage_ms": stage_ms,
        "startup_ms": [r["startup_ms"] for r in runs],
        "cpu": runs[0]["cpu"],
    }


def _summary(xs: list[float]) -> dict[str, float]:
    return {"median": statistics.median(xs), "p90": percentile(xs, 90), "n": len(xs)} if xs else {}


def table(before: dict[str, Any], after: dict[str, Any], *, label_before: str, label_after: str) -> str:
    """A markdown table: median and p90 ms per article, whole pipeline and per stage."""
    names = list(after["stages"]) + [n for n in before["stages"] if n not in after["stages"]]
    rows = [("pipeline (whole article)", before["total_ms"], after["total_ms"])]
    rows += [(n, before["stage_ms"].get(n, []), after["stage_ms"].get(n, [])) for n in names]
    head = (
        f"| stage | {label_before} median | {label_before} p90 | {label_after} median "
        f"| {label_after} p90 | median speed-up |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    for name, b, a in rows:
        bm, am = (statistics.median(b) if b else None), (statistics.median(a) if a else None)
        cells = [
            f"{bm:.3f}" if bm is not None else "-",
            f"{percentile(b, 90):.3f}" if b else "-",
            f"{am:.3f}" if am is not None else "-",
            f"{percentile(a, 90):.3f}" if a else "-",
            f"{bm / am:.2f}x" if bm and am else "-",
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--baseline", default=os.environ.get("BENCH_BASELINE", DEFAULT_BASELINE))
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_STAGES_N", "300")))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_STAGES_ROUNDS", "3")))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument(
        "--size-kb", type=float, default=3.0, help="article size (default 3 KB); 0 for the 1-10 KB mix"
    )  # fmt: skip
    ap.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu",
        help="thread CPU time (default; robust on a shared machine) or wall-clock time",
    )  # fmt: skip
    ap.add_argument("--save", action="store_true", help="write the tracked bench/results/ files "
                    "(default: the ignored bench/.out/; BENCH_RESULTS=DIR elsewhere)")  # fmt: skip
    args = ap.parse_args(argv)
    base = baseline_tree(args.baseline)
    arts = list(generate_articles(args.n, seed=args.seed, size_kb=args.size_kb or None))
    sizes = [len(a["text"].encode()) for a in arts]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
        runs_b: list[dict[str, Any]] = []
        runs_a: list[dict[str, Any]] = []
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}: baseline {args.baseline} ...", flush=True)
            runs_b.append(_run_side(base, src, args.warmup))
            print(f"round {r + 1}/{args.rounds}: this tree ...", flush=True)
            runs_a.append(_run_side(ROOT, src, args.warmup))
    before, after = _merge(runs_b, args.clock), _merge(runs_a, args.clock)
    wall_b, wall_a = _merge(runs_b, "wall"), _merge(runs_a, "wall")
    head_commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    label_after = f"{head_commit}{'+dirty' if dirty else ''}"
    md = table(before, after, label_before=args.baseline, label_after=label_after)
    bt, at = statistics.median(before["total_ms"]), statistics.median(after["total_ms"])
    intro = (
        f"In-process pipeline, {args.n} generated articles (~{statistics.median(sizes) / 1024:.1f} KB, "
        f"seed {args.seed}) x {args.rounds} rounds per side, one core (CPU {after['cpu']}), "
        f"Python {platform.python_version()}, {platform.machine()}; {args.clock} time per article. "
        f"Whole pipeline median {bt:.3f} -> {at:.3f} ms ({bt / at:.2f}x); wall-clock median "
        f"{statistics.median(wall_b['total_ms']):.3f} -> {statistics.median(wall_a['total_ms']):.3f} ms."
    )
    print()
    print(intro)
    print(md)
    out = results_dir(args.save)
    (out / "stages.md").write_text(f"# Per-stage bench\n\n{intro}\n\n{md}\n", encoding="utf-8")
    summary = {
        "baseline": args.baseline,
        "tree": label_after,
        "n": args.n,
        "rounds": args.rounds,
        "seed": args.seed,
        "clock": args.clock,
        "article_bytes_median": statistics.median(sizes),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "before": {
            "stages": before["stages"],
            "total": _summary(before["total_ms"]),
            "per_stage": {n: _summary(xs) for n, xs in before["stage_ms"].items()},
            "wall_total": _summary(wall_b["total_ms"]),
            "wall_per_stage": {n: _summary(xs) for n, xs in wall_b["stage_ms"].items()},
        },
        "after": {
            "stages": after["stages"],
            "total": _summary(after["total_ms"]),
            "per_stage": {n: _summary(xs) for n, xs in after["stage_ms"].items()},
            "wall_total": _summary(wall_a["total_ms"]),
            "wall_per_stage": {n: _summary(xs) for n, xs in wall_a["stage_ms"].items()},
        },
    }
    (out / "stages.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
