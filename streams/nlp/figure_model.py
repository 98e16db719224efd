"""The figure model: features of a number mention from the shared analysis, and a linear classifier."""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from itertools import compress
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from streams.core import hot as _core_hot
from streams.core.analysis import Analysis, NumberToken
from streams.core.records import Entity
from streams.nlp.lexicons import LEXICON_FILES

__all__ = [
    "AFTER",
    "BEFORE",
    "KINDS",
    "MODEL_PATH",
    "PARTS",
    "ArticleView",
    "FigureModel",
    "LinearHead",
    "article_view",
    "captives_version",
    "headline_scope",
    "kind_features",
    "lemma",
    "load_model",
    "marked",
    "mention_features",
    "model_label",
    "number_class",
    "part_extra",
    "part_features",
    "pointer_label",
    "resolve_label",
    "weapon_noun",
    "whole_pass",
    "worth_a_look",
]

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "figures" / "model.json"

#: The compiled figures path (``_figures_hot``) when the extension is built, else None.
_HOT: Any = _core_hot.extension("streams.nlp._figures_hot")
_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(name: str) -> Callable[[_F], _F]:
    """Run ``_figures_hot.<name>``, a compiled drop-in of the decorated function (the same result: the same
    feature strings in the same order), when the analysis runs compiled (``WARTA_COMPILED``, read at each
    call); else, or when the extension lacks it, the function itself: the pure-Python reference, kept as
    the definition (``__wrapped__``; ``tests/nlp/test_figures_hot.py`` compares the two)."""

    def wrap(ref: _F) -> _F:
        hot = getattr(_HOT, name, None)
        if hot is None:
            return ref

        @wraps(ref)
        def dispatch(*args: Any) -> Any:
            return hot(*args) if _core_hot.HOT is not None else ref(*args)

        return cast(_F, dispatch)

    return wrap


def whole_pass(name: str) -> Callable[..., Any] | None:
    """The compiled whole pass ``name`` of ``_figures_hot`` (e.g. ``figures.classify_mentions`` with every
    function it calls per number) when the analysis runs compiled and every reference function the pass
    follows is unchanged (``_figures_hot.whole``), else None: the caller runs the reference."""
    if _HOT is None or _core_hot.HOT is None:
        return None
    got = getattr(_HOT, "whole", None)
    return got(name) if got is not None else None


#: Labels of the kind head: what a number counts ("none": it is no figure).
KINDS: tuple[str, ...] = (
    "killed",
    "wounded",
    "missing",
    "displaced",
    "detained",
    "prisoners_released",
    "weapons_launched",
    "weapons_downed",
    "cases",
    "money",
    "percent",
    "other",
    "none",
    "@before",
    "@after",
)
#: Drones and missiles share their predicates: the kind head says launched or downed, the counted
#: noun says drones or missiles (:func:`weapon_noun`).
_POOLED = {
    "drones_launched": "weapons_launched",
    "missiles_launched": "weapons_launched",
    "drones_downed": "weapons_downed",
    "missiles_downed": "weapons_downed",
}


def model_label(kind: str) -> str:
    """The kind head's label for a figure kind (drones and missiles pooled)."""
    return _POOLED.get(kind, kind)


#: Labels of the part head: "total" is the article's own count of its kind.
PARTS: tuple[str, ...] = ("total", "share", "subset", "increment", "superseded", "context")

_PLAIN = {
    "people": "H.people",
    "cases": "H.cases",
    "count_nouns": "H.count",
    "not_figures": "NF",
    "not_before": "NB",
    "links": "LINK",
    "clause_breaks": "BRK",
    "subset_after": "SUBA",
    "subset_before": "SUBB",
    "health": "HEALTH",
    "months": "MONTH",
    "agent_before": "AGENT",
    "phrase_starts": "PS",
    "need_head": "NH",
}
#: Cue groups also read over the whole sentence (``s:`` features).
_SENTENCE_PREFIXES = ("K.", "T.", "W.", "F.", "O.", "HEALTH", "MONTH", "H.drones", "H.missiles", "H.cases")
#: Cue groups of a figure's frame: a number in a sentence without any is no figure (the model's first,
#: cheap stage; most numbers of an article are dates, times, ages and scores in such sentences).
_FRAME_PREFIXES = ("K.", "T.", "W.downed", "H.drones", "H.missiles", "H.cases", "H.count", "HEALTH")
_HEAD_ORDER = ("H.drones", "H.missiles", "H.cases", "H.people", "H.prisoner", "H.count", "NF")
_WINDOW = 10
_LEMMA_WINDOW = 6
_PREFIXES_ID = ("menge", "meng", "meny", "mem", "men", "me", "di", "ter", "ber", "ke", "pe", "se")
_SUFFIXES_ID = ("kannya", "nya", "kan", "an", "i")
_SUFFIXES_EN = ("ing", "ed", "es", "s")


@lru_cache(maxsize=1 << 16)
def _short(key: str) -> str | None:
    """The feature name of a cue-list hit key (None: a list the model does not read)."""
    if key.startswith("casualties."):
        _, kind, part = key.split(".")
        if part == "heads":
            return "H.prisoner"
        return ("T." if part == "toll" else "K.") + kind
    head, _, rest = key.partition(".")
    if head == "weapons_kinds":
        return "W." + rest
    if head == "weapons":
        return "H." + rest
    if head == "other_kinds":
        return "O." + rest.split(".")[0]
    if head == "features":
        return "F." + rest
    return _PLAIN.get(key)


@lru_cache(maxsize=1 << 16)
def lemma(word: str) -> str:
    """A crude lemma of a lowered word: Indonesian affixes and English inflections stripped."""
    if not word.isalpha() or len(word) <= 4:
        return word
    w = word
    if w.isascii():
        for suf in _SUFFIXES_EN:
            if w.endswith(suf) and len(w) - len(suf) >= 4:
                w = w[: -len(suf)]
                break
        for pre in _PREFIXES_ID:
            if w.startswith(pre) and len(w) - len(pre) >= 4:
                w = w[len(pre) :]
                break
        for suf in _SUFFIXES_ID:
            if w.endswith(suf) and len(w) - len(suf) >= 4:
                w = w[: -len(suf)]
                break
    return w


@lru_cache(maxsize=1024)
def _char_class(ch: str) -> str:
    if not ch:
        return "^"
    if ch.isalpha():
        return "a"
    if ch.isdigit():
        return "d"
    if ch.isspace():
        return "s"
    return ch if ch in "-–/:().,%$+'\"“”" else "p"


def _bucket(d: int) -> str:
    if d <= 2:
        return str(d)
    if d <= 4:
        return "3"
    return "5" if d <= 7 else "8"


def _pos_bucket(k: int) -> str:
    if k <= 3:
        return str(k)
    if k <= 6:
        return "4"
    return "7" if k <= 12 else "13"


class _EntityAt:
    """The type of the entity covering a token (looked up, not indexed per token)."""

    __slots__ = ("a", "ends", "starts", "types")

    def __init__(self, a: Analysis, entities: Sequence[Entity]):
        spans = sorted((s, t, e.type) for e in entities for s, t in e.spans)
        self.a = a
        self.starts = [s for s, _, _ in spans]
        self.ends = [t for _, t, _ in spans]
        self.types = [ty for _, _, ty in spans]

    def get(self, k: int) -> str | None:
        if not self.starts:
            return None
        c = self.a.starts[k]
        i = bisect.bisect_right(self.starts, c) - 1
        return self.types[i] if i >= 0 and self.ends[i] > c else None

    def __contains__(self, k: int) -> bool:
        return self.get(k) is not None


