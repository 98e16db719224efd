"""Core records, ids, settings and the pipeline."""
