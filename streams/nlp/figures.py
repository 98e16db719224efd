"""Figures: numbers in Indonesian and English forms, typed by a casualty frame or the words around them."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from streams.core.analysis import Analysis, NumberToken
from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import CASUALTY_KINDS, Entity, Figure

__all__ = ["CASUALTY_KINDS", "FigureStage", "extract_figures", "figures_from_analysis", "mark_headlines"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "figures" / "cues.yaml"

_HEADLINE_KINDS = CASUALTY_KINDS | {"cases"}
#: Head-noun lists of cues.yaml (lexicon hit keys) and the category each gives, strongest first.
_HEAD_KEYS = (
    ("weapons.drones", "drones"),
    ("weapons.missiles", "missiles"),
    ("cases", "cases"),
    ("people", "people"),
    ("count_nouns", "count"),
    ("not_figures", "skip"),
)
_CONJ = frozenset({"and", "dan", "serta", "or", "atau", "while"})


@dataclass(frozen=True)
class _Cues:
    """Settings of cues.yaml; its word lists are found by the shared lexicon automaton (doc.analysis)."""

    approximate: frozenset[str]
    tolerance: float
    months: frozenset[str]
    not_figures: frozenset[str]
    prisoner_heads: frozenset[str]
    agent_before: frozenset[str]
    phrase_starts: frozenset[str]
    need_head: frozenset[str]
    other: tuple[tuple[str, bool, bool], ...]
    other_window: int
    w_after: int
    w_before: int
    w_toll: int
    w_head: int


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    d: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    w = d["window"]
    return _Cues(
        approximate=frozenset(d["approximate"]),
        tolerance=float(d["restatement_tolerance"]),
        months=frozenset(str(m).lower() for m in d["months"]),
        not_figures=frozenset(str(x).lower() for x in d["not_figures"]),
        agent_before=frozenset(str(x).lower() for x in d["agent_before"]),
        phrase_starts=frozenset(str(x).lower() for x in d["phrase_starts"]),
        need_head=frozenset(str(x).lower() for x in d["need_head"]),
        prisoner_heads=frozenset(
            str(x).lower().split()[0] for x in d["casualties"]["prisoners_released"]["heads"]
        ),
        other=tuple(
            (name, bool(spec.get("money")), bool(spec.get("percent")))
            for name, spec in d["other_kinds"].items()
        ),
        other_window=int(d["other_window"]),
        w_after=int(w["after"]),
        w_before=int(w["before"]),
        w_toll=int(w["toll"]),
        w_head=int(w["head"]),
    )


@dataclass(slots=True)
class _Num:
    n: NumberToken
    i: int  # first token of the number
    j: int  # one past its last token (multiplier included)
    q_i: int  # first token of its qualifier (== i when none)
    value: float
    qual: str | None
    written: bool
    vague: bool


@dataclass(slots=True)
class _Ctx:
    """Per-article views of the analysis: lexicon hits by token, clause numbers."""

    a: Analysis
    low: list[str]
    clause: _Clauses
    cue_at: list[tuple[int, tuple[str, bool]] | None]  # longest casualty cue starting at a token
    cue_end: dict[int, list[tuple[str, bool]]]  # casualty cues by their end token (exclusive)
    wcue_at: list[str | None]  # downed / launched cue starting at a token
    head_at: list[tuple[int, str] | None]  # longest head noun starting at a token: (length, category)
    starts_key: dict[int, set[str]]  # cue-list keys of the hits starting at a token
    ends_key: dict[int, dict[str, int]]  # cue-list key -> longest length, of hits ending before a token


@lru_cache(maxsize=4096)
def _key_role(key: str) -> tuple[str, Any]:
    """What a cue-list hit key means here: a casualty cue, a weapon cue, a head noun, a clause break."""
    if key.startswith("casualties.") and not key.endswith(".heads"):
        _, kind, part = key.split(".")
        return "cue", (kind, part == "toll")
    if key.startswith("weapons_kinds."):
        return "weapon", key.split(".")[1]
    for r, (k, cat) in enumerate(_HEAD_KEYS):
        if key == k:
            return "head", (r, cat)
    if key == "clause_breaks":
        return "break", None
    return "other", None


def _context(a: Analysis) -> _Ctx:
    n = len(a)
    cue_at: list[tuple[int, tuple[str, bool]] | None] = [None] * n
    cue_end: dict[int, list[tuple[str, bool]]] = {}
    wcue_at: list[str | None] = [None] * n
    head_at: list[tuple[int, str] | None] = [None] * n
    head_rank: dict[int, int] = {}
    starts_key: dict[int, set[str]] = {}
    ends_key: dict[int, dict[str, int]] = {}
    breaks: list[int] = []
    for h in a.hits_by_tag("cue"):
        ts, te = h.tok_start, h.tok_end
        size = te - ts
        sk = starts_key.get(ts)
        if sk is None:
            sk = starts_key[ts] = set()
        ek = ends_key.get(te)
        if ek is None:
            ek = ends_key[te] = {}
        for key in h.keys:
            sk.add(key)
            if ek.get(key, 0) < size:
                ek[key] = size
            role, val = _key_role(key)
            if role == "other":
                continue
            if role == "cue":
                cur = cue_at[ts]
                if cur is None or size > cur[0]:
                    cue_at[ts] = (size, val)
                cue_end.setdefault(te, []).append(val)
            elif role == "weapon":
                wcue_at[ts] = val
            elif role == "head":
                cur_h = head_at[ts]
                if cur_h is None or size > cur_h[0] or (size == cur_h[0] and val[0] < head_rank[ts]):
                    head_at[ts] = (size, val[1])
                    head_rank[ts] = val[0]
            else:
                breaks.append(ts)
    breaks.sort()
    return _Ctx(
        a, a.lowers, _Clauses(a.sent_ids, breaks), cue_at, cue_end, wcue_at, head_at, starts_key, ends_key
    )


class _Clauses:
    """Clause of a token: its sentence and the clause breaks (";", "but", "sementara itu") before it."""

    __slots__ = ("breaks", "sent_ids")

    def __init__(self, sent_ids: list[int], breaks: list[int]):
        self.sent_ids = sent_ids
        self.breaks = breaks

    def __getitem__(self, k: int) -> tuple[int, int]:
        return self.sent_ids[k], bisect.bisect_left(self.breaks, k)


def _ends_with(ctx: _Ctx, end: int, key: str) -> int:
    """Length of the longest phrase of list ``key`` ending right before token ``end`` (0 if none)."""
    return ctx.ends_key.get(end, {}).get(key, 0)


def _not_a_figure(ctx: _Ctx, x: _Num, c: _Cues) -> bool:
    """Dates, times, ages, years, scores, ranges, codes, labels: numbers that count nothing."""
    a, low = ctx.a, ctx.low
    text = a.text
    s, e = a.starts[x.i], a.ends[x.j - 1]
    b1, b2 = text[s - 1 : s], text[max(0, s - 2) : max(0, s - 1)]
    a1, a2 = text[e : e + 1], text[e + 1 : e + 2]
    if x.vague:
        return False
    if b1.isalpha() or (b1 and b1 in "-–" and (b2.isalpha() or b2.isdigit())):  # COVID-19, ke-21, 16-17
        return True
    if (b1 and b1 in "/:") or (a1 in "/:" and a2.isdigit()):  # 11/5/2024, 10:30
        return True
    if a1.isalpha() or (a1 and a1 in "-–" and a2.isalnum()):  # 2nd, 5km, 61-year-old, 2-1, 60–70
        return True
    if b1 == "(" and a1 == ")":  # "Sanduan (80)": an age or a code
        return True
    raw = a.words[x.i]
    if x.j - x.i == 1 and raw.isdigit() and len(raw) == 4 and 1800 <= int(raw) <= 2100:
        return True
    if x.i > 0:
        if low[x.i - 1] in c.months or (x.i > 1 and low[x.i - 1] == "." and low[x.i - 2] in c.months):
            return True
        if _ends_with(ctx, x.q_i, "not_before"):
            return True
        p = a.words[x.i - 1]
        # "Edy Utomo, 53, ..." (an age in apposition) and "N 7807 UW" (a licence plate)
        if p == "," and x.i > 1 and a.words[x.i - 2][:1].isupper() and a1 in ",)":
            return True
        if p.isupper() and len(p) <= 2 and x.j < len(a) and a.words[x.j].isupper():
            return True
    if x.j < len(a) and not x.n.currency and not x.n.percent:
        nxt = low[x.j]
        if nxt in c.months or nxt in c.not_figures:
            return True
        # "Sejak 15 hingga 27 April", "29 to 30 August": a range of dates
        if (
            nxt in ("hingga", "sampai", "to", "until", "dan", "and", "-", "–")
            and x.j + 2 < len(a)
            and a.words[x.j + 1][:1].isdigit()
            and low[x.j + 2] in c.months
        ):
            return True
    return False


# --- the casualty frame -------------------------------------------------------------------------


@dataclass(slots=True)
class _Head:
    cat: str | None  # people, drones, missiles, cases, count, skip; None when no head noun follows
    start: int
    end: int
    text: str | None


def _head(ctx: _Ctx, x: _Num, c: _Cues, norp_starts: set[int]) -> _Head:
    a, low = ctx.a, ctx.low
    j = x.j
    # "35 of 40 drones", "one of four missiles": the head of the total is the head of the part
    if j + 1 < len(a) and low[j] in ("of", "dari") and (total := a.number_at(j + 1)) is not None:
        j = total.tok_end
    limit = min(len(a), j + c.w_head)
    k = j
    past_cue = False
    while k < limit:
        if ctx.clause[k] != ctx.clause[x.i]:
            break
        h = ctx.head_at[k]
        if h is not None:
            return _Head(h[1], k, k + h[0], a.text[a.starts[k] : a.ends[k + h[0] - 1]])
        if a.starts[k] in norp_starts:
            return _Head("people", k, k + 1, a.words[k])
        w = a.words[k]
        if w in ("-", "–") and k > j:  # "drone-dron", "anak-anak": a hyphenated word goes on
            k += 1
            continue
        if not w[:1].isalpha() or "clause_breaks" in ctx.starts_key.get(k, ()) or low[k] in _CONJ:
            break
        cue = ctx.cue_at[k]
        if cue is not None:
            # "five wounded soldiers": the head may follow one cue (the frame binds that cue first)
            if past_cue or k != j:
                break
            past_cue = True
            k += cue[0]
            limit = min(len(a), k + 1)
            continue
        k += 1
    return _Head(None, x.j, x.j, None)


def _bind(ctx: _Ctx, x: _Num, head: _Head, c: _Cues, nums_at: set[int]) -> tuple[str, bool] | None:
    """The casualty cue bound to a number: ``(kind, is_toll)`` of the nearest, either side."""
    low, clause_of = ctx.low, ctx.clause
    n_tok = len(low)
    clause = clause_of[x.i]
    best: tuple[float, tuple[str, bool]] | None = None
    # the head begins a cue ("two bodies recovered"), or a cue stands between number and head
    at_head = ctx.cue_at[head.start] if head.cat is not None and head.start < n_tok else None
    if at_head is not None and head.start + at_head[0] > head.end:
        return at_head[1]
    for k in range(x.j, head.start):  # "five wounded soldiers"
        hit = ctx.cue_at[k]
        if hit is not None and k + hit[0] <= head.start:
            return hit[1]
    # after: "214 people died", "84 orang yang dilaporkan tewas", "13.000 mengalami luka-luka"
    start = head.end if head.cat is not None else x.j
    reach = c.w_after if head.cat is not None else 2
    for k in range(start, min(n_tok, start + reach + 1)):
        if clause_of[k] != clause or (k in nums_at and k != x.i) or low[k] in _CONJ:
            break
        if k == x.j and low[k] in ("of", "dari") and head.cat is None:
            break  # "11 of the dead had been identified": a part of a figure stated elsewhere
        if head.cat is None and low[k] in c.phrase_starts:
            break  # "325 juta dengan angka kematian ...": another phrase begins
        hit = ctx.cue_at[k]
        if hit is not None:
            best = (float(k - start), hit[1])
            break
    # before: "menewaskan sedikitnya 300 warga", "killing at least 19", "korban tewas ... sebanyak 268"
    link = _ends_with(ctx, x.q_i, "links") or _ends_with(ctx, x.i, "links")
    reach_b = c.w_toll if link else (c.w_before if head.cat is not None else 2)
    lo = max(0, x.q_i - reach_b - 1)
    for end in range(x.q_i, lo, -1):
        k0 = end - 1
        if k0 < 0 or clause_of[k0] != clause or k0 in nums_at:
            break
        for cue in ctx.cue_end.get(end, ()):
            gap = x.q_i - end
            if gap > c.w_before and not (cue[1] and link):
                continue
            d = 2.0 * gap + 1.0 if gap <= c.w_before else 4.0 + gap / 2
            if best is None or d < best[0]:
                best = (d, cue)
        if best is not None and best[0] <= 2.0 * (x.q_i - end) + 1.0:
            break
    return best[1] if best is not None else None


def _is_agent(ctx: _Ctx, x: _Num, c: _Cues) -> bool:
    """The number follows "oleh"/"by" or a di- passive verb that is no casualty cue ("dianiaya empat pria")."""
    k = x.q_i - 1
    if k < 0:
        return False
    w = ctx.low[k]
    if w in c.agent_before:
        return True
    return (
        len(w) > 4
        and w.startswith("di")
        and w.isalpha()
        and ctx.cue_at[k] is None
        and not ctx.cue_end.get(k + 1)
    )


def _health(ctx: _Ctx, x: _Num, c: _Cues) -> bool:
    """A health word in the number's sentence, near it: its "kasus" are cases of a disease."""
    sent = ctx.a.sent_ids[x.i]
    lo, hi = max(0, x.q_i - 2 * c.other_window), min(len(ctx.low), x.j + 2 * c.other_window)
    return any("health" in ctx.starts_key.get(k, ()) and ctx.a.sent_ids[k] == sent for k in range(lo, hi))