@dataclass(slots=True)
class ArticleView:
    """Per-article views of the analysis the features read: cue hits by token, numbers, quotes."""

    a: Analysis
    starts: dict[int, list[tuple[str, int]]]  # token -> (feature name, end token) of hits starting there
    ends: dict[int, list[tuple[str, int]]]  # end token (exclusive) -> (feature name, start token)
    sent_cues: dict[int, set[str]]  # sentence -> feature names of its hits
    num_tok: set[int]
    breaks: set[int]
    years: dict[int, list[int]]  # sentence -> years written in it
    max_year: int
    ent_at: _EntityAt  # token -> entity type covering it
    norp_at: _EntityAt
    quoted: list[tuple[int, int]] = field(default_factory=list)  # token ranges inside quotation marks
    sent_nums: dict[int, int] = field(default_factory=dict)  # numbers per sentence
    sent_feats: dict[int, list[str]] = field(default_factory=dict)  # "s:" features by sentence
    mark_before: dict[int, int] = field(default_factory=dict)  # currency marker: end token -> start char
    mark_after: dict[int, int] = field(
        default_factory=dict
    )  # currency word / percent: start token -> end char
    frame_sents: set[int] = field(default_factory=set)  # sentences with a word of a figure's frame
    title_values: frozenset[float] = frozenset()  # numbers the title states
    value_count: dict[float, int] = field(default_factory=dict)  # how often the body states a value
    sent_scope: dict[int, tuple[int, str] | None] = field(default_factory=dict)  # see _clause_scope
    ptv: dict[int, tuple[bool, int]] = field(default_factory=dict)  # number's first token -> see _ptv
    hot: Any = None  # the compiled path's per-article token arrays (``_figures_hot._Tokens``)
    other_at: dict[str, list[int]] | None = None  # other-kind cue name -> its tokens (figures._other_cues)
    captives: _CaptiveIndex | None = None  # see _captive_index (built for the first number that needs it)


_QUOTE_MARKS = frozenset({'"', "“", "”", "«", "»"})


@_compiled("quoted")
def _quoted(a: Analysis) -> list[tuple[int, int]]:
    """Token ranges inside double quotation marks (a mark left open closes at the end of its line)."""
    words = a.words
    if not any(q in a.text for q in _QUOTE_MARKS):
        return []
    marks = list(compress(range(len(words)), map(_QUOTE_MARKS.__contains__, words)))
    out: list[tuple[int, int]] = []
    line_ids = a.line_ids
    k = 0
    while k < len(marks):
        i = marks[k]
        if words[i] in ("”", "»"):
            k += 1
            continue
        j = marks[k + 1] if k + 1 < len(marks) and line_ids[marks[k + 1]] == line_ids[i] else None
        if j is None:
            line = a.lines[line_ids[i]] if a.lines else None
            out.append((i + 1, line.tok_end if line is not None else len(words)))
            k += 1
        else:
            out.append((i + 1, j))
            k += 2
    return out


def _cue_hits(
    hits: Sequence[Any],
    sent_ids: Sequence[int],
    by_tok: tuple[dict[int, list[tuple[str, int]]], dict[int, list[tuple[str, int]]]],
    sent_cues: dict[int, set[str]],
    breaks: set[int],
    frame: set[int],
    marks: tuple[dict[int, int], dict[int, int]],
) -> None:
    """The cue hits of :func:`article_view` by token start and end, its sentences' cues, frame sentences,
    clause breaks and currency / percent markers (the reference of ``_figures_hot.cue_hits``)."""
    starts, ends = by_tok
    mark_before, mark_after = marks
    for h in hits:
        ts, te = h.tok_start, h.tok_end
        for key in h.keys:
            name, role = _key_role(key)
            if name is None:
                if role & _CUR_BEFORE:
                    mark_before[te] = min(h.start, mark_before.get(te, h.start))
                elif role & _CUR_AFTER:
                    mark_after[ts] = max(h.end, mark_after.get(ts, h.end))
                continue
            starts.setdefault(ts, []).append((name, te))
            ends.setdefault(te, []).append((name, ts))
            if role & _SENT:
                sent_cues.setdefault(sent_ids[ts], set()).add(name)
            if role & _FRAME:
                frame.add(sent_ids[ts])
            if role & _BREAK:
                breaks.add(ts)


def article_view(
    a: Analysis, entities: Sequence[Entity] | None = None, title: str | None = None
) -> ArticleView:
    """Index the analysis once per article for the features of all its numbers."""
    starts: dict[int, list[tuple[str, int]]] = {}
    ends: dict[int, list[tuple[str, int]]] = {}
    sent_cues: dict[int, set[str]] = {}
    breaks: set[int] = set()
    frame: set[int] = set()
    sent_ids = a.sent_ids
    mark_before: dict[int, int] = {}
    mark_after: dict[int, int] = {}
    hits = a.hits_by_tag("cue")
    marks = (mark_before, mark_after)
    if _HOT is not None and _core_hot.HOT is not None:  # the same loop, compiled (``_figures_hot``)
        _HOT.cue_hits(hits, sent_ids, _key_role, _ROLES, starts, ends, sent_cues, breaks, frame, *marks)
    else:
        _cue_hits(hits, sent_ids, (starts, ends), sent_cues, breaks, frame, marks)
    num_tok, years, max_year, value_count, sent_nums = _number_index(a)
    text = a.text
    for n in a.numbers:  # "48 Shahed-136/131 strike UAVs were launched": a model name is read through
        if text[n.start - 1 : n.start] in ("-", "–", "/") and _model_name(text, n.start):
            num_tok.difference_update(range(n.tok_start, n.tok_end))
    ent_at, norp_at = _entity_index(a, entities or ())
    view = ArticleView(a, starts, ends, sent_cues, num_tok, breaks, years, max_year, ent_at, norp_at)
    _anaphora(a, starts, ends, sent_cues, frame)
    view.quoted = _quoted(a)
    view.mark_before, view.mark_after = mark_before, mark_after
    view.frame_sents = frame
    view.value_count, view.sent_nums = value_count, sent_nums
    if title:
        view.title_values = _title_values(title, a.language)
    return view


@_compiled("number_index")
def _number_index(
    a: Analysis,
) -> tuple[set[int], dict[int, list[int]], int, dict[float, int], dict[int, int]]:
    """The numbers of :func:`article_view`: the tokens of numbers, the years written in each sentence, the
    latest year, how often the body states each value, how many numbers each sentence has."""
    sent_ids = a.sent_ids
    num_tok: set[int] = set()
    years: dict[int, list[int]] = {}
    value_count: dict[float, int] = {}
    sent_nums: dict[int, int] = {}
    for n in a.numbers:
        num_tok.update(range(n.tok_start, n.tok_end))
        if _is_year(n):
            years.setdefault(sent_ids[n.tok_start], []).append(int(n.value))
    max_year = max((y for ys in years.values() for y in ys), default=0)
    for n in a.numbers:
        value_count[n.value] = value_count.get(n.value, 0) + 1
        s = sent_ids[n.tok_start]
        sent_nums[s] = sent_nums.get(s, 0) + 1
    return num_tok, years, max_year, value_count, sent_nums


@_compiled("entity_index")
def _entity_index(a: Analysis, entities: Sequence[Entity]) -> tuple[_EntityAt, _EntityAt]:
    """The type of the entity covering a token: of any entity, and of a NORP one."""
    return _EntityAt(a, entities), _EntityAt(a, [e for e in entities if e.type == "NORP"])


@lru_cache(maxsize=1)
def _anaphora_words() -> frozenset[str]:
    """Words that name "its number" of the previous sentence's count (``number_context.yaml``)."""
    import yaml

    d: dict[str, Any] = yaml.safe_load(_CONTEXT_PATH.read_text(encoding="utf-8"))
    return frozenset(str(w).lower() for w in d.get("anaphora") or ())


def _anaphora(
    a: Analysis,
    starts: dict[int, list[tuple[str, int]]],
    ends: dict[int, list[tuple[str, int]]],
    sent_cues: dict[int, set[str]],
    frame: set[int],
) -> None:
    """An anaphoric total word ("Sejauh ini, jumlahnya mencapai 47.306 orang" after "... jumlah korban
    tewas ...") stands for the last casualty cue of the sentence before it: it becomes a toll hit of that
    kind, and its sentence a frame sentence (a cue resolved, not a decision: the model reads it)."""
    words = _anaphora_words()
    if not words or len(a.sentences) < 2:
        return
    if _HOT is not None and _core_hot.HOT is not None:  # the same hits, compiled (``_figures_hot``)
        _HOT.anaphora(a, starts, ends, sent_cues, frame, words)
        return
    sent_ids = a.sent_ids
    for k, w in enumerate(a.words):
        s = sent_ids[k] if k < len(sent_ids) else 0
        if s == 0 or w.lower() not in words:
            continue
        prev = a.sentences[s - 1]
        kind = None
        for t in range(prev.tok_start, prev.tok_end):
            for name, _ in starts.get(t, ()):
                if name.startswith(("K.", "T.")):
                    kind = name[2:]
        if kind is None:
            continue
        starts.setdefault(k, []).append(("T." + kind, k + 1))
        ends.setdefault(k + 1, []).append(("T." + kind, k))
        sent_cues.setdefault(s, set()).add("T." + kind)
        frame.add(s)


