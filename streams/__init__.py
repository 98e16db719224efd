"""Warta: a real-time stream processor for Indonesian and English news."""

__all__ = ["PIPELINE_VERSION", "SCHEMA_VERSION", "__version__"]

__version__ = "0.13.0"
#: Bumped whenever a stage changes what it outputs; part of every ``event_id``.
PIPELINE_VERSION = "2026.12.11"
#: Version of the record contracts in ``schemas/`` (3: event modality happened, background, intended...).
SCHEMA_VERSION = 3
