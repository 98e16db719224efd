"""``warta eval ...``: evaluation commands that print tables and a final figure."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["eval_app"]

eval_app = typer.Typer(no_args_is_help=True, help="Evaluate the pipeline against gold data.")
console = Console()


@eval_app.command("seeds")
def eval_seeds(
    gold: Path | None = typer.Argument(None, help="gold YAML (default: ../shared/eval/seeds.gold.yaml)"),
    verbose: bool = typer.Option(False, "-v", help="list every check"),
) -> None:
    """Check the seed articles' EnrichedArticles against the gold labels."""
    from streams.evaluation.seeds import default_gold, run_seed_eval

    gold = gold or default_gold()
    if not gold.exists():
        console.print(f"[red]gold file not found:[/red] {gold} (set WARTA_SHARED or pass the path)")
        raise typer.Exit(2)
    results = run_seed_eval(gold)
    by_check: dict[str, list[bool]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    table = Table(title="seed checks")
    for col in ("article", "check", "ok", "detail"):
        table.add_column(col, overflow="fold")
    for r in results:
        by_check[r.check].append(r.passed)
        if r.counts:
            c = counts[r.check]
            for i in range(3):
                c[i] += r.counts[i]
        if verbose or not r.passed:
            table.add_row(r.article[:16], r.check, "yes" if r.passed else "[red]NO[/red]", r.detail)
    console.print(table)
    summary = Table(title="summary")
    for col in ("check", "passed", "precision", "recall"):
        summary.add_column(col)
    for check, oks in by_check.items():
        tp, rep, exp = counts.get(check, [0, 0, 0])
        p = f"{tp / rep:.3f}" if rep else "-"
        rc = f"{tp / exp:.3f}" if exp else "-"
        summary.add_row(check, f"{sum(oks)}/{len(oks)}", p, rc)
    console.print(summary)
    passed = sum(r.passed for r in results)
    console.print(f"seed checks passed: {passed}/{len(results)}")
    raise typer.Exit(0 if passed == len(results) else 1)


@eval_app.command("dedup")
def eval_dedup(
    path: Path | None = typer.Argument(None, help="evaluation set (JSONL: RawArticle + gold + kind)"),
    make_set: Path | None = typer.Option(None, "--make-set", help="write a seeded set here (from --source)"),
    source: Path | None = typer.Option(
        None, help="articles to build the set from (default: ../shared/eval/indosum_dev.jsonl)"
    ),
    seed: int = typer.Option(7, help="seed of the generated set"),
) -> None:
    """Pairwise precision/recall/F1 of duplicate groups and stories against a gold clustering."""
    from streams.evaluation.dedup import default_source, evaluate
    from streams.evaluation.dedup import make_set as build_set

    if make_set is not None:
        src = source or default_source()
        if not src.exists():
            console.print(f"[red]source not found:[/red] {src} (set WARTA_SHARED or pass --source)")
            raise typer.Exit(2)
        n = build_set(src, make_set, seed=seed)
        console.print(f"wrote {n} articles to {make_set}")
        if path is None:
            return
    if path is None or not path.exists():
        console.print(f"[red]evaluation set not found:[/red] {path} (make one with --make-set OUT.jsonl)")
        raise typer.Exit(2)
    res = evaluate(path)
    for what in ("dedup", "story"):
        total, per_kind = res[what]
        table = Table(title=f"{what}: pairwise scores by variant kind ({res['articles']} articles)")
        for col in ("kind", "tp", "fp", "fn", "precision", "recall", "F1"):
            table.add_column(col)
        for kind, s in sorted(per_kind.items()):
            table.add_row(
                kind, str(s.tp), str(s.fp), str(s.fn), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"
            )
        table.add_row("ALL", str(total.tp), str(total.fp), str(total.fn),
                      f"{total.precision:.3f}", f"{total.recall:.3f}", f"{total.f1:.3f}")  # fmt: skip
        console.print(table)
        console.print(f"{what}: false merges between distinct articles of the same outlet and category: "
                      f"{res[what + '_same_outlet_false_merges']}")  # fmt: skip
    dedup_total = res["dedup"][0]
    console.print(f"flagged duplicates: {res['flagged']}")
    console.print(f"dedup pairwise F1: {dedup_total.f1:.3f}")