@lru_cache(maxsize=256)
def _title_values(title: str, language: str | None) -> frozenset[float]:
    """The values of the numbers a title states (numbers need no lexicon hits: none are matched)."""
    from streams.nlp.analysis import analyze
    from streams.nlp.numbers import parse_numbers

    return frozenset(n.value for n in parse_numbers(analyze(title, language, lexicons=False)))


_SENT, _FRAME, _BREAK, _CUR_BEFORE, _CUR_AFTER = 1, 2, 4, 8, 16  # _figures_hot.cue_hits reads the same bits
_ROLES: dict[str, tuple[str | None, int]] = {}  # _key_role of each cue key the compiled loop has seen


@lru_cache(maxsize=1 << 14)
def _key_role(key: str) -> tuple[str | None, int]:
    """The feature name of a cue-list hit key and what else it marks (bits): a sentence-level cue, a
    word of a figure's frame, a clause break, a currency marker before / a percent or currency after."""
    name = _short(key)
    if name is None:
        if key.startswith("currencies.before"):
            return None, _CUR_BEFORE
        return None, _CUR_AFTER if key == "percent" or key.startswith("currencies.after") else 0
    role = _SENT if name.startswith(_SENTENCE_PREFIXES) else 0
    role |= _FRAME if name.startswith(_FRAME_PREFIXES) else 0
    return name, role | (_BREAK if name == "BRK" else 0)


def _is_year(n: NumberToken) -> bool:
    return n.tok_end - n.tok_start == 1 and n.raw.isdigit() and len(n.raw) == 4 and 1800 <= n.value <= 2100


@_compiled("form_features")
def _form_features(n: NumberToken, f: list[str]) -> str:
    form = "vague" if n.vague else ("word" if n.is_word else "digit")
    f.append("form=" + form)
    if n.vague:
        f.append("vague=" + n.vague)
    if n.qualifier:
        f.append("qual=" + n.qualifier)
    if n.currency:
        f.append("cur")
    if n.percent:
        f.append("pct")
    if n.multiplier:
        f.append("mult")
    v = n.value
    f.append(f"mag={min(9, int(math.log10(v))) if 1 <= v < 1e10 else (-1 if v < 1 else 10)}")
    if math.isfinite(v) and not float(v).is_integer():
        f.append("dec")
    if _is_year(n):
        f.append("year")
    if v == 1:
        f.append("one")  # "[one] death confirmed", "[satu] keluarga": a single victim is rarely the toll
    if n.unit is None:
        f.append("nounit")
    return form


@_compiled("char_features")
def _char_features(a: Analysis, n: NumberToken, f: list[str]) -> None:
    text = a.text
    s, e = n.start, n.end
    b1, b2 = text[s - 1 : s], text[max(0, s - 2) : max(0, s - 1)]
    a1, a2 = text[e : e + 1], text[e + 1 : e + 2]
    cb1, ca1 = _char_class(b1), _char_class(a1)
    f.append("b1=" + cb1)
    f.append("a1=" + ca1)
    f.append(f"b2b1={_char_class(b2)}{cb1}")
    f.append(f"a1a2={ca1}{_char_class(a2)}")
    if b1 == "(" and a1 == ")":
        f.append("paren")
    k = n.tok_start
    if k >= 2 and a.words[k - 1] == "," and a.words[k - 2][:1].isupper() and a1 in (",", ")"):
        f.append("appos")  # "Muntazer Ahmed, 4, was wounded": an age


@lru_cache(maxsize=1 << 16)
def _lemma_before(word: str) -> str | None:
    return "L<" + lemma(word) if word.isalpha() else None


@lru_cache(maxsize=1 << 16)
def _lemma_after(word: str) -> str | None:
    return "L>" + lemma(word) if word.isalpha() else None


@_compiled("word_features")
def _word_features(view: ArticleView, n: NumberToken, q_i: int, f: list[str]) -> None:
    a = view.a
    low = a.lowers
    sent = a.sentences[a.sent_ids[n.tok_start]] if a.sentences else None
    s0 = sent.tok_start if sent else 0
    s1 = sent.tok_end if sent else len(a)
    j = n.tok_end
    f.append("w-1=" + (low[q_i - 1] if q_i - 1 >= s0 else "<s>"))
    f.append("w+1=" + (low[j] if j < s1 else "</s>"))
    if j < s1:
        f.append("l+1=" + lemma(low[j]))
        if a.words[j][:1].isupper():
            f.append("w+1T")
    if q_i - 1 >= s0:
        f.append("l-1=" + lemma(low[q_i - 1]))
    f.extend(filter(None, map(_lemma_before, low[max(s0, q_i - _LEMMA_WINDOW) : q_i])))
    f.extend(filter(None, map(_lemma_after, low[j : min(s1, j + _LEMMA_WINDOW)])))
    if q_i - 1 > s0 and a.words[q_i - 1][:1].isupper() and a.words[q_i - 1][1:2].islower():
        f.append("w-1T")  # "Jalan Tambora 1", "Kota Padang 2": a number after a name
    if j + 1 < s1 and low[j] in ("of", "dari") and a.number_at(j + 1) is not None:
        f.append("x_of_y")
    if q_i >= 2 and low[q_i - 1] in ("of", "dari") and (q_i - 2) in view.num_tok:
        f.append("y_of_x")
    if n.tok_start == s0 or q_i == s0:
        f.append("sent_start")


_CONTEXT_PATH = MODEL_PATH.parent / "number_context.yaml"
_LIST_SEP = frozenset({",", "dan", "and", "&", "serta", "or", "atau"})


@dataclass(frozen=True)
class _Ages:
    """The age words of ``number_context.yaml``: before a number or its list, after it, and "old"."""

    before: frozenset[str]
    after: frozenset[str]
    old: frozenset[str]


@lru_cache(maxsize=1)
def _determiners() -> dict[str, frozenset[str]]:
    """Number words that are a determiner before the listed words ("Kedua belah pihak", "both sides")."""
    import yaml

    d: dict[str, Any] = yaml.safe_load(_CONTEXT_PATH.read_text(encoding="utf-8")).get("determiners") or {}
    return {str(k).lower(): frozenset(str(w).lower() for w in v) for k, v in d.items()}


@lru_cache(maxsize=1)
def _ages() -> _Ages:
    import yaml

    d: dict[str, Any] = yaml.safe_load(_CONTEXT_PATH.read_text(encoding="utf-8"))["ages"]
    return _Ages(*(frozenset(str(w).lower() for w in d[k]) for k in ("before", "after", "after_old")))


def _near(view: ArticleView, k: int, step: int) -> bool:
    """Whether a number follows token ``k`` in direction ``step`` past list separators (", dan 17")."""
    low = view.a.lowers
    k += step
    while 0 <= k < len(low) and low[k] in _LIST_SEP:
        k += step
    return k in view.num_tok


def _list_ends(view: ArticleView, n: NumberToken, q_i: int) -> tuple[int, int]:
    """The tokens before and after the list of numbers ``n`` stands in ("berusia 2, 14, dan 17 tahun"),
    within its sentence (-1 / len: none)."""
    a = view.a
    low, sent, num_tok = a.lowers, a.sent_ids[n.tok_start], view.num_tok
    i = q_i - 1
    while i >= 0 and a.sent_ids[i] == sent and (i in num_tok or (low[i] in _LIST_SEP and _near(view, i, -1))):
        i -= 1
    j = n.tok_end
    while (
        j < len(a) and a.sent_ids[j] == sent and (j in num_tok or (low[j] in _LIST_SEP and _near(view, j, 1)))
    ):
        j += 1
    return (i if i >= 0 and a.sent_ids[i] == sent else -1), (
        j if j < len(a) and a.sent_ids[j] == sent else len(a)
    )


def _age_features(view: ArticleView, n: NumberToken, q_i: int, f: list[str]) -> None:
    """An age: an age word before the number or the list it stands in ("berusia 2, 14, dan 17 tahun"),
    "tahun" / "years" (old) after it or its list, "-year-old"."""
    a = view.a
    low, ages = a.lowers, _ages()
    i, j = _list_ends(view, n, q_i)
    if i >= 0 and (low[i] in ages.before or (i > 0 and low[i - 1] in ages.before)):
        f.append("age<")
    if j < len(a) and low[j].strip("-") in ages.after:
        f.append("age>")
        if j + 1 < len(a) and low[j + 1].strip("-") in ages.old:
            f.append("age>old")
    if j - n.tok_end > 1:
        f.append("inlist")
    if a.text[n.end : n.end + 12].lower().startswith(_YEAR_OLD):
        f.append("age>old")


