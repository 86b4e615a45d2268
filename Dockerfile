# Klantstem in one container: `klantstem run` (channels, scheduler, web server on 8080).
# The install step is the README's ("Deployment"), and the test suite runs it too.
FROM python:3.11-slim AS build
ENV VIRTUAL_ENV=/opt/klantstem PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py babel.cfg README.md ./
COPY bot ./bot
COPY flows ./flows
COPY scoring ./scoring
COPY locales ./locales
# Building the package compiles the gettext catalogs (.po -> .mo) into it.
RUN python3 -m venv "$VIRTUAL_ENV" && "$VIRTUAL_ENV/bin/pip" install --no-cache-dir '.[postgres]'

FROM python:3.11-slim
RUN useradd --system --no-log-init --uid 10001 --user-group --create-home klantstem \
    && mkdir /data \
    && chown 10001:10001 /data
COPY --from=build /opt/klantstem /opt/klantstem
ENV PATH=/opt/klantstem/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    KLANTSTEM_LOG_LEVEL=INFO \
    KLANTSTEM_DATABASE_URL=sqlite:////data/klantstem.db \
    KLANTSTEM_HTTP_HOST=0.0.0.0 \
    KLANTSTEM_HTTP_PORT=8080
# The SQLite file lives here; with PostgreSQL (KLANTSTEM_DATABASE_URL) it stays empty.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('KLANTSTEM_HTTP_PORT', '8080') + '/healthz', timeout=4)"]
CMD ["klantstem", "run"]
