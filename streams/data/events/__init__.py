"""CAMEO event data: codebook labels, id/en trigger patterns and cues, actor gazetteer (package data)."""

__all__: list[str] = []
