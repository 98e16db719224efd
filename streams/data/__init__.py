"""Versioned data files that drive behaviour."""
