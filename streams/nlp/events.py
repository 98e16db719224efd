"""CAMEO events in Indonesian and English text: learned triggers, modality and roles over lexicon candidates."""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal, NamedTuple, cast, get_args

from streams.core import hot as _core_hot
from streams.core.analysis import Analysis
from streams.core.doc import Doc
from streams.core.records import LANGUAGES, CameoEvent, Entity, Span
from streams.nlp import events_guard as _events_guard
from streams.nlp.classify_match import (
    Match,
    PhraseMatcher,
    Sentence,
    compile_pattern,
    lower_same_length,
    padded_words,
)
from streams.nlp.event_time import TimeLine, time_line
from streams.nlp.linear import LinearModel

__all__ = [
    "MODALITIES",
    "THRESHOLDS",
    "TRIGGER_CLASSES",
    "ActorMention",
    "ArticleRoots",
    "Candidate",
    "EventContext",
    "EventModels",
    "EventRules",
    "EventStage",
    "Modality",
    "Trigger",
    "build_context",
    "candidate_features",
    "choose_events",
    "class_probs",
    "detect_events",
    "event_of",
    "find_actor_mentions",
    "find_candidates",
    "load_event_models",
    "load_event_rules",
    "merge_same_code",
    "outlets_of",
    "phrase_hits",
    "pick_roles",
    "role_candidates",
    "role_features",
    "same_event",
    "score_candidates",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "events"
Modality = Literal["happened", "background", "intended", "threatened", "demanded", "denied", "hypothetical"]
#: Mentions kept per (code, negated): the evidence list is capped at this length.
MAX_MENTIONS = 12
#: Candidates scored per CAMEO code: the first mentions in the text (the lead states the incident).
MAX_CANDIDATES = 4
#: How far (characters) from its trigger an actor may be named, within the sentence.
ACTOR_WINDOW = 250


@dataclass(frozen=True)
class Trigger:
    """One pattern entry of ``patterns.yaml``."""

    code: str
    intent: str | None = None
    demand: str | None = None
    conditional: str | None = None
    needs_cue: bool = False
    modality: str | None = None
    location: bool = False
    score: float = 0.7
    min_actors: int = 0  # distinct named actors (source, target) the event needs


@dataclass(slots=True)
class ActorMention:
    start: int
    end: int
    name: str
    is_place: bool = False  # a city/region: locates an event, is not an actor after "di"/"in"
    country: str | None = None


@dataclass(frozen=True)
class EventRules:
    version: str
    labels: dict[str, str]
    #: per ``patterns.yaml`` entry (the analysis hit key ``patterns.<index>``): its trigger, and per
    #: pattern form the regex that confirms the slots after the automaton's anchor (None: literal)
    triggers: tuple[Trigger, ...]
    pattern_rx: dict[str, re.Pattern[str] | None]
    cue_window: int
    negation_window: int
    after_window: int
    clause_punct: re.Pattern[str]
    clause_words: frozenset[tuple[str, ...]]
    clause_firsts: frozenset[str]
    event_topics: frozenset[str]
    actors: PhraseMatcher
    titles: PhraseMatcher
    not_name_words: frozenset[str]
    news_agencies: frozenset[str]
    actor_nouns: PhraseMatcher
    #: the gazetteer, titles and actor nouns in one automaton: keys ``(tag, key)``, tags actor/title/noun
    phrases: PhraseMatcher
    role_words: frozenset[str]
    #: gazetteer alias (as written) -> the actor's name, for the aliases that name an actor, not a place
    alias_names: dict[str, str] = field(default_factory=dict)
    #: words right after an actor that make it the one suffering the act ("warga sipil tewas")
    victim_words: frozenset[str] = frozenset()
    #: the gazetteer's actor names (states, armed groups, organisations)
    actor_names: frozenset[str] = frozenset()
    #: the punctuation of ``clause_punct``, as written (the compiled scan's literals)
    clause_punct_literals: tuple[str, ...] = ()


def _is_words(phrase: str) -> bool:
    return phrase.strip().replace(" ", "").isalpha()


def _punct_breaks(data: dict[str, Any]) -> tuple[str, ...]:
    """The clause breaks that are punctuation (";", ", "), not words, as written."""
    return tuple(str(b) for b in data.get("clause_breaks", []) if not _is_words(str(b)))


def _actor_phrases(actors_data: dict[str, Any]) -> list[tuple[str, tuple[str, str, bool, str | None]]]:
    """Gazetteer phrases: each alias (an actor) and place (locates an event) -> (name, alias, place?, country)."""
    out: list[tuple[str, tuple[str, str, bool, str | None]]] = []
    for a in actors_data["actors"]:
        for alias in a.get("aliases", []):
            out.append((alias, (a["name"], alias, False, a.get("country"))))
        for place in a.get("places", []) or []:
            out.append((place, (a["name"], place, True, a.get("country"))))
    return out


def _trigger(entry: dict[str, Any], labels: dict[str, str]) -> Trigger:
    """One patterns.yaml entry as a Trigger; every CAMEO code it names must be in the codebook."""
    trig = Trigger(
        code=str(entry["code"]),
        intent=entry.get("intent"),
        demand=entry.get("demand"),
        conditional=entry.get("conditional"),
        needs_cue=bool(entry.get("needs_cue", False)),
        modality=entry.get("modality"),
        location=bool(entry.get("location", False)),
        score=float(entry.get("score", 0.7)),
        min_actors=int(entry.get("min_actors", 0)),
    )
    for code in (trig.code, trig.intent, trig.demand, trig.conditional):
        if code is not None and code not in labels:
            raise ValueError(f"patterns.yaml uses CAMEO code {code!r} missing from cameo.yaml")
    return trig


def _load_triggers(
    data: dict[str, Any], labels: dict[str, str]
) -> tuple[list[Trigger], dict[str, re.Pattern[str] | None]]:
    """The triggers of patterns.yaml and, per pattern, its regex (None for a literal phrase)."""
    trigs: list[Trigger] = []
    pattern_rx: dict[str, re.Pattern[str] | None] = {}
    for entry in data["patterns"]:
        trigs.append(_trigger(entry, labels))
        for lang in LANGUAGES:
            for pat in entry.get(lang, []) or []:
                rx, anchor = compile_pattern(str(pat))
                literal = len(anchor.split()) == len(str(pat).split()) and not str(pat).endswith("*")
                pattern_rx[str(pat)] = None if literal else rx
    return trigs, pattern_rx


@lru_cache(maxsize=1)
def load_event_rules() -> EventRules:
    codebook = _core_hot.read_yaml((_DATA / "cameo.yaml").read_text(encoding="utf-8"))
    labels = {str(code): str(v["en"]) for code, v in codebook["codes"].items()}
    data = _core_hot.read_yaml((_DATA / "patterns.yaml").read_text(encoding="utf-8"))
    trigs, pattern_rx = _load_triggers(data, labels)
    actors_data = _core_hot.read_yaml((_DATA / "actors.yaml").read_text(encoding="utf-8"))
    actor_phrases = _actor_phrases(actors_data)
    titles = [(t, t) for lang in LANGUAGES for t in actors_data["titles"].get(lang) or []]
    nouns = [
        (str(n), str(n)) for lang in LANGUAGES for n in (actors_data.get("actor_nouns") or {}).get(lang, [])
    ]
    punct = _punct_breaks(data)
    return EventRules(
        version=str(data.get("version", "")),
        labels=labels,
        triggers=tuple(trigs),
        pattern_rx=pattern_rx,
        cue_window=int(data.get("cue_window", 120)),
        negation_window=int(data.get("negation_window", 32)),
        after_window=int(data.get("after_window", 40)),
        clause_punct=re.compile("|".join(re.escape(b) for b in punct) or "(?!)"),
        clause_punct_literals=punct,
        clause_words=frozenset(
            tuple(str(b).lower().split()) for b in data.get("clause_breaks", []) if _is_words(str(b))
        ),
        event_topics=frozenset(str(t) for t in data.get("event_topics", [])),
        clause_firsts=frozenset(
            str(b).lower().split()[0] for b in data.get("clause_breaks", []) if _is_words(str(b))
        ),
        actors=PhraseMatcher(actor_phrases),
        titles=PhraseMatcher(titles),
        not_name_words=frozenset(actors_data.get("not_name_words", [])),
        news_agencies=frozenset(str(a).casefold() for a in actors_data.get("news_agencies", [])),
        actor_nouns=PhraseMatcher(nouns),
        phrases=PhraseMatcher(
            [(p, ("actor", k)) for p, k in actor_phrases]
            + [(p, ("title", k)) for p, k in titles]
            + [(p, ("noun", k)) for p, k in nouns]
        ),
        role_words=frozenset(str(w) for w in data.get("role_words", [])),
        alias_names={alias: name for alias, (name, _, place, _) in actor_phrases if not place},
        victim_words=frozenset(str(w) for w in data.get("victim_words", [])),
        actor_names=frozenset(str(a["name"]) for a in actors_data["actors"]),
    )


# --- actors -------------------------------------------------------------------------------------

_NAME_AFTER_TITLE = re.compile(r"\s+((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+)")
_NONSPACE = re.compile(r"\S+")
_LOCATIVE = re.compile(r"(?:\b(?:di|in|at|near|dekat)\s+(?:kota\s+|ibu\s+kota\s+)?)$", re.IGNORECASE)


class _SpanSet:
    """Spans already claimed by an actor mention; overlap queries in O(log n) (spans do not overlap)."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans starting before `end`
        # spans are added without overlaps, so their ends grow with their starts: check the last two
        return any(self.ends[j] > start for j in range(max(0, i - 2), i))


def _entity_mentions(
    body: str, entities: Sequence[Entity], taken: _SpanSet, aliases: dict[str, str] | None = None
) -> list[ActorMention]:
    """The entity stage's people, organisations and places as actor mentions; one written as an actor alias
    of the gazetteer takes the actor's name ("Moscow", "Kremlin" act for Russia)."""
    out: list[ActorMention] = []
    for ent in entities:
        if ent.type not in ("PERSON", "ORG", "GPE", "NORP", "LOC"):
            continue
        for s, e in ent.spans:
            if 0 <= s < e <= len(body):
                name = (aliases or {}).get(body[s:e], ent.name) if ent.type != "PERSON" else ent.name
                out.append(ActorMention(s, e, name, is_place=ent.type == "LOC", country=ent.country))
                taken.add(s, e)
    return out


def _gazetteer_mentions(body: str, found: Sequence[Match], taken: _SpanSet) -> list[ActorMention]:
    """Gazetteer aliases written as listed (or in capitals) that no entity already covers."""
    out: list[ActorMention] = []
    for m in found:
        name, alias, is_place, country = m.key
        surface = body[m.start : m.end]
        if surface != alias and surface != alias.upper():
            continue
        if taken.overlaps(m.start, m.end):
            continue
        out.append(ActorMention(m.start, m.end, name, is_place=is_place, country=country))
    return out


def _name_words(
    body: str, nm: re.Match[str], gaz_starts: set[int], rules: EventRules
) -> list[tuple[int, int]]:
    """The words of the name after a title, cut at a gazetteer mention or a word that is no name."""
    words = [(w.start(), w.end()) for w in _NONSPACE.finditer(body, nm.start(1), nm.end(1))]
    while words and words[0][0] in gaz_starts:
        words = words[1:]
    if words and body[words[0][0] : words[0][1]] in rules.not_name_words:
        return []
    for i in range(1, len(words)):
        if words[i][0] in gaz_starts or body[words[i][0] : words[i][1]] in rules.not_name_words:
            return words[:i]
    return words


def _titled_mentions(
    body: str,
    found: Sequence[Match],
    rules: EventRules,
    known_names: set[str],
    gaz_starts: set[int],
    taken: _SpanSet,
) -> tuple[list[ActorMention], dict[str, str]]:
    """Persons introduced by a title ("Presiden Ukraina Volodymyr Zelensky") and their surnames."""
    out: list[ActorMention] = []
    surnames: dict[str, str] = {}
    reach = -1
    headline: dict[int, bool] = {}
    for th in sorted(found, key=lambda t: (t.start, -t.end)):
        if th.start < reach:
            continue  # "Menteri" inside "Menteri Luar Negeri"
        reach = th.end
        nm = _NAME_AFTER_TITLE.match(body, th.end)
        if nm is None:
            continue
        line_start = body.rfind("\n", 0, th.start) + 1
        if line_start not in headline:
            headline[line_start] = _title_case_line(body, th.start)
        if headline[line_start]:
            continue
        words = _name_words(body, nm, gaz_starts, rules)
        if not words or body[words[0][0] : words[0][1]].lower() in ("dan", "and", "yang", "itu", "tersebut"):
            continue
        start, end = words[0][0], words[-1][1]
        name = body[start:end]
        if taken.overlaps(start, end) or name in known_names:
            continue
        out.append(ActorMention(start, end, name))
        taken.add(start, end)
        if len(words) >= 2:
            surnames.setdefault(body[words[-1][0] : words[-1][1]], name)
    return out, surnames


def _surname_mentions(body: str, surnames: dict[str, str], taken: _SpanSet) -> list[ActorMention]:
    """Later mentions of a titled person by surname alone."""
    if not surnames:
        return []
    rx = re.compile(r"\b(?:" + "|".join(re.escape(x) for x in surnames) + r")\b")
    return [
        ActorMention(sm.start(), sm.end(), surnames[sm.group(0)])
        for sm in rx.finditer(body)
        if not taken.overlaps(sm.start(), sm.start() + 1)
    ]


def _bare_name(name: str) -> str:
    """A name casefolded without a leading article ("The Associated Press" is the agency)."""
    low = name.casefold()
    return low[4:] if low.startswith("the ") else low


_ACRONYM = re.compile(r"\s*\(([A-Z][A-Z0-9-]{1,9})\)")


def _repeated_mentions(body: str, found: list[ActorMention]) -> list[ActorMention]:
    """Coreference by form: the other places where a found actor is written as found ("RSF" where the
    entity stage tagged one "RSF" only), and its acronym given in brackets after it ("Pasukan Dukungan
    Cepat (RSF)"), with that actor's name."""
    hot = _compiled()
    if hot is not None:
        return cast("list[ActorMention]", hot.repeated_mentions(body, found, _ACRONYM, ActorMention))
    covered = bytearray(len(body) + 1)
    for m in found:
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    forms: dict[str, str] = {}
    for m in found:
        if m.is_place:
            continue
        surface = body[m.start : m.end]
        if len(surface) >= 3 and surface[0].isupper():
            forms.setdefault(surface, m.name)
        acro = _ACRONYM.match(body, m.end)
        if acro is not None:
            forms.setdefault(acro.group(1), m.name)
    hits: list[tuple[int, int, str]] = []
    n = len(body)
    for form in forms:  # a few forms: str.find per form, no regex compiled per article
        k = body.find(form)
        while k >= 0:
            e = k + len(form)
            if (k == 0 or not _is_word_char(body[k - 1])) and (e == n or not _is_word_char(body[e])):
                hits.append((k, -e, form))
            k = body.find(form, k + 1)
    hits.sort()
    out: list[ActorMention] = []
    reach = -1
    for k, neg_end, form in hits:  # leftmost, then longest, without overlaps
        if k < reach:
            continue
        reach = -neg_end
        if not any(covered[k:reach]):
            out.append(ActorMention(k, reach, forms[form]))
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def phrase_hits(low: str) -> dict[str, list[Match]]:
    """The gazetteer (``actor``), title and actor-noun matches of ``low``, in one pass, each list in the
    order its own matcher would give."""
    hot = _compiled()
    if hot is not None:
        matcher = load_event_rules().phrases
        if matcher.empty or not low:
            return {"actor": [], "title": [], "noun": []}
        return cast(
            "dict[str, list[Match]]", hot.phrase_groups(matcher.automaton, padded_words(low), len(low), Match)
        )
    out: dict[str, list[Match]] = {"actor": [], "title": [], "noun": []}
    for m in load_event_rules().phrases.find(low):
        tag, key = m.key
        out[tag].append(Match(m.start, m.end, key))
    return out


def find_actor_mentions(
    body: str, low: str, entities: Sequence[Entity] = (), hits: dict[str, list[Match]] | None = None
) -> list[ActorMention]:
    """Actor mentions: the entity stage's when present, else the gazetteer and title + name patterns."""
    rules = load_event_rules()
    hits = hits if hits is not None else phrase_hits(low)
    hot = _compiled()
    if hot is not None:
        taken = hot.SpanSet()
        out = hot.entity_mentions(body, entities, taken, rules.alias_names, ActorMention)
        known_names = {m.name for m in out}
        out += hot.gazetteer_mentions(body, hits["actor"], taken, ActorMention)
        titled, surnames = hot.titled_mentions(
            body, hits["title"], _NAME_AFTER_TITLE, rules.not_name_words, known_names, out, taken, ActorMention,
            _title_case_line,
        )  # fmt: skip
    else:
        taken = _SpanSet()
        out = _entity_mentions(body, entities, taken, rules.alias_names)
        known_names = {m.name for m in out}
        out += _gazetteer_mentions(body, hits["actor"], taken)
        titled, surnames = _titled_mentions(
            body, hits["title"], rules, known_names, {a.start for a in out}, taken
        )
    out += titled
    out += _surname_mentions(body, surnames, taken)
    out += _repeated_mentions(body, out)
    # a news agency is cited, never an actor ("told Reuters", "Jakarta (ANTARA)", "The Associated Press")
    if hot is not None:
        return cast("list[ActorMention]", hot.without_agencies(out, rules.news_agencies))
    out = [a for a in out if _bare_name(a.name) not in rules.news_agencies]
    out.sort(key=lambda a: (a.start, -a.end))
    return out


def _title_case_line(body: str, pos: int) -> bool:
    """A headline-style line ("Jenderal Tertinggi AS Panggil Kepala Staf") where capitals mark no names."""
    lo = body.rfind("\n", 0, pos) + 1
    hi = body.find("\n", pos)
    line = body[lo : hi if hi >= 0 else len(body)].rstrip()
    if line.endswith((".", ".”", '."', "!")):
        return False  # headlines carry no final full stop
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) / len(words) > 0.7