def _weapon_kind(ctx: _Ctx, x: _Num, head: _Head, c: _Cues, nums_at: set[int]) -> str:
    """Downed when a downing verb governs the count (before it, across a coordination) or follows it."""
    clause_of, low = ctx.clause, ctx.low
    clause = clause_of[x.i]
    found: set[str] = set()
    for k in range(head.end, min(len(low), head.end + c.w_after + 1)):
        if clause_of[k] != clause or k in nums_at or low[k] in _CONJ:
            break
        if ctx.wcue_at[k] is not None:
            found.add(str(ctx.wcue_at[k]))
            break
    for k in range(x.q_i - 1, max(-1, x.q_i - 10), -1):
        if clause_of[k] != clause:
            break
        if ctx.wcue_at[k] is not None:
            found.add(str(ctx.wcue_at[k]))
            break
    return "downed" if "downed" in found else "launched"


def _other_kind(ctx: _Ctx, x: _Num, c: _Cues, money: bool, percent: bool) -> str | None:
    sent = ctx.a.sent_ids[x.i]
    lo, hi = max(0, x.q_i - c.other_window), min(len(ctx.low), x.j + c.other_window)
    for name, want_money, want_percent in c.other:
        if want_money != money or want_percent != percent:
            continue
        key = f"other_kinds.{name}.cues"
        for k in range(lo, hi):
            if ctx.a.sent_ids[k] == sent and key in ctx.starts_key.get(k, ()):
                return name
    return None


