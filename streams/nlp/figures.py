"""Figures: numbers in Indonesian and English forms, typed by a casualty frame or the words around them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Entity, Figure

__all__ = ["CASUALTY_KINDS", "FigureStage", "extract_figures", "mark_headlines", "parse_number"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "figures" / "cues.yaml"
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*|[^\w\s]")

#: Kinds that count people (or drones/missiles) hit by a casualty predicate; ``cases`` is separate.
CASUALTY_KINDS = frozenset(
    {
        "killed",
        "wounded",
        "missing",
        "displaced",
        "detained",
        "prisoners_released",
        "drones_launched",
        "drones_downed",
        "missiles_launched",
        "missiles_downed",
    }
)
_HEADLINE_KINDS = CASUALTY_KINDS | {"cases"}


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(m.group().lower() for m in _TOKEN.finditer(str(phrase)))


class _Phrases:
    """Longest token-sequence match at a position (phrases are a few words: constant time per call)."""

    def __init__(self, items: list[tuple[str, Any]]):
        self.first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        for phrase, value in items:
            seq = _words(phrase)
            if seq:
                self.first.setdefault(seq[0], []).append((seq, value))
        for cands in self.first.values():
            cands.sort(key=lambda c: -len(c[0]))

    def at(self, low: list[str], i: int) -> tuple[int, Any]:
        if i >= len(low):
            return 0, None
        for seq, value in self.first.get(low[i], ()):
            n = len(seq)
            if i + n <= len(low) and all(low[i + k] == seq[k] for k in range(1, n)):
                return n, value
        return 0, None

    def ending_at(self, low: list[str], end: int) -> tuple[int, Any]:
        """Longest phrase that ends right before token ``end`` (phrases of up to four words)."""
        for n in (4, 3, 2, 1):
            i = end - n
            if i < 0:
                continue
            k, value = self.at(low, i)
            if k == n:
                return n, value
        return 0, None


@dataclass(frozen=True)
class _Cues:
    units: dict[str, int]
    scales: dict[str, int]
    vague: _Phrases
    qualifiers: _Phrases
    approximate: frozenset[str]
    tolerance: float
    cur_before: dict[str, str]
    cur_after: _Phrases
    percent: _Phrases
    not_before: _Phrases
    not_figures: frozenset[str]
    months: frozenset[str]
    heads: _Phrases  # -> ("people" | "drones" | "missiles" | "cases" | "count" | "skip")
    links: _Phrases
    subset_after: _Phrases
    subset_before: _Phrases
    breaks: frozenset[str]
    cues: _Phrases  # -> (kind, is_toll)
    weapon_cues: _Phrases  # -> "downed" | "launched"
    prisoner_heads: frozenset[str]
    other: list[tuple[str, bool, bool, _Phrases]]
    other_window: int
    w_after: int
    w_before: int
    w_toll: int
    w_head: int


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    d: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    units: dict[str, int] = {}
    for table in d["units"].values():
        units.update({k.lower(): int(v) for k, v in table.items() if " " not in k})
    heads: list[tuple[str, Any]] = []
    heads += [(w, "skip") for w in d["not_figures"]]
    heads += [(w, "count") for w in d["count_nouns"]]
    heads += [(w, "people") for w in d["people"]]
    heads += [(w, "cases") for w in d["cases"]]
    for kind, words in d["weapons"].items():
        heads += [(w, str(kind)) for w in words]
    cues: list[tuple[str, Any]] = []
    for kind, spec in d["casualties"].items():
        cues += [(c, (kind, False)) for c in spec.get("cues", [])]
        cues += [(c, (kind, True)) for c in spec.get("toll", [])]
    quals = [(p, q) for q, ps in d["qualifiers"].items() for p in ps]
    other = []
    for name, spec in d["other_kinds"].items():
        other.append(
            (
                name,
                bool(spec.get("money")),
                bool(spec.get("percent")),
                _Phrases([(c, 1) for c in spec["cues"]]),
            )
        )
    w = d["window"]
    return _Cues(
        units=units,
        scales={k.lower(): int(v) for k, v in d["scales"].items()},
        vague=_Phrases([(k, (int(v[0]), str(v[1]))) for k, v in d["vague"].items()]),
        qualifiers=_Phrases(quals),
        approximate=frozenset(d["approximate"]),
        tolerance=float(d["restatement_tolerance"]),
        cur_before={k.lower(): v for k, v in d["currencies"]["before"].items()},
        cur_after=_Phrases(list(d["currencies"]["after"].items())),
        percent=_Phrases([(p, 1) for p in d["percent"]]),
        not_before=_Phrases([(p, 1) for p in d["not_before"]]),
        not_figures=frozenset(str(w).lower() for w in d["not_figures"]),
        months=frozenset(str(w).lower() for w in d["months"]),
        heads=_Phrases(heads),
        links=_Phrases([(p, 1) for p in d["links"]]),
        subset_after=_Phrases([(p, 1) for p in d["subset_after"]]),
        subset_before=_Phrases([(p, 1) for p in d["subset_before"]]),
        breaks=frozenset(str(b).lower() for b in d["clause_breaks"]),
        cues=_Phrases(cues),
        weapon_cues=_Phrases([(c, k) for k, cs in d["weapons_kinds"].items() for c in cs]),
        prisoner_heads=frozenset(
            x for p in d["casualties"]["prisoners_released"]["heads"] for x in [_words(p)[0]]
        ),
        other=other,
        other_window=int(d["other_window"]),
        w_after=int(w["after"]),
        w_before=int(w["before"]),
        w_toll=int(w["toll"]),
        w_head=int(w["head"]),
    )


# --- numbers ------------------------------------------------------------------------------------


def _to_float(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def parse_number(s: str, lang: str | None = "id", *, scaled: bool = False) -> float | None:
    """``"55.000"`` -> 55000, ``"17,5"`` -> 17.5 (Indonesian); ``"55,000"``/``"17.5"`` in English.

    ``scaled``: a scale word follows ("30,880 juta", "1.5 million"), so a lone mark is the language's
    decimal mark even before three digits.
    """
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    if thousands in s and decimal in s:
        a, b = (s.rfind(thousands), s.rfind(decimal))
        if a > b:  # the other convention after all
            thousands, decimal = decimal, thousands
    elif decimal in s and thousands not in s:
        # only the "decimal" mark, before exactly three digits: writers of both languages mix the
        # conventions, and "55,000" / "1.500" are thousands far more often than three decimals
        # (but "0,125" is a fraction, and "30,880 juta" is 30.88 million)
        groups = s.split(decimal)
        if not scaled and all(len(g) == 3 for g in groups[1:]) and groups[0] not in ("0", ""):
            return _to_float("".join(groups))
    elif scaled and thousands in s and s.count(thousands) == 1 and lang is not None:
        # "1.5 juta" in Indonesian copy of English text: one mark before a scale word is a decimal point
        head, tail = s.split(thousands)
        if len(tail) != 3:
            return _to_float(head + "." + tail)
    parts = s.split(thousands)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]) and decimal not in parts[0]:
        s = "".join(parts)
    elif len(parts) > 1:
        # a lone separator not followed by three digits is a decimal point in the other convention
        if len(parts) == 2 and decimal not in s:
            s = parts[0] + "." + parts[1]
        else:
            return None
    return _to_float(s.replace(decimal, "."))


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str
    low: str
    clause: int  # clause number: cues never bind across clauses
    sent: int  # sentence number


@dataclass(slots=True)
class _Num:
    i: int  # first token (qualifier excluded)
    j: int  # one past the last token of the number (scale word included)
    value: float
    qual: str | None
    written: bool
    vague: bool
    q_i: int  # first token of the qualifier (== i when none)


def _tokenise(text: str, c: _Cues) -> list[_Tok]:
    toks: list[_Tok] = []
    clause = sent = 0
    prev_end = 0
    for m in _TOKEN.finditer(text):
        if "\n" in text[prev_end : m.start()]:
            clause += 1
            sent += 1
        s = m.group()
        low = s.lower()
        toks.append(_Tok(m.start(), m.end(), s, low, clause, sent))
        prev_end = m.end()
        if low in c.breaks:
            clause += 1
            if low in ".!?•|":
                sent += 1
    return toks


def _fix_abbreviations(toks: list[_Tok]) -> None:
    """Merge clauses split by a full stop that ends an abbreviation ("Oct. 7", "Rp. 5", "No. 9")."""
    shift_c = shift_s = 0
    for k, t in enumerate(toks):
        t.clause -= shift_c
        t.sent -= shift_s
        if (
            t.low == "."
            and 0 < k < len(toks) - 1
            and toks[k + 1].start == t.end + 1
            and (toks[k + 1].text[:1].isdigit() or toks[k + 1].text[:1].islower())
            and toks[k - 1].end == t.start
            and toks[k - 1].text[:1].isalpha()
        ):
            shift_c += 1
            shift_s += 1


def _words_value(toks: list[_Tok], i: int, c: _Cues) -> tuple[float, int] | None:
    """A written-out number starting at token ``i``: ``(value, tokens used)``."""
    total = current = 0
    j = i
    seen = False
    while j < len(toks):
        ok = True
        for w in toks[j].low.split("-"):
            if w in c.units:
                current += c.units[w]
            elif w == "belas" and seen:
                current += 10
            elif w in ("puluh", "ratus", "hundred") and seen:
                current *= c.scales[w]
            elif (
                w in ("ribu", "thousand", "juta", "million", "miliar", "billion", "triliun", "trillion")
                and seen
            ):
                total += current * c.scales[w]
                current = 0
            else:
                ok = False
                break
            seen = True
        if not ok:
            break
        j += 1
        if j + 1 < len(toks) and toks[j].low == "and" and toks[j + 1].low in c.units:
            j += 1
    if j == i:
        return None
    return float(total + current), j - i


def _number_at(
    text: str, toks: list[_Tok], low: list[str], i: int, lang: str | None, c: _Cues
) -> _Num | None:
    t = toks[i]
    k, vague = c.vague.at(low, i)
    if k:
        return _Num(i, i + k, float(vague[0]), vague[1], False, True, i)
    if t.text[0].isdigit():
        scaled = i + 1 < len(toks) and low[i + 1] in c.scales and toks[i + 1].start - t.end <= 1
        value = parse_number(t.text, lang, scaled=scaled)
        if value is None:
            return None
        if scaled:
            return _Num(i, i + 2, value * c.scales[low[i + 1]], None, False, False, i)
        return _Num(i, i + 1, value, None, False, False, i)
    if low[i].split("-")[0] in c.units:
        w = _words_value(toks, i, c)
        if w is not None:
            return _Num(i, i + w[1], w[0], None, True, False, i)
    return None


def _not_a_figure(text: str, toks: list[_Tok], low: list[str], n: _Num, c: _Cues) -> bool:
    """Dates, times, ages, years, scores, ranges, codes, labels: numbers that count nothing."""
    t, last = toks[n.i], toks[n.j - 1]
    s, e = t.start, last.end
    b1, b2 = text[s - 1 : s], text[max(0, s - 2) : max(0, s - 1)]
    a1, a2 = text[e : e + 1], text[e + 1 : e + 2]
    if n.vague:
        return False
    if b1.isalpha() or (b1 in "-–" and b1 and (b2.isalpha() or b2.isdigit())):  # G20, COVID-19, ke-21, 16-17
        return True
    if (b1 and b1 in "/:") or (a1 in "/:" and a2.isdigit()):  # 11/5/2024, 10:30
        return True
    if a1.isalpha() or (a1 in "-–" and a1 and (a2.isalnum())):  # 2nd, 5km, 61-year-old, 2-1, 60–70
        return True
    if b1 == "(" and a1 == ")":  # "Sanduan (80)": an age or a code
        return True
    raw = t.text
    if n.j - n.i == 1 and raw.isdigit() and len(raw) == 4 and 1800 <= int(raw) <= 2100:
        return True
    if n.i > 0:
        if low[n.i - 1] in c.months or (n.i > 1 and low[n.i - 1] == "." and low[n.i - 2] in c.months):
            return True
        if c.not_before.ending_at(low, n.q_i)[0]:
            return True
        # "Edy Utomo, 53, ..." (an age in apposition) and "N 7807 UW" (a licence plate)
        p = toks[n.i - 1]
        if p.low == "," and n.i > 1 and toks[n.i - 2].text[:1].isupper() and a1 in ",)":
            return True
        if p.text.isupper() and len(p.text) <= 2 and n.j < len(toks) and toks[n.j].text.isupper():
            return True
    priced = n.i > 0 and (
        low[n.i - 1] in c.cur_before or (n.i > 1 and low[n.i - 1] == "." and low[n.i - 2] in c.cur_before)
    )
    if n.j < len(toks) and not priced:
        nxt = low[n.j]
        if nxt in c.months or nxt in c.not_figures or nxt.rstrip(".") in c.not_figures:
            return True
        # "Sejak 15 hingga 27 April", "29 to 30 August": a range of dates
        if (
            nxt in ("hingga", "sampai", "to", "until", "dan", "and", "-", "–")
            and n.j + 2 < len(toks)
            and toks[n.j + 1].text[:1].isdigit()
            and low[n.j + 2] in c.months
        ):
            return True
    return False


# --- the casualty frame -------------------------------------------------------------------------


@dataclass(slots=True)
class _Head:
    cat: str | None  # people, drones, missiles, cases, count, skip; None when no head noun follows
    start: int
    end: int  # token index after the head (== number end when none)
    text: str | None
    total_of: bool  # the number is M in "N of M drones" (a total)


def _head(toks: list[_Tok], low: list[str], n: _Num, c: _Cues, norp_starts: set[int]) -> _Head:
    j = n.j
    # "35 of 40 drones", "one of four missiles": the head of the total is the head of the part
    if j + 1 < len(toks) and low[j] in ("of", "dari") and _starts_number(toks, low, j + 1, c):
        j += 2
        while j < len(toks) and (low[j] in c.units or low[j] in c.scales):
            j += 1
    limit = min(len(toks), j + c.w_head)
    k = j
    past_cue = False
    while k < limit:
        if toks[k].clause != toks[n.i].clause:
            break
        size, cat = c.heads.at(low, k)
        if size:
            return _Head(cat, k, k + size, " ".join(x.text for x in toks[k : k + size]), False)
        if toks[k].start in norp_starts:
            return _Head("people", k, k + 1, toks[k].text, False)
        w = toks[k].text
        if not w[:1].isalpha() or w[:1].isdigit():
            break
        if low[k] in c.breaks or low[k] in _CONJ:
            break
        size = c.cues.at(low, k)[0]
        if size:
            # "five wounded soldiers": the head may follow one cue (the frame binds that cue first)
            if past_cue or k != j:
                break
            past_cue = True
            k += size
            limit = min(len(toks), k + 1)
            continue
        k += 1
    return _Head(None, n.j, n.j, None, False)


_CONJ = frozenset({"and", "dan", "serta", "or", "atau", "while"})


def _starts_number(toks: list[_Tok], low: list[str], k: int, c: _Cues) -> bool:
    return toks[k].text[:1].isdigit() or low[k] in c.units


def _bind(
    toks: list[_Tok],
    low: list[str],
    n: _Num,
    head: _Head,
    c: _Cues,
    cue_at: list[tuple[int, Any] | None],
    cue_end: dict[int, list[tuple[int, Any]]],
    nums_at: set[int],
) -> tuple[str, bool] | None:
    """The casualty cue bound to a number: ``(kind, is_toll)`` of the nearest, either side."""
    clause = toks[n.i].clause
    best: tuple[float, tuple[str, bool]] | None = None
    # the head begins a cue ("two bodies recovered"), or a cue stands between number and head
    at_head = cue_at[head.start] if head.cat is not None else None
    if at_head is not None and head.start + at_head[0] > head.end:
        return at_head[1]  # type: ignore[no-any-return]
    # between number and head: "five wounded soldiers"
    for k in range(n.j, head.start):
        hit = cue_at[k]
        if hit is not None and k + hit[0] <= head.start:
            return hit[1]
    # after: "214 people died", "84 orang yang dilaporkan tewas", "13.000 mengalami luka-luka"
    start = head.end if head.cat is not None else n.j
    reach = c.w_after if head.cat is not None else 2
    for k in range(start, min(len(toks), start + reach + 1)):
        if toks[k].clause != clause or (k in nums_at and k != n.i) or low[k] in _CONJ:
            break
        if k == n.j and low[k] in ("of", "dari") and head.cat is None:
            break  # "11 of the dead had been identified": a part of a figure stated elsewhere
        hit = cue_at[k]
        if hit is not None:
            d = float(k - start)
            if best is None or d < best[0]:
                best = (d, hit[1])
            break
    # before: "menewaskan sedikitnya 300 warga", "killing at least 19", "korban tewas ... sebanyak 268"
    link = c.links.ending_at(low, n.q_i)[0] or c.links.ending_at(low, n.i)[0]
    reach_b = c.w_toll if link else (c.w_before if head.cat is not None else 2)
    lo = max(0, n.q_i - reach_b - 1)
    for end in range(n.q_i, lo, -1):
        k0 = end - 1
        if k0 < 0 or toks[k0].clause != clause or (k0 in nums_at):
            break
        for _size, hit in cue_end.get(end, ()):
            is_toll = hit[1]
            gap = n.q_i - end
            if gap > c.w_before and not (is_toll and link):
                continue
            d = 2.0 * gap + 1.0 if gap <= c.w_before else 4.0 + gap / 2
            if best is None or d < best[0]:
                best = (d, hit)
        if best is not None and best[0] <= 2.0 * (n.q_i - end) + 1.0:
            break
    return best[1] if best is not None else None


def _weapon_kind(
    toks: list[_Tok],
    low: list[str],
    n: _Num,
    head: _Head,
    c: _Cues,
    wcue_at: list[str | None],
    nums_at: set[int],
) -> str:
    """Downed when a downing verb governs the count (before it, across a coordination) or follows it."""
    clause = toks[n.i].clause
    found: set[str] = set()
    for k in range(head.end, min(len(toks), head.end + c.w_after + 1)):
        if toks[k].clause != clause or k in nums_at or low[k] in _CONJ:
            break
        if wcue_at[k] is not None:
            found.add(str(wcue_at[k]))
            break
    for k in range(n.q_i - 1, max(-1, n.q_i - 10), -1):
        if toks[k].clause != clause:
            break
        if wcue_at[k] is not None:
            found.add(str(wcue_at[k]))
            break
    return "downed" if "downed" in found else "launched"


def _other_kind(
    toks: list[_Tok], low: list[str], n: _Num, c: _Cues, money: bool, percent: bool
) -> str | None:
    sent = toks[n.i].sent
    lo, hi = max(0, n.q_i - c.other_window), min(len(toks), n.j + c.other_window)
    for name, want_money, want_percent, phrases in c.other:
        if want_money != money or want_percent != percent:
            continue
        for k in range(lo, hi):
            if toks[k].sent == sent and phrases.at(low, k)[0]:
                return name
    return None


def extract_figures(text: str, lang: str | None = "id", entities: list[Entity] | None = None) -> list[Figure]:
    """Every figure in ``text``: casualty kinds by their frame, else money, percent, cases or counts."""
    c = _cues()
    toks = _tokenise(text, c)
    _fix_abbreviations(toks)
    low = [t.low for t in toks]
    n_tok = len(toks)
    # casualty and weapon cues at every token (longest phrase), and indexed by their end
    cue_at: list[tuple[int, Any] | None] = [None] * n_tok
    cue_end: dict[int, list[tuple[int, Any]]] = {}
    wcue_at: list[str | None] = [None] * n_tok
    for k in range(n_tok):
        size, hit = c.cues.at(low, k)
        if size:
            cue_at[k] = (size, hit)
            cue_end.setdefault(k + size, []).append((size, hit))
        size, w = c.weapon_cues.at(low, k)
        if size:
            wcue_at[k] = w
    norp_starts = {s for e in (entities or []) if e.type == "NORP" for s, _ in e.spans}
    ent_spans = sorted((s, e, ent.name) for ent in (entities or []) for s, e in ent.spans)
    ent_starts = [s for s, _, _ in ent_spans]
    # numbers first (so that cues never bind across another number)
    nums: list[_Num] = []
    k = 0
    while k < n_tok:
        t = toks[k]
        if not (
            t.text[0].isdigit()
            or low[k] in c.units
            or low[k].split("-")[0] in c.units
            or low[k] in c.vague.first
        ):
            k += 1
            continue
        n = _number_at(text, toks, low, k, lang, c)
        if n is None:
            k += 1
            continue
        q, qual = c.qualifiers.ending_at(low, n.i)
        if q and not n.vague:
            n.q_i, n.qual = n.i - q, qual
        if not _not_a_figure(text, toks, low, n, c):
            nums.append(n)
        k = n.j
    nums_at = {x for n in nums for x in range(n.i, n.j)}
    out: list[Figure] = []
    inherit: tuple[int, str] | None = None  # (sentence, kind) of a breakdown: "19 di antaranya ..."
    last_cas: tuple[int, str] | None = None
    for n in nums:
        t = toks[n.i]
        sent = t.sent
        start, end = t.start, toks[n.j - 1].end
        unit: str | None = None
        money = percent = False
        if n.i > 0 and (toks[n.i - 1].text in c.cur_before or low[n.i - 1] in c.cur_before):
            unit, money, start = c.cur_before.get(low[n.i - 1]), True, toks[n.i - 1].start
        elif n.i > 1 and low[n.i - 1] == "." and low[n.i - 2] in c.cur_before:
            unit, money, start = c.cur_before[low[n.i - 2]], True, toks[n.i - 2].start
        after = n.j
        if not money:
            size, _ = c.percent.at(low, after)
            if size:
                unit, percent, after = "percent", True, after + size
                end = toks[after - 1].end
            else:
                size, cur = c.cur_after.at(low, after)
                if size:
                    unit, money, after = str(cur), True, after + size
                    end = toks[after - 1].end
        kind: str | None = None
        head = _Head(None, n.j, n.j, None, False)
        if money or percent:
            kind = _other_kind(toks, low, n, c, money, percent) or ("money" if money else "percent")
        else:
            head = _head(toks, low, n, c, norp_starts)
            total_of = (
                n.i >= 2
                and low[n.i - 1] in ("of", "dari")
                and any(_starts_number(toks, low, x, c) for x in range(max(0, n.i - 3), n.i - 1))
            )
            if head.cat in ("drones", "missiles"):
                wk = "launched" if total_of else _weapon_kind(toks, low, n, head, c, wcue_at, nums_at)
                kind = f"{head.cat}_{wk}"
            elif head.cat in ("count", "skip"):
                kind = "count" if head.cat == "count" and not n.written else None
                if (
                    head.cat == "count"
                    and inherit is not None
                    and inherit[0] == sent
                    and low[n.i - 1] in (",", "dan", "and")
                    and (head.text or "")[:1].isupper()
                ):
                    kind = inherit[1]  # "..., 8 Padang Pariaman dan 2 Kota Padang Panjang": a place name
            elif head.cat == "cases":
                hit = _bind(toks, low, n, head, c, cue_at, cue_end, nums_at)
                kind = "killed" if hit is not None and hit[0] == "killed" else "cases"
            else:
                hit = _bind(toks, low, n, head, c, cue_at, cue_end, nums_at)
                subset = bool(c.subset_after.at(low, n.j)[0] or c.subset_before.ending_at(low, n.q_i)[0])
                if hit is not None and hit[0] == "cases":
                    kind = (
                        "cases"
                        if head.cat is None or head.text in ("patients", "pasien", "people", "orang")
                        else None
                    )
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
                        and low[n.i - 1] in (",", "dan", "and")
                        and (head.cat in (None, "people") or (head.text or "")[:1].isupper())
                    ):
                        kind = inherit[1]
                if subset and kind in CASUALTY_KINDS:
                    inherit = (sent, kind)
                if kind is None and head.cat == "people" and not n.written:
                    kind = "count"
                if n.written and head.cat is None and (hit is None or cue_at[n.j] is None):
                    kind = None  # "one of the", "two said": a written number needs a noun or its cue
            if head.cat is not None and unit is None:
                unit = head.text
        if kind is None:
            continue
        if kind in CASUALTY_KINDS:
            last_cas = (sent, kind)
        actor = None
        if kind.endswith("_launched") or kind == "aid_amount":
            s0 = start
            i_sent = n.i
            while i_sent > 0 and toks[i_sent - 1].sent == sent and n.i - i_sent < 60:
                i_sent -= 1
            s0 = toks[i_sent].start
            idx = bisect.bisect_left(ent_starts, start) - 1
            if idx >= 0 and ent_spans[idx][0] >= s0 and ent_spans[idx][1] <= start:
                actor = ent_spans[idx][2]
        fig = Figure(
            kind=kind,
            value=n.value,
            unit=unit,
            text=text[start:end],
            span=(start, end),
            actor=actor,
            qualifier=n.qual,
        )
        out.append(fig)
        # "shot down all 42 drones": all of them were launched too
        if kind.endswith("_downed") and n.qual == "all":
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
    requires: ClassVar[tuple[str, ...]] = ("body", "entities")
    assigns: ClassVar[tuple[str, ...]] = ("figures",)

    def __init__(self, settings: Any = None, state: Any = None):
        _cues()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        doc.figures = extract_figures(doc.body, doc.language or "id", doc.entities)
