"""The events stage's compiled reads of the entity stage's output (``_events_hot``, evfast) are what the
reference reads: an ``Entity``'s fields from its instance dict give ``getattr``'s values, and the actor
mentions and entity types built from random entities are the reference's (``tests/nlp/test_events_hot.py``
compares the whole stage on real text)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.records import Entity
from streams.nlp import events as ev
from tests.compiled_paths import compiled_module, on_path


@pytest.fixture(scope="module")
def hot() -> ModuleType:
    return compiled_module(ev._load_hot(), "events")


class _Renamed(Entity):
    """An entity subclass with a ``name`` property: ``_Fields`` binds per class and reads what ``getattr`` reads."""

    @property
    def name(self) -> str:  # type: ignore[override]
        return "renamed"


_FIELDS = ("type", "spans", "name", "country")


def test_entity_field_reads_are_getattr(hot: ModuleType) -> None:
    plain = Entity(
        text="Kyiv", name="Kyiv", type="GPE", country="UA", spans=[(0, 4), (9, 13)], confidence=0.9
    )
    person = Entity(text="Budi", name="Budi Santoso", type="PERSON", spans=[(5, 9)], confidence=0.5)
    objs: list[Any] = [plain, person, plain]
    assert hot.field_values(objs, _FIELDS) == [tuple(getattr(o, k) for k in _FIELDS) for o in objs]
    odd = _Renamed.model_construct(text="x", type="ORG", spans=[(1, 2)], confidence=0.1)
    odd.__dict__["name"] = "in the dict"
    assert hot.field_values([odd, plain], _FIELDS) == [
        tuple(getattr(o, k) for k in _FIELDS) for o in (odd, plain)
    ]
    assert hot.field_values([odd], ("name",)) == [(odd.name,)]


_TYPES = st.sampled_from(["PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT"])
_SPANS = st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            _TYPES, st.sampled_from(["Moskwa", "Rusia", "Budi", "Hamas"]), _SPANS, st.none() | st.just("RU")
        ),
        max_size=8,
    )
)
def test_actor_mentions_of_random_entities_are_the_reference(hot: ModuleType, raw: list[Any]) -> None:
    body = "Moskwa menyerang Kyiv, kata Budi. Hamas dan Rusia bertemu."
    entities = [
        Entity.model_construct(text=name, name=name, type=t, spans=spans, country=c, confidence=0.5)
        for t, name, spans, c in raw
    ]
    low = body.lower()

    def mentions() -> list[tuple[Any, ...]]:
        return [
            (m.start, m.end, m.name, m.is_place, m.country)
            for m in ev.find_actor_mentions(body, low, entities)
        ]

    def types() -> dict[int, str]:
        ctx = ev.build_context(body, _analysis(body), entities=entities)
        ctx.entity_type(0)
        assert ctx._types is not None
        return dict(ctx._types)

    assert on_path(True, mentions) == on_path(False, mentions)
    assert on_path(True, types) == on_path(False, types)


def _analysis(text: str) -> Any:
    from streams.nlp.analysis import analyze

    return analyze(text)
