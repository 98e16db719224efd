"""``domain_events`` builds the same DomainEvents as ``model_construct`` with ``_near``'s figures did."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from streams import SCHEMA_VERSION
from streams.core.derived import _DOMAIN_EVENT_FIELDS, domain_events, plain_defaults
from streams.core.ids import derived_id
from streams.core.records import CameoEvent, DomainEvent, EnrichedArticle, Figure, Topic
from tests.compiled_paths import instance_state

__all__: list[str] = []


def _near(span: tuple[int, int], evidence: list[tuple[int, int]], window: int = 200) -> bool:
    """The figure test before (its own copy: a change of the module's window must fail here)."""
    start, end = span
    return any(-window <= start - s <= window or -window <= end - e <= window for s, e in evidence)


def _reference(article: EnrichedArticle) -> list[DomainEvent]:
    """The encoding before: ``model_construct`` per event, every figure tested with ``_near``."""
    top = [t.code for t in article.topics if t.parent is None]
    out = []
    for ev in article.events:
        if ev.negated:
            continue
        out.append(
            DomainEvent.model_construct(
                id=derived_id("dev", article.event_id, ev.code, *(f"{a}:{b}" for a, b in ev.evidence)),
                type="CameoEventDetected",
                article_event_id=article.event_id,
                article_id=article.id,
                cameo_code=ev.code,
                label=ev.label,
                actors=list(ev.actors),
                evidence=list(ev.evidence),
                figures=[f for f in article.figures if _near(f.span, ev.evidence)],
                story_id=article.dedup.story_id,
                occurred_at=article.published_at,
                data={
                    "score": ev.score,
                    "modality": ev.modality,
                    "source_actor": ev.source_actor,
                    "target_actor": ev.target_actor,
                    "topics": list(top),
                    "language": article.language,
                },
            )
        )
    return out


_pos = st.integers(min_value=0, max_value=3000)
_span = st.tuples(_pos, st.integers(min_value=1, max_value=60)).map(lambda p: (p[0], p[0] + p[1]))


@st.composite
def _articles(draw: st.DrawFn) -> EnrichedArticle:
    events = [
        CameoEvent(
            code=draw(st.sampled_from(["0211", "190", "1823", "043"])),
            label="x",
            score=draw(st.floats(min_value=0, max_value=1)),
            evidence=draw(st.lists(_span, max_size=4)),
            actors=draw(st.lists(st.sampled_from(["Israel", "Hamas", "PBB"]), max_size=3)),
            source_actor=draw(st.none() | st.just("Israel")),
            negated=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=6)))
    ]
    figures = [
        Figure(
            kind="killed",
            value=draw(st.integers(min_value=1, max_value=500)),
            unit="people",
            text="x",
            span=draw(_span),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=8)))
    ]
    topics = [
        Topic(code="16000000", label="conflict", score=0.9),
        Topic(code="16001000", label="war", score=0.5, parent="16000000"),
    ]
    return EnrichedArticle(
        id="a1", event_id="ev-1", text="t", body="b", language="id", events=events, figures=figures, topics=topics,
        published_at=draw(st.none() | st.just("2026-01-02T00:00:00Z")),
    )  # fmt: skip


def test_domain_event_is_built_without_model_construct(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path runs for the shipped DomainEvent: its only other field is the Record's schema_version."""
    assert plain_defaults(DomainEvent, _DOMAIN_EVENT_FIELDS) == (("schema_version", SCHEMA_VERSION),)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("model_construct called")

    article = EnrichedArticle(
        id="a1", event_id="ev-1", text="t", body="b", events=[CameoEvent(code="190", label="x", score=0.5)]
    )
    monkeypatch.setattr(DomainEvent, "model_construct", refuse)
    got = domain_events(article)
    assert len(got) == 1 and got[0].schema_version == SCHEMA_VERSION
    assert "schema_version" not in got[0].model_fields_set


@settings(max_examples=300, deadline=None)
@given(_articles())
def test_domain_events_equal_the_model_construct_reference(article: EnrichedArticle) -> None:
    got, ref = domain_events(article), _reference(article)
    assert [instance_state(m) for m in got] == [instance_state(m) for m in ref]


def test_models_that_are_not_plain() -> None:
    assert plain_defaults(DomainEvent, ("id", "type")) is None  # fields left to defaults that are not leading
    assert plain_defaults(DomainEvent, ("type", *_DOMAIN_EVENT_FIELDS)) is None  # names not the fields
    assert plain_defaults(_Listed, ("name",)) is None  # a leading default from a factory
    assert plain_defaults(_Aliased, ("name",)) is None
    assert plain_defaults(_Listed, ("tags", "name")) == ()


class _Listed(BaseModel):
    tags: list[str] = Field(default_factory=list)
    name: str


class _Aliased(BaseModel):
    name: str = Field(alias="Name")


def test_figures_at_the_window_edges() -> None:
    """Figures exactly 200 and 201 characters from the evidence, before and after, by start or by end."""
    figures = [
        Figure(kind="killed", value=3, unit="people", text="x", span=(a, b))
        for a, b in [
            (800, 805),
            (799, 805),
            (1200, 1210),
            (1201, 1290),
            (1400, 1450),
            (1100, 1211),
            (600, 601),
        ]
    ]
    events = [
        CameoEvent(code="190", label="x", score=0.5, evidence=[(1000, 1010)]),
        CameoEvent(code="0211", label="x", score=0.5, evidence=[(1000, 1010), (1600, 1650)]),
        CameoEvent(code="043", label="x", score=0.5, evidence=[]),
    ]
    article = EnrichedArticle(id="a1", event_id="ev-1", text="t", body="b", events=events, figures=figures)
    got, ref = domain_events(article), _reference(article)
    assert [instance_state(m) for m in got] == [instance_state(m) for m in ref]
    assert [len(m.figures) for m in got] == [3, 4, 0]
