"""The tagger's own decoder against python-crfsuite's compiled tagger, and the word clusters it reads."""

from __future__ import annotations

from itertools import pairwise, product
from pathlib import Path

import numpy as np
import pytest

from streams.evaluation.ner import EN_TRAIN, examples, read_bracketed
from streams.evaluation.ner_clusters import cluster_words, kmeans
from streams.nlp.entities import text_view
from streams.nlp.ner_crf import LABELS, CrfModel, model_from_crfsuite, py_decode, sentence_features


def _brute_force(emit: np.ndarray, trans: np.ndarray, before: bool, after: bool) -> list[int]:
    best, path = -np.inf, ()
    for ys in product(range(emit.shape[1]), repeat=emit.shape[0]):
        s = emit[0, ys[0]] + (trans[0, ys[0]] if before else 0.0)
        s += sum(trans[a, b] + emit[t + 1, b] for t, (a, b) in enumerate(pairwise(ys)))
        s += trans[ys[-1], 0] if after else 0.0
        if s > best:
            best, path = s, ys
    return list(path)


def test_batched_viterbi_finds_the_best_path_of_every_window() -> None:
    rng = np.random.default_rng(3)
    n = len(LABELS)
    model = CrfModel({}, rng.normal(size=(n, n)).tolist())
    wins = [(0, 3, False, True), (3, 4, True, True), (4, 6, True, False), (6, 7, False, False)]
    emit = rng.normal(size=(7, n)) * 2
    out = ["O"] * 7
    for g, y in py_decode(emit, wins, model._trans):
        out[g] = LABELS[y]
    want = ["O"] * 7
    for a, b, before, after in wins:
        for k, y in enumerate(_brute_force(emit[a:b], model._trans, before, after)):
            want[a + k] = LABELS[y]
    assert out == want


def test_own_viterbi_labels_equal_pycrfsuite_tagger(tmp_path: Path) -> None:
    pycrfsuite = pytest.importorskip("pycrfsuite")
    xs, ys = examples(read_bracketed(EN_TRAIN))
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    trainer.set_params({"max_iterations": 30, "c1": 0.05, "c2": 0.01, "feature.possible_transitions": True})
    for x, y in zip(xs, ys, strict=True):
        trainer.append(x, y)
    path = tmp_path / "m.crfsuite"
    trainer.train(str(path))
    model = model_from_crfsuite(path)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    text = (
        "Prime Minister Anthony Albanese met officials of the Ministry of Defence in Canberra. "
        "Presiden Joko Widodo tiba di Surabaya bersama Menteri Luar Negeri Retno Marsudi. "
        "Reuters reported that Vladimir Putin spoke to Recep Tayyip Erdogan by phone."
    )
    view = text_view(text)
    named = 0
    for lo, hi in view.sentences:
        w, f, k = view.words[lo:hi], view.firsts[lo:hi], view.kbtags[lo:hi]
        ours = model.tag_sentences(w, f, k, [(0, len(w))], [True] * len(w))  # the whole sentence
        assert ours == tagger.tag(sentence_features(w, f, k))
        named += sum(y != "O" for y in ours)
    assert named > 0


def test_word_clusters_group_words_used_alike() -> None:
    cities = ["Bogor", "Malang", "Medan", "Padang", "Bandung", "Depok"]
    verbs = ["membeli", "menjual", "mencari", "membawa", "melihat", "memakai"]
    sents: list[list[str]] = []
    for i in range(60):
        c, v = cities[i % 6], verbs[(i * 5) % 6]
        sents.append(["Warga", "di", c, "kemarin", v, "beras", "."])
        sents.append(["Ia", "tinggal", "di", "kota", c, "sejak", "lama", "."])
        sents.append(["Mereka", "akan", v, "buku", "itu", "."])
    a = cluster_words(sents, fine=12, coarse=3, min_count=3)
    assert a == cluster_words(sents, fine=12, coarse=3, min_count=3)  # deterministic
    assert len({a[c.lower()] for c in cities}) == 1
    assert len({a[v] for v in verbs}) == 1
    assert a["bogor"] != a["membeli"]
    b = cluster_words(sents, fine=12, coarse=3, min_count=3, finest=20)
    assert {w: t[:2] for w, t in b.items()} == a  # the third level leaves the first two alone
    assert all(len(t) == 3 for t in b.values())
    assert len({b[c.lower()][2] for c in cities}) == 1 and b["bogor"][2] != b["membeli"][2]


def test_kmeans_separates_two_directions() -> None:
    x = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0], [0.14, 0.99]])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    got = kmeans(x, 2)
    assert got[0] == got[1] != got[2] == got[3]


def test_gazetteer_dropout_hides_every_knowledge_base_feature() -> None:
    view = text_view("Presiden Joko Widodo tiba di Surabaya kemarin.")
    lo, hi = view.sentences[0]
    words, firsts, kbtags = view.words[lo:hi], view.firsts[lo:hi], view.kbtags[lo:hi]
    assert any(t != "O" for t in kbtags)  # the knowledge base knows these names
    seen = sentence_features(words, firsts, kbtags, "id")
    blind = sentence_features(words, firsts, kbtags, "id", gazetteer=False)
    kb_feats = [f for fs in seen for f in fs if f.startswith("kb=B") or "aw=LOC" in f or "aw=PER" in f]
    assert kb_feats
    flat = [f for fs in blind for f in fs]
    assert not [f for f in flat if f.startswith(("kb=B", "kb=I")) or ("aw=" in f and not f.endswith("aw=-"))]
    # everything else is unchanged
    same = [f for fs in seen for f in fs if "aw=" not in f and not f.startswith(("kb", "kbt"))]
    assert same == [f for f in flat if "aw=" not in f and not f.startswith(("kb", "kbt"))]


def test_language_copies_of_the_word_features() -> None:
    plain = sentence_features(["Jakarta"], [False], ["O"])[0]
    both = sentence_features(["Jakarta"], [False], ["O"], "id")[0]
    assert set(plain) < set(both)
    assert "id|w=jakarta" in both and not any(f.startswith("en|") for f in both)
