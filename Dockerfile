# Warta: one image for every role (worker, web, alerting, archive); the command picks the role.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WARTA_DATA_DIR=/var/lib/warta \
    WARTA_WEB_HOST=0.0.0.0 \
    WARTA_LIVE_HOST=0.0.0.0 \
    WARTA_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY streams ./streams
# gcc compiles the hot path (six Cython extensions, setup.py); the image's Python has its headers
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install . \
    && apt-get purge -y gcc libc6-dev && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/warta --create-home warta \
    && mkdir -p /var/lib/warta \
    && chown -R warta /var/lib/warta

USER warta
# 6066: worker metrics (/metrics) and readiness (/health); 8080: `warta web`, the live page
EXPOSE 6066 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; p = os.environ.get('WARTA_HEALTH_PORT', '6066'); urllib.request.urlopen(f'http://127.0.0.1:{p}/health', timeout=2)"
ENTRYPOINT ["warta"]
CMD ["worker"]