# --- detection ----------------------------------------------------------------------------------


def _clause_start(sent_start: int, start: int, break_ends: list[int]) -> int:
    """Where the clause of the word at ``start`` begins: at the last clause break before it, not before its
    sentence (``sent_start``)."""
    i = bisect.bisect_right(break_ends, start) - 1
    return max(sent_start, break_ends[i]) if i >= 0 else sent_start


def _window_start(sent: Sentence, start: int, width: int, break_ends: list[int]) -> int:
    """Start of the cue window: ``width`` characters back, not before the trigger's clause (its sentence or
    the last clause break)."""
    return max(start - width, _clause_start(sent.start, start, break_ends))


_DATELINE = re.compile(r"[^\S\n]*(?:\([^)\n]{0,40}\)[^\S\n]*)?[-–—,][^\S\n]")


def _is_location(body: str, m: ActorMention) -> bool:
    """After a locative preposition, or a dateline ("KYIV - ..." at the start of a line)."""
    if _LOCATIVE.search(body[max(0, m.start - 20) : m.start]):
        return True
    lo = max(0, m.start - 8)  # a dateline starts its line: look back a few characters only
    before = body[lo : m.start]
    at_line_start = (lo == 0 or "\n" in body[lo - 1 : m.start]) and not before.split("\n")[-1].strip()
    return at_line_start and bool(_DATELINE.match(body, m.end))


#: analysis hit key -> ("p", pattern index) for a trigger pattern, ("c", kind) for a cue, None otherwise
_KEYS: dict[str, tuple[str, Any] | None] = {}


def _key_kind(key: str) -> tuple[str, Any] | None:
    kind = _KEYS.get(key, ())
    if kind == ():
        kind = _KEYS[key] = (
            ("p", int(key[9:])) if key.startswith("patterns.")
            else ("c", key.split(".")[1]) if key.startswith("cues.")
            else None
        )  # fmt: skip
    return cast("tuple[str, Any] | None", kind)


_HitPlan = tuple[tuple[str, ...], tuple[tuple[Trigger, "re.Pattern[str] | None"], ...]]
#: per rule set (its id), per hit (keys, forms): what the hit gives, worked out once per distinct hit
#: (the compiled path keeps its own plans, and those plans by the identity of the hit's keys and forms)
_HIT_PLANS: dict[
    int,
    tuple[
        EventRules,
        dict[tuple[tuple[str, ...], tuple[str, ...]], _HitPlan],
        dict[Any, tuple[Any, ...]],
        dict[int, tuple[Any, ...]],
    ],
] = {}


def _hit_plan(keys: tuple[str, ...], forms: tuple[str, ...], rules: EventRules) -> _HitPlan:
    """A hit's cue kinds (once per cue key, in key order) and its triggers with the regex confirming each
    pattern form's slots (None: a literal pattern)."""
    seen: set[str] = set()
    kinds: list[str] = []
    trigs: list[tuple[Trigger, re.Pattern[str] | None]] = []
    for key, form in zip(keys, forms, strict=True):
        kind = _key_kind(key)
        if kind is None:
            continue
        if kind[0] == "c":
            if key not in seen:
                seen.add(key)
                kinds.append(kind[1])
            continue
        trigs.append((rules.triggers[kind[1]], rules.pattern_rx.get(form)))
    return tuple(kinds), tuple(trigs)


