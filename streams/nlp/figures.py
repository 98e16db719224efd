"""Figures: numbers in Indonesian and English forms, normalised and typed by the words around them."""

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

__all__ = ["FigureStage", "extract_figures", "parse_number"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "figures" / "cues.yaml"
_TOKEN = re.compile(r"(?P<num>\d+(?:[.,]\d+)*)|(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)|(?P<sym>US\$|[%$€£¥])")
_SENT = re.compile(r"(?<=[.!?”\"])\s+|\n+|;\s*")


@dataclass(frozen=True)
class _Cues:
    units: dict[str, int]
    scales: dict[str, int]
    vague: dict[tuple[str, ...], tuple[int, str]]
    vague_keys: _Index
    cur_after_ix: _Index
    starters: frozenset[str]
    qualifiers: list[tuple[tuple[str, ...], str]]
    cur_before: dict[str, str]
    cur_after: list[tuple[tuple[str, ...], str]]
    percent: _Index
    not_figures: frozenset[str]
    count_nouns: _Index
    kinds: list[tuple[str, dict[str, Any], _Index, re.Pattern[str] | None]]


def _phr(words: list[str]) -> list[tuple[str, ...]]:
    return sorted({tuple(w.lower().split()) for w in words}, key=len, reverse=True)


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    d: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    units: dict[str, int] = {}
    for table in d["units"].values():
        units.update({k.lower(): int(v) for k, v in table.items()})
    kinds = []
    for name, spec in d["kinds"].items():
        cues = spec.get("cues", [])
        pat = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(re.escape(c.lower()) for c in sorted(cues, key=len, reverse=True))
                + r")(?!\w)"
            )
            if cues
            else None
        )
        kinds.append((name, spec, _ix(_phr(spec.get("units", []))), pat))
    return _Cues(
        units=units,
        scales={k.lower(): int(v) for k, v in d["scales"].items()},
        vague={tuple(k.lower().split()): (int(v[0]), str(v[1])) for k, v in d["vague"].items()},
        vague_keys=_ix(_phr(list(d["vague"]))),
        cur_after_ix=_ix([tuple(k.lower().split()) for k in d["currencies"]["after"]]),
        starters=frozenset(units) | frozenset(k.split()[0].lower() for k in d["vague"]),
        qualifiers=sorted(
            [(tuple(p.lower().split()), q) for q, ps in d["qualifiers"].items() for p in ps],
            key=lambda x: -len(x[0]),
        ),
        cur_before={k: v for k, v in d["currencies"]["before"].items()},
        cur_after=sorted(
            [(tuple(k.lower().split()), v) for k, v in d["currencies"]["after"].items()],
            key=lambda x: -len(x[0]),
        ),
        percent=_ix(_phr(d["percent"])),
        not_figures=frozenset(w.lower() for w in d["not_figures"]),
        count_nouns=_ix(_phr(d["count_nouns"])),
        kinds=kinds,
    )


@dataclass(slots=True)
class _T:
    start: int
    end: int
    text: str
    low: str
    num: bool


def _to_float(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def parse_number(s: str, lang: str | None = "id") -> float | None:
    """``"55.000"`` -> 55000, ``"17,5"`` -> 17.5 (Indonesian); ``"55,000"``/``"17.5"`` in English."""
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    if thousands in s and decimal in s:
        a, b = (s.rfind(thousands), s.rfind(decimal))
        if a > b:  # the other convention after all
            thousands, decimal = decimal, thousands
    elif decimal in s and thousands not in s:
        # only the "decimal" mark, before exactly three digits: writers of both languages mix the
        # conventions, and "55,000" / "1.500" are thousands far more often than three decimals
        # (but "0,125" is a fraction)
        groups = s.split(decimal)
        if all(len(g) == 3 for g in groups[1:]) and groups[0] not in ("0", ""):
            return _to_float("".join(groups))
    parts = s.split(thousands)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]) and decimal not in parts[0]:
        s = "".join(parts)
    elif len(parts) > 1:
        # a lone separator not followed by three digits is a decimal point in the other convention
        if len(parts) == 2 and decimal not in s:
            s = parts[0] + "." + parts[1]
        else:
            return None
    s = s.replace(decimal, ".")
    try:
        return float(s)
    except ValueError:
        return None


_Index = dict[str, tuple[tuple[str, ...], ...]]


def _ix(seqs: list[tuple[str, ...]]) -> _Index:
    out: dict[str, list[tuple[str, ...]]] = {}
    for seq in seqs:
        out.setdefault(seq[0], []).append(seq)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


