"""Alert rules: a YAML file validated with pydantic, conditions evaluated over an EnrichedArticle."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from streams.alerting.yamlpos import YamlError, load_positioned
from streams.core.errors import WartaError
from streams.core.records import CASUALTY_KINDS, EnrichedArticle, EventModality, Figure, Severity

__all__ = [
    "TEMPLATE_FIELDS",
    "Condition",
    "Escalation",
    "Match",
    "Rule",
    "RuleSet",
    "RulesError",
    "example_rules",
    "headline_figures",
    "load_rules",
    "parse_duration",
    "parse_rules",
]

Op = Literal["gte", "gt", "lte", "lt", "eq"]
#: What an event condition matches when it names no modality: events that took place.
HAPPENED = frozenset({"happened", "asserted", "reported"})
TextField = Literal["title", "body", "lead"]

#: Names a message template may use, e.g. ``"{title} ({fig_killed} killed)"``.
TEMPLATE_FIELDS = frozenset(
    {
        "rule",
        "severity",
        "title",
        "source",
        "sources",
        "language",
        "url",
        "article_id",
        "event_id",
        "story_id",
        "count",
        "events",
        "topics",
        "entities",
        "keywords",
        "published_at",
    }
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class RulesError(WartaError):
    """A rules file that cannot be used; ``problems`` lists ``(line, field, message)``."""

    def __init__(self, path: str, problems: list[tuple[int | None, str, str]]):
        lines = [f"{path}:{ln if ln is not None else '?'}: {fld}: {msg}" for ln, fld, msg in problems]
        super().__init__(
            "W801",
            "invalid alert rules:\n  " + "\n  ".join(lines),
            hint="fix the listed lines (see deploy/alerts/rules.yaml for a documented example)",
        )
        self.path = path
        self.problems = problems


def parse_duration(value: str | float | int) -> float:
    """``"30m"``, ``"24h"``, ``"7d"``, ``90`` -> seconds."""
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError("a duration must be positive")
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"{value!r} is not a duration (use e.g. 90, 30m, 24h, 7d)")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


def _as_list(v: Any) -> Any:
    if v is None:
        return []
    return [v] if isinstance(v, str | int | float) else v


def _codes_matching(codes: list[str], pattern: str, what: str) -> list[str]:
    """``codes`` when there is one at least and each matches ``pattern`` whole, else a ValueError naming the
    first that does not (``what`` it should be)."""
    for c in codes:
        if not re.fullmatch(pattern, c):
            raise ValueError(f"{c!r} is not {what}")
    if not codes:
        raise ValueError("list at least one code")
    return codes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicCond(_Strict):
    """IPTC codes (``medtop:`` optional); a topic matches its own code or its ``parent``."""

    codes: list[str]
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("codes", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        return [c if str(c).startswith("medtop:") else f"medtop:{c}" for c in _as_list(v)]

    @field_validator("codes")
    @classmethod
    def _check(cls, v: list[str]) -> list[str]:
        return _codes_matching(v, r"medtop:\d{8}", "an IPTC Media Topic code (medtop: and 8 digits)")


class EventCond(_Strict):
    """CAMEO code prefixes: ``"19"`` matches 190, 195, 1952...; negated events never match."""

    codes: list[str]
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    #: the modalities that match; by default only events that happened (an alert fires on what took place,
    #: not on a recalled, intended, threatened, demanded, denied or hypothetical event)
    modality: list[EventModality] | None = None

    @field_validator("codes", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        return [str(c) for c in _as_list(v)]

    @field_validator("codes")
    @classmethod
    def _check(cls, v: list[str]) -> list[str]:
        return _codes_matching(v, r"\d{2,4}", "a CAMEO code prefix (2 to 4 digits, quote it in YAML)")


class EntityCond(_Strict):
    """An entity matching every given field: name (case-insensitive), Wikidata id, country, type."""

    name: list[str] = Field(default_factory=list)
    id: list[str] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list)
    type: list[Literal["PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"]] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("name", "id", "country", "type", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("id")
    @classmethod
    def _qid(cls, v: list[str]) -> list[str]:
        for q in v:
            if not re.fullmatch(r"Q\d+", q):
                raise ValueError(f"{q!r} is not a Wikidata QID (Q and digits)")
        return v

    @field_validator("country")
    @classmethod
    def _cc(cls, v: list[str]) -> list[str]:
        out = [c.upper() for c in v]
        for c in out:
            if not re.fullmatch(r"[A-Z]{2}", c):
                raise ValueError(f"{c!r} is not an ISO 3166-1 alpha-2 country code")
        return out

    @model_validator(mode="after")
    def _some(self) -> EntityCond:
        if not (self.name or self.id or self.country or self.type):
            raise ValueError("give at least one of name, id, country, type")
        return self


class FigureCond(_Strict):
    """A figure of one of ``kind`` whose value compares with the threshold(s)."""

    kind: list[str]
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    eq: float | None = None
    #: also match a vague amount ("ratusan", "dozens": its lower bound) or a mixed one ("casualties")
    vague: bool = False

    @field_validator("kind", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("kind")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        from streams.core.records import FIGURE_KINDS

        known = set(FIGURE_KINDS)
        for k in v:
            if k not in known:
                raise ValueError(f"unknown figure kind {k!r}; known: {', '.join(sorted(known))}")
        if not v:
            raise ValueError("list at least one kind")
        return v

    def ok(self, value: float) -> bool:
        return (
            (self.gte is None or value >= self.gte)
            and (self.gt is None or value > self.gt)
            and (self.lte is None or value <= self.lte)
            and (self.lt is None or value < self.lt)
            and (self.eq is None or value == self.eq)
        )


_Kw = tuple[str, re.Pattern[str]]


class KeywordCond(_Strict):
    """Words or phrases in the title/body (case-insensitive, whole words unless ``whole_word: false``)."""

    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    fields: list[TextField] = ["title", "body"]
    whole_word: bool = True

    @field_validator("any", "all", "fields", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _as_list(v)

    @model_validator(mode="after")
    def _some(self) -> KeywordCond:
        if not (self.any or self.all):
            raise ValueError("give keywords in `any` or `all`")
        if any(not k.strip() for k in [*self.any, *self.all]):
            raise ValueError("keywords must not be empty")
        return self

    @cached_property
    def _patterns(self) -> tuple[list[_Kw], list[_Kw]]:
        def pat(k: str) -> _Kw:
            words = k.split()
            body = r"\s+".join(re.escape(w) for w in words)
            rx = re.compile(rf"(?<!\w){body}(?!\w)" if self.whole_word else body, re.IGNORECASE)
            return words[0].lower(), rx  # the needle is a cheap substring pre-check

        return [pat(k) for k in self.any], [pat(k) for k in self.all]


class Condition(_Strict):
    """Exactly one of: all, any, not, topic, event, entity, figure, keyword, language, source."""

    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")
    topic: TopicCond | None = None
    event: EventCond | None = None
    entity: EntityCond | None = None
    figure: FigureCond | None = None
    keyword: KeywordCond | None = None
    language: list[str] | None = None
    source: list[str] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        v = dict(v)
        if isinstance(v.get("topic"), str | list):
            v["topic"] = {"codes": v["topic"]}
        if isinstance(v.get("event"), str | int | list):
            v["event"] = {"codes": v["event"]}
        if isinstance(v.get("entity"), str):
            v["entity"] = {"name": v["entity"]}
        if isinstance(v.get("keyword"), str | list):
            v["keyword"] = {"any": v["keyword"]}
        for key in ("language", "source"):
            if key in v:
                v[key] = _as_list(v[key])
        return v

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        names = (
            "all_",
            "any_",
            "not_",
            "topic",
            "event",
            "entity",
            "figure",
            "keyword",
            "language",
            "source",
        )
        given = [n.rstrip("_") for n in names if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition has exactly one of all, any, not, topic, event, entity, figure, keyword, "
                f"language, source (got {', '.join(given) or 'none'})"
            )
        if (self.all_ is not None and not self.all_) or (self.any_ is not None and not self.any_):
            raise ValueError("`all` / `any` need at least one condition")
        return self


class Escalation(_Strict):
    """Fire again (same alert id, new revision) when a figure crosses a higher threshold."""

    figure: list[str]
    thresholds: list[float]
    severity: Severity | None = None

    @field_validator("figure", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("thresholds")
    @classmethod
    def _sorted(cls, v: list[float]) -> list[float]:
        if not v:
            raise ValueError("list at least one threshold")
        if sorted(set(v)) != v:
            raise ValueError("thresholds must be strictly increasing")
        return v


class Rule(_Strict):
    """One alert rule."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    description: str = ""
    severity: Severity = "warning"
    labels: dict[str, str] = Field(default_factory=dict)
    when: Condition
    message: str = "{rule}: {title}"
    window: float = 86400.0
    escalate: Escalation | None = None
    enabled: bool = True
    #: the kind of incident the rule reports ("violence", "release"): rules of one kind fire one alert per
    #: story, so an air strike that killed 31 is one alert, not an air-strike and a casualty alert
    incident: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")

    @field_validator("window", mode="before")
    @classmethod
    def _window(cls, v: Any) -> float:
        return parse_duration(v)

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        for k in v:
            if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", k):
                raise ValueError(f"label name {k!r} is not a Prometheus label name")
            if k in ("alertname", "rule", "severity", "story_id"):
                raise ValueError(f"label {k!r} is set by Warta itself")
        return v

    @model_validator(mode="after")
    def _figures_in_message(self) -> Rule:
        """A ``{fig_KIND}`` outside a ``(...)`` group must be guaranteed by the condition (no placeholders)."""
        sure = _sure_figures(self.when)
        for name, grouped in _grouped(self.message):
            if name.startswith("fig_") and not grouped and name[4:] not in sure:
                raise ValueError(
                    f"message field {{{name}}} may have no value when the rule fires (the condition does not "
                    f"require a {name[4:]} figure): put it inside parentheses, e.g. '({name[4:]}: {{{name}}})', "
                    "so that it is left out when missing"
                )
        return self

    @field_validator("message")
    @classmethod
    def _template(cls, v: str) -> str:
        try:
            parts = list(string.Formatter().parse(v))
        except ValueError as exc:
            raise ValueError(f"bad message template: {exc}") from exc
        for _lit, name, _spec, _conv in parts:
            if name is None:
                continue
            if name.startswith("fig_"):
                continue
            if name not in TEMPLATE_FIELDS:
                raise ValueError(
                    f"unknown template field {{{name}}}; use {', '.join(sorted(TEMPLATE_FIELDS))} or fig_<kind>"
                )
        return v


