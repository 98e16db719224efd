"""CAMEO events in Indonesian and English text: triggers, negation and modality cues, actors, evidence."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml

from streams.core.analysis import Analysis
from streams.core.doc import Doc
from streams.core.records import CameoEvent, Entity, Span
from streams.nlp.classify_match import PhraseMatcher, Sentence, compile_pattern, lower_same_length

__all__ = [
    "ActorMention",
    "EventRules",
    "EventStage",
    "Trigger",
    "detect_events",
    "find_actor_mentions",
    "load_event_rules",
]

_DATA = Path(__file__).resolve().parent.parent / "data" / "events"
Modality = Literal["asserted", "intent", "demand", "reported"]
CueKind = Literal["negation", "negation_after", "shield", "intent", "demand", "hypothetical", "reported"]
#: Mentions kept per (code, negated): the evidence list is capped at this length.
MAX_MENTIONS = 12
#: How far (characters) from its trigger an actor may be named, within the sentence.
ACTOR_WINDOW = 250
_MODALITY_FACTOR = {"asserted": 1.0, "reported": 0.8, "intent": 0.85, "demand": 0.9}


@dataclass(frozen=True)
class Trigger:
    """One pattern entry of ``patterns.yaml``."""

    code: str
    intent: str | None = None
    demand: str | None = None
    conditional: str | None = None
    needs_cue: bool = False
    modality: Modality | None = None
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


def _is_words(phrase: str) -> bool:
    return phrase.strip().replace(" ", "").isalpha()


@lru_cache(maxsize=1)
def load_event_rules() -> EventRules:
    codebook = yaml.safe_load((_DATA / "cameo.yaml").read_text(encoding="utf-8"))
    labels = {str(code): str(v["en"]) for code, v in codebook["codes"].items()}
    data = yaml.safe_load((_DATA / "patterns.yaml").read_text(encoding="utf-8"))
    trigs: list[Trigger] = []
    pattern_rx: dict[str, re.Pattern[str] | None] = {}
    for entry in data["patterns"]:
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
        trigs.append(trig)
        for lang in ("id", "en"):
            for pat in entry.get(lang, []) or []:
                rx, anchor = compile_pattern(str(pat))
                literal = len(anchor.split()) == len(str(pat).split()) and not str(pat).endswith("*")
                pattern_rx[str(pat)] = None if literal else rx
    actors_data = yaml.safe_load((_DATA / "actors.yaml").read_text(encoding="utf-8"))
    actor_phrases: list[tuple[str, tuple[str, str, bool, str | None]]] = []
    for a in actors_data["actors"]:
        for alias in a.get("aliases", []):
            actor_phrases.append((alias, (a["name"], alias, False, a.get("country"))))
        for place in a.get("places", []) or []:
            actor_phrases.append((place, (a["name"], place, True, a.get("country"))))
    titles = [(t, t) for lang in ("id", "en") for t in actors_data["titles"][lang]]
    return EventRules(
        version=str(data.get("version", "")),
        labels=labels,
        triggers=tuple(trigs),
        pattern_rx=pattern_rx,
        cue_window=int(data.get("cue_window", 120)),
        negation_window=int(data.get("negation_window", 32)),
        after_window=int(data.get("after_window", 40)),
        clause_punct=re.compile(
            "|".join(re.escape(str(b)) for b in data.get("clause_breaks", []) if not _is_words(str(b)))
            or "(?!)"
        ),
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


def find_actor_mentions(body: str, low: str, entities: Sequence[Entity] = ()) -> list[ActorMention]:
    """Actor mentions: the entity stage's when present, else the gazetteer and title + name patterns."""
    rules = load_event_rules()
    out: list[ActorMention] = []
    taken = _SpanSet()
    for ent in entities:
        if ent.type not in ("PERSON", "ORG", "GPE", "NORP", "LOC"):
            continue
        for s, e in ent.spans:
            if 0 <= s < e <= len(body):
                out.append(ActorMention(s, e, ent.name, is_place=ent.type == "LOC", country=ent.country))
                taken.add(s, e)
    known_names = {m.name for m in out}
    for m in rules.actors.find(low):
        name, alias, is_place, country = m.key
        surface = body[m.start : m.end]
        if surface != alias and surface != alias.upper():
            continue
        if taken.overlaps(m.start, m.end):
            continue
        out.append(ActorMention(m.start, m.end, name, is_place=is_place, country=country))
    # persons introduced by a title ("Presiden Ukraina Volodymyr Zelensky"), then their surname mentions
    gaz_starts = {a.start for a in out}
    surnames: dict[str, str] = {}
    title_hits = sorted(rules.titles.find(low), key=lambda t: (t.start, -t.end))
    reach = -1
    headline: dict[int, bool] = {}
    for th in title_hits:
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
        words = [(w.start(), w.end()) for w in _NONSPACE.finditer(body, nm.start(1), nm.end(1))]
        while words and words[0][0] in gaz_starts:
            words = words[1:]
        if words and body[words[0][0] : words[0][1]] in rules.not_name_words:
            continue
        for i in range(1, len(words)):
            if words[i][0] in gaz_starts or body[words[i][0] : words[i][1]] in rules.not_name_words:
                words = words[:i]
                break
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
    if surnames:
        rx = re.compile(r"\b(?:" + "|".join(re.escape(x) for x in surnames) + r")\b")
        for sm in rx.finditer(body):
            if not taken.overlaps(sm.start(), sm.start() + 1):
                out.append(ActorMention(sm.start(), sm.end(), surnames[sm.group(0)]))
    # a news agency is cited, never an actor ("told Reuters", "Jakarta (ANTARA)")
    out = [a for a in out if a.name.casefold() not in rules.news_agencies]
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


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int