_YEAR_OLD = ("-year-old", "-years-old", " years old", " year old", "-year old")


def _shape_features(a: Analysis, n: NumberToken, q_i: int, f: list[str]) -> None:
    """Written as no count is: in brackets after a name ("Slamet (45)"), hyphen-joined to the word after
    it before another word ("eight-passenger Piper", "120-caliber mortars"; not "20-an orang"), or after
    a word and a hyphen ("Shahed-136", "Shahed-136/131", "Su-34")."""
    text = a.text
    s, e = n.start, n.end
    if text[s - 1 : s] == "(" and text[e : e + 1] == ")" and q_i >= 2 and a.words[q_i - 2][:1].isupper():
        f.append("cls=paren_name")
    if _compound(text, e):
        f.append("cls=compound")
    if _model_name(text, s):
        f.append("cls=model")
    elif _date_part(text, s, e) or _is_year(n):
        f.append("cls=date")


def _compound(text: str, e: int) -> bool:
    """Whether the number ending at ``e`` is hyphen-joined to a word that another word follows."""
    if text[e : e + 1] not in ("-", "–") or not text[e + 1 : e + 2].isalpha():
        return False
    m = e + 1
    while m < len(text) and (text[m].isalpha() or text[m] in "-–"):
        m += 1
    return text[m : m + 1] == " " and text[m + 1 : m + 2].isalpha() and text[e + 1 : m] != "an"


def _date_part(text: str, s: int, e: int) -> bool:
    """Whether the number is a day, month or year of a numeric date ("(4/1/2020)", "Sabtu (9/12)")."""
    before = text[s - 1 : s] == "/" and text[s - 2 : s - 1].isdigit()
    return before or (text[e : e + 1] == "/" and text[e + 1 : e + 2].isdigit())


def number_class(view: ArticleView, n: NumberToken) -> str | None:
    """The class that stands for a number's counted noun when it is written as no count is (an age, a
    model name, a date part, "no one"...), else None."""
    q_i = view.a.token_at(n.qualifier_start) if n.qualifier_start is not None else n.tok_start
    f: list[str] = []
    return _class_features(view, n, min(q_i, n.tok_start), f) or _name_class(view, n, f)


def _name_class(view: ArticleView, n: NumberToken, f: list[str]) -> str | None:
    """A number inside a named entity ("Densus 88", "Liga 1", "Apollo 11") is part of a name, and a day
    next to a month name ("Oct. 7", "7 Oktober") part of a date: no count."""
    if n.tok_start in view.ent_at:
        f.append("cls=name")
        return "cls.name"
    if _month_day(view, n):
        f.append("cls=date")
        return "cls.date"
    if _whole_of(view, n):
        f.append("cls=whole")
        return "cls.whole"
    return None


_OF_OPENERS = frozenset({("of",), ("of", "the"), ("dari",)})
_WHOLE_GATE = frozenset({"of", "the", "dari"})


def _whole_of(view: ArticleView, n: NumberToken) -> bool:
    """Whether the number opens its sentence after "Of (the)" / "Dari" and a later number of the sentence
    counts a part of it ("Of the around 300 people living there, 69 are unaccounted for", "Dari 48 korban
    meninggal dunia, 38 sudah teridentifikasi"): the set, not a count of the figure's own."""
    a = view.a
    q_i = a.token_at(n.qualifier_start) if n.qualifier_start is not None else n.tok_start
    if q_i < 1 or a.lowers[q_i - 1] not in _WHOLE_GATE:
        return False  # both shapes end in "of", "the" or "dari" right before the number
    s = a.sent_ids[n.tok_start]
    start = a.sentences[s].tok_start if a.sentences else 0
    while start < q_i and a.words[start] in _QUOTE_MARKS:
        start += 1
    if _named_toll(view, n):
        return False  # "Dari 43 korban meninggal tersebut, 19 di antaranya ...": the set is the toll
    if tuple(a.lowers[start:q_i]) in _OF_OPENERS:
        return view.sent_nums.get(s, 0) > 1
    return _of_whole(view, n, q_i)


def _named_toll(view: ArticleView, n: NumberToken) -> bool:
    """Whether a casualty cue follows the number at once or after one word ("43 korban meninggal", "the 10
    injured", "12 orang tewas"): a set so named is a casualty count itself."""
    for k in (n.tok_end, n.tok_end + 1):
        if any(nm[:2] in _GENERIC for nm, _ in view.starts.get(k, ())):
            return True
    return False


def _of_whole(view: ArticleView, n: NumberToken, q_i: int) -> bool:
    """Whether the number is the whole after a partitive "X of (the) [Y]" / "X dari [Y]" ("killing five of
    the six people aboard", "baru 40 ribu dari 100 ribu warga"); not a count of weapons ("one of four
    missiles used": the four were launched)."""
    a = view.a
    j = q_i - 1
    if j >= 1 and a.lowers[j] == "the":
        j -= 1
    if j < 1 or a.lowers[j] not in _OF or (j - 1) not in view.num_tok:
        return False
    sent = a.sent_ids[n.tok_start]
    for k in range(n.tok_end, min(len(a), n.tok_end + 4)):
        if a.sent_ids[k] != sent:
            break
        if any(nm in ("H.drones", "H.missiles") for nm, _ in view.starts.get(k, ())):
            return False
    return True


def _month_day(view: ArticleView, n: NumberToken, step: int = 1) -> bool:
    """Whether the number is a day (1-31, written in digits) right after or before a month name, or joined
    to such a day by a list word ("between October 6 and 25", "6 dan 7 Oktober")."""
    if n.vague or not n.raw.isdigit() or not 1 <= n.value <= 31:
        return False
    a, i, j = view.a, n.tok_start, n.tok_end
    if i >= 2 and a.words[i - 1] == ".":
        i -= 1  # "Oct. 7"
    if any(nm == "MONTH" for nm, _ in view.ends.get(i, ())) or any(
        nm == "MONTH" for nm, _ in view.starts.get(j, ())
    ):
        return True
    if not step:
        return False
    low = a.lowers
    prev = a.number_at(n.tok_start - 2) if i >= 2 and low[i - 1] in _DAY_JOINS else None
    if prev is not None and prev.tok_end == i - 1 and _month_day(view, prev, 0):
        return True
    after = a.number_at(j + 1) if j + 1 < len(a) and low[j] in _DAY_JOINS else None
    return after is not None and _month_day(view, after, 0)


_DAY_JOINS = frozenset({"and", "dan", "&", "-", "–", "to", "hingga", "sampai", "until"})


def _model_name(text: str, s: int) -> bool:
    """Whether the number starting at ``s`` follows a word and a hyphen, also through other numbers and
    slashes ("Shahed-136/131")."""
    if s < 2 or text[s - 1] not in "-–/" or not (text[s - 2].isalpha() or text[s - 2].isdigit()):
        return False
    k = s - 2
    while k >= 0 and (text[k].isdigit() or text[k] in "-–/"):
        k -= 1
    return k >= 0 and text[k].isalpha() and text[k + 1 : k + 2] in ("-", "–")


@_compiled("class_features")
def _class_features(view: ArticleView, n: NumberToken, q_i: int, f: list[str]) -> str | None:
    """What kind of number this is besides a count (an age, a bracketed or hyphen-joined number, the
    partitive "one of" / "salah satu"); returns the class that stands for its counted noun, if any."""
    a = view.a
    low, j = a.lowers, n.tok_end
    start = len(f)
    _age_features(view, n, q_i, f)
    _shape_features(a, n, q_i, f)
    of_them = j + 1 < len(a) and low[j] in _OF and a.number_at(j + 1) is None
    if n.value == 1 and (of_them or (q_i >= 1 and low[q_i - 1] == "salah") or _one_among(view, n, q_i)):
        f.append("cls=one_of")  # "one of the dead", "salah satu korban": a member, not a count
    if n.value == 0 and not n.vague:
        f.append("cls=zero")  # "0 killed", "40 0000+": a count of nobody
    if n.tok_end < len(a) and low[n.tok_end] in _determiners().get(low[n.tok_end - 1], ()):
        f.append("cls=determiner")  # "Kedua belah pihak", "both sides": not a count
    ends = view.ends.get(q_i, ())
    if any(nm == _NEG for nm, _ in ends):
        f.append("cls=negated")  # "no one was hurt", "tidak seorang pun": a count of nobody
    if any(nm == "NB" for nm, _ in ends):
        f.append("cls=label")  # "halaman 4", "pukul 10", "magnitudo 5": a label, a rank, a reference
    cls = next((x for x in f[start:] if x.startswith(("cls=", "age"))), None)
    return None if cls is None else "cls." + cls.removeprefix("cls=").rstrip("<>")