#: Qualifiers that keep a figure exact (any other names a vague amount: "hundreds", "dozens").
_EXACT_QUALIFIERS = frozenset({"at_least", "about", "nearly", "more_than", "less_than", "up_to", "all"})


#: Kinds the figures stage gives a headline (one stated total per article).
_HEADLINE_KINDS = CASUALTY_KINDS | {"cases", "casualties"}


def headline_figures(figures: list[Figure]) -> list[Figure]:
    """One number per kind and article: the headline of a kind that has one, never a part. When the
    article's figures mark headlines at all, a casualty kind without one has no number (its totals were
    all scoped away: "14 di antaranya"); figures that mark none (an older pipeline) give their totals."""
    headlined = {f.kind for f in figures if f.headline}
    marks = bool(headlined)
    return [
        f
        for f in figures
        if f.part is None
        and (f.headline or f.kind not in headlined)
        and not (marks and not f.headline and f.kind in _HEADLINE_KINDS)
    ]


def _rule_figures(figures: list[Figure], vague: bool) -> list[Figure]:
    """The figures a figure condition reads (:func:`headline_figures`); a vague amount only when the rule
    asks for vague amounts."""
    out = []
    for f in headline_figures(figures):
        if not vague and (f.kind == "casualties" or (f.qualifier or "") not in _EXACT_QUALIFIERS | {""}):
            continue
        out.append(f)
    return out


