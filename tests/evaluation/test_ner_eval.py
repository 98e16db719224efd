"""NER scoring (exact CoNLL spans), cross-validation and the seed entity matcher."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.core.records import Entity
from streams.evaluation.ner import NerScores, bio_spans, cross_validate
from streams.evaluation.seeds_entities import match_entities
from streams.nlp.ner_crf import read_conll


def test_bio_spans_handles_i_after_o_and_type_changes() -> None:
    tags = ["B-PERSON", "I-PERSON", "O", "I-LOCATION", "B-ORGANIZATION", "I-LOCATION"]
    assert bio_spans(tags) == {
        (0, 2, "PERSON"),
        (3, 4, "LOCATION"),
        (4, 5, "ORGANIZATION"),
        (5, 6, "LOCATION"),
    }


def test_scores_are_exact_span_and_ignore_quantity_time() -> None:
    s = NerScores()
    s.add(["B-PERSON", "I-PERSON", "B-TIME", "B-LOCATION"], ["B-PERSON", "O", "B-TIME", "B-LOCATION"])
    rows = {r[0]: r for r in s.rows()}
    assert rows["PERSON"][1:4] == (0.0, 0.0, 0.0)  # boundary error: no credit
    assert rows["LOCATION"][3] == 1.0
    assert rows["micro"][1] == 0.5 and rows["micro"][2] == 0.5


def test_cross_validation_never_tags_training_sentences(tmp_path: Path) -> None:
    sents = []
    for i in range(20):
        sents.append(
            [
                ("Presiden", "O"),
                (f"Nama{i}", "B-PERSON"),
                ("tiba", "O"),
                ("di", "O"),
                ("Jakarta", "B-LOCATION"),
            ]
        )
    scores = cross_validate(sents, k=4, iterations=20)
    assert sum(scores.gold.values()) == 40
    assert scores.micro_f1 > 0.5


def test_read_conll(tmp_path: Path) -> None:
    p = tmp_path / "x.conll"
    p.write_text("Joko\tB-PERSON\nWidodo\tI-PERSON\n\nDi\tO\nBali\tB-LOCATION\n")
    assert read_conll(p) == [
        [("Joko", "B-PERSON"), ("Widodo", "I-PERSON")],
        [("Di", "O"), ("Bali", "B-LOCATION")],
    ]


def _e(name: str, text: str, typ: str = "GPE") -> Entity:
    return Entity(text=text, name=name, type=typ, spans=[(0, 1)], confidence=0.9)  # type: ignore[arg-type]


def test_seed_entity_matching_is_one_to_one_with_optional_absorption() -> None:
    gold = [
        {"type": "GPE", "aliases": ["Russia", "Rusia", "Moskow"]},
        {"type": "GPE", "optional": True, "aliases": ["Moscow", "Moskow"]},
        {"type": "PERSON", "aliases": ["Steve Witkoff", "Witkoff"]},
    ]
    reported = [_e("Russia", "Rusia"), _e("Moscow", "Moskow"), _e("Paris", "Paris")]
    tp, rep, exp, missed, spurious = match_entities(gold, reported)
    assert (tp, rep, exp) == (1, 2, 2)  # Moscow absorbed by the optional entry; Paris counts against
    assert missed == ["Steve Witkoff"] and spurious == ["Paris (GPE)"]


SHARED = Path(os.environ.get("WARTA_SHARED", "../shared"))


@pytest.mark.skipif(
    not (SHARED / "eval" / "nerugm_dev.conll").exists(), reason="needs $WARTA_SHARED/eval/nerugm_dev.conll"
)
def test_shipped_model_tags_a_sentence() -> None:
    from streams.nlp.ner_crf import tag_tokens

    tags = tag_tokens(
        ["Presiden", "Joko", "Widodo", "tiba", "di", "Surabaya", "bersama", "Ketua", "DPR", "."]
    )
    assert tags[1] == "B-PERSON" and tags[5] == "B-LOCATION"