#: The slots of ``classify_match.compile_pattern`` by the most white-space runs (``\\s+``) each may match,
#: its separator included: a number may be followed by a scale word ("3 ribu"), ``{lo-hi}`` is ``hi`` words.
_SLOT_RUNS = {"{n}": 2, "{w}": 1, "{w?}": 1, "{Cap}": 1}


@lru_cache(maxsize=4096)
def slot_checks(pattern: str) -> tuple[tuple[str, int], ...]:
    """What a slot pattern's regex needs to match at a position (the compiled path's exact pre-check): each
    ASCII literal word after its first slot, lower-cased, with the most white-space runs that may lie between
    the match's start and that word (``compile_pattern`` joins the tokens with ``\\s+``; only its white-space
    parts match white space). Under ``re.IGNORECASE`` an ASCII letter matches its two cases and only "İ", "ı"
    (i), "ſ" (s) and the Kelvin sign (k) besides; a literal that is not ASCII is not checked."""
    out: list[tuple[str, int]] = []
    runs = 0
    slot = False
    for tok in pattern.split()[1:]:
        span = re.fullmatch(r"\{(\d)-(\d)\}", tok)
        if tok in _SLOT_RUNS or span is not None:
            runs += _SLOT_RUNS[tok] if span is None else int(span.group(2))
            slot = True
            continue
        runs += 1
        word = tok.rstrip("*")
        if slot and word and word.isascii():
            out.append((word.lower(), runs))
    return tuple(out)


def _hot_hit_plan(keys: tuple[str, ...], forms: tuple[str, ...], rules: EventRules) -> tuple[Any, ...]:
    """``_hit_plan`` for the compiled ``hits``: each trigger with its regex and the regex's ``slot_checks``."""
    kinds, trigs = _hit_plan(keys, forms, rules)
    pats = [form for key, form in zip(keys, forms, strict=True) if (_key_kind(key) or ("",))[0] == "p"]
    return kinds, tuple(
        (trig, rx, () if rx is None else slot_checks(pat))
        for (trig, rx), pat in zip(trigs, pats, strict=True)
    )


def _hits(
    an: Analysis, body: str, rules: EventRules
) -> tuple[list[tuple[int, int, Trigger]], list[tuple[int, int, str]]]:
    """One pass over the analysis hits: the trigger matches (the automaton's pattern anchors, slots confirmed
    by each regex) and the modality, negation, speech and sense cues (``cues.<kind>.<lang>``)."""
    trigs: list[tuple[int, int, Trigger]] = []
    cues: list[tuple[int, int, str]] = []
    got = _HIT_PLANS.get(id(rules))
    if got is None or got[0] is not rules:
        _HIT_PLANS.clear()  # one rule set at a time (the loaded one): the plans refer to its triggers
        got = _HIT_PLANS[id(rules)] = (rules, {}, {}, {})
    plans = got[1]
    hot = _compiled()
    if hot is not None:
        return cast(
            "tuple[list[tuple[int, int, Trigger]], list[tuple[int, int, str]]]",
            hot.hits(
                an.hits_by_tag("trigger"), got[2], lambda k, f: _hot_hit_plan(k, f, rules), body, got[3]
            ),
        )
    for h in an.hits_by_tag("trigger"):
        plan = plans.get((h.keys, h.forms))
        if plan is None:
            plan = plans[(h.keys, h.forms)] = _hit_plan(h.keys, h.forms, rules)
        kinds, hit_trigs = plan
        for kind in kinds:
            cues.append((h.start, h.end, kind))
        for trig, rx in hit_trigs:
            if rx is None:
                trigs.append((h.start, h.end, trig))
            elif (m := rx.match(body, h.start)) is not None:
                trigs.append((m.start(), m.end(), trig))
    trigs.sort(key=lambda t: (t[0], t[1]))
    cues.sort()
    return trigs, cues


def _clause_punct_ends(body: str, rules: EventRules) -> list[int]:
    """Ends of the clause-breaking punctuation (";", ", "): ``clause_punct``'s matches (compiled: one scan for
    the literals, the same ends)."""
    hot = _compiled()
    lits = rules.clause_punct_literals
    if hot is not None and all(lits):
        return cast("list[int]", hot.literal_ends(body, lits))
    return [b.end() for b in rules.clause_punct.finditer(body)]


def _clause_word_ends(an: Analysis, rules: EventRules) -> list[int]:
    """Ends (plus one, as a space) of the clause-breaking words ("yang", "after", "sementara itu")."""
    hot = _compiled()
    if hot is not None:
        return cast(
            "list[int]", hot.clause_word_ends(an.lowers, an.ends, rules.clause_firsts, rules.clause_words)
        )
    out = []
    low = an.lowers
    n = len(low)
    firsts = rules.clause_firsts
    for k in [k for k, w in enumerate(low) if w in firsts]:
        for size in (1, 2, 3):
            if k + size <= n and tuple(low[k : k + size]) in rules.clause_words:
                out.append(an.ends[k + size - 1] + 1)
    return out


# --- learned detection: candidates -> trigger/modality model -> role ranker -> one event per code -------

#: Classes of the trigger model: no event, an event that happened in the reported period, an earlier event
#: recalled for context, or an event that is intended, threatened, demanded, denied or hypothetical.
TRIGGER_CLASSES = ("none", "happened", "background", "other")
#: The modalities an event carries (the gold vocabulary of ``../shared/eval/events``).
MODALITIES: tuple[Modality, ...] = get_args(Modality)
_MODEL_DIR = _DATA / "models"
_QUOTE_RX = re.compile('["“”]')
_TIME_CUES = ("future", "perfect", "pluperfect", "past_ref", "since", "recent", "total", "caption")


@dataclass(frozen=True)
class EventModels:
    """The shipped models: trigger/modality classifier, source and target rankers, and their thresholds."""

    trigger: LinearModel
    source: LinearModel
    target: LinearModel
    #: happened / background / other, given that the candidate is an event (None: the trigger model's)
    modality: LinearModel | None = None
    emit_happened: float = 0.63
    #: threshold of the article's top events (every code of the best-scored ``top_events`` CAMEO roots): a
    #: story states its own incident with confidence; a further root needs ``emit_happened``
    emit_top: float = 0.3
    top_events: int = 1
    emit_other: float = 0.6
    emit_modal: float = 0.15
    role_min: float = 0.2


#: The decision thresholds of :class:`EventModels`, written with the model file.
THRESHOLDS = ("emit_happened", "emit_top", "top_events", "emit_other", "emit_modal", "role_min")


@lru_cache(maxsize=1)
def load_event_models() -> EventModels | None:
    """The models under ``streams/data/events/models`` (None before ``scripts/train_events.py`` ran)."""
    path = _MODEL_DIR / "events_model.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return EventModels(
        trigger=LinearModel.from_json(data["trigger"]),
        source=LinearModel.from_json(data["source"]),
        target=LinearModel.from_json(data["target"]),
        modality=LinearModel.from_json(data["modality"]) if "modality" in data else None,
        **cast(
            dict[str, Any],
            {k: int(v) if k == "top_events" else float(v) for k, v in data.get("thresholds", {}).items()},
        ),
    )