def _sure_figures(cond: Condition) -> set[str]:
    """Figure kinds that are present whenever ``cond`` holds (a one-kind figure condition on every path)."""
    if cond.figure is not None:
        return set(cond.figure.kind) if len(cond.figure.kind) == 1 else set()
    if cond.all_ is not None:
        return set().union(*(_sure_figures(c) for c in cond.all_))
    if cond.any_ is not None:
        sets = [_sure_figures(c) for c in cond.any_]
        return set.intersection(*sets) if sets else set()
    return set()


def _grouped(template: str) -> list[tuple[str, bool]]:
    """Each field of a template and whether it stands inside a ``(...)``/``[...]`` group."""
    out: list[tuple[str, bool]] = []
    depth = 0
    in_field = False
    name: list[str] = []
    for ch in template:
        if ch == "{":
            in_field, name = True, []
        elif ch == "}" and in_field:
            in_field = False
            out.append(("".join(name).split(":")[0].split("!")[0], depth > 0))
        elif in_field:
            name.append(ch)
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
    return out


class RuleFile(_Strict):
    version: int = 1
    defaults: dict[str, Any] = Field(default_factory=dict)
    rules: list[Rule]

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, v: Any) -> Any:
        if isinstance(v, dict) and isinstance(v.get("defaults"), dict) and isinstance(v.get("rules"), list):
            d = v["defaults"]
            v = dict(v)
            v["rules"] = [{**d, **r} if isinstance(r, dict) else r for r in v["rules"]]
        return v

    @model_validator(mode="after")
    def _unique(self) -> RuleFile:
        seen: set[str] = set()
        for r in self.rules:
            if r.name in seen:
                raise ValueError(f"rule name {r.name!r} is used twice")
            seen.add(r.name)
        return self


