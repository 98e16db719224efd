"""``warta eval ...``: evaluation commands that print tables and a final figure."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from streams.core.settings import get_settings

__all__ = ["eval_app"]

#: What "right" means in the held-out reliability tables of ``warta eval topics``.
_RELIABILITY_NOTE = (
    "sport / technology / entertainment labels against the IndoSum category; "
    "articles of other categories are wrong for all three"
)

eval_app = typer.Typer(no_args_is_help=True, help="Evaluate the pipeline against gold data.")
console = Console()


def _check_manifests_and_cv(manifests: list[Path], cv: int) -> None:
    """Exit 2 with a clear message when a manifest is missing or ``--cv`` is 1 or negative."""
    missing = [m for m in manifests if not m.is_file()]
    if missing:
        console.print(f"[red]manifest not found:[/red] {missing[0]} (set WARTA_SHARED or pass the path)")
        raise typer.Exit(2)
    if cv == 1 or cv < 0:
        console.print("[red]--cv must be 0 (the shipped models) or at least 2[/red]")
        raise typer.Exit(2)


@eval_app.command("seeds")
def eval_seeds(
    gold: Path | None = typer.Argument(None, help="gold YAML (default: ../shared/eval/seeds.gold.yaml)"),
    verbose: bool = typer.Option(False, "-v", help="list every check"),
) -> None:
    """Check the seed articles' EnrichedArticles against the gold labels."""
    from streams.evaluation.seeds import default_gold, run_seed_eval

    settings = get_settings()
    gold = gold or default_gold(settings.shared)
    if gold.is_dir():  # e.g. ../shared/seeds or ../shared/eval: look for the gold file beside it
        found = [
            c for c in (gold / "seeds.gold.yaml", gold.parent / "eval" / "seeds.gold.yaml") if c.is_file()
        ]
        if not found:
            console.print(f"[red]{gold} is a directory:[/red] pass the gold YAML (seeds.gold.yaml)")
            raise typer.Exit(2)
        gold = found[0]
    if not gold.exists():
        console.print(f"[red]gold file not found:[/red] {gold} (set WARTA_SHARED or pass the path)")
        raise typer.Exit(2)
    results = run_seed_eval(gold, settings=settings)
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
    path: Path = typer.Argument(
        ..., help="JSONL of RawArticles (a `language` field, when present, is the gold)"
    ),
    expect: str = typer.Option("id", help="gold language for lines without a `language` field"),
) -> None:
    """Share of each detected language over a JSONL file, and the share that matches the gold."""
    from streams.evaluation.language import evaluate_language

    if not path.exists():
        console.print(f"[red]file not found:[/red] {path}")
        raise typer.Exit(2)
    result = evaluate_language(str(path), get_settings(), expect=expect)
    table = Table(title=f"languages detected ({result.total} articles)")
    for col in ("language", "articles", "share"):
        table.add_column(col)
    for lang, n in sorted(result.counts.items(), key=lambda kv: -kv[1]):
        table.add_row(lang, str(n), f"{n / result.total:.4f}" if result.total else "-")
    console.print(table)
    console.print(f"language accuracy: {result.correct}/{result.total} = {result.accuracy:.4f}")