@dataclass
class EventContext:
    """What the passes read of one article: body, analysis, cues, actors, dates, quotes, figures."""

    body: str
    low: str
    analysis: Analysis
    rules: EventRules
    entities: Sequence[Entity] = ()
    topics: frozenset[str] = frozenset()
    #: the topics sorted: features are added in a fixed order, not a set's (hash-seeded) one
    topic_order: tuple[str, ...] = ()
    pub_year: int | None = None
    quote_spans: tuple[tuple[int, int], ...] = ()
    figure_kinds: tuple[tuple[int, str], ...] = ()
    byline_spans: tuple[tuple[int, int], ...] = ()
    published_at: str | None = None
    #: outlets (the article's own source and the agencies it cites): never an actor
    outlets: frozenset[str] = frozenset()
    cues: list[tuple[int, int, str]] = field(default_factory=list)
    #: the trigger pattern matches (start, end, trigger), sorted
    trigger_hits: list[tuple[int, int, Trigger]] = field(default_factory=list)
    cue_starts: list[int] = field(default_factory=list)
    break_ends: list[int] = field(default_factory=list)
    _mentions: list[ActorMention] | None = None
    _mention_starts: list[int] = field(default_factory=list)
    _ok: dict[int, bool] = field(default_factory=dict)
    _types: dict[int, str] | None = None
    _time: TimeLine | None = None
    _phrase_hits: dict[str, list[Match]] | None = None
    _mention_feats: dict[tuple[int, int], tuple[dict[str, float], tuple[str, ...], str | None]] = field(
        default_factory=dict
    )
    _name_counts: dict[str, int] | None = None
    _lead_names: frozenset[str] = frozenset()
    _sents: dict[int, _SentInfo] = field(default_factory=dict)
    _role_consts: dict[tuple[int, int, str], tuple[bool, dict[str, str]]] = field(default_factory=dict)
    _first_line_end: int = -1
    _role_cands: dict[tuple[int, int, str], list[tuple[ActorMention, dict[str, float]]]] = field(
        default_factory=dict
    )
    _role_scores: dict[tuple[int, int, str], tuple[EventModels, list[tuple[float, float, ActorMention]]]] = (
        field(default_factory=dict)
    )
    #: per (mention start, end): its own role feature ids, typed names and "prev&rel" ids (compiled path)
    _mention_base: dict[tuple[int, int], tuple[Any, ...]] = field(default_factory=dict)
    #: per CAMEO root, per mention (its id: the context holds it): its role feature ids for the compiled scorer
    _mention_ids: dict[str, dict[int, tuple[ActorMention, tuple[Any, ...]]]] = field(default_factory=dict)
    #: the compiled role scorer whose feature ids ``_mention_base`` and ``_mention_ids`` hold
    _id_scorer: Any = None
    #: what the compiled role pass reads of the article, read once (``_events_hot._MentionArticle``)
    _role_article: Any = None

    def mentions(self) -> list[ActorMention]:
        if self._mentions is None:
            found = find_actor_mentions(self.body, self.low, self.entities, self.phrase_hits())
            self._mentions = _with_actor_nouns(self, found)
            self._mention_starts = [m.start for m in self._mentions]
        return self._mentions

    def _candidate(self, i: int, m: ActorMention) -> bool:
        """A mention may be an actor: not a place after "di"/"in", a dateline, the byline or an outlet."""
        ok = self._ok.get(i)
        if ok is None:
            ok = self._ok[i] = not (
                _is_location(self.body, m)
                or any(s <= m.start < e for s, e in self.byline_spans)
                or (_is_outlet if (hot := _compiled()) is None else hot.is_outlet)(
                    m.name, self.body[m.start : m.end], self.outlets
                )
            )
        return ok

    def mentions_between(self, lo: int, hi: int) -> list[ActorMention]:
        """The actor candidates inside ``[lo, hi)``."""
        ms = self.mentions()
        hot = _compiled()
        if hot is not None:
            return cast(
                "list[ActorMention]",
                hot.mentions_between(self, ms, self._mention_starts, lo, hi, _LOCATIVE, _DATELINE),
            )
        i = bisect.bisect_left(self._mention_starts, lo)
        out = []
        while i < len(ms) and ms[i].start < hi:
            if ms[i].end <= hi and self._candidate(i, ms[i]):
                out.append(ms[i])
            i += 1
        return out

    def phrase_hits(self) -> dict[str, list[Match]]:
        """The gazetteer, title and actor-noun matches of the body (one automaton pass, on first use)."""
        if self._phrase_hits is None:
            self._phrase_hits = phrase_hits(self.low)
        return self._phrase_hits

    @property
    def time(self) -> TimeLine:
        """The dates written in the body, classed against the article's date (computed on first use)."""
        if self._time is None:
            an = self.analysis
            self._time = time_line(self.body, self.published_at, an.starts, an.lowers, an.dates())
        return self._time

    def name_count(self, name: str) -> int:
        """How many actor mentions name ``name`` in the article (its main actors are named often)."""
        if self._name_counts is None:
            counts: dict[str, int] = {}
            lead_end = self.analysis.sentences[min(len(self.analysis.sentences), LEAD_SENTENCES) - 1].end
            hot = _compiled()
            if hot is not None:
                self._name_counts, self._lead_names = hot.name_counts(self.mentions(), lead_end)
                return self._name_counts.get(name, 0)
            lead: set[str] = set()
            for m in self.mentions():
                counts[m.name] = counts.get(m.name, 0) + 1
                if m.start < lead_end:
                    lead.add(m.name)
            self._name_counts, self._lead_names = counts, frozenset(lead)
        return self._name_counts.get(name, 0)

    def in_lead(self, name: str) -> bool:
        """``name`` is an actor of the lead (the title line and first sentences)."""
        self.name_count(name)
        return name in self._lead_names

    def entity_type(self, start: int) -> str:
        """The entity type of the mention starting at ``start`` ("gaz": gazetteer or actor noun)."""
        if self._types is None:
            hot = _compiled()
            self._types = (
                {s: e.type for e in self.entities for s, _ in e.spans}
                if hot is None
                else hot.entity_types(self.entities)
            )
        return self._types.get(start, "gaz")

    def sent_info(self, k: int) -> _SentInfo:
        """Per-sentence facts, computed once: question, years, figures, quote marks, cue range."""
        info = self._sents.get(k)
        if info is None:
            hot = _compiled()
            info = self._sents[k] = (
                _sent_info(self, k) if hot is None else hot.sent_info(self, k, _QUOTE_RX, _SentInfo)
            )
        return info

    def first_line_end(self) -> int:
        if self._first_line_end < 0:
            lead = len(self.body) - len(self.body.lstrip())
            nl = self.body.find("\n", lead)
            self._first_line_end = nl if nl >= 0 else len(self.body)
        return self._first_line_end


class _SentInfo(NamedTuple):
    """Per-sentence facts (a named tuple: built for every sentence a candidate reads, cheaper than a frozen
    dataclass)."""

    question: bool
    #: (position, class) of the dates in the sentence: old, recent, future or unknown
    dates: tuple[tuple[int, str], ...]
    fig_kinds: tuple[str, ...]
    quote_marks: tuple[int, ...]
    cue_lo: int
    cue_hi: int
    #: where the speech verbs of the sentence start ("mengatakan", "said")
    speech: tuple[int, ...] = ()


def _sent_info(ctx: EventContext, k: int) -> _SentInfo:
    sent = ctx.analysis.sentences[k]
    text = ctx.body[sent.start : sent.end]
    return _SentInfo(
        question=text.rstrip().endswith("?"),
        dates=tuple(ctx.time.between(sent.start, sent.end)),
        fig_kinds=tuple(sorted({kind for p, kind in ctx.figure_kinds if sent.start <= p < sent.end})),
        quote_marks=tuple(sent.start + m.start() for m in _QUOTE_RX.finditer(text)),
        cue_lo=(lo := bisect.bisect_left(ctx.cue_starts, sent.start)),
        cue_hi=(hi := bisect.bisect_left(ctx.cue_starts, sent.end)),
        speech=tuple(ctx.cues[i][0] for i in range(lo, hi) if ctx.cues[i][2] == "speech"),
    )


def _is_outlet(name: str, surface: str, outlets: frozenset[str]) -> bool:
    """ "NBC News" when the article cites NBC: an outlet reports, it is no actor."""
    for text in (name.casefold(), surface.casefold()):
        if text in outlets or any(
            o and (text.startswith(o + " ") or o.startswith(text + " ")) for o in outlets
        ):
            return True
    return False


def _with_actor_nouns(ctx: EventContext, found: list[ActorMention]) -> list[ActorMention]:
    """Named mentions plus the actor nouns ("gunmen", "massa", "hakim") that overlap none of them."""
    hot = _compiled()
    if hot is not None:
        return cast(
            "list[ActorMention]",
            hot.with_actor_nouns(ctx.body, found, ctx.phrase_hits()["noun"], ActorMention),
        )
    taken = _SpanSet()
    for m in found:
        taken.add(m.start, m.end)
    nouns = sorted(ctx.phrase_hits()["noun"], key=lambda x: (x.start, -x.end))
    reach = -1
    out = list(found)
    for n in nouns:
        if n.start < reach or taken.overlaps(n.start, n.end):
            continue
        reach = n.end
        out.append(ActorMention(n.start, n.end, ctx.body[n.start : n.end], is_place=False))
    out.sort(key=lambda a: (a.start, -a.end))
    return out


@dataclass
class Candidate:
    """One trigger match: a candidate predicate with its features and, once scored, its class probabilities."""

    start: int
    end: int
    code: str
    trig: Trigger
    sent: int
    feats: dict[str, float]
    probs: dict[str, float] = field(default_factory=dict)
    cues_before: tuple[str, ...] = ()


def build_context(
    body: str,
    analysis: Analysis,
    *,
    entities: Sequence[Entity] = (),
    topics: Sequence[str] = (),
    published_at: str | None = None,
    quotes: Sequence[tuple[int, int]] = (),
    figures: Sequence[tuple[int, str]] = (),
    byline: str | None = None,
    outlets: Sequence[str] = (),
) -> EventContext:
    """Pass 0: the article-level context (cue hits, clause breaks, publication year, byline spans)."""
    rules = load_event_rules()
    trigger_hits, cues = _hits(analysis, body, rules)
    pub_year = int(published_at[:4]) if published_at and published_at[:4].isdigit() else None
    byline_spans: tuple[tuple[int, int], ...] = ()
    if byline and len(byline) >= 4:
        k = body.find(byline)
        if k >= 0:
            byline_spans = ((k, k + len(byline)),)
    return EventContext(
        body=body,
        low=lower_same_length(body),
        analysis=analysis,
        rules=rules,
        entities=entities,
        topics=frozenset(t.split(":")[-1][:2] for t in topics),
        topic_order=tuple(sorted({t.split(":")[-1][:2] for t in topics})),
        pub_year=pub_year,
        quote_spans=tuple(sorted(quotes)),
        figure_kinds=tuple(sorted(figures)),
        byline_spans=byline_spans,
        published_at=published_at,
        outlets=frozenset(o.casefold() for o in outlets if o),
        cues=cues,
        trigger_hits=trigger_hits,
        cue_starts=[c[0] for c in cues],
        break_ends=sorted(_clause_punct_ends(body, rules) + _clause_word_ends(analysis, rules)),
    )


#: per compiled module: whether it may build a ``Candidate`` from its ``__dict__`` (``plain_candidate``)
_PLAIN_CANDIDATE: dict[Any, bool] = {}


def find_candidates(ctx: EventContext) -> list[Candidate]:
    """Pass 1: trigger matches, one per span and CAMEO root (the longest), minus other senses and drills."""
    hot = _compiled()
    if hot is not None:
        plain = _PLAIN_CANDIDATE.get(hot)
        if plain is None:
            plain = _PLAIN_CANDIDATE[hot] = bool(hot.plain_candidate(Candidate))
        return cast(
            "list[Candidate]", hot.find_candidates(ctx, MAX_CANDIDATES, _third_location, Candidate, plain)
        )
    found = ctx.trigger_hits
    best: dict[tuple[int, str], tuple[int, int, Trigger]] = {}
    for start, end, trig in found:
        key = (start, trig.code[:2])
        old = best.get(key)
        if old is None or end > old[1]:
            best[key] = (start, end, trig)
    senses = sorted((c[0], c[1]) for c in ctx.cues if c[2] == "other_sense")
    sense_starts = [x[0] for x in senses]
    out: list[Candidate] = []
    covered: list[tuple[int, int, str]] = []
    per_code: dict[str, int] = {}
    for start, end, trig in sorted(best.values(), key=lambda t: (t[0], -t[1])):
        k = bisect.bisect_right(sense_starts, start)
        if k and _inside_any(start, end, senses[max(0, k - 3) : k]):
            continue
        root = trig.code[:2]
        if _inside_any(start, end, [(s, e) for s, e, r in covered[-6:] if r == root]):
            continue  # "serangan" inside "serangan udara" of the same root
        covered.append((start, end, trig.code[:2]))
        if per_code.get(trig.code, 0) >= MAX_CANDIDATES:
            continue  # later mentions of a code add evidence, not a decision
        if trig.location and not _third_location(ctx, start, end):
            continue  # "talks in London" with the British prime minister: not a third location
        per_code[trig.code] = per_code.get(trig.code, 0) + 1
        out.append(Candidate(start, end, trig.code, trig, ctx.analysis.sentence_at(start), {}))
    return out


