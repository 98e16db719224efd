"""Numbers in Indonesian and English text, parsed once per article from the analysis tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Any

from streams.core import hot
from streams.core.analysis import Analysis, NumberToken
from streams.core.hot import read_yaml

__all__ = [
    "NumberRules",
    "Phrases",
    "number_rules",
    "parse_numbers",
    "parse_numeral",
    "parse_words",
    "py_parse_numbers",
    "py_parse_numeral",
    "space_groups",
]

#: A token that starts with an ASCII digit (as ``"0" <= w < ":"``), one C call per token.
_DIGIT_START = re.compile("[0-9]").match

_CUES = Path(__file__).resolve().parent.parent / "data" / "figures" / "cues.yaml"

#: Scales of a written number that add ten ("dua belas" = 12) or multiply the last unit
#: ("dua ratus lima puluh" = 250) rather than the whole group so far.
_TEEN = "belas"


@dataclass(frozen=True, slots=True)
class NumberRules:
    """Number words of ``figures/cues.yaml`` as token tuples (lowered like the analysis tokens)."""

    units: dict[str, float]  # single-token number words
    multi_units: Phrases  # "a dozen"
    scales: dict[str, float]
    short_scales: frozenset[str]  # "m", "bn", "jt": only right after the digits or after a currency
    currency_scales: dict[tuple[str, str], float]  # (currency, scale) -> value: ("IDR", "m") is miliar
    measure_after: dict[str, frozenset[str]]  # scale -> words after it that make it a unit of length ("m")
    small_scales: frozenset[str]  # multiply the last unit: puluh, ratus, hundred
    vague: Phrases  # -> (lower bound, label)
    qualifiers: Phrases  # -> qualifier name
    currency_before: Phrases  # -> currency code
    currency_after: Phrases  # -> currency code
    percent: Phrases
    starters: frozenset[str]  # first tokens of every number word and vague amount


def _toks(form: str) -> tuple[str, ...]:
    from streams.nlp.analysis import analyze

    return tuple(analyze(str(form), lexicons=False).lowers)


def _scales(
    table: dict[str, Any],
) -> tuple[dict[str, float], dict[tuple[str, str], float], dict[str, frozenset[str]]]:
    """The one-token scale words with their values; the values a currency gives them ("Rp 5 M": miliar);
    the words after a scale that make it a unit of length ("m: {value: ..., measure_after: [into, high]}")."""
    scales: dict[str, float] = {}
    by_currency: dict[tuple[str, str], float] = {}
    measure: dict[str, frozenset[str]] = {}
    for w, v in table.items():
        t = _toks(w)
        if len(t) != 1:
            continue
        if isinstance(v, dict):
            by_currency.update({(str(c), t[0]): float(x) for c, x in (v.get("by_currency") or {}).items()})
            if v.get("measure_after"):
                measure[t[0]] = frozenset(_toks(x)[0] for x in v["measure_after"] if len(_toks(x)) == 1)
            v = v["value"]
        scales[t[0]] = float(v)
    return scales, by_currency, measure


@lru_cache(maxsize=1)
def number_rules() -> NumberRules:
    d: dict[str, Any] = read_yaml(_CUES.read_text(encoding="utf-8"))
    units: dict[str, float] = {}
    multi: dict[tuple[str, ...], float] = {}
    for table in d["units"].values():
        for w, v in table.items():
            t = _toks(w)
            if len(t) == 1:
                units[t[0]] = float(v)
            elif t:
                multi[t] = float(v)
    scales, currency_scales, measure_after = _scales(d["scales"])
    vague = {_toks(w): (float(v[0]), str(v[1])) for w, v in d["vague"].items()}
    quals = {_toks(w): name for name, words in d["qualifiers"].items() for w in words}
    before = {_toks(w): str(code) for w, code in d["currencies"]["before"].items()}
    after = {_toks(w): str(code) for w, code in d["currencies"]["after"].items()}
    percent = {_toks(w): True for w in d["percent"]}
    small = frozenset(w for w, v in scales.items() if v < 1000 and w != _TEEN)
    starters = frozenset([*units, *(t[0] for t in multi if t), *(t[0] for t in vague if t)])
    return NumberRules(
        units=units,
        multi_units=Phrases.of(multi),
        scales=scales,
        short_scales=frozenset(w for w in scales if len(w) <= 2),
        currency_scales=currency_scales,
        measure_after=measure_after,
        small_scales=small,
        vague=Phrases.of(vague),
        qualifiers=Phrases.of(quals),
        currency_before=Phrases.of(before),
        currency_after=Phrases.of(after),
        percent=Phrases.of(percent),
        starters=starters,
    )


def _float(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def parse_numeral(raw: str, language: str | None = "id", *, before_multiplier: bool = False) -> float | None:
    """The value of a digit token (see :func:`py_parse_numeral`, the reference; the compiled path
    when it is built)."""
    h = hot.HOT
    if h is not None:
        return h.parse_numeral(raw, language, before_multiplier=before_multiplier)
    return py_parse_numeral(raw, language, before_multiplier=before_multiplier)


def py_parse_numeral(
    raw: str, language: str | None = "id", *, before_multiplier: bool = False
) -> float | None:
    """The value of a digit token: ``55.000`` -> 55000, ``3,2`` -> 3.2, ``1.250.000,50``.

    Indonesian writes ``.`` for thousands and ``,`` for decimals, English the other way round;
    the article ``language`` (Indonesian when unknown) settles a lone separator before exactly
    three digits: writers mix the conventions, so ``1.500`` and ``1,500`` are thousands in both
    languages, except right before a multiplier word, where the language's decimal mark is a
    decimal (``Rp 30,880 juta`` = 30.88 million; ``1.500 million`` = 1.5 million in English).
    A lone separator before one, two or four or more digits is a decimal mark (``17,5``, ``1.5``).
    None when the token is no number (``10.30.45``).
    """
    if raw.isdigit():
        return _float(raw)
    decimal = "." if language == "en" else ","
    has_dot, has_comma = "." in raw, "," in raw
    if not (has_dot or has_comma):
        return _float(raw)
    if has_dot and has_comma:
        # the mark that comes last is the decimal one: 1.250.000,50 / 1,250,000.50
        dec = "," if raw.rfind(",") > raw.rfind(".") else "."
        sep = "." if dec == "," else ","
        head, _, frac = raw.rpartition(dec)
        groups = head.split(sep)
        if raw.count(dec) != 1 or any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            return None
        return _float("".join(groups) + "." + frac)
    sep = "." if has_dot else ","
    groups = raw.split(sep)
    if len(groups) > 2:  # 1.250.000
        if all(len(g) == 3 for g in groups[1:]) and 0 < len(groups[0]) <= 3:
            return float("".join(groups))
        return None
    head, frac = groups
    if len(frac) == 3 and head not in ("0", ""):
        if before_multiplier and sep == decimal:
            return _float(head + "." + frac)
        if len(head) <= 3:
            return float(head + frac)
        return _float(head + "." + frac)  # 2024.123: no thousands grouping
    return _float(head + "." + frac)


def parse_words(
    lowers: list[str], i: int, end: int, rules: NumberRules | None = None
) -> tuple[float, int] | None:
    """A written-out number starting at token ``i`` (before ``end``): ``(value, tokens used)``.

    ``dua belas`` = 12, ``dua ratus lima puluh ribu`` = 250000, ``twenty-five`` = 25,
    ``one hundred and five`` = 105, ``seratus`` = 100, ``sebelas`` = 11."""
    r = rules or number_rules()
    total = 0.0
    current = 0.0
    last = 0.0  # the last unit added to ``current``: small scales multiply it
    j = i
    used = i
    seen = False
    while j < end:
        w = lowers[j]
        if w in r.units and (not seen or last == 0 or (last >= 20 and last % 10 == 0 and r.units[w] < 10)):
            v = r.units[w]
            if v >= 1000:  # seribu, sejuta: a scale with its own "one"
                total += max(current, 1.0) * v if current else v
                current = last = 0.0
            else:
                current += v
                last = v
        elif not seen:
            return None
        elif w == _TEEN and 0 < last < 10:
            current += 10
            last = 0.0
        elif w in r.small_scales and last:
            current += last * (r.scales[w] - 1)
            last = 0.0
        elif w in r.scales and w not in r.short_scales and r.scales[w] >= 1000 and (current or total):
            total += max(current, 1.0) * r.scales[w]
            current = last = 0.0
        elif w in ("-", "and") and j + 1 < end and lowers[j + 1] in r.units:
            j += 1
            continue
        else:
            break
        seen = True
        j += 1
        used = j
    if not seen:
        return None
    return total + current, used - i


@dataclass(frozen=True, slots=True)
class Phrases:
    """Token-tuple phrases mapped to values, with the sets of first and last tokens (fast misses)."""

    table: dict[tuple[str, ...], Any]
    firsts: frozenset[str]
    lasts: frozenset[str]
    longest: int

    @classmethod
    def of(cls, table: dict[tuple[str, ...], Any]) -> Phrases:
        table = {k: v for k, v in table.items() if k}
        return cls(
            table,
            frozenset(k[0] for k in table),
            frozenset(k[-1] for k in table),
            max((len(k) for k in table), default=0),
        )

    def at(self, lowers: list[str], i: int, end: int) -> int:
        """Length of the longest phrase starting at token ``i`` (before ``end``), 0 if none."""
        if i >= end or lowers[i] not in self.firsts:
            return 0
        for m in range(min(self.longest, end - i), 0, -1):
            if tuple(lowers[i : i + m]) in self.table:
                return m
        return 0

    def before(self, lowers: list[str], j: int, begin: int) -> int:
        """Length of the longest phrase ending right before token ``j`` (after ``begin``), 0 if none."""
        if j <= begin or lowers[j - 1] not in self.lasts:
            return 0
        for m in range(min(self.longest, j - begin), 0, -1):
            if tuple(lowers[j - m : j]) in self.table:
                return m
        return 0


# What an amount reads at a candidate token: (value, end token, multiplier words, vague label, word-written).
_Amount = tuple[float, int, str | None, str | None, bool]


def parse_numbers(an: Analysis) -> list[NumberToken]:
    """Every number of the analysed text, in order: digits, written-out numbers, vague amounts,
    with the multiplier, percent sign, currency and qualifier around them (the compiled path when
    it is built, else :func:`py_parse_numbers`)."""
    h = hot.HOT
    if h is not None:
        return h.parse_numbers(an, number_rules(), NumberToken)
    return py_parse_numbers(an)


def py_parse_numbers(an: Analysis) -> list[NumberToken]:
    """The pure-Python reference of :func:`parse_numbers`."""
    r = number_rules()
    lowers, words = an.lowers, an.words
    sentences = an.sentences
    sent_ids = an.sent_ids
    out: list[NumberToken] = []
    skip = 0
    n = len(words)
    cands = list(compress(range(n), map(_DIGIT_START, words)))  # tokens starting with a digit
    present = r.starters.intersection(lowers)
    if present:  # and number words
        cands += compress(range(n), map(present.__contains__, lowers))
        cands.sort()
    for i in cands:
        if i < skip:
            continue
        s_end = sentences[sent_ids[i]].tok_end if sentences else len(lowers)
        s_begin = sentences[sent_ids[i]].tok_start if sentences else 0
        amount = _amount_at(an, r, i, s_begin, s_end)
        if amount is None:
            continue
        out.append(_number_token(an, r, i, s_begin, s_end, amount))
        skip = amount[1]
    return out


def _amount_at(an: Analysis, r: NumberRules, i: int, s_begin: int, s_end: int) -> _Amount | None:
    """The amount starting at token ``i`` inside a sentence ``[s_begin, s_end)``: a vague amount, digits
    with their scale words, or a written-out number; None when there is none."""
    lowers = an.lowers
    m = r.vague.at(lowers, i, s_end)
    if m:
        value, vague = r.vague.table[tuple(lowers[i : i + m])]
        return value, i + m, None, vague, False
    if "0" <= an.words[i] < ":":
        return _digit_amount(an, r, i, s_begin, s_end)
    return _word_amount(an, r, i, s_end)


def _digit_amount(an: Analysis, r: NumberRules, i: int, s_begin: int, s_end: int) -> _Amount | None:
    """Digits and the scale words after them ("5,2 triliun", "3 m" only when attached or after a
    currency; "Rp 5 M" is miliar; "fell 15m into a ravine" is metres: :func:`_measure_scale`)."""
    lowers, starts, ends = an.lowers, an.starts, an.ends
    cur_before = r.currency_before.before(lowers, i, s_begin)
    g = space_groups(an.words, starts, ends, an.text, i, s_begin, s_end)
    k = g
    scale = 1.0
    while (
        k < s_end
        and lowers[k] in r.scales
        and lowers[k] != _TEEN
        and (lowers[k] not in r.short_scales or starts[k] == ends[k - 1] or cur_before)
    ):
        if lowers[k] in r.measure_after:
            got = _measure_scale(an, r, i, k, cur_before, s_end)
            if got is None:
                break
            scale *= got
        else:
            scale *= r.scales[lowers[k]]
        k += 1
    multiplier = " ".join(an.words[g:k]) if k > g else None
    if g > i + 1:  # "173 064": the digits of every group
        base: float | None = float("".join(an.words[i:g]))
    else:
        base = parse_numeral(an.words[i], an.language, before_multiplier=k > i + 1)
    if base is None:
        return None
    return base * scale, k, multiplier, None, False


def _measure_scale(an: Analysis, r: NumberRules, i: int, k: int, cur_before: int, s_end: int) -> float | None:
    """The value of the scale word at token ``k`` that is a unit of length too ("m"), or None when it is
    the unit here. Beside a currency a multiplier, of the currency's value ("$5m", "5m dollars", "Rp 5 M"
    = 5 miliar); without one, in English unless a word of length follows ("2m people", "fell 15m into",
    "a 100m-high wall"), in Indonesian never ("setinggi 15m")."""
    lowers = an.lowers
    low = lowers[k]
    if cur_before:
        cur: str | None = r.currency_before.table[tuple(lowers[i - cur_before : i])]
    else:
        m = r.currency_after.at(lowers, k + 1, s_end)
        cur = r.currency_after.table[tuple(lowers[k + 1 : k + 1 + m])] if m else None
    if cur is not None:
        return r.currency_scales.get((cur, low), r.scales[low])
    if an.language != "en":
        return None
    j = k + 2 if k + 2 < s_end and lowers[k + 1] in ("-", "–") else k + 1
    return None if j < s_end and lowers[j] in r.measure_after[low] else r.scales[low]


#: Characters that separate thousands written with spaces ("173 064"): space, no-break space,
#: thin space and narrow no-break space.
_GROUP_GAPS = frozenset(" \u00a0\u2009\u202f")
#: Last characters of a token that a head glued to it continues ("Su-35 100", "24/7 365").
_GLUED = frozenset("-/.,:0123456789")


def _plain_digits(w: str) -> bool:
    return w.isascii() and w.isdigit()


def space_groups(words: list[str], starts: list[int], ends: list[int], text: str, i: int, s_begin: int,
                 s_end: int) -> int:  # fmt: skip
    """The token after a number written with spaces between its thousands ("173 064", "1 234 567"):
    a head of 1-3 ASCII digits (not starting with 0) followed by groups of exactly 3 ASCII digits, each
    one space character after the token before it, inside the sentence ``[s_begin, s_end)``. ``i + 1``
    when token ``i`` is no such head, or when it follows a number one space before it ("tahun 2020
    150 orang", "2020 150 000": no group is read across a year or another number); punctuation
    between the tokens ("2020, 150") ends the number; so does a head glued to a hyphen, slash or
    point before it ("Su-35 100"), and a number right after the last group ("5 173 064,5")."""
    head = words[i]
    if not (len(head) <= 3 and _plain_digits(head)) or head[0] == "0":
        return i + 1
    if i > s_begin:
        gap, last = starts[i] - ends[i - 1], words[i - 1][-1:]
        if (gap == 1 and "0" <= last <= "9") or (gap == 0 and last in _GLUED):
            return i + 1
    k = i + 1
    while (
        k < s_end
        and len(words[k]) == 3
        and _plain_digits(words[k])
        and starts[k] - ends[k - 1] == 1
        and text[ends[k - 1]] in _GROUP_GAPS
    ):
        k += 1
    if k > i + 1 and k < s_end and starts[k] - ends[k - 1] == 1 and "0" <= words[k][:1] <= "9":
        return i + 1  # "5 173 064,5", "12 000 2020": another number follows, no grouping is sure
    return k


def _word_amount(an: Analysis, r: NumberRules, i: int, s_end: int) -> _Amount | None:
    """A written-out number ("a dozen", "dua ratus lima puluh") and a large scale word after it."""
    lowers = an.lowers
    multiplier: str | None = None
    mu = r.multi_units.at(lowers, i, s_end)
    if mu:
        value, j = r.multi_units.table[tuple(lowers[i : i + mu])], i + mu
    else:
        got = parse_words(lowers, i, s_end, r)
        if got is None:
            return None
        value, used = got
        j = i + used
    if (
        j < s_end
        and lowers[j] in r.scales
        and r.scales[lowers[j]] >= 1000
        and lowers[j] not in r.short_scales
    ):
        multiplier = an.words[j]  # "a dozen thousand" is rare; "dua ribu" is parsed above
        value *= r.scales[lowers[j]]
        j += 1
    return value, j, multiplier, None, True


def _number_token(
    an: Analysis, r: NumberRules, i: int, s_begin: int, s_end: int, amount: _Amount
) -> NumberToken:
    """The number of an amount at tokens ``[i, j)`` with what is around it: after it a percent sign or
    a currency and its unit, before it a currency, then a qualifier."""
    value, j, multiplier, vague, is_word = amount
    lowers, starts = an.lowers, an.starts
    start, end = starts[i], an.ends[j - 1]
    # after the expression: percent, currency, "of" after a vague amount
    percent = False
    currency: str | None = None
    unit_at = j
    pm = r.percent.at(lowers, j, s_end)
    if pm:
        percent = True
        unit_at = j + pm
    else:
        cm = r.currency_after.at(lowers, j, s_end)
        if cm:
            currency = r.currency_after.table[tuple(lowers[j : j + cm])]
    if vague and unit_at < s_end and lowers[unit_at] == "of":
        unit_at += 1
    # before it: currency, then the qualifier
    q_end = i
    cb = r.currency_before.before(lowers, i, s_begin)
    if cb:
        currency = currency or r.currency_before.table[tuple(lowers[i - cb : i])]
        q_end = i - cb
    qualifier: str | None = None
    q_start: int | None = None
    qm = r.qualifiers.before(lowers, q_end, s_begin)
    if qm:
        qualifier = r.qualifiers.table[tuple(lowers[q_end - qm : q_end])]
        q_start = starts[q_end - qm]
    return NumberToken(
        start=start,
        end=end,
        tok_start=i,
        tok_end=j,
        value=value,
        raw=an.text[start:end],
        is_word=is_word,
        vague=vague,
        qualifier=qualifier,
        qualifier_start=q_start,
        multiplier=multiplier,
        percent=percent,
        currency=currency,
        unit=unit_at if unit_at < s_end and lowers[unit_at][:1].isalnum() else None,
    )
