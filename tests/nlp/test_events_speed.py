"""The events stage's fast paths give the same floats and events as the plain per-model computation."""

from __future__ import annotations

import pytest

from bench.generate import generate_articles
from streams.nlp.analysis import analyze
from streams.nlp.events import (
    TRIGGER_CLASSES,
    ArticleRoots,
    EventModels,
    build_context,
    candidate_features,
    choose_events,
    class_probs,
    detect_events,
    event_of,
    find_candidates,
    load_event_models,
    merge_same_code,
    role_candidates,
    score_candidates,
)
from streams.nlp.linear import LinearModel
from streams.nlp.topics import classify_topics


def _articles() -> list[str]:
    return [a["text"] for a in generate_articles(25, seed=7, size_kb=3.0)]


def _models() -> EventModels:
    models = load_event_models()
    if models is None:
        pytest.skip("the event models are not trained (scripts/train_events.py)")
    return models


def _reference_probs(models: EventModels, feats: dict[str, float]) -> dict[str, float]:
    """``class_probs`` as each model computes it alone (no merged weights)."""
    probs = models.trigger.probs(feats)
    assert models.modality is not None
    event = 1.0 - probs["none"]
    if event < min(models.emit_modal, 0.1):
        return {"none": probs["none"], "happened": 0.0, "background": 0.0, "other": event}
    split = models.modality.probs(feats)
    return {"none": probs["none"], **{k: event * split.get(k, 0.0) for k in TRIGGER_CLASSES[1:]}}


def _contexts() -> list[tuple[object, list[object]]]:
    out = []
    for text in _articles():
        topics = [t.code for t in classify_topics(text)]
        ctx = build_context(text, analyze(text), topics=topics)
        out.append((ctx, find_candidates(ctx)))
    return out


def test_merged_models_give_each_models_own_floats() -> None:
    models = _models()
    n_cands = n_roles = 0
    for ctx, cands in _contexts():
        roots = ArticleRoots.of(cands, ctx.time)  # type: ignore[attr-defined]
        for c in cands:
            feats = candidate_features(ctx, c, roots)  # type: ignore[arg-type]
            assert class_probs(models, feats) == _reference_probs(models, feats)  # exact, not approximate
            n_cands += 1
            for _, f in role_candidates(ctx, c):  # type: ignore[arg-type]
                from streams.nlp.events import _joint

                assert _joint(models).role_pair(f) == (models.source.p_second(f), models.target.p_second(f))
                n_roles += 1
    assert n_cands > 100 and n_roles > 100


def test_roles_are_skipped_only_for_events_the_merge_drops() -> None:
    models = _models()
    dropped = 0
    for text in _articles():
        topics = [t.code for t in classify_topics(text)]
        ctx = build_context(text, analyze(text), topics=topics)
        cands = find_candidates(ctx)
        if not cands:
            continue
        score_candidates(ctx, cands, models)
        chosen = choose_events(cands, models)
        every = [event_of(ctx, c, mod, sc, models, cands) for c, mod, sc in chosen]
        expected = merge_same_code(every)
        dropped += len(every) - len(expected)
        assert detect_events(text, topics=topics) == expected
    assert dropped > 0  # the generated articles do merge events, so the skip is exercised


def test_three_class_scores_add_in_the_same_order() -> None:
    model = LinearModel(
        ("a", "b", "c"),
        (0.1, -0.2, 0.3),
        {"x": (0.1, 0.2, 0.3), "y": (1e-17, -3.0, 0.7), "z": (0.3333, 0.1, -0.1)},
    )
    feats = {"y": 1.0, "x": 0.7, "nope": 1.0, "z": 1.0}
    expected = list(model.bias)
    for name, value in feats.items():
        w = model.weights.get(name)
        if w is not None:
            for k in range(3):
                expected[k] += w[k] * value
    assert model.scores(feats) == expected
    assert model.probs(feats) == model.softmax(expected)
