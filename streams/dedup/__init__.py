"""Near-duplicate detection and story clustering."""