@eval_app.command("topics")
def eval_topics(
    path: Path = typer.Argument(..., help="JSONL with `text` and an IndoSum-style `category`"),
    cv: int = typer.Option(
        5, "--cv", help="k-fold cross-validation of the trained model (0: use the shipped model)"
    ),
    lexicon_only: bool = typer.Option(
        False, "--lexicon-only", help="score the lexicons alone, without the model"
    ),
    real: Path | None = typer.Option(
        None, "--real", help="also a reliability table on a `warta eval real` manifest (all 17 topics)"
    ),
) -> None:
    """Per-class precision/recall/F1 and macro-F1 over sport / technology / entertainment."""
    from streams.evaluation.topics import run_topic_eval

    if not path.exists():
        console.print(f"[red]file not found:[/red] {path}")
        raise typer.Exit(2)
    if cv == 1 or cv < 0:
        console.print("[red]--cv must be 0 (no cross-validation) or at least 2[/red]")
        raise typer.Exit(2)
    if cv == 0 and not lexicon_only:
        console.print(
            "[yellow]--cv 0: using the shipped model; figures are only held out if it was not trained on "
            f"{path.name}[/yellow]"
        )
    with console.status(f"classifying ({cv}-fold cross-validation of the model)" if cv else "classifying"):
        result = run_topic_eval(path, cv=cv, use_model=not lexicon_only)
    _print_topic_scores(result, path)
    if lexicon_only:
        held = "lexicons only, no trained model"
    else:
        held = (
            f"{result.folds}-fold cross-validated" if result.folds else "shipped model, not cross-validated"
        )
    if result.calibrated:
        _print_held_out_reliability(result.calibrated)
    if real is not None:
        _print_manifest_reliability(real)
    ent = next((c for c in result.classes if c.code == "medtop:01000000"), None)
    if ent is not None:
        console.print(f"entertainment recall: {ent.recall:.3f}")
    console.print(f"macro-F1 (sport, technology, entertainment; {held}): {result.macro_f1:.4f}")


def _print_topic_scores(result: Any, path: Path) -> None:
    """The per-class table and the confusion table of ``warta eval topics``."""
    from streams.nlp.topics import load_taxonomy

    taxonomy = load_taxonomy()
    table = Table(
        title=f"topics on {path.name} ({result.evaluated} articles, {result.skipped} of other categories skipped)"
    )
    for col in ("code", "label", "precision", "recall", "F1", "support"):
        table.add_column(col)
    for c in result.classes:
        table.add_row(
            c.code,
            taxonomy[c.code].label,
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{c.f1:.3f}",
            str(c.tp + c.fn),
        )
    console.print(table)
    conf = Table(title="confusion (gold -> predicted; '-' = none of the three)")
    for col in ("gold", "predicted", "articles"):
        conf.add_column(col)
    for (g, p), n in sorted(result.confusion.items()):
        conf.add_row(g, p, str(n))
    console.print(conf)


def _reliability_table(title: str, pairs: list[tuple[float, int]], caption: str) -> Table:
    from streams.evaluation.topics_calibration import reliability

    rel = Table(title=title, caption=caption)
    for col in ("score", "labels", "mean score", "share right"):
        rel.add_column(col)
    for lo, hi, n, mean, right in reliability(pairs):
        rel.add_row(f"{lo:.1f}-{hi:.1f}", str(n), f"{mean:.3f}", f"{right:.3f}")
    return rel


def _print_held_out_reliability(calibrated: list[tuple[float, int, bool]]) -> None:
    """Reliability tables of the cross-fitted scores and their expected calibration error."""
    from streams.evaluation.topics_calibration import reliability

    for title, pairs in (
        ("every checkable label", [(p, y) for p, y, _ in calibrated]),
        ("reported labels", [(p, y) for p, y, r in calibrated if r]),
    ):
        console.print(_reliability_table(f"reliability, held out: {title}", pairs, _RELIABILITY_NOTE))
    n = len(calibrated)
    ece = sum(
        n_bin * abs(mean - right)
        for _, _, n_bin, mean, right in reliability([(p, y) for p, y, _ in calibrated])
    ) / max(1, n)
    console.print(f"expected calibration error (held out, {n} labels): {ece:.3f}")


def _print_manifest_reliability(real: Path) -> None:
    """Reliability of the shipped model's top-level scores on a `warta eval real` manifest."""
    from streams.evaluation.topics_calibration import manifest_probs

    if not real.is_file():
        console.print(f"[red]manifest not found:[/red] {real}")
        raise typer.Exit(2)
    probs = manifest_probs(real)
    for title, pairs in (
        ("every top-level candidate", [(p, y) for p, y, _ in probs]),
        ("reported top-level topics", [(p, y) for p, y, r in probs if r]),
    ):
        caption = "right = a required or optional code of the manifest"
        console.print(_reliability_table(f"reliability on {real.parent.name}: {title}", pairs, caption))