def _inside_any(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """``[start, end)`` lies inside one of ``spans`` (a short list: a plain loop, no generator)."""
    for s, e in spans:  # noqa: SIM110
        if s <= start and end <= e:
            return True
    return False


def _third_location(ctx: EventContext, start: int, end: int) -> bool:
    """A trigger ending in a place ("bertemu di Abu Dhabi"): the place's country is none of the sentence's actors."""
    near = ctx.mentions_between(max(0, start - ACTOR_WINDOW), end + ACTOR_WINDOW)
    everything = [m for m in ctx.mentions() if start < m.start < end + 1 and m.end >= end - 1]
    place = everything[0] if everything else None
    if place is None:
        return False
    sent = ctx.analysis.sentence_at(start)
    return not any(
        m is not place
        and ctx.analysis.sentence_at(m.start) == sent
        and (m.name == place.name or (place.country is not None and m.country == place.country))
        for m in near
    )


def _cue_window(ctx: EventContext, c: Candidate) -> tuple[list[str], list[str], set[str]]:
    """Cue kinds before the trigger (clause window), right after it, and anywhere in its sentence."""
    sent = ctx.analysis.sentences[c.sent]
    w0 = _window_start(Sentence(sent.start, sent.end), c.start, ctx.rules.cue_window, ctx.break_ends)
    a1 = min(sent.end, c.end + ctx.rules.after_window)
    before: list[str] = []
    after: list[str] = []
    in_sent: set[str] = set()
    info = ctx.sent_info(c.sent)
    for ci in range(info.cue_lo, info.cue_hi):
        s, e, kind = ctx.cues[ci]
        in_sent.add(kind)
        if e <= c.start and s >= w0:
            before.append(kind)
        elif c.end <= s < a1:
            after.append(kind)
    return before, after, in_sent


def _position_features(ctx: EventContext, c: Candidate, f: dict[str, float]) -> None:
    """Where the trigger sits: sentence number, words around it, quotes, years, question, figures."""
    an = ctx.analysis
    f["sent<1" if c.sent < 1 else "sent<4" if c.sent < 4 else "sent<12" if c.sent < 12 else "sent>=12"] = 1.0
    t0 = an.token_at(c.start)
    t1 = an.token_at(max(c.start, c.end - 1))
    if t0 > 0:
        f["w-1=" + an.lowers[t0 - 1]] = 1.0
    if t1 + 1 < len(an.lowers):
        f["w+1=" + an.lowers[t1 + 1]] = 1.0
    info = ctx.sent_info(c.sent)
    if (
        any(s <= c.start < e for s, e in ctx.quote_spans)
        or bisect.bisect_left(info.quote_marks, c.start) % 2 == 1
    ):
        f["in_quote"] = 1.0
    if info.question:
        f["question"] = 1.0
    _date_features(c, info.dates, f)
    for k in info.fig_kinds:
        f["fig=" + k] = 1.0
    if c.start < ctx.first_line_end():
        f["first_line"] = 1.0


def _date_features(c: Candidate, dates: Sequence[tuple[int, str]], f: dict[str, float]) -> None:
    """The dates of the trigger's sentence against the article's date: the nearest one's class and side, and
    whether an earlier date is written anywhere in the sentence ("... pada 7 Oktober", "in March 2022")."""
    if not dates:
        return
    pos, klass = min(dates, key=lambda d: abs(d[0] - c.start))
    side = "b" if pos < c.start else "a"
    f["date_near=" + klass] = 1.0
    f[f"date_near={klass}&{side}"] = 1.0
    for _, k in dates:
        f["date_sent=" + k] = 1.0


_MODAL_CUES = ("intent", "demand", "hypothetical", "reported")


def _rule_modality(c: Candidate, before: list[str], after: list[str]) -> str:
    """The lexicon's own reading of the trigger (a feature): its fixed modality, else the last modal cue
    before it, negation, a condition after it, or asserted; "bare" for a cue-less mention that needs one."""
    if "negation" in before[-2:] or "negation_after" in after:
        return "negated"
    if c.trig.modality is not None:
        return str(c.trig.modality)
    modal = [k for k in before if k in _MODAL_CUES]
    if modal:
        return modal[-1]
    if "conditional_after" in after:
        return "hypothetical"
    if after and after[0] == "future":
        return "future_after"  # "operasi militer ... akan dilanjutkan": the noun of a future verb
    if "past_ref" in after:
        return "past_after"  # "the invasion started three years ago", "serangan ... tahun lalu"
    return "bare" if c.trig.needs_cue else "asserted"


#: Sentences of the lead (the title line and the first sentences): where a story states its own incident.
LEAD_SENTENCES = 3
#: Characters around a trigger where a date dates its mention ("abducted by the rebels in February").
DATE_REACH = 60


@dataclass(frozen=True)
class ArticleRoots:
    """What the article's candidates say of each CAMEO root: how often it is mentioned, and which roots the
    lead mentions (an attack recalled in a story whose lead is a prisoner exchange is background)."""

    counts: dict[str, int]
    lead: frozenset[str]
    #: per root, the classes of the dates written next to its mentions ("abducted ... in February")
    dated: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, cands: Sequence[Candidate], time: TimeLine | None = None) -> ArticleRoots:
        counts: dict[str, int] = {}
        dated: dict[str, set[str]] = {}
        for c in cands:
            counts[c.code[:2]] = counts.get(c.code[:2], 0) + 1
            if time is not None:
                near = time.between(c.start - DATE_REACH, c.end + DATE_REACH)
                dated.setdefault(c.code[:2], set()).update(k for _, k in near)
        lead = frozenset(c.code[:2] for c in cands if c.sent < LEAD_SENTENCES)
        return cls(counts, lead, {r: frozenset(k) for r, k in dated.items()})

    def features(self, c: Candidate, f: dict[str, float]) -> None:
        n = self.counts.get(c.code[:2], 1)
        f["n_root=" + ("1" if n == 1 else "2-3" if n <= 3 else "4+")] = 1.0
        lead = "same" if c.code[:2] in self.lead else "other" if self.lead else "empty"
        f["lead=" + lead] = 1.0
        for k in sorted(self.dated.get(c.code[:2], ())):
            f["root_dated=" + k] = 1.0


def candidate_features(ctx: EventContext, c: Candidate, roots: ArticleRoots) -> dict[str, float]:
    """Pass 2: the trigger's features: its pattern and code, cues (lexicons), tense, position, topics."""
    f: dict[str, float] = {"bias_root=" + c.code[:2]: 1.0, "code=" + c.code: 1.0}
    surface = ctx.low[c.start : c.end]
    f["surf=" + surface] = 1.0
    if c.trig.needs_cue:
        f["needs_cue"] = 1.0
    if c.trig.score >= 0.7:
        f["specific"] = 1.0
    before, after, in_sent = _cue_window(ctx, c)
    c.cues_before = tuple(before)
    f["rule=" + _rule_modality(c, before, after)] = 1.0
    f["lex_score"] = c.trig.score
    for k in before:
        f["cb=" + k] = 1.0
    for k in after:
        f["ca=" + k] = 1.0
    for k in _TIME_CUES:  # a fixed order: the float sums must not follow a set's (hash-seeded) order
        if k in in_sent:
            f["cs=" + k] = 1.0
    _position_features(ctx, c, f)
    roots.features(c, f)
    root = c.code[:2]
    for t in ctx.topic_order:
        name = "topic=" + t
        f[name] = 1.0
        f[_rooted(name, root)] = 1.0  # "topic=T&root=R"
    if surface.startswith("di") and " " not in surface:
        f["di_passive"] = 1.0
    _quote_features(ctx, c, f)
    return f


def _clause_bounds(ctx: EventContext, c: Candidate) -> tuple[int, int]:
    """The trigger's clause: from the last clause break before it to the next one after it, in its sentence."""
    sent = ctx.analysis.sentences[c.sent]
    ends = ctx.break_ends
    lo = _clause_start(sent.start, c.start, ends)
    j = bisect.bisect_right(ends, c.end)
    hi = min(sent.end, ends[j]) if j < len(ends) else sent.end
    return lo, hi


def _quote_features(ctx: EventContext, c: Candidate, f: dict[str, float]) -> None:
    """A quoted trigger: whether its clause names an actor. A quoted clause with no actor speaks of the act
    ("semuanya dibangun di sekitar lokus perang"); one that names it reports it ("Russia attacked us")."""
    if "in_quote" not in f:
        return
    lo, hi = _clause_bounds(ctx, c)
    f["in_quote&clause_actor=" + ("yes" if ctx.mentions_between(lo, hi) else "none")] = 1.0


# --- roles ----------------------------------------------------------------------------------------------


def role_features(
    ctx: EventContext, c: Candidate, m: ActorMention, order: dict[str, int]
) -> dict[str, float]:
    """Features of one actor mention as the source or target of a trigger: position, preposition, voice."""
    f: dict[str, float] = {}
    rel = "before" if m.end <= c.start else "after" if m.start >= c.end else "inside"
    gap = c.start - m.end if rel == "before" else m.start - c.end if rel == "after" else 0
    f[_REL[rel]] = 1.0
    f[_REL_GAP[rel, 0 if gap < 3 else 1 if gap < 25 else 2 if gap < 80 else 3]] = 1.0
    for key, val in order.items():
        f[_order_name(key, val)] = 1.0
    root = c.code[:2]
    consts = _role_consts(ctx, c)
    if consts[0]:
        f[_PASSIVE[rel]] = 1.0
    f[consts[1][rel]] = 1.0
    names, typed, prev = _mention_names(ctx, m)
    f.update(names)  # each name set to 1.0, in the same order as one assignment per name
    if prev is not None:
        f[_PREV_REL[prev, rel]] = 1.0  # "oleh X" after the trigger is the agent; "X oleh" before it is not
    _clause_features(ctx, c, m, rel, f)
    for k in typed:
        f[_rooted(k, root)] = 1.0  # police arrest (173); a police officer reports a bombing (183)
    _speech_features(ctx, c, m, f)
    return f


_RELS = ("before", "after", "inside")
_REL = {r: "rel=" + r for r in _RELS}
_REL_GAP = {(r, i): f"rel={r}&d{b}" for r in _RELS for i, b in enumerate(("<3", "<25", "<80", ">=80"))}
_PASSIVE = {r: "passive&" + r for r in _RELS}
#: feature names built once: ("nth_before", 2) -> "nth_before=2"; (name, root) -> "name&root=19"
_NAMES: dict[tuple[str, object], str] = {}


def _order_name(key: str, val: int) -> str:
    name = _NAMES.get((key, val))
    if name is None:
        name = _NAMES[key, val] = f"{key}={val}"
    return name


def _rooted(k: str, root: str) -> str:
    name = _NAMES.get((k, root))
    if name is None:
        name = _NAMES[k, root] = f"{k}&root={root}"
    return name


