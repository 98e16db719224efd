"""Typed records carried on Warta's topics (pydantic v2); the contracts in ``schemas/``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, get_args

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from streams import PIPELINE_VERSION, SCHEMA_VERSION

__all__ = [
    "CASUALTY_KINDS",
    "FIGURE_KINDS",
    "LANGUAGES",
    "Alert",
    "ArticleFields",
    "CameoEvent",
    "DeadLetter",
    "DedupInfo",
    "DomainEvent",
    "DuplicateNotice",
    "EnrichedArticle",
    "Entity",
    "EntityType",
    "ErrorLine",
    "EventModality",
    "Figure",
    "FigureKind",
    "FigurePart",
    "Language",
    "Quote",
    "RawArticle",
    "Record",
    "Severity",
    "SourceInfo",
    "Span",
    "Topic",
    "reference_json",
]

#: C0 and C1 control characters (NUL included), DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: ``[start, end)`` character offsets into ``EnrichedArticle.body``.
Span = tuple[int, int]

EntityType = Literal["PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"]
FigureKind = Literal[
    "killed",
    "wounded",
    "missing",
    "prisoners_released",
    "detained",
    "displaced",
    "drones_launched",
    "missiles_launched",
    "drones_downed",
    "missiles_downed",
    "aid_amount",
    "territory_controlled_percent",
    "cases",
    "casualties",
    "count",
    "money",
    "percent",
]
#: What a figure is of its kind when it is not the article's own total (None: the total).
FigurePart = Literal["share", "subset", "increment", "superseded", "context"]
#: Every figure kind, in the order of :data:`FigureKind` (the one list; read it, never repeat it).
FIGURE_KINDS: tuple[FigureKind, ...] = get_args(FigureKind)
#: An event's modality: happened (in the reported period), background (an earlier event recalled),
#: intended, threatened, demanded, denied, hypothetical; asserted / intent / demand / reported are
#: the schema-2 values, still accepted.
EventModality = Literal[
    "happened",
    "background",
    "intended",
    "threatened",
    "demanded",
    "denied",
    "hypothetical",
    "asserted",
    "intent",
    "demand",
    "reported",
]
#: The languages Warta processes natively (ISO 639-1): the detector's candidates are a subset.
#: Adding one starts here (see docs/development.md for the files that follow).
Language = Literal["id", "en", "ms"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
#: Figure kinds that count people (or drones/missiles) hit by a casualty predicate; ``cases`` is apart.
CASUALTY_KINDS: frozenset[FigureKind] = frozenset(
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
Severity = Literal["info", "warning", "critical"]


class Record(BaseModel):
    """Base of every record on a topic: frozen, versioned, tolerant of unknown fields."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: int = SCHEMA_VERSION

    def to_json(self, **dump: Any) -> bytes:
        """The record as a topic carries it: compact JSON of its JSON-mode dump; ``dump`` passes
        options such as ``exclude_none=True`` to the serializer. pydantic's serializer writes the
        bytes directly, the same bytes as ``orjson.dumps(self.model_dump(mode="json"))`` (the
        reference, :func:`reference_json`) without building the dict first."""
        return self.__pydantic_serializer__.to_json(self, **dump)


def reference_json(record: BaseModel, **dump: Any) -> bytes:
    """The encoding :meth:`Record.to_json` reproduces: orjson of the JSON-mode dump (the tests
    compare both, byte for byte)."""
    return orjson.dumps(record.model_dump(mode="json", **dump))


class RawArticle(Record):
    """Value of ``warta.articles.raw``: an article as a producer saw it."""

    id: str | None = Field(default=None, max_length=512)
    text: str | None = None
    html: str | None = None
    url: str | None = Field(default=None, max_length=4096)
    title: str | None = None
    source: str | None = Field(default=None, max_length=512)
    published_at: datetime | str | None = None
    language: str | None = Field(default=None, max_length=16)
    #: Unix time (seconds) when the producer published it; feeds the latency metric.
    ingested_at: float | None = None

    @field_validator("id")
    @classmethod
    def _printable_id(cls, value: str | None) -> str | None:
        # An id keys Kafka records, archive rows and URLs: NUL and control characters are
        # rejected (W102 at decode), never silently rewritten into a different id.
        if value is not None and _CONTROL.search(value):
            raise ValueError("`id` contains NUL or control characters")
        return value

    @model_validator(mode="after")
    def _has_content(self) -> RawArticle:
        if not (self.text or "").strip() and not (self.html or "").strip():
            raise ValueError("a RawArticle needs a non-empty `text` or `html`")
        return self


class SourceInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str | None = None
    domain: str | None = None


class Topic(BaseModel):
    """An IPTC Media Topic with its score and the spans that carried it."""

    model_config = ConfigDict(frozen=True)

    code: str
    label: str
    score: float = Field(ge=0.0, le=1.0)
    evidence: list[Span] = Field(default_factory=list)
    parent: str | None = None