def _one_among(view: ArticleView, n: NumberToken, q_i: int) -> bool:
    """Whether a one stands right after a partitive marker ("termasuk seorang anak", "including one
    child"): a member of the set counted before it, as "one of the dead" is, not a count of its own."""
    return n.value == 1 and _ptv(view, n, q_i)[0]


@dataclass(frozen=True)
class _Scope:
    """The ``scope`` words of ``number_context.yaml`` (lowered; a phrase is a tuple of tokens, indexed by
    its first word after the number and by its last word before it)."""

    after: dict[str, tuple[tuple[str, ...], ...]]
    before: dict[str, tuple[tuple[str, ...], ...]]
    since: frozenset[str]
    period: frozenset[str]
    background: frozenset[str]
    words: frozenset[str]  # every clause word (since, period, background)


@lru_cache(maxsize=1)
def _scope() -> _Scope:
    import yaml

    d: dict[str, Any] = yaml.safe_load(_CONTEXT_PATH.read_text(encoding="utf-8")).get("scope") or {}

    def phrases(key: str, at: int) -> dict[str, tuple[tuple[str, ...], ...]]:
        out: dict[str, tuple[tuple[str, ...], ...]] = {}
        for w in d.get(key) or ():
            p = tuple(str(w).lower().split())
            out[p[at]] = (*out.get(p[at], ()), p)
        return out

    words = {k: frozenset(str(w).lower() for w in d.get(k) or ()) for k in ("since", "period", "background")}
    return _Scope(
        phrases("partitive_after", 0),
        phrases("partitive_before", -1),
        words["since"],
        words["period"],
        words["background"],
        words["since"] | words["period"] | words["background"],
    )


def _after_at(low: Sequence[str], k: int, sc: _Scope) -> int:
    """The length of the partitive that starts at token ``k`` ("di antaranya", "of whom"), else 0."""
    for p in sc.after.get(low[k], ()) if k < len(low) else ():
        if tuple(low[k : k + len(p)]) == p:
            return len(p)
    return 0


def _before_at(low: Sequence[str], q_i: int, sc: _Scope) -> bool:
    """Whether a partitive ends right before token ``q_i`` ("termasuk", "among them")."""
    if q_i < 1:
        return False
    return any(q_i >= len(p) and tuple(low[q_i - len(p) : q_i]) == p for p in sc.before.get(low[q_i - 1], ()))


def _period_at(view: ArticleView, k: int) -> bool:
    """Whether a month without a day ("In June alone") or a year ("in 2011") follows token ``k``."""
    a = view.a
    for j in (k + 1, k + 2):
        if j >= len(a) or a.sent_ids[j] != a.sent_ids[k]:
            return False
        n = a.number_at(j)
        if n is not None:
            return n.tok_end - n.tok_start == 1 and n.raw.isdigit() and len(n.raw) == 4
        if any(nm == "MONTH" for nm, _ in view.starts.get(j, ())):
            day_before = (j - 1) in view.num_tok
            day_after = j + 1 < len(a) and (j + 1) in view.num_tok and a.words[j + 1].isdigit()
            return not day_before and not (day_after and len(a.words[j + 1]) <= 2)
    return False


def _own_cue_after(view: ArticleView, k: int, kind: str) -> bool:
    """Whether a cue of ``kind`` starts within three words from token ``k`` in its sentence ("dua
    diantaranya meninggal dunia": the partitive is where the count takes its kind)."""
    a = view.a
    names = {"K." + kind, "T." + kind}
    for j in range(k, min(len(a), k + 3)):
        if a.sent_ids[j] != a.sent_ids[k]:
            return False
        if any(nm in names for nm, _ in view.starts.get(j, ())):
            return True
    return False


@_compiled("ptv")
def _ptv(view: ArticleView, n: NumberToken, q_i: int) -> tuple[bool, int]:
    """The partitive markers next to a number, found once per mention: one right before it ("termasuk",
    "among them"), and the end token of one right after it or its counted noun ("14 di antaranya",
    "39 of whom"; 0: none). The cheap dictionary look-ups first: most numbers have none."""
    got = view.ptv.get(n.tok_start)
    if got is None:
        sc = _scope()
        low = view.a.lowers
        before = bool(q_i) and low[q_i - 1] in sc.before and _before_at(low, q_i, sc)
        j, end = n.tok_end, 0
        if j < len(low) and (low[j] in sc.after or (j + 1 < len(low) and low[j + 1] in sc.after)):
            size = _after_at(low, j, sc)
            if not size and low[j].isalpha():
                j += 1
                size = _after_at(low, j, sc)
            end = j + size if size else 0
        got = view.ptv[n.tok_start] = (before, end)
    return got


def _partitive(view: ArticleView, n: NumberToken, q_i: int, kind: str) -> bool:
    """A count of a set named before ("14 di antaranya ditemukan", "including 9 children"); not when a cue
    of its own kind follows the partitive ("dua diantaranya meninggal": two of three stabbed died)."""
    before, end = _ptv(view, n, q_i)
    return before or (end > 0 and not _own_cue_after(view, end, kind))


def _clause_scope(view: ArticleView, n: NumberToken, q_i: int) -> str | None:
    """A word before the number in its sentence that scopes it: a running total ("since the war began"),
    a period ("In June alone", "in 2011"), a background clause ("after Hamas killed 1,200"); the first
    such word of the sentence, found once per sentence."""
    s = view.a.sent_ids[n.tok_start]
    if s not in view.sent_scope:
        view.sent_scope[s] = _first_scope(view, s)
    got = view.sent_scope[s]
    return got[1] if got is not None and got[0] < q_i else None


@_compiled("first_scope")
def _first_scope(view: ArticleView, s: int) -> tuple[int, str] | None:
    a = view.a
    sc = _scope()
    low = a.lowers
    sent = a.sentences[s] if a.sentences else None
    start, end = (sent.tok_start, sent.tok_end) if sent else (0, len(a))
    for k in compress(range(start, end), map(sc.words.__contains__, low[start:end])):
        w = low[k]
        if w in sc.since:
            return k, "since"
        if w in sc.period and _period_at(view, k):
            return k, "period"
        if w in sc.background:
            return k, "background"
    return None


def headline_scope(view: ArticleView, n: NumberToken, kind: str) -> str | None:
    """What scopes a count of ``kind`` to less than the article's own incident, if anything: a partitive
    ("14 di antaranya", "termasuk 10 anak-anak"), a running total ("since the war began"), a period ("In
    June alone", "in 2011"), a background clause ("after Hamas killed 1,200")."""
    a = view.a
    q_i = min(a.token_at(n.qualifier_start) if n.qualifier_start is not None else n.tok_start, n.tok_start)
    if _partitive(view, n, q_i, kind):
        return "partitive"
    return _clause_scope(view, n, q_i)


_NO_SCOPE: tuple[int, str] = (-1, "")


@_compiled("scope_features")
def _scope_features(view: ArticleView, n: NumberToken, q_i: int, f: list[str]) -> None:
    """The partitive markers next to the number ("14 di antaranya", "39 of whom", "including two women")
    and the word that scopes its clause (:func:`_clause_scope`), as features of the kind head."""
    before, end = _ptv(view, n, q_i)
    if before:
        f.append("ptv<")
    if end:
        f.append("ptv>")
    s = view.a.sent_ids[n.tok_start]
    got = view.sent_scope.get(s, _NO_SCOPE)
    if got is _NO_SCOPE:
        got = view.sent_scope[s] = _first_scope(view, s)
    if got is not None and got[0] < q_i:
        f.append("scope=" + got[1])


#: the captive lexicon's file, as the analysis scan registers it (its words are the ``captive`` hits)
_CAPTIVES_PATH = LEXICON_FILES["captive"]


@dataclass(frozen=True, slots=True)
class _Captives:
    """``captives.yaml``'s settings: the look-back and the version (its words are the ``captive`` hits of
    the analysis, ``streams.nlp.lexicons``)."""

    look_back: int
    version: int


@lru_cache(maxsize=1)
def _captives() -> _Captives:
    import yaml

    d: dict[str, Any] = yaml.safe_load(_CAPTIVES_PATH.read_text(encoding="utf-8"))
    return _Captives(int(d.get("look_back", 3)), int(d.get("version", 0)))


