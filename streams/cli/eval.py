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


@eval_app.command("ner")
def eval_ner(
    path: Path = typer.Argument(..., help="CoNLL file: one `token TAG` per line, blank line between sentences"),
    cv: int = typer.Option(5, "--cv", help="folds when the shipped tagger was trained on this file"),
) -> None:
    """Per-type precision, recall and F1 (PERSON, ORGANIZATION, LOCATION) and the micro-F1, exact spans."""
    from streams.evaluation.ner import run_ner_eval

    if not path.exists():
        console.print(f"[red]file not found:[/red] {path}")
        raise typer.Exit(2)
    results = run_ner_eval(path, cv=cv)
    final = 0.0
    for name, scores in results.items():
        table = Table(title=f"NER: {name}")
        for col in ("type", "precision", "recall", "F1", "gold spans"):
            table.add_column(col)
        for typ, p, r, f, n in scores.rows():
            table.add_row(typ, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", str(n))
        console.print(table)
        final = scores.micro_f1
    console.print(f"micro-F1 ({list(results)[-1]}): {final:.3f}")
