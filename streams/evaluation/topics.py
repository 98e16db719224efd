"""``warta eval topics`` (IndoSum-style categories, cross-validated) and the seed checks of topics and events."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.core.records import EnrichedArticle
from streams.evaluation.seeds import CheckResult
from streams.nlp.classify_model import CATEGORY_TO_TOPIC, TopLevelModel, load_model
from streams.nlp.topics import choose_top_level, classify_topics

__all__ = ["EVAL_CLASSES", "ClassScores", "TopicEvalResult", "checks", "predict_class", "run_topic_eval"]

#: The three classes ``warta eval topics`` scores (IndoSum categories map onto them).
EVAL_CLASSES: tuple[str, ...] = ("medtop:15000000", "medtop:13000000", "medtop:01000000")


@dataclass(frozen=True)
class ClassScores:
    code: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class TopicEvalResult:
    classes: list[ClassScores]
    evaluated: int
    skipped: int
    folds: int
    no_prediction: int
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    #: (calibrated score, right, reported) of every label IndoSum can check, held out (cross-validated
    #: model and cross-fitted calibration); empty without cross-validation
    calibrated: list[tuple[float, int, bool]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.classes) / len(self.classes) if self.classes else 0.0


def predict_class(text: str, model: TopLevelModel | None) -> str | None:
    """The highest-scoring of the three evaluated classes among the article's top-level topics."""
    best: tuple[float, str] | None = None
    for t in classify_topics(text, model=model if model is not None else False):
        if t.code in EVAL_CLASSES and t.parent is None and (best is None or t.score > best[0]):
            best = (t.score, t.code)
    return best[1] if best else None


def _folds(labels: Sequence[str], k: int) -> list[int]:
    """Deterministic stratified fold index per article (round robin within each label, input order)."""
    from streams.evaluation.topics_calibration import folds

    return folds(labels, k)


def run_topic_eval(
    path: Path,
    *,
    cv: int = 5,
    use_model: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> TopicEvalResult:
    """Score the three-class prediction on a JSONL of ``{text, category}``.

    With ``cv >= 2`` the trained-model part is cross-validated: each article is classified by a model
    fitted on the other folds only. With ``cv == 0`` the shipped model is used as is (only honest on
    articles it was not trained on). ``use_model=False`` scores the lexicons alone.
    """
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [str(r.get("text") or r.get("body") or "") for r in rows]
    cats = [str(r.get("category", "")).strip().lower() for r in rows]
    gold = [CATEGORY_TO_TOPIC.get(c) for c in cats]
    calibrated: list[tuple[float, int, bool]] = []
    if not use_model:
        preds, cv = _predict_with(texts, gold, None), 0
    elif cv >= 2:
        preds, calibrated = _predict_cross_validated(texts, cats, gold, cv, progress)
    else:
        preds = _predict_with(texts, gold, load_model())
    return _score(gold, preds, folds=cv if cv >= 2 else 0, calibrated=calibrated)


def _predict_with(texts: list[str], gold: list[str | None], model: TopLevelModel | None) -> list[str | None]:
    """The class of every article with a gold label, by ``model`` (None: the lexicons alone)."""
    return [predict_class(t, model) if g is not None else None for t, g in zip(texts, gold, strict=True)]


def _predict_cross_validated(
    texts: list[str],
    cats: list[str],
    gold: list[str | None],
    cv: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[str | None], list[tuple[float, int, bool]]]:
    """Each article classified by a model and a calibration fitted on the other folds only."""
    from streams.evaluation.topics_calibration import cross_fitted_probs, cv_candidates, fit_calibration

    preds: list[str | None] = [None] * len(texts)
    arts = cv_candidates(texts, cats, cv, progress=progress)
    for f in range(cv):
        cal = fit_calibration([a for a in arts if a.fold != f])
        for a in arts:
            if a.fold == f and gold[a.index] is not None:
                chosen = [c for c, _ in choose_top_level(list(a.cands), cal) if c in EVAL_CLASSES]
                preds[a.index] = chosen[0] if chosen else None
    return preds, cross_fitted_probs(arts, cv)


def _score(
    gold: list[str | None], preds: list[str | None], *, folds: int, calibrated: list[tuple[float, int, bool]]
) -> TopicEvalResult:
    """Per-class counts and the confusion table of the predictions against the gold."""
    pairs = [(g, p) for g, p in zip(gold, preds, strict=True) if g is not None]
    scores = [
        ClassScores(
            code,
            sum(1 for g, p in pairs if g == code and p == code),
            sum(1 for g, p in pairs if g != code and p == code),
            sum(1 for g, p in pairs if g == code and p != code),
        )
        for code in EVAL_CLASSES
    ]
    confusion: dict[tuple[str, str], int] = {}
    for g, p in pairs:
        confusion[(g, p or "-")] = confusion.get((g, p or "-"), 0) + 1
    return TopicEvalResult(
        classes=scores,
        evaluated=len(pairs),
        skipped=len(gold) - len(pairs),
        folds=folds,
        no_prediction=sum(1 for _g, p in pairs if p is None),
        confusion=confusion,
        calibrated=calibrated,
    )


# --- seed checks ---------------------------------------------------------------------------------


def _prf_check(name: str, check: str, reported: set[str], gold: dict[str, Any]) -> list[CheckResult]:
    required = {str(c) for c in gold.get("required", [])}
    optional = {str(c) for c in gold.get("optional", [])}
    allowed = required | optional
    missing = sorted(required - reported)
    extra = sorted(reported - allowed)
    tp_req = len(required & reported)
    ok_reported = len(reported & allowed)
    out = [
        CheckResult(
            name,
            f"{check} recall",
            not missing,
            "missing " + ", ".join(missing) if missing else f"{tp_req}/{len(required)} required",
            counts=(tp_req, 0, len(required)),
        ),
        CheckResult(
            name,
            f"{check} precision",
            not reported or ok_reported / len(reported) >= 0.8,
            ("not in gold: " + ", ".join(extra)) if extra else f"{ok_reported}/{len(reported)} in gold",
            counts=(ok_reported, len(reported), 0),
        ),
    ]
    return out


_NOT_CLAIMED = frozenset({"background", "hypothetical", "denied"})


def checks(name: str, gold: dict[str, Any], art: EnrichedArticle) -> list[CheckResult]:
    """Topic and event recall/precision against the gold, and evidence on everything reported.

    Negated events (``negated: true``) are reported as explicitly not having happened, and background
    (an earlier event recalled) and hypothetical events are recorded with that modality; none of them is
    a claim that the event occurred in the reported period, so they are left out of the event checks.
    """
    out: list[CheckResult] = []
    if "topics" in gold:
        out += _prf_check(name, "topics", {t.code for t in art.topics}, gold["topics"])
    if "events" in gold:
        out += _prf_check(
            name,
            "events",
            {e.code for e in art.events if not e.negated and e.modality not in _NOT_CLAIMED},
            gold["events"],
        )
    if "topics" in gold or "events" in gold:
        n = len(art.body)
        bad = [
            t.code for t in art.topics if not t.evidence or any(not (0 <= s < e <= n) for s, e in t.evidence)
        ]
        bad += [
            e.code for e in art.events if not e.evidence or any(not (0 <= s < x <= n) for s, x in e.evidence)
        ]
        out.append(
            CheckResult(
                name, "labels have evidence", not bad, ", ".join(bad) if bad else "all labels have spans"
            )
        )
    return out