def captives_version() -> int:
    """The version of ``captives.yaml`` (a model records the one it was trained with)."""
    return _captives().version


@dataclass(frozen=True, slots=True)
class _CaptiveIndex:
    """The captive words of an article: their first tokens (ascending), classes, and the feature naming the
    classes of each sentence that has one (``cap.s=``)."""

    toks: list[int]
    classes: list[str]
    sent_feat: dict[int, str]


_NO_CAPTIVES = _CaptiveIndex([], [], {})


def _captive_index(a: Analysis) -> _CaptiveIndex:
    """Every captive word of the article, by first token: the ``captive`` hits of the analysis automaton
    (``captives.yaml``, keys ``classes.<class>``), the longest hit at a token giving its class (the first
    class of its keys)."""
    hits = a.hits_by_tag("captive")
    if not hits:
        return _NO_CAPTIVES
    longest: dict[int, tuple[int, str]] = {}  # first token -> (end token, key) of its longest hit
    for h in hits:
        got = longest.get(h.tok_start)
        if got is None or h.tok_end > got[0]:
            longest[h.tok_start] = (h.tok_end, h.keys[0])
    toks = sorted(longest)
    classes = [longest[k][1].partition(".")[2] for k in toks]
    by_sent: dict[int, set[str]] = {}
    sent_ids = a.sent_ids
    for k, cls in zip(toks, classes, strict=True):
        by_sent.setdefault(sent_ids[k], set()).add(cls)
    feat = {s: "cap.s=" + ("both" if len(c) > 1 else next(iter(c))) for s, c in by_sent.items()}
    return _CaptiveIndex(toks, classes, feat)


def _captive_features(view: ArticleView, n: NumberToken, f: list[str], before: str, after: str) -> None:
    """Who the people counted are, when a captive word is near (``captives.yaml``: hostage, prisoner): the
    class of the captive word nearest the number in its sentence, else of the nearest one before it up to
    ``look_back`` sentences back (``cap=``), with the group of the nearest cue on each side (``cap&b=``,
    ``cap&a=``: "dibebaskan ... 24" after "sandera" is no prisoner release), and the classes its sentence
    names (``cap.s=``, "both" for two). Nothing when no captive word is near."""
    a = view.a
    idx = view.captives
    if idx is None:
        idx = view.captives = _captive_index(a)
    toks = idx.toks
    if not toks:
        return
    sent_ids = a.sent_ids
    s = sent_ids[n.tok_start]
    k = bisect.bisect_left(toks, n.tok_start)
    near: tuple[int, str] | None = None  # (distance, class)
    if k > 0 and sent_ids[toks[k - 1]] >= s - _captives().look_back:
        near = (n.tok_start - toks[k - 1] + (0 if sent_ids[toks[k - 1]] == s else len(a)), idx.classes[k - 1])
    if k < len(toks) and sent_ids[toks[k]] == s and (near is None or toks[k] - n.tok_end < near[0]):
        near = (toks[k] - n.tok_end, idx.classes[k])
    if near is None:
        return
    cls = near[1]
    f.append("cap=" + cls)
    f.append(f"cap&b={cls}&{before[:1]}")
    f.append(f"cap&a={cls}&{after[:1]}")
    here = idx.sent_feat.get(s)
    if here is not None:
        f.append(here)


_GENERIC = frozenset({"K.", "T.", "W."})
_CONJ = frozenset({"and", "dan", "serta", "or", "atau", ",", "&"})
_NEG = "F.negations"
#: Words right before a number through which the cue scan before it reads past the previous number: a
#: list ("598 drones and 31 missiles") or an update ("bertambah 19 orang menjadi 1.090", "rose from 80 to 95").
_READ_THROUGH = _CONJ | {"menjadi", "jadi", "to"}
_CASUALTY_CUE = ("K.", "T.", "W.", "H.cases", "F.mixed_or")


@dataclass(slots=True)
class _Scan:
    """The state of one side's cue scan (:func:`_scan`): what it emitted, what stands between."""

    f: list[str]
    after: bool
    origin: int  # the first step: the end of the number (after) or its qualifier's start (before)
    head_end: int
    coord: bool  # before: the number follows a conjunction ("598 drones and [31] missiles")
    mark: str = ">"
    seen: set[str] = field(default_factory=set)
    blocked: str = ""  # "" / "c" a list / "j" a conjunction / "x" a clause break stands between
    found: str = ""  # the nearest casualty cue
    link: bool = False
    skip_to: int = 0  # "35 of 40": the tokens of 40 are read through
    weapon: bool = False  # the number counts drones or missiles

    def nearest(self, names: Sequence[tuple[str, int]]) -> str | None:
        """Of the casualty cues one word is ("melepaskan": release or launch), the one the counted noun
        fits (a weapon verb for a count of drones or missiles, else the other)."""
        cues = [nm for nm, _ in names if nm.startswith(_CASUALTY_CUE)]
        if not cues:
            return None
        return next((nm for nm in cues if nm.startswith("W.") == self.weapon), cues[0])

    def at_number(self, a: Analysis, k: int) -> bool:
        """At a number: whether the scan stops (else it reads on through a list or "X of Y")."""
        low = a.lowers
        if self.after and k == self.origin + 1 and low[self.origin] in _OF:
            y = a.number_at(k)  # "35 of 40 drones were shot down": the cues after 40 are 35's too
            self.skip_to = y.tok_end if y is not None else k + 1
            return False
        if (k == self.origin or low[k - 1] not in _CONJ) if self.after else not self.coord:
            self.f.append("num" + self.mark + _bucket(abs(k - self.origin)))
            return True
        # "563 drones and 26 missiles were shot down", "launched 598 drones and 31 missiles": a list
        self.blocked = "c" if self.blocked in ("", "j") else self.blocked
        return False

    def read(self, k: int, names: Sequence[tuple[str, int]]) -> None:
        """The cue hits at step ``k``: each name once, with its distance and what stands between."""
        f, mark, blocked = self.f, self.mark, self.blocked
        pick = None if self.found else self.nearest(names)
        for name, _ in names:
            if name == "LINK" and k == self.origin and not self.after:
                self.link = True
            key = name + mark
            if key in self.seen:
                continue
            self.seen.add(key)
            if self.after:
                d = _bucket(k - self.head_end) if k >= self.head_end else "h"
            else:
                d = _bucket(self.origin - k)
            f.append(f"{key}{d}{blocked}")
            f.append(key + blocked)
            if name[:2] in _GENERIC:  # the same cue of any kind: what the pointer labels learn from
                f.append(f"{name[0]}{mark}{d}{blocked}")
            if not self.found and name == pick:
                self.found = name if blocked == "c" else name + blocked
                f.append("first" + mark + name + blocked)
                if blocked == "c":
                    f.append("first" + mark + name)
                if self.link:
                    f.append("link<" + name)


def _scan(
    view: ArticleView, n: NumberToken, q_i: int, head_end: int, f: list[str], after: bool, weapon: bool
) -> str:
    """Cue hits on one side of the number up to the neighbouring number: after it (distances from the end
    of its counted noun) or before it and its qualifier; name, direction, distance and what stands
    between. Returns the nearest casualty cue on that side."""
    a = view.a
    sent_ids = a.sent_ids
    low = a.lowers
    if after:
        sent, hits = sent_ids[n.tok_start], view.starts
        sc = _Scan(f, True, n.tok_end, head_end, False, weapon=weapon)
        steps = range(n.tok_end, min(len(a), n.tok_end + _WINDOW + 4))
    else:
        if q_i >= len(a):
            return ""
        sent, hits = sent_ids[q_i], view.ends
        sc = _Scan(f, False, q_i, head_end, q_i > 0 and low[q_i - 1] in _READ_THROUGH, "<", weapon=weapon)
        steps = range(q_i, max(0, q_i - _WINDOW - 4), -1)
    num_tok, breaks = view.num_tok, view.breaks
    for k in steps:
        t = k if after else k - 1  # the token this step reads (before: hits ending at k end on k - 1)
        if sent_ids[t] != sent:
            break
        if t in num_tok and t >= sc.skip_to and sc.at_number(a, k):
            break
        names = hits.get(k)
        if names:
            sc.read(k, names)
        if t in breaks:
            sc.blocked = "x"
        elif after and low[k] in _CONJ and k + 1 not in num_tok and sc.blocked != "x":
            sc.blocked = "j"  # "killed 28 people and injured 72": the next verb is the next count's
        elif after and not sc.blocked and names and any(nm == _NEG for nm, _ in names):
            sc.blocked = "n"  # "the two drones that were not downed": a cue after a negation is denied
        elif not after and low[t] in _CONJ and not sc.blocked:
            sc.blocked = "j"  # "three were killed and 245 others were rescued": the verb before is another's
    return sc.found