@dataclass
class Match:
    """Why a rule matched: evidence items (kind, code/name/text, spans) and the matched figures."""

    evidence: list[dict[str, Any]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    #: evidence found in branches that did not hold ("all: [event 195, killed >= 10]" with 2 killed): not why
    #: the rule matched, but an event that happened there is still part of the incident (see the engine)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def add(self, branch: Match, held: bool) -> None:
        """Take a branch's findings: its evidence when it held, else as ``seen``."""
        if held:
            self.evidence += branch.evidence
            self.keywords += branch.keywords
        else:
            self.seen += branch.evidence
        self.seen += branch.seen


def _text(article: EnrichedArticle, name: str) -> str:
    return {"title": article.title or "", "body": article.body, "lead": article.lead}.get(name, "")


def evaluate(cond: Condition, article: EnrichedArticle, match: Match) -> bool:
    """True when ``cond`` holds; appends the evidence it found to ``match``."""
    if cond.all_ is not None:
        found = Match()
        held = all(evaluate(c, article, found) for c in cond.all_)
        match.add(found, held)  # the evidence of a branch that failed is no evidence of the match
        return held
    if cond.any_ is not None:
        results = []
        for c in cond.any_:  # evaluate all: collect the evidence of every branch that holds
            found = Match()
            results.append(evaluate(c, article, found))
            match.add(found, results[-1])
        return any(results)
    if cond.not_ is not None:
        return not evaluate(cond.not_, article, Match())
    if cond.topic is not None:
        return _topic_holds(cond.topic, article, match)
    if cond.event is not None:
        return _event_holds(cond.event, article, match)
    if cond.entity is not None:
        return _entity_holds(cond.entity, article, match)
    if cond.figure is not None:
        return _figure_holds(cond.figure, article, match)
    if cond.keyword is not None:
        return _keyword_holds(cond.keyword, article, match)
    if cond.language is not None:
        return (article.language or "").lower() in {x.lower() for x in cond.language}
    if cond.source is not None:
        wanted = {x.casefold() for x in cond.source}
        src = article.source
        return any(v and v.casefold() in wanted for v in (src.name, src.domain))
    return False  # unreachable: the validator requires exactly one field


def _topic_holds(tc: TopicCond, article: EnrichedArticle, match: Match) -> bool:
    found = False
    for t in article.topics:
        if t.score >= tc.min_score and (t.code in tc.codes or (t.parent in tc.codes)):
            match.evidence.append(
                {"kind": "topic", "code": t.code, "label": t.label, "score": t.score,
                 "spans": [list(s) for s in t.evidence]}
            )  # fmt: skip
            found = True
    return found


def _event_holds(ec: EventCond, article: EnrichedArticle, match: Match) -> bool:
    found = False
    for e in article.events:
        if e.negated or e.score < ec.min_score or e.modality not in (ec.modality or HAPPENED):
            continue
        if any(e.code.startswith(p) for p in ec.codes):
            match.evidence.append(
                {"kind": "event", "code": e.code, "label": e.label, "score": e.score, "modality": e.modality,
                 "source": e.source_actor, "target": e.target_actor, "spans": [list(s) for s in e.evidence]}
            )  # fmt: skip
            found = True
    return found


def _entity_fits(nc: EntityCond, names: set[str], ent: Any) -> bool:
    return not (
        ent.confidence < nc.min_confidence
        or (names and ent.name.casefold() not in names and ent.text.casefold() not in names)
        or (nc.id and ent.id not in nc.id)
        or (nc.country and (ent.country or "").upper() not in nc.country)
        or (nc.type and ent.type not in nc.type)
    )


def _entity_holds(nc: EntityCond, article: EnrichedArticle, match: Match) -> bool:
    names = {n.casefold() for n in nc.name}
    found = False
    for ent in article.entities:
        if _entity_fits(nc, names, ent):
            match.evidence.append(
                {"kind": "entity", "name": ent.name, "id": ent.id, "spans": [list(s) for s in ent.spans]}
            )
            found = True
    return found


def _figure_holds(fc: FigureCond, article: EnrichedArticle, match: Match) -> bool:
    found = False
    for f in _rule_figures(article.figures, fc.vague):
        if f.kind in fc.kind and fc.ok(f.value):
            match.evidence.append(
                {
                    "kind": "figure",
                    "figure": f.kind,
                    "value": f.value,
                    "text": f.text,
                    "spans": [list(f.span)],
                }
            )
            found = True
    return found


def _keyword_holds(kc: KeywordCond, article: EnrichedArticle, match: Match) -> bool:
    any_pats, all_pats = kc._patterns
    texts = {name: (tx, tx.lower()) for name in kc.fields if (tx := _text(article, name))}
    hits: list[tuple[str, str, re.Match[str]]] = []

    def first(kw: _Kw) -> tuple[str, str, re.Match[str]] | None:
        needle, p = kw
        for name, (txt, low) in texts.items():
            if needle not in low:
                continue
            m = p.search(txt)
            if m:
                return name, p.pattern, m
        return None

    for p in all_pats:
        h = first(p)
        if h is None:
            return False
        hits.append(h)
    if any_pats:
        any_hits = [h for h in (first(p) for p in any_pats) if h is not None]
        if not any_hits:
            return False
        hits.extend(any_hits)
    for name, _pat, m in hits:
        match.keywords.append(m.group(0))
        match.evidence.append(
            {"kind": "keyword", "field": name, "text": m.group(0), "spans": [list(m.span())]}
        )
    return True


@dataclass(frozen=True)
class RuleSet:
    """Validated rules, with where they came from."""

    rules: tuple[Rule, ...]
    path: str = "<memory>"
    version: int = 1

    def matches(self, article: EnrichedArticle) -> Iterable[tuple[Rule, Match]]:
        for rule in self.rules:
            if not rule.enabled:
                continue
            m = Match()
            if evaluate(rule.when, article, m):
                yield rule, m


def _loc_name(loc: tuple[int | str, ...]) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p[:1].isupper() or p in ("function-after", "function-before") or "[" in p:
            continue
        else:
            out += ("." if out else "") + p.rstrip("_")
    return out or "(file)"


def parse_rules(text: str, path: str = "<string>") -> RuleSet:
    """Validate a rules document; raises :class:`RulesError` with ``path:line: field: message``."""
    try:
        doc = load_positioned(text)
    except YamlError as exc:
        raise RulesError(path, [(exc.line, "(yaml)", str(exc))]) from exc
    if not isinstance(doc.data, dict):
        raise RulesError(path, [(1, "(file)", "expected a mapping with a `rules:` list")])
    try:
        rf = RuleFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            loc_for_line = tuple(
                (p[:-1] if isinstance(p, str) and p in ("all_", "any_", "not_") else p) for p in loc
            )
            msg = e["msg"].removeprefix("Value error, ")
            problems.append((doc.line_of(loc_for_line), _loc_name(loc), msg))
        raise RulesError(path, problems) from exc
    return RuleSet(tuple(rf.rules), path=path, version=rf.version)


def example_rules() -> Path:
    """The documented example rules shipped in the package (deploy/alerts/rules.yaml links to them)."""
    from importlib import resources

    return Path(str(resources.files("streams.data") / "alerting" / "rules.yaml"))


def load_rules(path: str | Path) -> RuleSet:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(str(p), [(None, "(file)", f"cannot read: {exc.strerror or exc}")]) from exc
    return parse_rules(text, str(p))