def extract_figures(text: str, lang: str | None = "id", entities: list[Entity] | None = None) -> list[Figure]:
    """Every figure in ``text`` (analysed here; the stage reads ``doc.analysis``)."""
    from streams.nlp.analysis import analyze

    return figures_from_analysis(analyze(text, lang), entities)


def figures_from_analysis(a: Analysis, entities: list[Entity] | None = None) -> list[Figure]:
    """Casualty kinds by their frame, else money, percent, cases or counts, from the shared analysis."""
    c = _cues()
    text = a.text
    if not a.numbers:
        return []
    ctx = _context(a)
    low = ctx.low
    norp_starts = {s for e in (entities or []) if e.type == "NORP" for s, _ in e.spans}
    ent_spans = sorted((s, e, ent.name) for ent in (entities or []) for s, e in ent.spans)
    ent_starts = [s for s, _, _ in ent_spans]
    nums: list[_Num] = []
    for n in a.numbers:
        q_i = a.token_at(n.qualifier_start) if n.qualifier_start is not None else n.tok_start
        x = _Num(
            n,
            n.tok_start,
            n.tok_end,
            min(q_i, n.tok_start),
            n.value,
            n.vague or n.qualifier,
            n.is_word,
            bool(n.vague),
        )
        if not _not_a_figure(ctx, x, c):
            nums.append(x)
    nums_at = {k for x in nums for k in range(x.i, x.j)}
    out: list[Figure] = []
    inherit: tuple[int, str] | None = None  # (sentence, kind) of a breakdown: "19 di antaranya ..."
    last_cas: tuple[int, str] | None = None
    for x in nums:
        n = x.n
        sent = a.sent_ids[x.i]
        start, end = a.starts[x.i], a.ends[x.j - 1]
        money, percent = n.currency is not None, n.percent
        unit: str | None = n.currency
        cb = 0  # a currency marker before the number ("Rp", "US$"): the figure's text starts there
        if money:
            cb = max(
                (v for k, v in ctx.ends_key.get(x.i, {}).items() if k.startswith("currencies.before")),
                default=0,
            )
            if cb:
                start = a.starts[x.i - cb]
        if percent or (money and not cb):  # "17,5%", "5 juta rupiah": the marker after it is part of it
            for h in a.hits_starting_at(x.j, "cue"):
                if any(k == "percent" or k.startswith("currencies.after") for k in h.keys):
                    end = a.ends[h.tok_end - 1]
                    break
        if percent:
            unit = "percent"
        kind: str | None = None
        head = _Head(None, x.j, x.j, None)
        if money or percent:
            kind = _other_kind(ctx, x, c, money, percent) or ("money" if money else "percent")
        else:
            head = _head(ctx, x, c, norp_starts)
            total_of = (
                x.i >= 2
                and low[x.i - 1] in ("of", "dari")
                and any(
                    a.number_at(k) is not None and a.number_at(k).tok_end == x.i - 1  # type: ignore[union-attr]
                    for k in range(max(0, x.i - 4), x.i - 1)
                )
            )
            if head.cat in ("drones", "missiles"):
                wk = "launched" if total_of else _weapon_kind(ctx, x, head, c, nums_at)
                kind = f"{head.cat}_{wk}"
            elif head.cat in ("count", "skip"):
                kind = "count" if head.cat == "count" and not x.written else None
                if (
                    head.cat == "count"
                    and inherit is not None
                    and inherit[0] == sent
                    and low[x.i - 1] in (",", "dan", "and")
                    and (head.text or "")[:1].isupper()
                ):
                    kind = inherit[1]  # "..., 8 Padang Pariaman dan 2 Kota Padang Panjang": a place name
            elif head.cat == "cases":
                hit = _bind(ctx, x, head, c, nums_at)
                if hit is not None and hit[0] == "killed":
                    kind = "killed"
                elif ((head.text or "").lower() not in ("kasus", "cases", "case") or _health(ctx, x, c)) and (
                    head.end >= len(low) or low[head.end] != "per"
                ):
                    kind = "cases"
                else:
                    kind = "count"  # "dua kasus tersebut" in a court story, "58 kasus per 100 ribu"
            else:
                hit = _bind(ctx, x, head, c, nums_at)
                if hit is not None and _is_agent(ctx, x, c):
                    hit = ("none", False)  # "ditangkap oleh tiga petugas": the agents, not the victims
                subset = bool(
                    "subset_after" in ctx.starts_key.get(x.j, ()) or _ends_with(ctx, x.q_i, "subset_before")
                )
                if hit is not None and hit[0] == "cases":
                    people = head.text is None or head.text.lower() in (
                        "patients",
                        "pasien",
                        "people",
                        "orang",
                    )
                    kind = "cases" if people else None
                elif hit is not None and hit[0] != "none":
                    kind = hit[0]
                    if (
                        kind == "prisoners_released"
                        and (head.text or "").lower().split(" ")[0] not in c.prisoner_heads
                    ):
                        kind = None
                elif hit is None:
                    # a breakdown of the sentence's last toll: "43 korban meninggal, 19 di antaranya di Agam,
                    # 14 orang di Tanah Datar, 8 Padang Pariaman dan 2 Kota Padang Panjang"
                    if subset and last_cas is not None and last_cas[0] == sent:
                        kind = last_cas[1]
                    elif (
                        inherit is not None
                        and inherit[0] == sent
                        and low[x.i - 1] in (",", "dan", "and")
                        and (head.cat in (None, "people") or (head.text or "")[:1].isupper())
                    ):
                        kind = inherit[1]
                if subset and kind in CASUALTY_KINDS:
                    inherit = (sent, kind)
                if kind is None and head.cat == "people" and not x.written:
                    kind = "count"
                if x.written and head.cat is None and (hit is None or ctx.cue_at[x.j] is None):
                    kind = None  # "one of the", "two said": a written number needs a noun or its cue
            if x.written and low[x.i] in c.need_head and (head.cat is None or head.start != x.j):
                kind = None  # "penyebab utama kedua kematian": an ordinal; "kedua tentara" is both soldiers
            if head.cat is not None and unit is None:
                unit = head.text
        if kind is None:
            continue
        if kind in CASUALTY_KINDS:
            last_cas = (sent, kind)
        actor = None
        if kind.endswith("_launched") or kind == "aid_amount":
            s0 = a.sentences[sent].start if a.sentences else 0
            idx = bisect.bisect_left(ent_starts, start) - 1
            if idx >= 0 and ent_spans[idx][0] >= s0 and ent_spans[idx][1] <= start:
                actor = ent_spans[idx][2]
        fig = Figure(
            kind=kind,
            value=x.value,
            unit=unit,
            text=text[start:end],
            span=(start, end),
            actor=actor,
            qualifier=x.qual,
        )
        out.append(fig)
        # "shot down all 42 drones": all of them were launched too
        if kind.endswith("_downed") and x.qual == "all":
            out.append(fig.model_copy(update={"kind": kind.replace("_downed", "_launched")}))
    return mark_headlines(_drop_restatements(out, c))