def _match_seq(toks: list[_T], i: int, seqs: _Index) -> int:
    if i >= len(toks):
        return 0
    cands = seqs.get(toks[i].low)
    if not cands:
        return 0
    for seq in cands:
        n = len(seq)
        if i + n <= len(toks) and all(toks[i + k].low == seq[k] for k in range(1, n)):
            return n
    return 0


def _words_value(toks: list[_T], i: int, c: _Cues) -> tuple[float, int] | None:
    """Parse a written-out number starting at token ``i``: ``(value, tokens used)``."""
    total = 0
    current = 0
    j = i
    seen = False
    while j < len(toks):
        parts = toks[j].low.split("-")
        ok = True
        for w in parts:
            if w in c.units:
                current += c.units[w]
            elif w in ("belas",) and seen:
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
        if j < len(toks) and toks[j].low in ("and",) and j + 1 < len(toks) and toks[j + 1].low in c.units:
            j += 1
    if j == i:
        return None
    return float(total + current), j - i


def _sentence_bounds(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENT.finditer(text)] + [len(text)]


def extract_figures(text: str, lang: str | None = "id", entities: list[Entity] | None = None) -> list[Figure]:
    """Every figure in ``text`` whose kind is known or that counts, weighs or prices something."""
    c = _cues()
    out: list[Figure] = []
    windows = _windows(text, c)
    if not windows:
        return out
    bounds = _sentence_bounds(text)
    ent_spans = sorted((s, e, ent.name) for ent in (entities or []) for s, e in ent.spans)
    for ws, we in windows:
        toks = [
            _T(m.start(), m.end(), m.group(), m.group().lower(), m.lastgroup == "num")
            for m in _TOKEN.finditer(text, ws, we)
        ]
        _scan(text, toks, lang, c, bounds, ent_spans, out)
    return out


_DIGITS = re.compile(r"\d+")


def _candidates(text: str, c: _Cues) -> list[tuple[int, int]]:
    """Offsets of digit runs and of whole number words (``str.find`` per word: fast on long text)."""
    found = [(m.start(), m.end()) for m in _DIGITS.finditer(text)]
    low = text.lower()
    n = len(low)
    for w in c.starters:
        pos = low.find(w)
        while pos >= 0:
            end = pos + len(w)
            if (pos == 0 or not low[pos - 1].isalnum()) and (end >= n or not low[end].isalnum()):
                found.append((pos, end))
            pos = low.find(w, end)
    found.sort()
    return found


def _windows(text: str, c: _Cues) -> list[tuple[int, int]]:
    """Stretches of text around digits and number words (the only places figures can start)."""
    wins: list[tuple[int, int]] = []
    for start, end in _candidates(text, c):
        a = text.rfind(" ", 0, max(0, start - 40)) + 1
        b = text.find(" ", end + 60)
        b = len(text) if b < 0 else b
        if wins and a <= wins[-1][1]:
            wins[-1] = (wins[-1][0], max(b, wins[-1][1]))
        else:
            wins.append((a, b))
    return wins


def _scan(
    text: str,
    toks: list[_T],
    lang: str | None,
    c: _Cues,
    bounds: list[int],
    ent_spans: list[tuple[int, int, str]],
    out: list[Figure],
) -> None:
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if not t.num and t.low.split("-")[0] not in c.starters:
            i += 1
            continue
        value: float | None = None
        used = 0
        qual: str | None = None
        start = t.start
        vague = _match_seq(toks, i, c.vague_keys)
        if vague:
            value, qual = c.vague[tuple(x.low for x in toks[i : i + vague])]
            used = vague
            if i + used < n and toks[i + used].low == "of":
                used += 1
        elif t.num:
            if _skip_numeric(text, toks, i):
                i += 1
                continue
            value = parse_number(t.text, lang)
            used = 1
            if (
                value is not None
                and i + 1 < n
                and toks[i + 1].low in c.scales
                and toks[i + 1].start - t.end <= 1
            ):
                value *= c.scales[toks[i + 1].low]
                used = 2
        else:
            w = _words_value(toks, i, c)
            if w is not None:
                value, used = w
        if value is None or used == 0:
            i += 1
            continue
        j = i + used
        is_written = not t.num and not vague
        # currency and percent markers
        unit: str | None = None
        money = False
        prev = toks[i - 1] if i > 0 else None
        if prev is not None and prev.text in c.cur_before:
            unit, money, start = c.cur_before[prev.text], True, prev.start
        k = _match_seq(toks, j, c.percent)
        if k:
            unit, j = "percent", j + k
        elif (k := _match_seq(toks, j, c.cur_after_ix)) != 0:
            unit = dict(c.cur_after)[tuple(x.low for x in toks[j : j + k])]
            money, j = True, j + k
        end = toks[j - 1].end
        nxt = toks[j].low if j < n else ""
        if unit is None and (nxt in c.not_figures or nxt.rstrip(".") in c.not_figures):
            i = j
            continue
        noun_len = _match_seq(toks, j, c.count_nouns)
        if is_written and (value <= 1 or not noun_len):
            i = j
            continue
        # qualifier words right before the number
        q_i = i - (1 if money and prev is not None and start == prev.start else 0)
        for seq, q in c.qualifiers:
            m = len(seq)
            if q_i - m >= 0 and all(toks[q_i - m + x].low == seq[x] for x in range(m)):
                qual = q if qual is None else f"{q}:{qual}"
                break
        s_idx = bisect.bisect_right(bounds, start) - 1
        s0, s1 = bounds[max(0, s_idx)], bounds[min(len(bounds) - 1, s_idx + 1)]
        kind = _kind(text, toks, j, start, end, s0, s1, unit, money, c)
        if kind is None:
            if money:
                kind = "money"
            elif unit == "percent":
                kind = "percent"
            elif noun_len:
                kind = "count"
        if kind is None:
            i = j
            continue
        if unit is None and noun_len:
            unit = " ".join(x.text for x in toks[j : j + noun_len])
        actor = _actor(ent_spans, start, s0) if kind.endswith("_launched") or kind == "aid_amount" else None
        out.append(
            Figure(
                kind=kind,
                value=value,
                unit=unit,
                text=text[start:end],
                span=(start, end),
                actor=actor,
                qualifier=qual,
            )
        )
        i = j