def _cue_features(
    view: ArticleView, n: NumberToken, q_i: int, head_end: int, f: list[str], weapon: bool = False
) -> tuple[str, str]:
    """Cue-list hits before and after the number: name, direction, distance, and what stands between
    (returns the nearest casualty cue before and after it; ``weapon``: the number counts weapons)."""
    scan = _HOT_SCAN if _core_hot.HOT is not None else None
    if scan is None:  # the pure-Python reference (``WARTA_COMPILED=0`` or ``_figures_hot`` not built)
        scan = _scan
    after = scan(view, n, q_i, head_end, f, True, weapon)
    before = scan(view, n, q_i, head_end, f, False, weapon)
    f.extend(_sentence_features(view, n))
    return before, after


def _load_hot_scan() -> Any:
    """``_figures_hot.scan`` (the compiled :func:`_scan`) when the extension is built, else None."""
    return _HOT.scan if _HOT is not None else None


_HOT_SCAN: Any = _load_hot_scan()


def _sentence_features(view: ArticleView, n: NumberToken) -> list[str]:
    """The cue groups of the number's sentence (``s:`` features, computed once per sentence)."""
    sent = view.a.sent_ids[n.tok_start]
    got = view.sent_feats.get(sent)
    if got is None:
        got = view.sent_feats[sent] = ["s:" + name for name in sorted(view.sent_cues.get(sent, ()))]
    return got


@_compiled("head_features")
def _head_features(view: ArticleView, n: NumberToken, f: list[str]) -> tuple[int, str]:
    """The counted noun: the first head-noun list hit within three words after the number (its end); a
    hyphenated compound ("long-range") is one word, and "35 of 40 drones" counts what 40 counts."""
    a = view.a
    j = n.tok_end
    y = _of_number(view, n)
    if y is not None:
        f.append("head_of")
        j = y.tok_end
    sent = a.sent_ids[n.tok_start]
    end = j + 3
    k = j
    while k < min(len(a), end):
        if a.sent_ids[k] != sent or k in view.num_tok:
            break
        names = [(nm, te) for nm, te in view.starts.get(k, ()) if nm in _HEAD_ORDER]
        if names:
            best, te = min(names, key=lambda x: _HEAD_ORDER.index(x[0]))
            f.append("head=" + best)
            f.append(f"head{k - j}=" + best)
            if best == "H.people" and any(nm == "H.prisoner" for nm, _ in names):
                f.append("head=H.prisoner")
                return te, "H.prisoner"  # "157 narapidana": people a release or exchange frees
            return te, best
        if k in view.norp_at:
            f.append("head=norp")
            return k + 1, "norp"
        if _joined(a, k):
            end += 2  # "long-range", "surface-to-air": the hyphen and the word after it are one word
        k += 1
    f.append("head=none")
    return j, "none"


_OF = frozenset({"of", "dari"})


def _of_number(view: ArticleView, n: NumberToken) -> NumberToken | None:
    """The number after "of" / "dari" right after ``n`` ("35 of 40 drones")."""
    j = n.tok_end
    a = view.a
    if j + 1 < len(a) and a.lowers[j] in _OF and a.sent_ids[j + 1] == a.sent_ids[n.tok_start]:
        return a.number_at(j + 1)
    return None


def _joined(a: Analysis, k: int) -> bool:
    """Whether token ``k + 1`` is a hyphen attached to the tokens on both sides of it."""
    h = k + 1
    return (
        h + 1 < len(a)
        and a.words[h] in ("-", "–")
        and a.starts[h] == a.ends[k]
        and a.starts[h + 1] == a.ends[h]
    )


@_compiled("context_features")
def _context_features(view: ArticleView, n: NumberToken, f: list[str]) -> None:
    a = view.a
    i = n.tok_start
    s = a.sent_ids[i]
    f.append("sent=" + _pos_bucket(s))
    f.append("para=" + _pos_bucket(a.para_ids[i]))
    f.append(f"rel={min(4, 5 * i // max(1, len(a)))}")
    line = a.lines[a.line_ids[i]] if a.lines else None
    if line is not None and line.tok_end - line.tok_start < 12:
        f.append("shortline")
    if view.quoted:
        k = bisect.bisect_right(view.quoted, (i, len(a))) - 1
        if k >= 0 and view.quoted[k][0] <= i < view.quoted[k][1]:
            f.append("quote")
    et = view.ent_at.get(i)
    if et is not None:
        f.append("inent=" + et)
    prev = view.ent_at.get(i - 1) if i > 0 and a.sent_ids[i - 1] == s else None
    if prev is not None:
        f.append("ent<" + prev)
    ys = view.years.get(s)
    if ys:
        f.append("s:year")
        if min(ys) < view.max_year:
            f.append("s:oldyear")
    if n.value in view.title_values:
        f.append("in_title")
    if view.value_count.get(n.value, 0) > 1:
        f.append("repeated")
    f.append(f"nums={min(view.sent_nums.get(s, 0), 4)}")


@_compiled("conjunctions")
def _conjunctions(f: list[str], form: str, head: str, first_b: str, first_a: str) -> None:
    """Pairs a linear model cannot form itself: the counted noun with the nearest cue on each side
    (also with the cue's group alone, "K"/"T"/"W", which every kind shares)."""
    f.append(f"head&ga={head}&{first_a[:1]}{first_a[-1:] if first_a[-1:] in 'xjn' else ''}")
    f.append(f"head&gb={head}&{first_b[:1]}{first_b[-1:] if first_b[-1:] in 'xj' else ''}")
    f.append(f"head&a={head}&{first_a}")
    f.append(f"head&b={head}&{first_b}")
    f.append(f"b&a={first_b}&{first_a}")
    f.append(f"form&head={form}&{head}")


def kind_features(view: ArticleView, n: NumberToken) -> list[str]:
    """Features of one number mention for the kind head."""
    return mention_features(view, n)[0]


@lru_cache(maxsize=256)
def _cue_kind(name: str) -> str | None:
    """The kind head's label a nearest-cue name points to ("K.killedx" -> killed, "W.downed" ->
    weapons_downed, "H.cases" -> cases)."""
    base = name.rstrip("xjn")
    if base.startswith(("K.", "T.")):
        return base[2:]
    if base.startswith("W."):
        return "weapons_" + base[2:]
    return "cases" if base == "H.cases" else None


def mention_features(view: ArticleView, n: NumberToken) -> tuple[list[str], str | None, str | None]:
    """Features of one number mention, and the labels its nearest cue before and after point to."""
    a = view.a
    q_i = a.token_at(n.qualifier_start) if n.qualifier_start is not None else n.tok_start
    q_i = min(q_i, n.tok_start)
    f: list[str] = ["bias"]
    form = _form_features(n, f)
    _char_features(a, n, f)
    _word_features(view, n, q_i, f)
    cls = _class_features(view, n, q_i, f) or _name_class(view, n, f)
    if cls is not None:  # an age, a model name, a modifier: no counted noun
        f.append("head=" + cls)
        head_end, head = n.tok_end, cls
    else:
        head_end, head = _head_features(view, n, f)
    if cls is None:
        before, after = _cue_features(view, n, q_i, head_end, f, head in ("H.drones", "H.missiles"))
    else:  # an age, a date, a model name counts nobody: no cue is bound to it (only its sentence's)
        before, after = "", ""
        f.extend(_sentence_features(view, n))
    _conjunctions(f, form, head, before, after)
    _context_features(view, n, f)
    _scope_features(view, n, q_i, f)
    _captive_features(view, n, f, before, after)
    # a cue after a negation is denied ("the two drones that were not downed"): it names no kind
    return f, _cue_kind(before) if before else None, _cue_kind(after) if after[-1:] not in ("", "n") else None


#: Pointer labels of the kind head: the mention takes the kind its nearest cue before / after names
#: (one decision learned from every casualty kind at once; rare kinds gain from the frequent ones).
BEFORE, AFTER = "@before", "@after"


def pointer_label(label: str, before: str | None, after: str | None) -> str:
    """The kind head's training label: a pointer when the nearest cue names the mention's kind."""
    if label in ("none", "money", "percent", "other"):
        return label
    if label == before:
        return BEFORE
    return AFTER if label == after else label