class CameoEvent(BaseModel):
    """A CAMEO event found in the article, with evidence and (when stated) its actors."""

    model_config = ConfigDict(frozen=True)

    code: str
    label: str
    score: float = Field(ge=0.0, le=1.0)
    evidence: list[Span] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    source_actor: str | None = None
    target_actor: str | None = None
    negated: bool = False
    #: happened (in the reported period), background (an earlier event recalled), intended, threatened,
    #: demanded, denied, hypothetical; asserted / intent / demand / reported are the schema-2 values
    modality: EventModality = "happened"


class Entity(BaseModel):
    """One real-world referent with every span where the article mentions it."""

    model_config = ConfigDict(frozen=True)

    text: str
    name: str
    type: EntityType
    id: str | None = None
    country: str | None = None
    spans: list[Span] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)


class Figure(BaseModel):
    """A number normalised from its Indonesian or English form, typed by its context."""

    model_config = ConfigDict(frozen=True)

    kind: str
    value: float
    unit: str | None = None
    text: str
    span: Span
    actor: str | None = None
    #: at_least, about, nearly, more_than, less_than, up_to, all; or how vague ("hundreds", "dozens")
    qualifier: str | None = None
    #: a count that is not the article's total of its kind: share (one place or group), subset (by
    #: condition), increment ("two more"), superseded (an earlier count), context (another event's toll)
    part: FigurePart | None = None
    #: the one figure of its casualty kind (or ``cases``) that alerts and dashboards use: the article's
    #: own stated total (``casualties`` is a mixed vague amount, "thousands killed or wounded")
    headline: bool = False


class Quote(BaseModel):
    model_config = ConfigDict(frozen=True)

    speaker: str | None
    text: str
    span: Span
    speaker_id: str | None = None


class DedupInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    content_hash: str = ""
    duplicate_of: str | None = None
    similarity: float | None = None
    method: str | None = None
    story_id: str | None = None


class ArticleFields(BaseModel):
    """The fields of an enriched article, listed once: :class:`EnrichedArticle` (the frozen topic
    value) and the pipeline's working document (``streams.core.doc.Doc``, mutable) inherit them."""

    id: str
    event_id: str
    pipeline_version: str = PIPELINE_VERSION
    title: str | None = None
    body: str
    lead: str = ""
    captions: list[str] = Field(default_factory=list)
    url: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    source: SourceInfo = Field(default_factory=SourceInfo)
    byline: str | None = None
    dateline: str | None = None
    published_at: str | None = None
    #: How the UTC offset of ``published_at`` was decided: ``stated`` (by the page or the
    #: producer), ``outlet`` (the outlet's time zone), ``dateline`` (the dateline place's zone),
    #: or ``unknown`` (``published_at`` is then a local time without an offset; none is guessed).
    published_at_zone: Literal["stated", "outlet", "dateline", "unknown"] | None = None
    cited_sources: list[str] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    events: list[CameoEvent] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    dedup: DedupInfo = Field(default_factory=DedupInfo)


class EnrichedArticle(ArticleFields, Record):
    """Value of ``warta.articles.enriched``: one article, cleaned and enriched, with evidence."""

    ingested_at: float | None = None
    processed_at: float | None = None


class DuplicateNotice(Record):
    """Value of ``warta.articles.duplicates``: which article duplicates what, and how closely."""

    id: str
    event_id: str
    duplicate_of: str
    similarity: float
    method: Literal["exact", "near", "minhash"] | str
    story_id: str | None = None


class DomainEvent(Record):
    """Value of ``warta.events``: a typed domain event derived from an article or a story."""

    id: str
    type: str
    article_event_id: str | None = None
    article_id: str | None = None
    cameo_code: str | None = None
    label: str | None = None
    actors: list[str] = Field(default_factory=list)
    evidence: list[Span] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    story_id: str | None = None
    occurred_at: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Alert(Record):
    """Value of ``warta.alerts``: a rule that fired, the evidence and the articles behind it."""

    id: str
    rule: str
    severity: Severity = "warning"
    story_id: str | None = None
    message: str
    labels: dict[str, str] = Field(default_factory=dict)
    article_ids: list[str] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    revision: int = 1
    fired_at: str | None = None
    updated_at: str | None = None


class DeadLetter(Record):
    """Value of ``warta.dlq``: input that could not be processed, kept whole with the reason."""

    error_code: str
    reason: str
    hint: str | None = None
    stage: str | None = None
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    source_key: str | None = None
    payload_b64: str
    failed_at: float
    #: Size in bytes and SHA-256 of the whole input; ``payload_b64`` holds only its first bytes
    #: when ``payload_truncated`` (the raw topic keeps the full copy at the source offset).
    payload_size: int | None = None
    payload_sha256: str | None = None
    payload_truncated: bool = False


class ErrorLine(BaseModel):
    """What ``warta process`` prints for an input it cannot process."""

    model_config = ConfigDict(frozen=True)

    id: str | None
    error: str
    code: str
    reason: str
