"""Local Kafka broker management and topic administration."""
