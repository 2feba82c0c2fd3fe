"""One bootstrap per process: read the settings, build the adapters (Kafka producers and consumers,
PostgreSQL pools, ClickHouse and HTTP clients) and hand them to the component. Components never import
``rstat``; nothing connects at import time."""