def _role_consts(ctx: EventContext, c: Candidate) -> tuple[bool, dict[str, str]]:
    """What the role features read of the trigger alone: passive voice, and its root's "root=R&rel=X" names."""
    root = c.code[:2]
    got = ctx._role_consts.get((c.start, c.end, root))
    if got is None:
        surface = ctx.low[c.start : c.end]
        passive = (surface.startswith("di") and " " not in surface) or ctx.low.startswith(" by ", c.end)
        got = ctx._role_consts[c.start, c.end, root] = (passive, {r: f"root={root}&rel={r}" for r in _RELS})
    return got


_PREV_REL: dict[tuple[str, str], str] = {}


def _prev_rel(prev: str) -> str:
    for r in _RELS:
        _PREV_REL.setdefault((prev, r), f"{prev}&{r}")
    return prev


def _mention_names(
    ctx: EventContext, m: ActorMention
) -> tuple[dict[str, float], tuple[str, ...], str | None]:
    """The mention's feature names (the words before it, "oleh", "by", "terhadap", "against", its entity type, a
    place: the same for every trigger, computed once per mention), and those of its type and actor noun
    (conjoined with the CAMEO root)."""
    key = (m.start, m.end)
    names = ctx._mention_feats.get(key)
    if names is None:
        g: dict[str, float] = {}
        _mention_features_once(ctx, m, g)
        prev = next((k for k in g if k.startswith("prev=") and k != "prev=other"), None)
        names = ctx._mention_feats[key] = (
            dict.fromkeys(g, 1.0),
            tuple(k for k in g if k.startswith(("type=", "noun="))),
            _prev_rel(prev) if prev is not None else None,
        )
    return names


def _mention_features_once(ctx: EventContext, m: ActorMention, f: dict[str, float]) -> None:
    an = ctx.analysis
    t = an.token_at(m.start)
    prev = an.lowers[t - 1] if t > 0 else "^"
    prev2 = an.lowers[t - 2] if t > 1 else "^"
    f["prev=" + (prev if prev in ctx.rules.role_words else "other")] = 1.0
    if prev2 in ctx.rules.role_words:
        f["prev2=" + prev2] = 1.0
    if m.is_place:
        f["place"] = 1.0
    etype = ctx.entity_type(m.start)
    f["type=" + etype] = 1.0
    if etype == "gaz" and m.name == ctx.body[m.start : m.end]:
        f["noun=" + ctx.low[m.start : m.end]] = 1.0  # "warga", "civilians" are victims; "gunmen" act
    t1 = an.token_at(max(m.start, m.end - 1))
    nxt = [an.lowers[k] for k in range(t1 + 1, min(t1 + 3, len(an.lowers)))]
    if any(w in ctx.rules.victim_words for w in nxt):
        f["next_victim"] = 1.0
    if m.name in ctx.rules.actor_names:
        f["known_actor"] = 1.0  # a state or armed group of the gazetteer
    elif etype == "GPE":
        f["gpe_place"] = 1.0  # a city or region: where it happened, rarely who did it
    n = ctx.name_count(m.name)
    f["freq=" + ("1" if n == 1 else "2-3" if n <= 3 else "4+")] = 1.0
    if ctx.in_lead(m.name):
        f["lead_actor"] = 1.0


def _clause_features(ctx: EventContext, c: Candidate, m: ActorMention, rel: str, f: dict[str, float]) -> None:
    """Whether a clause break ("yang", "after", ", ") separates the mention from the trigger: the subject of
    "Rusia menyerang" shares its clause; "warga yang tewas akibat serangan" does not."""
    lo, hi = (m.end, c.start) if rel == "before" else (c.end, m.start)
    if rel == "inside" or hi <= lo:
        f["clause=same&" + rel] = 1.0
        return
    i = bisect.bisect_right(ctx.break_ends, lo)
    crossed = i < len(ctx.break_ends) and ctx.break_ends[i] <= hi
    f[("clause=cross&" if crossed else "clause=same&") + rel] = 1.0


def _speech_features(ctx: EventContext, c: Candidate, m: ActorMention, f: dict[str, float]) -> None:
    """A speaker before the trigger ("X mengatakan Rusia menyerang") or after it ("..., kata X")."""
    speech = ctx.sent_info(c.sent).speech
    if any(m.end <= s < c.start for s in speech):
        f["speaker_before"] = 1.0
    if any(c.end <= s < m.start for s in speech):
        f["after_speech"] = 1.0


def _sentence_mentions(ctx: EventContext, c: Candidate) -> list[ActorMention]:
    sent = ctx.analysis.sentences[c.sent]
    lo = max(sent.start, c.start - ACTOR_WINDOW)
    hi = min(sent.end, c.end + ACTOR_WINDOW)
    return ctx.mentions_between(lo, hi)


def role_candidates(ctx: EventContext, c: Candidate) -> list[tuple[ActorMention, dict[str, float]]]:
    """Pass 3 input: the sentence's actor mentions (no dateline, byline or outlet) with their features
    (computed once per trigger: events of one root share their mentions)."""
    key = (c.start, c.end, c.code[:2])
    got = ctx._role_cands.get(key)
    if got is None:
        got = ctx._role_cands[key] = _role_candidates(ctx, c)
    return got


def _role_candidates(ctx: EventContext, c: Candidate) -> list[tuple[ActorMention, dict[str, float]]]:
    ms = _sentence_mentions(ctx, c)
    n_before = sum(1 for m in ms if m.end <= c.start)
    out = []
    k_before = k_after = 0
    for m in ms:  # sorted by start: the mentions before the trigger come first
        order: dict[str, int] = {}
        if m.end <= c.start:
            order["nth_before"] = min(3, n_before - k_before)
            order["first_before"] = int(k_before == 0)
            k_before += 1
        elif m.start >= c.end:
            k_after += 1
            order["nth_after"] = min(3, k_after)
        out.append((m, role_features(ctx, c, m, order)))
    return out


def pick_roles(
    ctx: EventContext, c: Candidate, models: EventModels, more: Sequence[Candidate] = ()
) -> tuple[ActorMention | None, ActorMention | None, list[str]]:
    """Pass 3: the source and target with the best ranker scores (None under the threshold), among the actors
    of the chosen trigger's sentence and of ``more`` mentions of the same event (the title names the attacker
    that a later sentence leaves out)."""
    hot = _compiled()
    if hot is not None and (joint := _joint(models)).roles_ok:  # the same, in one compiled call
        # (annotated, not cast: cast is a call, made per event)
        picked: tuple[ActorMention | None, ActorMention | None, list[str]] = hot.pick_roles(
            ctx, c, more, models, joint.role_scorer(hot), models.role_min, ACTOR_WINDOW, _LOCATIVE, _DATELINE
        )
        return picked
    scored = list(_role_scores(ctx, c, models))
    names = list(dict.fromkeys(s[2].name for s in scored))[:6]  # the trigger's own actors, in order
    if more:
        for x in more:
            if x is not c:
                scored += _role_scores(ctx, x, models)
    if not scored:
        return None, None, names
    if hot is not None:
        return (*hot.pick(scored, models.role_min), names)
    src = max(scored, key=lambda s: (s[0], -s[2].start))
    source = src[2] if src[0] >= models.role_min else None
    rest = [s for s in scored if source is None or s[2].name != source.name]
    tgt = max(rest, key=lambda s: (s[1], -s[2].start)) if rest else None
    target = tgt[2] if tgt is not None and tgt[1] >= models.role_min else None
    return source, target, names


def _role_scores(
    ctx: EventContext, c: Candidate, models: EventModels
) -> list[tuple[float, float, ActorMention]]:
    """P(source), P(target) and the mention of each actor candidate of ``c`` (once per trigger and models)."""
    key = (c.start, c.end, c.code[:2])
    cached = ctx._role_scores.get(key)
    if cached is not None and cached[0] is models:
        return cached[1]
    joint = _joint(models)
    hot = _compiled()
    if hot is not None and joint.roles_ok:
        got = _hot_role_scores(ctx, c, joint.role_scorer(hot))
        ctx._role_scores[key] = (models, got)
        return got
    cands = role_candidates(ctx, c)
    if joint.roles_ok:
        pair = joint.role_pair
        got = [(*pair(f), m) for m, f in cands]
    else:
        src_p, tgt_p = models.source.p_second, models.target.p_second
        got = [(src_p(f), tgt_p(f), m) for m, f in cands]
    ctx._role_scores[key] = (models, got)  # the models themselves, not their id (an id is reused)
    return got


def _hot_role_scores(ctx: EventContext, c: Candidate, scorer: Any) -> list[tuple[float, float, ActorMention]]:
    """``_role_scores`` on the compiled path: the same floats from integer feature ids (``_events_hot``)."""
    return cast(
        "list[tuple[float, float, ActorMention]]",
        _load_hot().role_scores(ctx, c, scorer, ACTOR_WINDOW, _LOCATIVE, _DATELINE),
    )


def _load_hot() -> Any:
    """The compiled events module (``_events_hot``) when it is built, else None."""
    return _core_hot.extension(_HOT_MODULE)


def _compiled() -> Any:
    """The compiled role scorer's module (``_events_hot``) when it is built and the analysis runs compiled
    (the ``compiled`` setting, ``WARTA_COMPILED``), else None: the pure-Python reference.
    ``core.hot.compiled_extension`` with the (cached, never changing) module kept here: a stage calls this
    some 40 times per article."""
    global _EXT
    if _core_hot.HOT is None:
        return None
    if _EXT is _UNSET:
        _EXT = _core_hot.extension(_HOT_MODULE)
        if _EXT is not None and hasattr(_EXT, "register_sent_info"):
            # EventContext.sent_info's compiled computation, called without the method by the compiled passes
            _EXT.register_sent_info(EventContext, _QUOTE_RX, _SentInfo)
        _ask_guard()
    return _EXT if _FRESH else None


def _ask_guard() -> None:
    """Whether the compiled passes may run: the reference functions they copy are the code they were written
    against (``events_guard.GUARD``; asked once an article by :func:`detect_events`, and at the first
    :func:`_compiled`: a replaced or edited function turns them off, and the reference runs)."""
    global _FRESH
    _FRESH = _events_guard.GUARD.fresh()


_UNSET: Any = object()
_EXT: Any = _UNSET
#: the guard's last verdict (:func:`_ask_guard`)
_FRESH = False


_HOT_MODULE = "streams.nlp._events_hot"


# --- aggregation ----------------------------------------------------------------------------------------


def _other_modality(c: Candidate) -> str:
    """Which non-happened modality a candidate of class ``other`` has, from its cues and code."""
    cues = set(c.cues_before) | {k[3:] for k in c.feats if k.startswith("ca=")}
    if c.code.startswith("13"):
        return "threatened"
    if "negation" in cues or "negation_after" in cues:
        return "denied"
    if "demand" in cues or c.trig.modality == "demand":
        return "demanded"
    if "hypothetical" in cues or "conditional_after" in cues or "question" in c.feats:
        return "hypothetical"
    return "intended"


