"""IPTC Media Topics data: taxonomy, id/en lexicon and the trained top-level model (package data)."""

__all__: list[str] = []
