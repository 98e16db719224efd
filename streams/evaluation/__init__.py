"""Evaluation commands against gold data."""