def _code_for(c: Candidate, modality: str) -> str:
    """The CAMEO code of the act in its modality: an intent to release is 0353, a demand for it 1053."""
    if modality == "intended" and c.trig.intent:
        return c.trig.intent
    if modality == "demanded" and c.trig.demand:
        return c.trig.demand
    if modality in ("threatened", "hypothetical") and c.trig.conditional:
        return c.trig.conditional
    return c.code


def score_candidates(ctx: EventContext, cands: list[Candidate], models: EventModels) -> None:
    """Pass 2b: features and class probabilities of every candidate."""
    hot = _compiled()
    roots = (
        ArticleRoots.of(cands, ctx.time)
        if hot is None
        else hot.article_roots(cands, ctx.time, DATE_REACH, LEAD_SENTENCES, ArticleRoots)
    )
    joint = _joint(models)
    if hot is not None and joint.classes_ok and models.modality is not None:
        floor = min(models.emit_modal, 0.1)
        scorer = joint.trigger_scorer(hot)
        hot.score_all(ctx, cands, roots, scorer, floor, joint.split_index, _TIME_CUES, _MODAL_CUES)
        return
    for c in cands:
        if hot is not None:
            c.feats = hot.candidate_features(ctx, c, roots, _TIME_CUES, _MODAL_CUES)
        else:
            c.feats = candidate_features(ctx, c, roots)
        c.probs = class_probs(models, c.feats)


class _Joint:
    """The models that score the same feature vectors, merged per feature name: one lookup and one pass per
    vector score them all, with each model's own additions in its own order (so the same floats as
    ``LinearModel.probs`` and ``p_second``). For a two-class trigger model, a three-class modality model and
    two-class role rankers (the shipped models); ``class_probs`` and ``pick_roles`` fall back otherwise."""

    def __init__(self, models: EventModels):
        self.models = models
        trig, mod = models.trigger, models.modality
        self.classes_ok = trig.classes == ("none", "happened") and mod is not None and len(mod.classes) == 3
        self.trig_mod: dict[str, tuple[float, tuple[float, ...] | None]] = {}
        if self.classes_ok and mod is not None:
            td, mw = trig.diff, mod.weights
            self.trig_mod = {n: (td.get(n, 0.0), mw.get(n)) for n in set(td) | set(mw)}
        sd, gd = models.source.diff, models.target.diff
        self.roles_ok = len(models.source.classes) == 2 and len(models.target.classes) == 2
        self.roles = {n: (sd.get(n, 0.0), gd.get(n, 0.0)) for n in set(sd) | set(gd)}
        self._scorer: Any = None
        #: each of happened, background, other: its index among the modality model's classes (-1: none)
        self.split_index = tuple(
            mod.classes.index(k) if mod is not None and k in mod.classes else -1 for k in TRIGGER_CLASSES[1:]
        )
        self._trig_scorer: Any = None

    def trigger_scorer(self, hot: Any) -> Any:
        """The compiled trigger and modality scorer of these models (built on first use)."""
        if self._trig_scorer is None:
            trig, mod = self.models.trigger, self.models.modality
            assert mod is not None
            self._trig_scorer = hot.TriggerScorer(trig.bias[1] - trig.bias[0], tuple(mod.bias), self.trig_mod)
        return self._trig_scorer

    def role_scorer(self, hot: Any) -> Any:
        """The compiled role scorer of these models (built on first use)."""
        if self._scorer is None:
            src, tgt = self.models.source, self.models.target
            self._scorer = hot.RoleScorer(src.bias[1] - src.bias[0], tgt.bias[1] - tgt.bias[0], self.roles)
        return self._scorer

    def trigger_modality(self, feats: dict[str, float]) -> tuple[float, list[float]]:
        """The trigger model's log-odds of an event and the modality model's three scores."""
        trig, mod = self.models.trigger, self.models.modality
        assert mod is not None
        z = trig.bias[1] - trig.bias[0]
        s0, s1, s2 = mod.bias
        get = self.trig_mod.get
        for name, value in feats.items():
            got = get(name)
            if got is None:
                z += 0.0 * value
                continue
            d, w = got
            z += d * value
            if w is not None:
                if value == 1.0:
                    s0 += w[0]
                    s1 += w[1]
                    s2 += w[2]
                else:
                    s0 += w[0] * value
                    s1 += w[1] * value
                    s2 += w[2] * value
        return z, [s0, s1, s2]

    def role_pair(self, feats: dict[str, float]) -> tuple[float, float]:
        """P(source) and P(target) of one actor candidate (``p_second`` of each ranker)."""
        src, tgt = self.models.source, self.models.target
        zs = src.bias[1] - src.bias[0]
        zt = tgt.bias[1] - tgt.bias[0]
        get = self.roles.get
        for name, value in feats.items():
            ds, dt = get(name, _ZERO2)
            zs += ds * value
            zt += dt * value
        return _sigmoid(zs), _sigmoid(zt)


_ZERO2 = (0.0, 0.0)
_JOINT: dict[int, _Joint] = {}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _joint(models: EventModels) -> _Joint:
    got = _JOINT.get(id(models))
    if got is None or got.models is not models:
        _JOINT.clear()
        got = _JOINT[id(models)] = _Joint(models)
    return got


def class_probs(models: EventModels, feats: dict[str, float]) -> dict[str, float]:
    """P(none), P(happened), P(background), P(other): the trigger model, times the modality model's split."""
    joint = _joint(models)
    if joint.classes_ok and models.modality is not None:
        hot = _compiled()
        if hot is not None:
            return cast(
                "dict[str, float]",
                joint.trigger_scorer(hot).probs(feats, min(models.emit_modal, 0.1), joint.split_index),
            )
        z, split_scores = joint.trigger_modality(feats)
        p1 = _sigmoid(z)
        p_none = 1.0 - p1
        event = 1.0 - p_none
        if event < min(models.emit_modal, 0.1):
            return {"none": p_none, "happened": 0.0, "background": 0.0, "other": event}
        split = models.modality.softmax(split_scores)
        return {"none": p_none, **{k: event * split.get(k, 0.0) for k in TRIGGER_CLASSES[1:]}}
    probs = models.trigger.probs(feats)
    if models.modality is None:
        return {k: probs.get(k, 0.0) for k in TRIGGER_CLASSES}
    event = 1.0 - probs["none"]
    if event < min(models.emit_modal, 0.1):
        return {"none": probs["none"], "happened": 0.0, "background": 0.0, "other": event}
    split = models.modality.probs(feats)
    return {"none": probs["none"], **{k: event * split.get(k, 0.0) for k in TRIGGER_CLASSES[1:]}}


#: Two triggers closer than this (characters) are one mention: "a suicide bomber attacked" is one bombing.
SAME_MENTION = 30


def _around(seen: list[Candidate], pos: int) -> list[Candidate]:
    """Accepted candidates starting near ``pos`` (``seen`` is sorted by start)."""
    lo = bisect.bisect_left(seen, pos - 2 * SAME_MENTION, key=lambda x: x.start)
    hi = bisect.bisect_right(seen, pos + 2 * SAME_MENTION, key=lambda x: x.start)
    return seen[lo:hi]


def choose_events(cands: list[Candidate], models: EventModels) -> list[tuple[Candidate, str, float]]:
    """Pass 4: per CAMEO code, the best candidate and its modality (happened first), or nothing.

    Candidates are taken by falling P(happened); one next to an accepted candidate of another root is the
    same mention and gives no second event."""
    hot = _compiled()
    if hot is not None:
        out, taken = hot.choose_happened(
            cands, models.emit_top, models.emit_happened, models.top_events, SAME_MENTION
        )
    else:
        out, taken = _choose_happened(cands, models)
    if hot is not None and isinstance(cands, list):
        out += hot.choose_other(
            cands, taken, models.emit_modal, models.emit_other, _RULE_MODALITY, _THREAT_ROOTS, _other_modality
        )
    else:
        out += _choose_other(cands, models, taken)
    return out


def _choose_happened(
    cands: list[Candidate], models: EventModels
) -> tuple[list[tuple[Candidate, str, float]], dict[str, Candidate]]:
    """The events that happened: per code its best candidate, the article's top root from ``emit_top`` and any
    further root from ``emit_happened``; and the chosen candidate of each code."""
    out: list[tuple[Candidate, str, float]] = []
    taken: dict[str, Candidate] = {}
    seen: list[Candidate] = []
    floor = min(models.emit_top, models.emit_happened)
    top_roots: set[str] = set()
    by_start = sorted(cands, key=lambda x: x.start)
    for c in sorted(cands, key=lambda c: (-c.probs["happened"], c.start)):
        if c.probs["happened"] < floor:
            break
        top = c.code[:2] in top_roots or len(top_roots) < models.top_events
        if c.probs["happened"] < (models.emit_top if top else models.emit_happened):
            continue
        specific = _more_specific_near(c, by_start, floor)
        if specific is not None:
            # "bom bunuh diri ... menewaskan": the bombing, not a second, generic attack; when the generic
            # trigger would have made the article's top root, the mention's specific root is that root
            if top and len(top_roots) < models.top_events:
                top_roots.add(specific.code[:2])
            continue
        root = c.code
        near = any(
            abs(c.start - t.start) < SAME_MENTION or abs(c.end - t.end) < SAME_MENTION
            for t in _around(seen, c.start)
        )
        bisect.insort(seen, c, key=lambda x: x.start)
        if root in taken or near:
            continue
        taken[root] = c
        if len(top_roots) < models.top_events:
            top_roots.add(root[:2])
        out.append((c, "happened", c.probs["happened"]))
    return out, taken


def _choose_other(
    cands: list[Candidate], models: EventModels, taken: dict[str, Candidate]
) -> list[tuple[Candidate, str, float]]:
    """Codes with no event that happened: background, intended, threatened, demanded, denied or hypothetical."""
    out: list[tuple[Candidate, str, float]] = []
    roots: dict[str, list[Candidate]] = {}
    for c in cands:
        if c.code not in taken:
            roots.setdefault(c.code, []).append(c)
    for group in roots.values():
        alt = max(group, key=lambda c: (1.0 - c.probs["none"], -c.start))
        p_event = 1.0 - alt.probs["none"]
        reading = _RULE_MODALITY.get(next((k[5:] for k in alt.feats if k.startswith("rule=")), ""))
        stated = reading is not None and (reading == "demanded" or alt.code[:2] in _THREAT_ROOTS)
        if stated and p_event >= models.emit_modal:
            out.append((alt, _other_modality(alt) if reading == "other" else str(reading), p_event))
        elif p_event >= models.emit_other:
            klass = max(("background", "other"), key=lambda k: alt.probs[k])
            out.append((alt, "background" if klass == "background" else _other_modality(alt), p_event))
    return out


