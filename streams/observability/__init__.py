"""Metrics, logging and the live monitoring page."""
