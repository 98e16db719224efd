"""Ingest: decoding raw messages and cleaning article text."""
