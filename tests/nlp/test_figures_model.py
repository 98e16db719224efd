"""The learned figure model: mixed vague amounts, headlines of totals only, alert rules, training."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.alerting.rules import _rule_figures
from streams.core.records import Figure
from streams.nlp.figure_model import KINDS, PARTS, load_model
from streams.nlp.figures import extract_figures, mark_headlines

SHARED = Path(os.environ.get("WARTA_SHARED", Path(__file__).resolve().parents[3] / "shared"))
REALDEV = SHARED / "eval" / "realdev" / "manifest.jsonl"


def _fig(kind: str, value: float, **kw: object) -> Figure:
    return Figure(kind=kind, value=value, text=str(value), span=(0, 1), **kw)  # type: ignore[arg-type]


def test_shipped_model_has_both_heads() -> None:
    m = load_model()
    assert set(m.kind.labels) <= set(KINDS) and "killed" in m.kind.labels and "none" in m.kind.labels
    assert set(m.part.labels) <= set(PARTS) and "total" in m.part.labels
    assert 0.0 <= m.min_probability < 1.0


def test_thousands_killed_or_wounded_is_a_mixed_vague_amount_never_killed() -> None:
    figs = extract_figures("Perang itu telah membuat ribuan orang tewas atau terluka sejak 2022.", "id")
    assert not any(f.kind == "killed" for f in figs)
    mixed = [f for f in figs if f.kind == "casualties"]
    assert mixed and mixed[0].qualifier == "thousands" and mixed[0].value == 1000


def test_headline_is_a_total_never_a_part_and_vague_only_without_exact() -> None:
    figs = mark_headlines(
        [
            _fig("killed", 300, part="context"),
            _fig("killed", 32),
            _fig("killed", 21, part="subset"),
            _fig("wounded", 100, qualifier="hundreds"),
            _fig("wounded", 90),
            _fig("missing", 1000, qualifier="thousands"),
        ]
    )
    heads = {(f.kind, f.value) for f in figs if f.headline}
    assert heads == {("killed", 32), ("wounded", 90), ("missing", 1000)}


def test_rules_read_headlines_and_vague_amounts_only_when_asked() -> None:
    figs = mark_headlines(
        [
            _fig("killed", 7000, part="context"),
            _fig("killed", 12),
            _fig("casualties", 1000, qualifier="thousands"),
        ]
    )
    plain = {(f.kind, f.value) for f in _rule_figures(figs, vague=False)}
    assert plain == {("killed", 12)}
    asked = {(f.kind, f.value) for f in _rule_figures(figs, vague=True)}
    assert asked == {("killed", 12), ("casualties", 1000)}


@pytest.mark.parametrize("text", ["9" * 400, "1e999 orang tewas", "ribuan", "Rp 9" + "0" * 330 + " bantuan"])
def test_huge_and_odd_numbers_never_crash(text: str) -> None:
    for f in extract_figures(text, "id"):
        assert text[f.span[0] : f.span[1]] == f.text


@pytest.mark.skipif(not REALDEV.is_file(), reason="needs ../shared/eval/realdev (set WARTA_SHARED)")
def test_training_is_deterministic_and_labels_come_from_evidence() -> None:
    from streams.evaluation.figures import fit, load_articles, model_json

    arts = load_articles([REALDEV])[:12]
    labelled = [lab for a in arts for lab in a.labels if lab is not None]
    assert any(k == "killed" for k, _ in labelled) and any(k == "none" for k, _ in labelled)
    assert model_json(fit(arts)) == model_json(fit(list(reversed(arts))))


@pytest.mark.skipif(not REALDEV.is_file(), reason="needs ../shared/eval/realdev (set WARTA_SHARED)")
def test_outlets_never_straddle_folds() -> None:
    from streams.evaluation.figures import load_articles, outlet_folds

    arts = load_articles([REALDEV])
    folds = outlet_folds(arts, 5)
    by_outlet: dict[str, set[int]] = {}
    for a, f in zip(arts, folds, strict=True):
        by_outlet.setdefault(a.outlet.casefold(), set()).add(f)
    assert all(len(fs) == 1 for fs in by_outlet.values())
    assert len(set(folds)) == 5
