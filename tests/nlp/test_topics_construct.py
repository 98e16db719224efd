"""Topics are built as ``Topic.model_construct`` builds them, without its walk over the fields."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.derived import plain_construct
from streams.core.records import Topic
from streams.nlp import topics as tp
from tests.compiled_paths import instance_state, real_texts

_SPANS = st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000)), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=20),
    st.text(max_size=30),
    st.floats(0.0, 1.0),
    _SPANS,
    st.none() | st.text(max_size=20),
)
def test_a_topic_is_the_instance_model_construct_builds(
    code: str, label: str, score: float, evidence: list[tuple[int, int]], parent: str | None
) -> None:
    values = {"code": code, "label": label, "score": score, "evidence": evidence, "parent": parent}
    assert instance_state(plain_construct(Topic, dict(values))) == instance_state(
        Topic.model_construct(**values)
    )


def test_a_field_list_that_is_not_the_models_falls_back_to_model_construct() -> None:
    got = plain_construct(Topic, {"code": "c", "label": "l", "score": 0.5})  # evidence, parent: defaults
    assert instance_state(got) == instance_state(Topic.model_construct(code="c", label="l", score=0.5))


def test_the_stage_gives_the_topics_model_construct_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.nlp.analysis import analyze

    texts = [text for _, text in list(real_texts())[:60]]
    got = [[instance_state(t) for t in tp.classify_topics(x, analysis=analyze(x))] for x in texts]
    monkeypatch.setattr(tp, "plain_construct", lambda cls, values: cls.model_construct(**values))
    want = [[instance_state(t) for t in tp.classify_topics(x, analysis=analyze(x))] for x in texts]
    assert got == want
    assert sum(map(len, got)) > 60  # topics were compared