@dataclass
class _Hit:
    code: str
    negated: bool
    modality: Modality
    score: float
    span: Span
    source: str | None
    target: str | None
    actors: list[str] = field(default_factory=list)


def _sentence_of(sents: tuple[Sentence, ...], starts: list[int], pos: int) -> Sentence:
    i = bisect.bisect_right(starts, pos) - 1
    return sents[max(i, 0)] if sents else Sentence(0, pos + 1)


def _window_start(sent: Sentence, start: int, width: int, break_ends: list[int]) -> int:
    """Start of the cue window: ``width`` characters back, not before the sentence or the last clause break."""
    lo = max(sent.start, start - width)
    i = bisect.bisect_right(break_ends, start) - 1
    return max(lo, break_ends[i]) if i >= 0 else lo


def _last_before(ends: list[int], lo: int, pos: int) -> int:
    """The largest value of sorted ``ends`` in ``[lo, pos]``, else ``lo``."""
    i = bisect.bisect_right(ends, pos) - 1
    return ends[i] if i >= 0 and ends[i] >= lo else lo


def _actors_for(
    body: str,
    actors: list[ActorMention],
    span: Span,
    clause_start: int,
    speech_end: int,
    passive: bool = False,
    speech_after: int | None = None,
    agentless: bool = False,
) -> tuple[list[str], str | None, str | None]:
    """Actors of one sentence (``actors``, locations excluded) -> (names, source, target) for a trigger.

    ``speech_after``: where a reporting verb after the trigger starts ("..., ujar Direktur X"): the actors
    after it are speakers, not participants. ``agentless``: an English passive without "by" ("were
    arrested"): no source, the subject of the clause is the target."""
    if speech_after is not None:
        actors = [m for m in actors if m.start < speech_after or m.end <= span[0]]
    if agentless:
        patient = next(
            (m.name for m in reversed(actors) if clause_start <= m.start and m.end <= span[0]), None
        )
        all_names = list(dict.fromkeys(m.name for m in actors))
        return all_names[:6], None, patient
    before = [m for m in actors if m.end <= span[0]]
    # the agent is named after the last reporting verb ("Ukraina menyebut Rusia meluncurkan ..."),
    # and preferably inside the trigger's own clause
    for lo in (speech_end, clause_start):
        narrowed = [m for m in before if m.start >= lo]
        if narrowed:
            before = narrowed
    within = [m for m in actors if span[0] <= m.start and m.end <= span[1]]
    after = [m for m in actors if m.start >= span[1]]
    # Indonesian and English are SVO: the first actor of the clause is the subject; a name inside the
    # trigger ("invasi Rusia ke ...") is its agent; the first actor after the trigger is its object.
    source: str | None
    if passive and after:
        # Indonesian di- passive / English "by": "wilayah yang dianeksasi Rusia" -> Russia is the agent
        source = after[0].name
        target = next((m.name for m in reversed(before) if m.name != source), None)
    else:
        ordered = within + before + after
        source = ordered[0].name if ordered else None
        target = None
        if len(before) >= 2 and not within and _COORD.fullmatch(body[before[0].end : before[1].start]):
            # "Rusia dan Ukraina bertukar tawanan": coordinated subjects act on each other
            target = before[1].name if before[1].name != source else None
        if target is None:
            target = next((m.name for m in [*within[1:], *after] if m.name != source), None)
        if target is None:
            target = next((m.name for m in before if m.name != source and m.start >= clause_start), None)
    names: list[str] = []
    for m in actors:
        if m.name not in names:
            names.append(m.name)
    return names[:6], source, target


