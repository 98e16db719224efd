"""Kafka consumers that carry the enriched topics out: the archive, alerting and the live page."""
