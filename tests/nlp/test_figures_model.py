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


def _features(text: str, lang: str = "en") -> list[list[str]]:
    from streams.nlp.analysis import analyze
    from streams.nlp.figure_model import article_view, mention_features

    a = analyze(text, lang)
    view = article_view(a)
    return [mention_features(view, n)[0] for n in a.numbers]


def test_batched_scores_equal_one_by_one_scores_bit_for_bit() -> None:
    m = load_model()
    texts = [
        "Russia launched 120 drones and 8 missiles overnight; air defences shot down 95 drones.",
        "Sedikitnya 12 orang tewas dan 30 luka-luka pada 5 Mei 2024 di 3 desa, kata polisi.",
        "The death toll climbed to at least 69 on Saturday after 37 people died in one district.",
    ]
    batch = [m.ids(f) for t in texts for f in _features(t)] + [[]]
    assert len(batch) > 5
    many = m.kind.scores_many(batch)
    assert many == [m.kind.scores_of(ids) for ids in batch]
    assert many[-1] == [0.0] * len(m.kind.labels)
    # the shared index gives every head its own rows: scoring ids equals scoring the names
    names = _features(texts[0])[0]
    assert m.part.scores_of(m.ids(names)) == m.part.scores(names)


def test_pointer_probability_is_added_to_the_kind_its_cue_names() -> None:
    from streams.nlp.figures import _resolved_kind

    m = load_model()
    labels = m.kind.labels
    probs = [0.0] * len(labels)
    probs[labels.index("none")] = 0.40
    probs[labels.index("@before")] = 0.30
    probs[labels.index("prisoners_released")] = 0.15
    probs[labels.index("@after")] = 0.15
    # no single label beats none (0.40), but the kind its cues name does: 0.15 + 0.30 + 0.15
    kind, p = _resolved_kind(m, probs, "prisoners_released", "prisoners_released")
    assert kind == "prisoners_released" and p == pytest.approx(0.60)
    # a pointer with no cue on its side adds to none: 0.40 + 0.15 against 0.45
    kind, p = _resolved_kind(m, probs, "prisoners_released", None)
    assert kind == "none" and p == pytest.approx(0.55)
    kind, _ = _resolved_kind(m, probs, "killed", "wounded")
    assert kind == "killed"


def test_counted_noun_reads_through_of_and_hyphenated_compounds() -> None:
    x, y = _features("Air defences said 35 of 40 Russian attack drones were shot down overnight.")
    assert "head=H.drones" in x and "head_of" in x  # 35 counts what 40 counts
    assert any(f.startswith("W.downed>") for f in x)  # and reads the verb after 40
    assert "head=H.drones" in y
    (f,) = _features("Russian warplanes fired 19 long-range missiles at targets in Ukraine.")
    assert "head=H.missiles" in f
    (f,) = _features("Russian warplanes fired 19 missiles at targets in Ukraine.")
    assert "head=H.missiles" in f and "head_of" not in f


def test_ages_and_joined_numbers_stand_for_no_counted_noun() -> None:
    f = _features("Korban meninggal atas nama Slamet (45) sebagai penumpang mobil.", "id")[0]
    assert "head=cls.paren_name" in f and "head=H.people" not in f  # an age in brackets after a name
    ages = _features("Sebanyak 17 orang tewas, di antaranya empat anak berusia 2, 14, dan 17 tahun.", "id")
    assert "age<" not in ages[0] and "age<" not in ages[1]  # the toll and "empat anak" are counts
    for f in ages[2:]:  # every number of the list after "berusia" ... "tahun" is an age
        assert "age<" in f and "age>" in f and "head=cls.age" in f
    assert "age>old" in _features("A 45-year-old man was killed.")[0]
    (f,) = _features("Two people were injured in the crash of the eight-passenger Piper plane.")[1:]
    assert "cls=compound" in f
    model = _features('"A total of 48 Shahed-136/131 strike UAVs were launched," it said.')
    assert "cls=model" not in model[0] and all("cls=model" in f for f in model[1:])
    (f,) = _features("Sekitar 20-an orang tewas dalam serangan itu.", "id")
    assert "cls=compound" not in f and "head=H.people" in f  # "20-an": a vague count, not a compound


def test_one_of_is_a_member_not_a_count() -> None:
    assert "cls=one_of" in _features("One of the dead was a fighter.")[0]
    assert "head=cls.one_of" in _features("One of the dead was a fighter.")[0]  # it stands for the head
    assert "cls=one_of" in _features("Salah satu korban tewas adalah warga desa.", "id")[0]
    assert not any("one_of" in f for f in _features("One soldier and 35 of 40 drones were hit."))


def test_an_age_in_brackets_after_a_name_is_no_casualty_figure() -> None:
    figs = extract_figures(
        "Korban meninggal atas nama Slamet (45) sebagai penumpang mobil dan Cecep (35), penumpang lainnya. "
        "Sebanyak 3 orang tewas dalam kecelakaan itu.",
        "id",
    )
    assert {(f.kind, f.value) for f in figs} == {("killed", 3.0)}


def test_thresholds_are_chosen_per_kind_and_read_per_kind() -> None:
    from streams.evaluation.figures import TrainConfig, choose_thresholds
    from streams.nlp.figure_model import FigureModel

    # killed: the right figures are sure, the false ones unsure -> a threshold above the false ones' 0.5
    scores = [("killed", p, True) for p in (0.9, 0.8, 0.75, 0.7)] + [("killed", 0.5, False)] * 3
    scores += [("wounded", 0.35, True), ("wounded", 0.9, True)]  # too few: the threshold over all kinds
    got = choose_thresholds(scores, TrainConfig(calibration_min=4))
    assert 0.5 < got["killed"] <= 0.7
    assert got["wounded"] == choose_thresholds(scores, TrainConfig(calibration_min=99))["wounded"]
    m = load_model()
    assert m.thresholds and all(0.3 <= t <= 0.8 for t in m.thresholds.values())
    assert m.threshold("no such kind") == m.min_probability
    assert FigureModel.from_json(m.to_json()).thresholds == m.thresholds