_COORD = re.compile(r"\s*(?:,|dan|and|&|serta|with|dengan)\s*", re.IGNORECASE)
_BY_AGENT = re.compile(r"\s+(?:by|oleh)\s")
_AUX_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+$")
_DATELINE = re.compile(r"[^\S\n]*(?:\([^)\n]{0,40}\)[^\S\n]*)?[-–—,][^\S\n]")


def _is_location(body: str, m: ActorMention) -> bool:
    """After a locative preposition, or a dateline ("KYIV - ..." at the start of a line)."""
    if _LOCATIVE.search(body[max(0, m.start - 20) : m.start]):
        return True
    lo = max(0, m.start - 8)  # a dateline starts its line: look back a few characters only
    before = body[lo : m.start]
    at_line_start = (lo == 0 or "\n" in body[lo - 1 : m.start]) and not before.split("\n")[-1].strip()
    return at_line_start and bool(_DATELINE.match(body, m.end))


def _is_force(code: str) -> bool:
    """Threats of force (138x), force posture (15x), assault (18x), fight (19x), mass violence (20x)."""
    return code.startswith(("138", "15", "18", "19", "20"))


def _triggers(an: Analysis, body: str, rules: EventRules) -> list[tuple[int, int, Trigger]]:
    """Trigger matches: the automaton's pattern anchors (analysis hits), slots confirmed by each regex."""
    out: list[tuple[int, int, Trigger]] = []
    for h in an.hits_by_tag("trigger"):
        for key, form in zip(h.keys, h.forms, strict=True):
            if not key.startswith("patterns."):
                continue
            trig = rules.triggers[int(key[9:])]
            rx = rules.pattern_rx.get(form)
            if rx is None:
                out.append((h.start, h.end, trig))
            elif (m := rx.match(body, h.start)) is not None:
                out.append((m.start(), m.end(), trig))
    out.sort(key=lambda t: (t[0], t[1]))
    return out


def _cue_hits(an: Analysis) -> list[tuple[int, int, str]]:
    """Modality, negation, speech and sense cues from the analysis hits (``cues.<kind>.<lang>``)."""
    out = []
    for h in an.hits_by_tag("trigger"):
        for key in dict.fromkeys(h.keys):
            if key.startswith("cues."):
                out.append((h.start, h.end, key.split(".")[1]))
    out.sort()
    return out


