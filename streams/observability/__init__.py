"""Metrics and logging (the live page is a sink: ``streams.sinks.live``)."""
