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


@eval_app.command("language")
def eval_language(
    path: Path = typer.Argument(..., help="JSONL of RawArticles (a `language` field, when present, is the gold)"),
    expect: str = typer.Option("id", help="gold language for lines without a `language` field"),
) -> None:
    """Share of each detected language over a JSONL file, and the share that matches the gold."""
    from streams.nlp.language import evaluate_language

    if not path.exists():
        console.print(f"[red]file not found:[/red] {path}")
        raise typer.Exit(2)
    result = evaluate_language(str(path), expect=expect)
    table = Table(title=f"languages detected ({result.total} articles)")
    for col in ("language", "articles", "share"):
        table.add_column(col)
    for lang, n in sorted(result.counts.items(), key=lambda kv: -kv[1]):
        table.add_row(lang, str(n), f"{n / result.total:.4f}" if result.total else "-")
    console.print(table)
    console.print(f"language accuracy: {result.correct}/{result.total} = {result.accuracy:.4f}")
