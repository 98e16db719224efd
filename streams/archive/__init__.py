"""Idempotent archives of enriched articles (SQLite, PostgreSQL)."""