def resolve_label(label: str, before: str | None, after: str | None) -> str:
    """The kind a predicted label names (a pointer to a cue naming no kind is none)."""
    if label == BEFORE:
        return before or "none"
    if label == AFTER:
        return after or "none"
    return label


def marked(n: NumberToken) -> str | None:
    """``money`` or ``percent``: a number its currency or percent marker already types."""
    if n.currency:
        return "money"
    return "percent" if n.percent else None


def worth_a_look(view: ArticleView, n: NumberToken) -> bool:
    """Whether the model should read the number: its sentence has a word of a figure's frame (a cue, a
    toll noun, a downing verb, a drone/missile/case/count noun or a health word)."""
    return view.a.sent_ids[n.tok_start] in view.frame_sents


def weapon_noun(view: ArticleView, n: NumberToken) -> str | None:
    """``drones`` or ``missiles``: the weapon noun the number counts (after it, else before it); None
    when its sentence names neither near it (then it counts no weapon)."""
    a = view.a
    sent = a.sent_ids[n.tok_start]
    for k in range(n.tok_end, min(len(a), n.tok_end + 6)):
        if a.sent_ids[k] != sent:
            break
        for name, _ in view.starts.get(k, ()):
            if name in ("H.drones", "H.missiles"):
                return name[2:]
    for k in range(n.tok_start - 1, max(-1, n.tok_start - 25), -1):
        if a.sent_ids[k] != sent:
            break
        for name, _ in view.starts.get(k, ()):
            if name in ("H.drones", "H.missiles"):
                return name[2:]
    return None


def part_features(base: Sequence[str], kind: str, rank: dict[str, Any]) -> list[str]:
    """Features for the part head: the kind features, the kind, and where the value ranks in its kind."""
    out = [x for x in base if not x.startswith(("b2b1=", "a1a2="))]
    out.extend(part_extra(kind, rank))
    return out


def part_extra(kind: str, rank: dict[str, Any]) -> list[str]:
    """The part head's own features: the kind and where the value ranks in its kind (the part head reads
    the kind features too, less the character pairs, which it has no weights for)."""
    group = "weapon" if kind.startswith(("drones", "missiles")) else kind
    out = ["kind=" + kind, "group=" + group]
    for k, v in rank.items():
        out.append(f"{k}={v}")
        out.append(f"{k}={v}&{group}")
    return out


@dataclass
class LinearHead:
    """A multinomial linear model: per feature, one weight per label. Scored through a matrix whose rows
    follow a feature index (:meth:`compile`; the model's heads share one index, so a mention's feature
    ids are looked up once for all of them)."""

    labels: tuple[str, ...]
    weights: dict[str, list[float]]
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _rows: Any = field(default=None, repr=False, compare=False)

    def compile(self, index: dict[str, int]) -> None:
        """Lay the weights out as rows in the order of ``index`` (zero rows for features this head lacks:
        adding 0.0 leaves every sum as it was)."""
        rows = np.zeros((len(index) + 1, len(self.labels)))  # the last row: padding
        for name, w in self.weights.items():
            i = index.get(name)
            if i is not None:
                rows[i] = w
        self._index, self._rows = index, rows

    def ids(self, feats: Iterable[str]) -> list[int]:
        """The rows of the features this head's index knows, in order."""
        if self._rows is None:
            self.compile({k: i for i, k in enumerate(self.weights)})
        return [i for i in map(self._index.get, feats) if i is not None]

    def scores_of(self, ids: Sequence[int]) -> list[float]:
        """Per label, the sum of the weights of feature rows ``ids`` (summed in order, row after row)."""
        if not ids:
            return [0.0] * len(self.labels)
        return cast(list[float], self._rows.take(ids, axis=0).sum(axis=0).tolist())

    def scores_many(self, batch: Sequence[Sequence[int]]) -> list[list[float]]:
        """:meth:`scores_of` of every id list of ``batch`` in one gather (short lists padded with the zero
        row; each sum still runs row after row, so every score equals its :meth:`scores_of`)."""
        if not batch:
            return []
        hot = _HOT if _core_hot.HOT is not None else None
        if hot is not None and isinstance(batch, list):  # the same sums in one C loop (``_figures_hot``)
            return cast(list[list[float]], hot.scores_many(self._rows, batch))
        width = max(map(len, batch))
        if not width:
            return [[0.0] * len(self.labels) for _ in batch]
        pad = len(self._index)
        rows = [list(ids) + [pad] * (width - len(ids)) if len(ids) < width else ids for ids in batch]
        return cast(list[list[float]], self._rows.take(rows, axis=0).sum(axis=1).tolist())

    def predict_many(self, batch: Sequence[Sequence[int]]) -> list[tuple[str, float, list[float]]]:
        """:meth:`predict_ids` of every id list of ``batch``."""
        if _HOT is not None and _core_hot.HOT is not None:  # the same floats, compiled (``_figures_hot``)
            return cast(
                list[tuple[str, float, list[float]]], _HOT.best_many(self.labels, self.scores_many(batch))
            )
        return [self._best(s) for s in self.scores_many(batch)]

    def predict_ids(self, ids: Sequence[int]) -> tuple[str, float, list[float]]:
        """The best label, its probability, and the probability of every label, for feature rows ``ids``."""
        return self._best(self.scores_of(ids))

    def _best(self, s: list[float]) -> tuple[str, float, list[float]]:
        m = max(s)
        e = [math.exp(v - m) for v in s]
        z = sum(e)
        probs = [v / z for v in e]
        k = max(range(len(s)), key=s.__getitem__)
        return self.labels[k], probs[k], probs

    def scores(self, feats: Iterable[str]) -> list[float]:
        return self.scores_of(self.ids(feats))

    def predict(self, feats: Iterable[str]) -> tuple[str, float, list[float]]:
        """The best label, its probability, and the probability of every label."""
        return self.predict_ids(self.ids(feats))

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            # + 0.0: a small negative weight rounds to -0.0, which the compiled scores would keep alone
            "weights": {k: [round(x, 4) + 0.0 for x in v] for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LinearHead:
        return cls(tuple(d["labels"]), {k: [float(x) for x in v] for k, v in d["weights"].items()})


@dataclass
class FigureModel:
    """The heads of the figure model and how it was trained."""

    kind: LinearHead
    part: LinearHead
    meta: dict[str, Any] = field(default_factory=dict)
    #: a casualty kind less probable than this is no figure (precision over recall: alerts read them)
    min_probability: float = 0.4
    #: for a number the kind head calls none: is it a count worth keeping ("743 rumah rusak")
    count: LinearHead | None = None
    #: one id per feature any head knows (every head's rows follow it)
    index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: per casualty kind, its own threshold (chosen on held-out outlets of the training articles)
    thresholds: dict[str, float] = field(default_factory=dict)
    #: the part head's own feature ids by (kind, ranks...) (filled as articles are read)
    part_ids: dict[tuple[Any, ...], list[int]] = field(default_factory=dict, repr=False, compare=False)

    def threshold(self, kind: str) -> float:
        """The probability below which a casualty figure of ``kind`` is dropped."""
        return self.thresholds.get(kind, self.min_probability)

    def __post_init__(self) -> None:
        heads = [h for h in (self.kind, self.part, self.count) if h is not None]
        names = sorted(set().union(*(h.weights for h in heads)))
        self.index = {name: i for i, name in enumerate(names)}
        for h in heads:
            h.compile(self.index)

    def ids(self, feats: Iterable[str]) -> list[int]:
        """The ids of the features any head knows, in order (looked up once for every head)."""
        if _HOT is not None and _core_hot.HOT is not None and isinstance(feats, list):
            return cast(list[int], _HOT.ids(self.index, feats))
        return [i for i in map(self.index.get, feats) if i is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.to_json(),
            "part": self.part.to_json(),
            "meta": self.meta,
            "min_probability": self.min_probability,
            **({"count": self.count.to_json()} if self.count is not None else {}),
            **({"thresholds": dict(sorted(self.thresholds.items()))} if self.thresholds else {}),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FigureModel:
        return cls(
            LinearHead.from_json(d["kind"]),
            LinearHead.from_json(d["part"]),
            d.get("meta", {}),
            float(d.get("min_probability", 0.4)),
            LinearHead.from_json(d["count"]) if "count" in d else None,
            thresholds={str(k): float(v) for k, v in d.get("thresholds", {}).items()},
        )


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> FigureModel:
    """The shipped figure model (``scripts/train_figures.py`` writes it)."""
    return FigureModel.from_json(json.loads(path.read_text(encoding="utf-8")))