def _drop_restatements(figs: list[Figure], c: _Cues) -> list[Figure]:
    """Drop "nearly 70" / "more than 30" when the article states an exact figure of the kind close to it."""
    exact: dict[str, list[float]] = {}
    for f in figs:
        if f.kind in _HEADLINE_KINDS and f.qualifier not in c.approximate:
            exact.setdefault(f.kind, []).append(f.value)
    out = []
    for f in figs:
        if f.kind in _HEADLINE_KINDS and f.qualifier in c.approximate:
            vals = exact.get(f.kind, [])
            if any(
                v != f.value
                and abs(v - f.value) <= c.tolerance * max(v, f.value)
                and _zeros(f.value) > _zeros(v)
                for v in vals
            ):
                continue
        out.append(f)
    return out


def _zeros(v: float) -> int:
    """Trailing zeros of an integer value: how round a number is (70 -> 1, 69 -> 0)."""
    n, z = int(v), 0
    if n != v or n == 0:
        return 0
    while n % 10 == 0:
        n, z = n // 10, z + 1
    return z


def mark_headlines(figs: list[Figure]) -> list[Figure]:
    """Mark one figure per casualty kind (and ``cases``) as the headline: the largest, the first one on ties."""
    best: dict[str, int] = {}
    for i, f in enumerate(figs):
        if f.kind in _HEADLINE_KINDS and (f.kind not in best or f.value > figs[best[f.kind]].value):
            best[f.kind] = i
    chosen = set(best.values())
    return [f.model_copy(update={"headline": True}) if i in chosen else f for i, f in enumerate(figs)]


class FigureStage:
    """Fills ``figures`` from ``body`` (after ``entities``, which give the actors)."""

    name: ClassVar[str] = "figures"
    requires: ClassVar[tuple[str, ...]] = ("body", "analysis", "entities")
    assigns: ClassVar[tuple[str, ...]] = ("figures",)

    def __init__(self, settings: Any = None, state: Any = None):
        _cues()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        if doc.analysis is None:
            raise StageError("W600", "no shared analysis of the body", hint="run the analysis stage first")
        doc.figures = figures_from_analysis(doc.analysis, doc.entities)