def _clause_word_ends(an: Analysis, rules: EventRules) -> list[int]:
    """Ends (plus one, as a space) of the clause-breaking words ("yang", "after", "sementara itu")."""
    out = []
    low = an.lowers
    n = len(low)
    firsts = rules.clause_firsts
    for k in [k for k, w in enumerate(low) if w in firsts]:
        for size in (1, 2, 3):
            if k + size <= n and tuple(low[k : k + size]) in rules.clause_words:
                out.append(an.ends[k + size - 1] + 1)
    return out


def detect_events(
    body: str,
    *,
    entities: Sequence[Entity] = (),
    language: str | None = None,
    topics: Sequence[str] | None = None,
    analysis: Analysis | None = None,
) -> list[CameoEvent]:
    """CAMEO events with modality, negation, actors and evidence spans (offsets into ``body``).

    ``topics`` (the article's IPTC codes, when the topic stage ran) keeps sports metaphors out: a force
    event ("menyerang", "attack") needs the article to be about conflict (16000000) or crime (02000000),
    or else a named actor in an article that is not about sport.
    """
    topic_set = set(topics or ())
    conflict_context = bool({"medtop:16000000", "medtop:02000000"} & topic_set)
    sport_context = "medtop:15000000" in topic_set and not conflict_context
    if not body.strip():
        return []
    rules = load_event_rules()
    if topic_set and not (topic_set & rules.event_topics or any(t.startswith("medtop:2") for t in topic_set)):
        return []  # sport, entertainment, technology, lifestyle: no political event to code
    if analysis is None or analysis.text != body:
        from streams.nlp.analysis import analyze

        analysis = analyze(body, language)
    found = _triggers(analysis, body, rules)
    if not found:
        return []
    low = lower_same_length(body)
    sents = tuple(Sentence(x.start, x.end) for x in analysis.sentences)
    starts = [s.start for s in sents]
    cues = _cue_hits(analysis)
    senses = sorted((c[0], c[1]) for c in cues if c[2] == "other_sense")
    sense_starts = [c[0] for c in senses]
    not_military = sorted(c[0] for c in cues if c[2] == "not_military")
    cues = [c for c in cues if c[2] not in ("other_sense", "not_military")]
    cue_starts = [c[0] for c in cues]
    speech_ends = sorted(c[1] for c in cues if c[2] == "speech")
    speech_starts = sorted(c[0] for c in cues if c[2] == "speech")
    break_ends = sorted(
        [b.end() for b in rules.clause_punct.finditer(body)] + _clause_word_ends(analysis, rules)
    )
    mentions: list[ActorMention] | None = None
    actor_starts: list[int] = []
    located: dict[int, bool] = {}
    questions: dict[int, bool] = {}
    per_code: dict[tuple[str, bool], int] = {}
    hits: list[_Hit] = []
    seen: set[tuple[int, int, str]] = set()
    for m_start, m_end, trig in found:
        m = _Span(m_start, m_end)
        if (m.start, m.end, trig.code) in seen:
            continue
        seen.add((m.start, m.end, trig.code))
        # "gagal menahan" (a goalkeeper), "was met with protests", "heart attack": another sense of the word
        k = bisect.bisect_right(sense_starts, m.start)
        if any(senses[x][0] <= m.start and m.end <= senses[x][1] for x in range(max(0, k - 3), k)):
            continue
        sent = _sentence_of(sents, starts, m.start)
        w0 = _window_start(sent, m.start, rules.cue_window, break_ends)
        n0 = max(w0, m.start - rules.negation_window)
        a1 = min(sent.end, m.end + rules.after_window)
        lo = bisect.bisect_left(cue_starts, w0)
        before: list[tuple[int, int, str]] = []
        after: list[tuple[int, int, str]] = []
        for ci in range(lo, len(cues)):
            c = cues[ci]
            if c[0] >= a1:
                break
            if c[1] <= m.start:
                before.append(c)
            elif c[0] >= m.end:
                after.append(c)
        shield = [c for c in before if c[2] == "shield"]
        if shield:
            before = [c for c in before if c[2] == "shield" or not any(s[0] <= c[0] < s[1] for s in shield)]
        negated = any(c[2] == "negation" and c[0] >= n0 for c in before) or any(
            c[2] == "negation_after" for c in after
        )
        if any(c[2] == "exercise" for c in before):
            continue
        modal = [c for c in before if c[2] in ("intent", "demand", "hypothetical", "reported")]
        cue = max(modal, key=lambda c: (c[1], c[1] - c[0]))[2] if modal else None
        question = questions.get(sent.start)
        if question is None:  # the sentence's last non-space character, without copying the sentence
            k = sent.end - 1
            while k > sent.start and body[k].isspace():
                k -= 1
            question = questions[sent.start] = body[k] == "?"
        if question:
            cue = "hypothetical"
        cond_after = any(c[2] == "conditional_after" for c in after)
        code: str | None
        modality: Modality
        if trig.modality is not None:
            modality = trig.modality
            code = trig.code
            if cue == "hypothetical" or cond_after:
                code = trig.conditional
        elif cue == "intent":
            code, modality = trig.intent, "intent"
            if code is None and cond_after:
                code = trig.conditional
        elif cue == "demand":
            code, modality = trig.demand, "demand"
        elif cue == "hypothetical" or (cond_after and trig.conditional):
            code, modality = trig.conditional, "intent"
        else:
            modality = "reported" if cue == "reported" else "asserted"
            code = None if trig.needs_cue else trig.code
        if code is None and negated:
            code = trig.code
        if code is None:
            continue
        if per_code.get((code, negated), 0) >= MAX_MENTIONS:
            continue  # evidence is capped and the score saturated: later mentions change nothing
        per_code[(code, negated)] = per_code.get((code, negated), 0) + 1
        if mentions is None:
            mentions = find_actor_mentions(body, low, entities)
            actor_starts = [a.start for a in mentions]
        span = (m.start, m.end)
        clause_start = _window_start(sent, m.start, m.start - sent.start, break_ends)
        speech_end = _last_before(speech_ends, sent.start, m.start)
        # actors of the trigger's sentence, and never further than ACTOR_WINDOW away (run-on text)
        win_lo = max(sent.start, m.start - ACTOR_WINDOW)
        win_hi = min(sent.end, m.end + ACTOR_WINDOW)
        i0 = bisect.bisect_left(actor_starts, win_lo)
        i1 = bisect.bisect_left(actor_starts, win_hi)
        sent_actors = []
        for i in range(i0, i1):
            a = mentions[i]
            if a.end > win_hi:
                continue
            loc = located.get(i)
            if loc is None:  # computed once per mention, only in sentences that have a trigger
                loc = located[i] = _is_location(body, a)
            if not loc:
                sent_actors.append(a)
        surface = low[m.start : m.end]
        by_agent = bool(_BY_AGENT.match(low, m.end))
        di_passive = surface.startswith("di") and len(surface) > 5 and " " not in surface
        passive = di_passive or by_agent
        if di_passive and not by_agent:
            # "wilayah yang dianeksasi Rusia": the agent stands right after the verb; "kota Donetsk yang
            # diduduki di bagian timur Ukraina" names no agent
            nxt = next((a for a in sent_actors if a.start >= m.end), None)
            if nxt is None or nxt.start - m.end > 2:
                passive = False
                di_agentless = True
            else:
                di_agentless = False
        else:
            di_agentless = False
        k_sp = bisect.bisect_left(speech_starts, m.end)
        speech_after = (
            speech_starts[k_sp] if k_sp < len(speech_starts) and speech_starts[k_sp] < sent.end else None
        )
        agentless = di_agentless or (
            bool(_AUX_BEFORE.search(low, max(0, m.start - 12), m.start)) and not _BY_AGENT.match(low, m.end)
        )
        actors, source, target = _actors_for(
            body, sent_actors, span, clause_start, speech_end, passive, speech_after, agentless
        )
        if trig.location:
            # a third location: a known place whose country is none of the sentence's actors
            place = next((a for a in mentions if m.start < a.start < m.end + 1 and a.end >= m.end - 1), None)
            if place is None or any(
                a.name == place.name or (place.country is not None and a.country == place.country)
                for a in sent_actors
                if a is not place
            ):
                continue
            actors = [a for a in actors if a != place.name]
            if source == place.name:
                source = None
            if target == place.name:
                target = None
        if _is_force(code) and not (conflict_context or (not sport_context and (source or target))):
            continue
        if sport_context and code.startswith(("04", "17")):
            continue  # a sports article's "pertemuan", "menjamu", "ditangkap kiper": matches and saves
        if _is_force(code):
            # "ransomware ... menyerang", "a virus attacked": no military force in the sentence
            lo_m = bisect.bisect_left(not_military, max(sent.start, m.start - rules.cue_window))
            if lo_m < len(not_military) and not_military[lo_m] < min(sent.end, m.end + rules.cue_window):
                continue
        if len({a for a in (source, target) if a}) < trig.min_actors:
            continue  # "akan membahas kondisi ekonomi": discussing a subject, not consulting someone
        score = trig.score * _MODALITY_FACTOR[modality] * (0.9 if negated else 1.0)
        hits.append(_Hit(code, negated, modality, score, span, source, target, actors))
    return _merge(hits, rules.labels)


