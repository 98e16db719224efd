"""The train-internal split candidates are chosen on (ner11), the tagger-only scorer and corpus repeats."""

from __future__ import annotations

from pathlib import Path

from streams.evaluation.ner import (
    TrainConfig,
    _norm_text,
    _training_rows,
    conll_example,
    folds,
    internal_split,
    pipeline_tagger,
    read_conll,
    tagger_only,
)
from streams.nlp.ner_crf import load_model


def _sentence(i: int) -> list[tuple[str, str]]:
    return [("Presiden", "O"), (f"Nama{i}", "B-PERSON"), ("tiba", "O"), ("di", "O"), ("Bali", "B-LOCATION")]


def test_nergrit_sentences_are_repeated_as_configured() -> None:
    corpora = {
        "nergrit_train": [conll_example(_sentence(1))],
        "nerui": [conll_example(_sentence(2))],
    }
    once = list(_training_rows(corpora, TrainConfig(en_copies=0)))
    thrice = list(_training_rows(corpora, TrainConfig(en_copies=0, nergrit_repeat=3)))
    assert len(once) == 2 and len(thrice) == 4
    # only the NERGrit sentence is repeated, with the same attributes and labels
    assert thrice[0] == thrice[1] == thrice[2] == once[0] and thrice[3] == once[1]


def test_tagger_only_skips_the_span_passes() -> None:
    model = load_model()
    tokens = ["Ia", "bersekolah", "di", "SMAN", "4", "Kendari", "bersama", "Joko", "Widodo", "."]
    raw = tagger_only(model, "id")(tokens)
    assert raw[7:9] == ["B-PERSON", "I-PERSON"]
    # the institution head run (a span pass) makes the school an organisation; the tagger alone does not
    # decide that, and every tag it gives is one of its own labels read at token boundaries
    full = pipeline_tagger(model, "id")(tokens)
    assert full[3:6] == ["B-ORGANIZATION", "I-ORGANIZATION", "I-ORGANIZATION"]
    assert len(raw) == len(tokens) and all(
        t == "O" or t[2:] in ("PERSON", "ORGANIZATION", "LOCATION") for t in raw
    )


def test_internal_split_holds_out_every_copy_of_its_dev_sentences(shared_dir: Path) -> None:
    corpora, dev = internal_split(shared_dir)
    ng = read_conll(shared_dir / "eval" / "ner" / "nergrit_train.conll")
    assert len(dev["nergrit"]) == sum(1 for f in folds(ng, 5) if f == 0) > 300
    assert len(dev["conll"]) > 1000
    held = {_norm_text(" ".join(t for t, _ in s)) for d in dev.values() for s in d}
    assert not any(_norm_text(text) in held for exs in corpora.values() for text, _ in exs)
    # the valid files are never part of it
    assert not {"nergrit_valid", "conll2003_en_valid"} & set(corpora)
    assert corpora["nergrit_train"] and corpora["conll2003_en_train"] and corpora["silver"]
