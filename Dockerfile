# syntax=docker/dockerfile:1
#
# dockyard's own image, built to the standard it enforces. Stages:
#   builder     builds the wheelhouse from the hashed lock, and dockyard's own wheel
#   security    pip-audit on the lock, bandit on the source; CI builds it with `--target security`
#   production  final image: wheelhouse install into /opt/venv, non-root, runs `dockyard`
#
# Use: docker run --rm -v "$PWD:/src" IMAGE check /src
# Build arguments: BUILD_VERSION, BUILD_DATE, GIT_COMMIT (recorded as image labels; CI passes them).

############################ builder ############################
FROM python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea AS builder

WORKDIR /build

# Dependencies first (cached until the lock changes), then dockyard's own wheel from its source.
COPY requirements.lock.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip wheel --wheel-dir /wheels --require-hashes -r requirements.lock.txt
COPY pyproject.toml README.md LICENSE THIRD_PARTY_NOTICES.md ./
COPY src/ ./src/
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip wheel --wheel-dir /wheels --no-deps .

############################ security ############################
FROM builder AS security

# Audits the locked dependencies (pip-audit) and dockyard's source (bandit, failing on high-severity issues);
# fails the build on findings. CI builds this stage (`--target security`).
COPY requirements-security.lock.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip install --require-hashes -r requirements-security.lock.txt \
    && pip-audit --requirement requirements.lock.txt --disable-pip --no-deps \
    && bandit --recursive src --quiet --severity-level high

############################ production ############################
# PYTHONPATH is deliberately not set: dockyard lives in /opt/venv, and a PYTHONPATH naming the checked repository
# (/src) would let its modules shadow dockyard's own; PYTHONSAFEPATH keeps the working directory off sys.path.
# dockyard: ignore[DF006]
FROM python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea AS production

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONSAFEPATH=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DOCKYARD_CACHE_DIR=/tmp/dockyard-cache \
    PATH="/opt/venv/bin:${PATH}"

WORKDIR /src

# git answers which files are tracked (EN003 reads `git ls-files`); the mounted tree belongs to the host's user,
# so every directory is declared safe. The base image's docker-clean hook would empty the apt cache mounts.
# hadolint ignore=DL3008
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
    && apt-get update \
    && apt-get install -y --no-install-recommends git \
    && git config --system --add safe.directory '*'

# Installed only from the builder's wheelhouse: the locked dependencies, then dockyard itself.
COPY requirements.lock.txt /tmp/
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels -r /tmp/requirements.lock.txt \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels --no-deps dockyard \
    && rm /tmp/requirements.lock.txt

# Fixed numeric UID/GID, no login shell, no home.
RUN groupadd --system --gid 10001 dockyard \
    && useradd --system --uid 10001 --gid dockyard --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin dockyard

ARG BUILD_VERSION=0.0.0
ARG BUILD_DATE=unknown
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="dockyard" \
      org.opencontainers.image.licenses="MIT" \
      version="${BUILD_VERSION}" \
      build-date="${BUILD_DATE}" \
      git-commit="${GIT_COMMIT}"

USER 10001:10001

ENTRYPOINT ["dockyard"]
CMD ["check", "/src"]
