"""A reference-quality multi-stage Dockerfile and a complete .dockerignore give no finding from these rules."""

from dockyard.rules.dockerignore.entries import STANDARD_IGNORE
from tests.helpers import run_files

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS builder
WORKDIR /build
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt,sharing=locked \\
    rm -f /etc/apt/apt.conf.d/docker-clean \\
    && apt-get update \\
    && apt-get install -y --no-install-recommends \\
        build-essential \\
        libpq-dev
COPY requirements.lock.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \\
    python -m pip wheel --wheel-dir /wheels -r requirements.lock.txt

FROM python:3.12-slim AS production
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PYTHONPATH=/app \\
    PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    PATH="/opt/venv/bin:${PATH}"
WORKDIR /app
COPY requirements.lock.txt ./
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\
    python -m venv /opt/venv \\
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels -r requirements.lock.txt
COPY gunicorn_config.py ./
COPY app/ ./app/
RUN groupadd --system --gid 10001 app \\
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app \\
    && mkdir -p /app/storage /app/tmp /app/logs \\
    && chown -R app:app /app/storage /app/tmp /app/logs
ARG BUILD_VERSION=0.0.0
ARG BUILD_DATE=unknown
ARG GIT_COMMIT=unknown
LABEL version="${BUILD_VERSION}" \\
      build-date="${BUILD_DATE}" \\
      git-commit="${GIT_COMMIT}"
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
USER app
CMD ["gunicorn", "-c", "gunicorn_config.py", "app.main:app"]
"""

MINE = tuple(f"DF0{n}" for n in range(40, 80)) + tuple(f"DI0{n:02d}" for n in range(1, 20))


def test_reference_project_is_clean(tmp_path):
    files = {"Dockerfile": DOCKERFILE, ".dockerignore": STANDARD_IGNORE, "gunicorn_config.py": "bind = '0.0.0.0:8000'\n",
             "requirements.lock.txt": "fastapi==0.115.0 --hash=sha256:00\n", "app/__init__.py": "",
             "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      target: production\n"}
    assert [(f.code, f.path, f.position.line, f.message) for f in run_files(tmp_path, files, select=MINE)] == []