@eval_app.command("ner")
def eval_ner(
    path: Path = typer.Argument(
        ..., help="CoNLL file: one `token TAG` per line, blank line between sentences"
    ),
    cv: int = typer.Option(
        0,
        "--cv",
        help="also K-fold cross-validate: the pipeline recogniser trained on the other folds (+ NER-UI and "
        "the other training corpora) tags each fold; no sentence is in both parts",
    ),
    tag_map: str = typer.Option(
        "",
        "--map",
        help="tag mapping on top of the default (PER/PERSON, ORG/ORGANISATION/ORGANIZATION, LOC/LOCATION/"
        "PLACE/GPE; anything else, e.g. MISC, is O), e.g. `--map FAC=LOCATION,GPE=O`",
    ),
) -> None:
    """Per-type precision, recall and F1 (PERSON, ORGANIZATION, LOCATION) and the micro-F1, exact spans,
    of the recogniser the pipeline runs (CRF tagger, span cleaning, knowledge-base linking, coreference)."""
    from streams.evaluation.ner import parse_tag_map, run_ner_eval

    if not path.exists():
        console.print(f"[red]file not found:[/red] {path}")
        raise typer.Exit(2)
    results = run_ner_eval(path, cv=cv, shared=get_settings().shared, tag_map=parse_tag_map(tag_map))
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
        src = source or default_source(get_settings().shared)
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
    res = evaluate(path, get_settings())
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