def _merge(hits: list[_Hit], labels: dict[str, str]) -> list[CameoEvent]:
    groups: dict[tuple[str, bool], list[_Hit]] = {}
    for h in hits:
        groups.setdefault((h.code, h.negated), []).append(h)
    out: list[CameoEvent] = []
    for (code, negated), hs in groups.items():
        spans: list[Span] = []
        span_scores: list[float] = []  # overlapping triggers are one mention: keep their best score
        for h in sorted(hs, key=lambda x: x.span):
            if spans and h.span[0] < spans[-1][1]:
                if h.span[1] > spans[-1][1]:
                    spans[-1] = (spans[-1][0], h.span[1])
                span_scores[-1] = max(span_scores[-1], h.score)
                continue
            spans.append(h.span)
            span_scores.append(h.score)
        miss = 1.0
        for sc in span_scores:
            miss *= 1.0 - sc
        best = max(hs, key=lambda x: (x.source is not None and x.target is not None, x.score, -x.span[0]))
        modality = max(hs, key=lambda x: (x.modality == "asserted", x.score)).modality
        actors: list[str] = []
        for h in hs:
            for a in h.actors:
                if a not in actors:
                    actors.append(a)
        out.append(
            CameoEvent.model_construct(  # values are built here and in range: skip re-validation
                code=code,
                label=labels.get(code, code),
                score=round(min(1.0, 1.0 - miss), 4),
                evidence=spans[:MAX_MENTIONS],
                actors=actors[:8],
                source_actor=best.source,
                target_actor=best.target,
                negated=negated,
                modality=modality,
            )
        )
    out.sort(key=lambda e: (e.negated, -e.score, e.code))
    return out


class EventStage:
    """Assigns ``events``: CAMEO events with score, evidence, modality, negation and actors."""

    name: ClassVar[str] = "events"
    requires: ClassVar[tuple[str, ...]] = ("body", "analysis")
    assigns: ClassVar[tuple[str, ...]] = ("events",)

    def __init__(self, settings: Any = None, state: Any = None):
        load_event_rules()

    def __call__(self, doc: Doc) -> None:
        topics = [t.code for t in doc.topics]  # the topic stage runs first by default
        doc.events = detect_events(
            doc.body, entities=doc.entities, language=doc.language, topics=topics, analysis=doc.analysis
        )