_MONTHS = frozenset(
    [
        "januari",
        "februari",
        "maret",
        "april",
        "mei",
        "juni",
        "juli",
        "agustus",
        "september",
        "oktober",
        "november",
        "desember",
        "january",
        "february",
        "march",
        "may",
        "june",
        "july",
        "august",
        "october",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


def _skip_numeric(text: str, toks: list[_T], i: int) -> bool:
    """Dates, times, ordinals, years, codes: numbers that are not figures."""
    t = toks[i]
    before = text[max(0, t.start - 3) : t.start]
    after = text[t.end : t.end + 2]
    if before[-1:].isalpha() or (before[-1:] == "-" and before[-2:-1].isalpha()):  # G20, COVID-19, ke-21
        return True
    if before[-1:] in "/:" or (after[:1] in "/:" and after[1:2].isdigit()):
        return True
    if after[:1].isalpha() and after[:1] not in "%":  # 2nd, 10th, 5km
        return True
    if i > 0 and (
        toks[i - 1].low in _MONTHS or toks[i - 1].low in ("pukul", "jam", "tanggal", "tgl", "at", "hari")
    ):
        return True
    if i + 1 < len(toks) and toks[i + 1].low in _MONTHS:
        return True
    raw = t.text
    return raw.isdigit() and len(raw) == 4 and 1800 <= int(raw) <= 2100


def _kind(
    text: str,
    toks: list[_T],
    j: int,
    start: int,
    end: int,
    s0: int,
    s1: int,
    unit: str | None,
    money: bool,
    c: _Cues,
) -> str | None:
    sent = text[s0:s1].lower()
    best: tuple[int, int, str] | None = None
    for order, (name, spec, units, pat) in enumerate(c.kinds):
        if bool(spec.get("money")) != money:
            continue
        if bool(spec.get("percent")) != (unit == "percent"):
            continue
        if units:
            has_unit = any(_match_seq(toks, jj, units) for jj in range(j, min(j + 2, len(toks))))
            if spec.get("require_units") and not has_unit:
                continue
        dist = None
        if pat is not None:
            for m in pat.finditer(sent):
                a, b = s0 + m.start(), s0 + m.end()
                # cues after the number ("12 orang tewas") bind closer than cues before it
                d = a - end if a >= end else 3 * (start - b)
                if d < 0:
                    continue
                dist = d if dist is None else min(dist, d)
        if dist is None:
            if spec.get("default"):
                dist = 10_000
            else:
                continue
        if spec.get("require_cue") and dist >= 10_000:
            continue
        if dist > 120 and dist < 10_000:
            continue
        cand = (dist, order, name)
        if best is None or cand < best:
            best = cand
    return best[2] if best else None


def _actor(ent_spans: list[tuple[int, int, str]], start: int, s0: int) -> str | None:
    """The entity named last before the figure in its sentence (the one launching or giving)."""
    best = None
    for s, e, name in ent_spans:
        if s0 <= s and e <= start:
            best = name
        elif s >= start:
            break
    return best


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
