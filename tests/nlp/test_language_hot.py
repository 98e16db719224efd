"""The Malay test of the language stage counts its markers only when they can decide (``_clearly_malay``),
and decides what the whole counts decided (the reference expression, kept here)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import language as lang_mod


def _reference(text: str, confidence: float, data: dict[str, Any]) -> bool:
    ms_rx, id_rx, _ = lang_mod._lexicon()
    malay = len(ms_rx.findall(text[:4000]))
    indonesian = len(id_rx.findall(text[:4000]))
    return confidence >= float(data.get("malay_min_confidence", 0.5)) and malay >= indonesian + int(
        data.get("malay_margin", 2)
    )


_DATA = lang_mod._lexicon()[2]
_WORDS = [*_DATA["malay_markers"], *_DATA["indonesian_markers"], "dan", "yang", "Kerana", "BAHWA", ".", "\n"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), max_size=60).map(" ".join),
    st.floats(0.0, 1.0),
    st.integers(-1, 4),
    st.sampled_from([0.0, 0.3, 0.5, 0.9]),
)
def test_clearly_malay_is_the_reference_decision(
    text: str, confidence: float, margin: int, floor: float
) -> None:
    data = {**_DATA, "malay_margin": margin, "malay_min_confidence": floor}
    ms_rx, id_rx, _ = lang_mod._lexicon()
    assert lang_mod._clearly_malay(text, confidence, ms_rx, id_rx, data) == _reference(text, confidence, data)


def test_a_malay_text_is_still_malay_and_the_markers_are_not_read_below_the_floor(monkeypatch: Any) -> None:
    text = (
        "Beliau berkata kerajaan persekutuan akan mengadakan mesyuarat selepas Isnin kerana syarikat itu. "
        * 5
    )
    ms_rx, id_rx, data = lang_mod._lexicon()
    assert lang_mod._clearly_malay(text, 0.9, ms_rx, id_rx, data)
    assert lang_mod.detect_language(text).language == "ms"

    class Boom:
        def findall(self, _s: str) -> list[str]:
            raise AssertionError("the markers were counted below the confidence floor")

    assert not lang_mod._clearly_malay(text, 0.1, Boom(), Boom(), data)  # type: ignore[arg-type]
