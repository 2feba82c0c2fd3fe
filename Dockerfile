# syntax=docker/dockerfile:1
# The one image of every R-Stat process: `rstat` is the entrypoint, the process is its argument
# (`cdc`, `streams`, `audit`, `api identity|admin|public`, `telegram`, `scheduler`, `migrate`, ...).
#
# Three stages: the browser bundles (web/, an npm workspace: npm ci + esbuild), the Python environment
# (the project installed into a virtualenv), and the runtime (the virtualenv, the bundles and the operations
# page's panels, run as an unprivileged user). Base images are pinned by digest (multi-platform index
# digests; refresh them together with `docker buildx imagetools inspect python:3.12-slim-bookworm` and
# `... node:22-bookworm-slim`, or let Renovate do it). Checked by hadolint and tests/deploy/test_dockerfile.py.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:f32b81066cde10a75dbac96646099533316d94bac4150c55da1636e1f0ffdc46

# --- the widgets and the operations page -------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build && test -f dist/manifest.json

# --- the Python environment --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY sports/ sports/
COPY schemas/ schemas/
COPY cdc/ cdc/
COPY streams/ streams/
COPY audit/ audit/
COPY api/ api/
COPY notify/ notify/
COPY crawlers/ crawlers/
COPY predict/ predict/
COPY rstat/ rstat/
# the project itself from this folder, its dependencies as wheels from PyPI (versions bounded in pyproject.toml)
RUN /opt/venv/bin/pip install --no-cache-dir . \
    && /opt/venv/bin/rstat --help >/dev/null

# --- the runtime -------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="R-Stat" \
      org.opencontainers.image.description="Team-sport competitions and their live statistics" \
      org.opencontainers.image.source="https://github.com/rstat/rstat"
RUN groupadd --system --gid 10001 rstat \
    && useradd --system --uid 10001 --gid rstat --home-dir /var/lib/rstat --no-create-home --shell /usr/sbin/nologin rstat \
    && mkdir -p /var/lib/rstat \
    && chown rstat:rstat /var/lib/rstat
COPY --from=build /opt/venv /opt/venv
COPY --from=web /src/web/dist /app/web/dist
COPY deploy/metrics/queries.json /app/deploy/metrics/queries.json
WORKDIR /app
# RSTAT_HEALTHCHECK_URL (one underscore: not a setting) is the process's /healthz for the health check below:
# 8401 identity, 8402 admin, 8403 public, 8404 audit, 9401 cdc, 9402 streams
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RSTAT__STACK__HOME=/var/lib/rstat \
    RSTAT__API__WEB_DIST=/app/web/dist \
    RSTAT__OPS__QUERIES=/app/deploy/metrics/queries.json \
    RSTAT_HEALTHCHECK_URL=http://127.0.0.1:8403/healthz
USER 10001:10001
EXPOSE 8401 8402 8403 8404 8405 9401 9402
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['RSTAT_HEALTHCHECK_URL'], timeout=4)"]
ENTRYPOINT ["rstat"]
CMD ["--help"]
