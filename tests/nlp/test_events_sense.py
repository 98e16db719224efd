"""Event triggers in a matching sense only; agencies are cited, not actors; speakers are not participants."""

from __future__ import annotations

from streams.core.records import Entity
from streams.nlp.events import detect_events

_CRIME = ["medtop:02000000"]
_CONFLICT = ["medtop:16000000"]


def _codes(text: str, topics: list[str] | None = None, entities: list[Entity] | None = None) -> set[str]:
    return {e.code for e in detect_events(text, topics=topics, entities=entities or []) if not e.negated}


def test_a_goalkeeper_failing_to_stop_a_shot_is_no_arrest() -> None:
    assert "173" not in _codes("Tendangan keras Ramadhan gagal ditahan Andritany dan bola masuk ke gawang.")
    assert "173" not in _codes("Persija menahan imbang Persib di Jakarta.")
    assert "173" in _codes("Polisi menahan tiga tersangka pencurian di Bekasi.", _CRIME)


def test_the_speaker_after_a_quote_is_not_the_target() -> None:
    text = '"Kami akan bertemu untuk membahas rencana itu," ujar Direktur Bank Indonesia Agusman.'
    for e in detect_events(text):
        assert e.target_actor != "Bank Indonesia"


def test_sport_keeps_no_meetings_or_arrests() -> None:
    text = "Tendangan Marclei Santos masih bisa ditangkap oleh kiper Madura United, Andritany."
    assert "173" not in _codes(text, ["medtop:15000000", "medtop:11000000"])
