"""NLP stages: language, topics, events, entities, figures, quotes."""
