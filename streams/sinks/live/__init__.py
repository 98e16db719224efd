"""The live page (``warta web``): a Kafka reader and a Starlette app pushing records over SSE."""
