"""Which stages exist (name -> factory path) and which run by default, in order; imports nothing."""

from __future__ import annotations

__all__ = ["DEFAULT_STAGES", "STAGE_REGISTRY"]

#: Stage name -> "module:factory". A factory takes ``(settings, state)`` and returns a Stage.
STAGE_REGISTRY: dict[str, str] = {
    "decode": "streams.ingest.normalize:DecodeStage",
    "clean": "streams.ingest.clean:CleanStage",
    "language": "streams.nlp.language:LanguageStage",
    "ids": "streams.ingest.normalize:IdStage",
    "analysis": "streams.nlp.analysis:AnalysisStage",
    "entities": "streams.nlp.entities:EntityStage",
    "figures": "streams.nlp.figures:FigureStage",
    "quotes": "streams.nlp.quotes:QuoteStage",
    "topics": "streams.nlp.topics:TopicStage",
    "events": "streams.nlp.events:EventStage",
    "dedup": "streams.dedup.stage:DedupStage",
}

#: The stages run by default, in order.
DEFAULT_STAGES: tuple[str, ...] = (
    "decode",
    "clean",
    "language",
    "ids",
    "analysis",
    "entities",
    "figures",
    "quotes",
    "topics",
    "events",
    "dedup",
)