@eval_app.command("real")
def eval_real(
    manifest: Path = typer.Argument(..., help="manifest JSONL (the format of ../shared/eval/realdev)"),
    articles: Path | None = typer.Argument(None, help="directory of <id>.txt (default: articles/ beside it)"),
    verbose: bool = typer.Option(False, "-v", help="list the misses of every article"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object instead of tables"),
    no_url: bool = typer.Option(False, "--no-url", help="do not hand the manifest URL to the pipeline"),
) -> None:
    """Title, byline, date, topics, casualty figures, entities, quotes and cleaning on real pages."""
    import json as _json

    from streams.evaluation.real import MEASURES, run_real_eval

    if not manifest.is_file():
        console.print(f"[red]manifest not found:[/red] {manifest}")
        raise typer.Exit(2)
    articles = articles or manifest.parent / "articles"
    if not articles.is_dir():
        console.print(f"[red]articles directory not found:[/red] {articles}")
        raise typer.Exit(2)
    report = run_real_eval(manifest, articles, use_url=not no_url)
    if as_json:
        print(_json.dumps(report.to_json(), ensure_ascii=False))
        return
    labels = dict(MEASURES)
    if verbose:
        for art in report.articles:
            if art.error:
                console.print(f"[red]{art.id}: {art.error}[/red]")
                continue
            if not art.misses:
                continue
            table = Table(title=art.id, show_header=True)
            table.add_column("measure")
            table.add_column("right/checked")
            table.add_column("misses", overflow="fold")
            for key, missed in art.misses.items():
                right, checked = art.counts[key]
                table.add_row(key, f"{right}/{checked}", "\n".join(missed))
            console.print(table)
    table = Table(title=f"real pages: {manifest} ({len(report.articles)} articles)")
    for col in ("measure", "right", "checked", "value"):
        table.add_column(col)
    for key, m in report.measures.items():
        table.add_row(labels[key], str(m.right), str(m.checked), "-" if m.value is None else f"{m.value:.3f}")
    console.print(table)
    errors = [a for a in report.articles if a.error]
    for a in errors:
        console.print(f"[red]not evaluated: {a.id}: {a.error}[/red]")
    print(report.summary)


@eval_app.command("events")
def eval_events(
    gold: Path | None = typer.Argument(
        None, help="gold events: a directory of <split>.jsonl beside ../<split>/manifest.jsonl, or one file"
    ),
    cv: int = typer.Option(
        5, "--cv", help="K-fold cross-validation with outlets held out (0: shipped model)"
    ),
    verbose: bool = typer.Option(False, "-v", help="list every emitted event and every missed main event"),
    nested: bool = typer.Option(
        True, "--nested/--fixed", help="thresholds chosen by CV inside the training folds, or the defaults"
    ),
) -> None:
    """CAMEO events against gold: precision of the events that happened, events asserted that did not
    happen, main events found and source actor right (outlets held out with --cv)."""
    from streams.evaluation.events import run_event_eval

    gold = gold or get_settings().shared / "eval" / "events"
    if not gold.exists():
        console.print(f"[red]gold not found:[/red] {gold} (set WARTA_SHARED or pass the path)")
        raise typer.Exit(2)
    if cv == 1 or cv < 0:
        console.print("[red]--cv must be 0 (shipped model, in-sample) or at least 2[/red]")
        raise typer.Exit(2)
    rep = run_event_eval(gold, cv=cv, nested=nested)
    if verbose:
        for line in rep.lines:
            console.print(line, markup=False, highlight=False)
    for k, th in enumerate(rep.thresholds):
        console.print(f"fold {k}: thresholds chosen inside its training folds: {th}", highlight=False)
    held = f"{cv}-fold, outlets held out" if cv else "shipped model, in-sample"
    table = Table(title=f"events on {gold} ({held})")
    for col in ("measure", "right", "of", "value", "target"):
        table.add_column(col)
    table.add_row("events precision (CAMEO root of an event that happened)", str(rep.right_root),
                  str(rep.emitted_happened), f"{rep.precision:.3f}", ">= 0.85")  # fmt: skip
    table.add_row("events asserted that did not happen", str(rep.not_happened), str(rep.emitted_happened),
                  f"{rep.not_happened_share:.3f}", "<= 0.03")  # fmt: skip
    table.add_row(
        "main events found", str(rep.main_found), str(rep.main_total), f"{rep.main_recall:.3f}", ">= 0.85"
    )
    table.add_row("source actor right", str(rep.source_right), str(rep.source_checked),
                  f"{rep.source_accuracy:.3f}", ">= 0.85")  # fmt: skip
    console.print(table)
    console.print(f"events precision ({held}): {rep.precision:.3f}")


@eval_app.command("figures")
def eval_figures(
    manifests: list[Path] = typer.Argument(
        ..., help="realdev/realtrain-style manifest.jsonl files (articles/<id>.txt beside each)"
    ),
    cv: int = typer.Option(5, "--cv", help="folds grouped by outlet (0: score the shipped model in-sample)"),
    verbose: bool = typer.Option(False, "-v", help="list every miss"),
    alerts: Path | None = typer.Option(
        None, "--alerts", help="rules YAML: also list the figure-rule alerts it fires, with a verdict each"
    ),
) -> None:
    """Figure kinds, parts and headlines against the manifests' figures, with outlets held out."""
    from streams.evaluation.figures import cross_validate, figure_alerts, load_articles, shipped

    _check_manifests_and_cv(manifests, cv)
    arts = load_articles(manifests)
    report = cross_validate(arts, cv) if cv else shipped(arts)
    _print_figure_report(
        report, f"{len(arts)} articles, " + (f"{cv}-fold CV by outlet" if cv else "in-sample")
    )
    for line in report.folds:  # each outer fold's thresholds, chosen on its own inner folds
        console.print(line, highlight=False, soft_wrap=True)
    if verbose:
        for miss in report.misses:
            console.print(miss, markup=False)
    if alerts is not None:
        rows = figure_alerts(manifests, alerts, cv)
        table = Table(
            title=f"figure-rule alerts of {alerts} ({'held-out models' if cv else 'shipped model'})"
        )
        for col in ("article", "rule", "figure", "text", "verdict"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r.article, r.rule, f"{r.kind}={r.value:g}", r.text, r.verdict)
        console.print(table)
        right = sum(r.verdict == "total" for r in rows)
        print(f"figure-rule alerts: {len(rows)}, carrying the article's own total: {right}")


def _print_figure_report(report: Any, title: str) -> None:
    from streams.evaluation.figures import TARGETS

    def fmt(c: Any) -> str:
        return "-" if c.value is None else f"{c.value:.3f}"

    for name, p_map, r_map in (
        ("kind", report.kind_p, report.kind_r),
        ("part", report.part_p, report.part_r),
    ):
        table = Table(title=f"figures per {name} ({title})")
        for col in (name, "precision", "recall", "gold"):
            table.add_column(col)
        for k in sorted(set(p_map) | set(r_map)):
            table.add_row(k, fmt(p_map[k]), fmt(r_map[k]), str(r_map[k].total))
        console.print(table)
    table = Table(title=f"figure measures ({title})")
    for col in ("measure", "right/checked", "value", "target"):
        table.add_column(col)
    for key, label, target, lower in TARGETS:
        c = report.measures[key]
        tgt = "-" if target is None else ("<= " if lower else ">= ") + f"{target:.2f}"
        table.add_row(label, f"{c.right}/{c.total}", fmt(c), tgt)
    console.print(table)
    m = report.measures
    print(
        f"figures: casualty P {fmt(m['casualty_precision'])}, totals R {fmt(m['total_recall'])}, "
        f"headline total {fmt(m['headline_total'])}, launched/downed confused {fmt(m['weapon_confusion'])}, "
        f"not-figures kept out {fmt(m['not_figures'])}"
    )


@eval_app.command("alerts")
def eval_alerts(
    manifests: list[Path] = typer.Argument(
        None,
        help="realdev/realtrain-style manifest.jsonl files (default: realdev and realtrain of ../shared)",
    ),
    cv: int = typer.Option(
        5, "--cv", help="folds grouped by outlet for the figure and event models (0: shipped)"
    ),
    rules: Path | None = typer.Option(
        None, "--rules", help="rules YAML (default: the shipped example rules)"
    ),
    dates: bool = typer.Option(
        True, "--dates/--no-dates", help="give each article the publication date its manifest infers"
    ),
    as_json: Path | None = typer.Option(None, "--json", help="also write every alert row as JSONL here"),
) -> None:
    """The rules over the manifests' articles in date order (one pipeline, stories across articles), every
    alert with the figures and events it carries and gold's verdict on them."""
    import json
    from dataclasses import asdict

    from streams.alerting.rules import example_rules
    from streams.evaluation.alerts import run_alert_eval, summary

    shared = get_settings().shared / "eval"
    manifests = manifests or [shared / "realdev" / "manifest.jsonl", shared / "realtrain" / "manifest.jsonl"]
    _check_manifests_and_cv(manifests, cv)
    result = run_alert_eval(manifests, rules or example_rules(), cv=cv, dates=dates)
    rows = result.rows
    print(f"alerts of {rules or example_rules()} ({f'{cv}-fold held-out models' if cv else 'shipped models'}), "
          "in date order; verdict from gold (figures with part, gold events)")  # fmt: skip
    for r in rows:
        figs = ", ".join(
            f"{k}={v:g}" + ("" if src == r.article else f" [{src}]") for k, v, src, _ in r.figures
        )
        print(f"{r.n:>3} {r.change:<9} {r.rule} ({r.severity})  {r.article} ({r.outlet}, {r.date})")
        print(f"      {r.message}")
        print(f"      figures: {figs or '-'}")
        for e in r.events:
            print(f"      event {e['code']} {e['label']} ({e['modality']}, {e['score']:.2f}): {e['text']}")
        print(f"      verdict: {r.verdict}" + (": " + "; ".join(r.problems) if r.problems else ""))
    print("articles on whose gold a rule fires, with no alert:")
    for art_id, date, gold_rules, got in result.missed:
        print(f"      {art_id} ({date}): {', '.join(gold_rules)}; the models gave {got}")
    far = result.far_apart()
    print(
        f"stories of more than one article: {len(result.stories)}; with articles a month or more apart: {len(far)}"
    )
    for sid, members in result.stories:
        print(f"      {sid}: " + ", ".join(f"{a} ({d})" for a, d in members))
    if as_json is not None:
        as_json.write_text(
            "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    s = summary(rows, result.missed)
    verdicts = ", ".join(f"{k} {v}" for k, v in s["verdicts"].items())
    print(
        f"alerts: {s['alerts']} ({s['changes']} changes; {verdicts}); stories with two or more alerts: "
        f"{s['stories_with_two_alerts']}; alerts over more than one article: {s['multi_article_alerts']}; "
        f"articles with no alert whose gold fires a rule: {s['missed']}; stories of two or more articles: "
        f"{len(result.stories)} ({len(far)} of articles a month or more apart)"
    )