def _more_specific_near(c: Candidate, by_start: list[Candidate], threshold: float) -> Candidate | None:
    """Another root's trigger of the same mention that is more specific than ``c`` and happened too
    (``by_start``: the candidates sorted by start), or None."""
    for d in _around(by_start, c.start):
        if (
            d.code[:2] != c.code[:2]
            and d.trig.score > c.trig.score
            and d.probs["happened"] >= threshold
            and abs(d.start - c.start) < SAME_MENTION
        ):
            return d
    return None


#: Codes whose modal reading the lexicon may state alone: threats of force and of weapons of mass destruction.
_THREAT_ROOTS = ("13", "20")
#: The lexicon's modal readings that name a modality ("menyerukan gencatan senjata" is a demand): an event the
#: trigger model finds plausible (``emit_modal``) is reported with it; the gold events hold too few such
#: events (16 of 254) for the classifier to learn them alone.
_RULE_MODALITY = {
    "demand": "demanded",
    "intent": "other",
    "hypothetical": "hypothetical",
    "negated": "denied",
    "asserted_threat": "threatened",
}


def same_event(
    c: Candidate, cands: Sequence[Candidate], modality: str, models: EventModels
) -> list[Candidate]:
    """The other mentions of an event that happened, by its CAMEO root ("Israeli strikes" in the title,
    "killed in an air strike" in the lead): their actors may be the event's."""
    if not ROLES_FROM_ALL_MENTIONS or modality != "happened":
        return []  # an event recalled, intended or demanded is named where it is (and costs one sentence)
    hot = _compiled()
    if hot is not None:
        pool: list[Candidate] = hot.same_event_pool(c, cands, models.emit_top, MAX_POOL)
        return pool
    root = c.code[:2]
    pool = [x for x in cands if x is not c and x.code[:2] == root and x.probs["happened"] >= models.emit_top]
    return pool[:MAX_POOL]


#: Pick the source and target among the actors of every mention of the event, not the chosen one's only.
ROLES_FROM_ALL_MENTIONS = True
#: Other mentions read for the roles: the first ones (the lead names the actors).
MAX_POOL = 8


def _evidence(c: Candidate, cands: Sequence[Candidate], modality: str, models: EventModels) -> list[Span]:
    """The chosen trigger first, then the other mentions of its root classified the same way."""
    klass = modality if modality in ("happened", "background") else "other"
    hot = _compiled()
    if hot is not None:
        got: list[Span] = hot.evidence(
            c, cands if type(cands) is list else list(cands), klass, models.emit_happened, MAX_MENTIONS
        )
        return got
    more = sorted(
        (x.start, x.end)
        for x in cands
        if x is not c and x.code == c.code and x.probs.get(klass, 0.0) >= models.emit_happened
    )
    return [(c.start, c.end), *more][:MAX_MENTIONS]


def event_of(
    ctx: EventContext,
    c: Candidate,
    modality: str,
    score: float,
    models: EventModels,
    cands: Sequence[Candidate] = (),
    *,
    roles: bool = True,
) -> CameoEvent:
    """The event of a chosen candidate; ``roles=False`` leaves its actors out (an event that pass 5 merges into
    a better-scored one of the same code and modality keeps that one's actors, not its own)."""
    code = _code_for(c, modality)
    source, target, names = (
        pick_roles(ctx, c, models, same_event(c, cands, modality, models)) if roles else (None, None, [])
    )
    spans = _evidence(c, cands, modality, models)
    values: dict[str, Any] = {  # every field of CameoEvent, in its order
        "code": code,
        "label": ctx.rules.labels.get(code, code),
        "score": _event_score(score),
        "evidence": spans,
        "actors": names,
        "source_actor": source.name if source else None,
        "target_actor": target.name if target else None,
        "negated": modality == "denied",
        "modality": modality,
    }
    hot = _compiled()
    if hot is not None and _plain_model(CameoEvent, tuple(values)):
        event: CameoEvent = hot.new_model(CameoEvent, values)
        return event
    return CameoEvent.model_construct(**values)  # values are built here and in range: skip re-validation


@lru_cache(maxsize=8)
def _plain_model(cls: type[CameoEvent], names: tuple[str, ...]) -> bool:
    """Whether ``cls.model_construct`` of values for exactly ``names`` only sets them as they are (the
    compiled ``new_model`` then builds the same instance): the model's fields in that order, no alias, no
    ``model_post_init``, no private attributes, not a root model, extra fields not kept."""
    fields = cls.model_fields
    return (
        tuple(fields) == names
        and all(f.alias is None and f.validation_alias is None for f in fields.values())
        and not cls.__pydantic_post_init__
        and not cls.__private_attributes__
        and not cls.__pydantic_root_model__
        and cls.model_config.get("extra") != "allow"
    )


def detect_events(
    body: str,
    *,
    entities: Sequence[Entity] = (),
    language: str | None = None,
    topics: Sequence[str] | None = None,
    analysis: Analysis | None = None,
    published_at: str | None = None,
    quotes: Sequence[tuple[int, int]] = (),
    figures: Sequence[tuple[int, str]] = (),
    byline: str | None = None,
    outlets: Sequence[str] = (),
) -> list[CameoEvent]:
    """CAMEO events with modality, actors and evidence spans (offsets into ``body``), from the shipped models.

    Candidates are the trigger lexicon's matches; a classifier decides per candidate whether it is an
    event that happened, background, or another modality; a ranker picks the source and target among the
    sentence's actors. One event per CAMEO root (its best candidate)."""
    models = load_event_models()
    if models is None or not body.strip():
        return []
    if _core_hot.HOT is not None and _EXT is not _UNSET:
        _ask_guard()
    if analysis is None or analysis.text != body:
        from streams.nlp.analysis import analyze

        analysis = analyze(body, language)
    ctx = build_context(
        body, analysis, entities=entities, topics=topics or (), published_at=published_at,
        quotes=quotes, figures=figures, byline=byline, outlets=outlets,
    )  # fmt: skip
    cands = find_candidates(ctx)
    if not cands:
        return []
    score_candidates(ctx, cands, models)
    chosen = choose_events(cands, models)
    winners = _merge_winners([(_code_for(c, mod), mod, _event_score(sc)) for c, mod, sc in chosen])
    events = [
        event_of(ctx, c, mod, sc, models, cands, roles=i in winners) for i, (c, mod, sc) in enumerate(chosen)
    ]
    return merge_same_code(events)


def _event_score(score: float) -> float:
    """The score an event reports: clipped to [0, 1] and rounded to 4 digits (``round`` with digits is slow: the
    results are kept, each chosen score is rounded twice, for the merge and for the event)."""
    got = _ROUNDED.get(score)
    if got is None:
        if len(_ROUNDED) >= 4096:
            _ROUNDED.clear()
        got = _ROUNDED[score] = round(min(1.0, max(0.0, score)), 4)
    return got


_ROUNDED: dict[float, float] = {}


def _merge_winners(keys: Sequence[tuple[str, str, float]]) -> set[int]:
    """Which of the events ``(code, modality, score)`` ``merge_same_code`` keeps (the others lend their
    evidence only): the first of each code and modality by falling score, as it orders them."""
    best: dict[tuple[str, str], int] = {}
    for i in sorted(range(len(keys)), key=lambda i: -keys[i][2]):
        best.setdefault((keys[i][0], keys[i][1]), i)
    return set(best.values())


def merge_same_code(events: list[CameoEvent]) -> list[CameoEvent]:
    """Pass 5: one event per code and modality ("menyerukan gencatan senjata" read as 107 by two triggers):
    the best-scored one, with the evidence of all; sorted: happened first, then by score."""
    best: dict[tuple[str, str], CameoEvent] = {}
    spans: dict[tuple[str, str], list[Span]] = {}
    for e in sorted(events, key=lambda e: -e.score):
        key = (e.code, e.modality)
        best.setdefault(key, e)
        kept = spans.setdefault(key, [])
        for s in e.evidence:  # (what extend with a generator testing the growing list does)
            if s not in kept:
                kept.append(s)
    out = [
        _with_evidence(best[k], spans[k][:MAX_MENTIONS]) if len(spans[k]) > len(best[k].evidence) else best[k]
        for k in best
    ]
    out.sort(key=lambda e: (e.modality != "happened", -e.score, e.code))
    return out


def _with_evidence(e: CameoEvent, spans: list[Span]) -> CameoEvent:
    """``e.model_copy(update={"evidence": spans})``; on the compiled path, for a plain model with every field
    set, the same instance state built by ``new_model`` (no pydantic copy)."""
    hot = _compiled()
    values = e.__dict__
    if (
        hot is not None
        and type(e) is CameoEvent
        and _plain_model(CameoEvent, tuple(values))
        and e.__pydantic_fields_set__ == set(values)
        and e.__pydantic_extra__ is None
        and e.__pydantic_private__ is None
    ):
        return cast(CameoEvent, hot.new_model(CameoEvent, {**values, "evidence": spans}))
    return e.model_copy(update={"evidence": spans})


def outlets_of(doc: Doc) -> list[str]:
    """The article's outlet and the agencies it cites (never event actors)."""
    out = [str(c) for c in doc.cited_sources or ()]
    if doc.source is not None:
        out += [x for x in (doc.source.name, doc.source.domain) if x]
    return out


class EventStage:
    """Assigns ``events``: CAMEO events with score, evidence, modality, negation and actors."""

    name: ClassVar[str] = "events"
    requires: ClassVar[tuple[str, ...]] = ("body", "analysis")
    #: read when earlier stages assigned them: actors, topics, the publication year, quotes, figures, and the
    #: byline and outlets that are never actors
    optional: ClassVar[tuple[str, ...]] = (
        "entities", "language", "topics", "published_at", "quotes", "figures", "byline", "cited_sources", "source",
    )  # fmt: skip
    assigns: ClassVar[tuple[str, ...]] = ("events",)

    def __init__(self, settings: Any = None, state: Any = None):
        load_event_rules()

    def __call__(self, doc: Doc) -> None:
        topics = [t.code for t in doc.topics]  # the topic stage runs first by default
        doc.events = detect_events(
            doc.body,
            entities=doc.entities,
            language=doc.language,
            topics=topics,
            analysis=doc.analysis,
            published_at=doc.published_at,
            quotes=[q.span for q in doc.quotes],
            figures=[(f.span[0], f.kind) for f in doc.figures],
            byline=doc.byline,
            outlets=outlets_of(doc),
        )
