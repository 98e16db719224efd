"""Alert rules, throttling and alert sinks."""
