#!/usr/bin/env python3
"""Generate a deterministic corpus of FastAPI repositories for the dockyard benchmarks.

Every repository is derived from ``Random(seed, index)`` alone, so repository *i* has the same content
whatever the corpus size: a small corpus is a prefix of a large one. Good and bad practice are mixed on
purpose (unpinned bases, apt without cleanup, root users, committed ``.env`` files, ``version:`` keys...),
so the checkers under test do real work and report real findings.

Layout written under OUT (default ``bench/out``)::

    corpus/repo-0000/ ... corpus/repo-NNNN/     the repositories
    scaling/n100/Dockerfile ... n800/Dockerfile   N RUN + N ENV lines each (input-size scaling)
    growth/<kind>/x1, x10, x100/                  one input kind at a base size, 10x and 100x (see GROWTH)
    manifest.json                                 file lists per kind, used by bench/run.py

Usage: python bench/generate_corpus.py [--size N] [--seed S] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
DEFAULT_SIZE = 300
DEFAULT_SEED = 20240611
SCALING_SIZES = (100, 200, 400, 800)

PY_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
DIGEST = "sha256:" + "7d3b1c5e9a0f4b2c8d6e1a3f5b7c9d0e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c"
APT_BUILD = ("build-essential", "gcc", "libpq-dev", "libffi-dev", "libssl-dev", "git", "pkg-config")
APT_RUNTIME = ("libpq5", "curl", "ca-certificates", "tini", "libjpeg62-turbo", "netcat-openbsd")
APK_BUILD = ("build-base", "postgresql-dev", "libffi-dev", "musl-dev", "cargo", "openssl-dev")
APK_RUNTIME = ("libpq", "curl", "tini", "ca-certificates")
PY_DEPS = (
    ("fastapi", "0.111.0"), ("uvicorn", "0.30.1"), ("gunicorn", "22.0.0"), ("pydantic", "2.7.4"),
    ("pydantic-settings", "2.3.3"), ("sqlalchemy", "2.0.31"), ("psycopg", "3.1.19"), ("redis", "5.0.6"),
    ("httpx", "0.27.0"), ("celery", "5.4.0"), ("alembic", "1.13.1"), ("orjson", "3.10.5"),
    ("python-multipart", "0.0.9"), ("structlog", "24.2.0"), ("tenacity", "8.4.1"),
)


# ---------------------------------------------------------------------------------------------- helpers
def _pick(rng: random.Random, *weighted):
    """weighted: (value, weight) pairs."""
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _cont(parts: list[str], indent: str = "    ") -> str:
    """Join shell fragments with ' && \\' continuations, as Dockerfiles usually do."""
    return (" \\\n" + indent + "&& ").join(parts)


# ------------------------------------------------------------------------------------------ Dockerfile
def _base_image(rng: random.Random, py: str, alpine: bool, arg_tag: bool) -> tuple[str, str]:
    """(FROM reference, preamble ARG lines)."""
    if arg_tag:
        variant = "alpine" if alpine else _pick(rng, ("slim", 5), ("slim-bookworm", 3), ("bookworm", 1))
        return f"python:${{PYTHON_VERSION}}-{variant}", f"ARG PYTHON_VERSION={py}\n"
    if alpine:
        return _pick(rng, (f"python:{py}-alpine", 6), (f"python:{py}-alpine3.20", 2), ("python:alpine", 1)), ""
    return _pick(
        rng,
        (f"python:{py}-slim", 8),
        (f"python:{py}-slim-bookworm", 4),
        (f"python:{py}-slim@{DIGEST}", 3),
        (f"python:{py}", 2),
        ("python:latest", 1),
        ("python", 1),
        (f"tiangolo/uvicorn-gunicorn-fastapi:python{py}", 1),
    ), ""


def _system_packages(rng: random.Random, alpine: bool, build: bool, heredoc: bool, cache_mount: bool) -> str:
    pool = (APK_BUILD if build else APK_RUNTIME) if alpine else (APT_BUILD if build else APT_RUNTIME)
    pkgs = rng.sample(pool, k=rng.randint(1, min(4, len(pool))))
    if alpine:
        style = _pick(rng, ("good", 6), ("no-cache-missing", 2), ("update-upgrade", 1))
        if style == "good":
            return "RUN apk add --no-cache " + " ".join(pkgs)
        if style == "no-cache-missing":
            return "RUN apk update && apk add " + " ".join(pkgs)
        return "RUN apk update && apk upgrade && apk add --no-cache " + " ".join(pkgs)
    if _chance(rng, 0.2):
        pkgs = [p + "=" + rng.choice(("1.2.3-1", "7.88.1-10+deb12u5", "15.6-0+deb12u1")) for p in pkgs]
    style = _pick(rng, ("good", 6), ("no-clean", 2), ("no-recommends-missing", 2), ("bare", 1), ("upgrade", 1))
    if heredoc and style == "good":
        return (
            "RUN <<EOF\nset -eux\napt-get update\napt-get install -y --no-install-recommends "
            + " ".join(pkgs) + "\nrm -rf /var/lib/apt/lists/*\nEOF\n"
        )
    if cache_mount and style == "good":
        return (
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    "
            + _cont(["apt-get update", "apt-get install -y --no-install-recommends " + " ".join(pkgs)])
        )
    if style == "good":
        return "RUN " + _cont(
            ["apt-get update", "apt-get install -y --no-install-recommends " + " ".join(pkgs), "rm -rf /var/lib/apt/lists/*"]
        )
    if style == "no-clean":
        return "RUN " + _cont(["apt-get update", "apt-get install -y --no-install-recommends " + " ".join(pkgs)])
    if style == "no-recommends-missing":
        return "RUN " + _cont(["apt-get update", "apt-get install -y " + " ".join(pkgs), "rm -rf /var/lib/apt/lists/*"])
    if style == "upgrade":
        return "RUN " + _cont(["apt-get update", "apt-get upgrade -y", "apt-get install -y " + " ".join(pkgs)])
    return "RUN apt-get install " + " ".join(pkgs)


def _pip_install(rng: random.Random, lock: str, cache_mount: bool, target: str | None = None) -> str:
    style = _pick(rng, ("lock", 5), ("hashes", 2), ("plain", 3), ("unpinned", 1), ("uv", 2), ("upgrade", 1))
    mount = "--mount=type=cache,target=/root/.cache/pip " if cache_mount else ""
    prefix = f"--prefix={target} " if target else ""
    if style == "lock":
        return f"RUN {mount}pip install --no-cache-dir {prefix}-r {lock}"
    if style == "hashes":
        return f"RUN {mount}pip install --no-cache-dir --require-hashes {prefix}-r {lock}"
    if style == "plain":
        return f"RUN pip install {prefix}-r {lock}"
    if style == "unpinned":
        return "RUN pip install fastapi uvicorn[standard] gunicorn sqlalchemy"
    if style == "uv":
        return (
            "COPY --from=ghcr.io/astral-sh/uv:0.4.18 /uv /usr/local/bin/uv\n"
            f"RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r {lock}"
        )
    return "RUN " + _cont(["pip install --upgrade pip setuptools wheel", f"pip install --no-cache-dir {prefix}-r {lock}"])


def _env_block(rng: random.Random, port: int) -> str:
    pairs = [
        ("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1"), ("PIP_NO_CACHE_DIR", "1"),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"), ("PORT", str(port)), ("APP_HOME", "/app"),
        ("PATH", '"/opt/venv/bin:${PATH}"'),
    ]
    chosen = [p for p in pairs if _chance(rng, 0.65)] or pairs[:2]
    if _chance(rng, 0.15):
        chosen.append(("SECRET_KEY", "s3cr3t-" + "".join(rng.choice("abcdef0123456789") for _ in range(16))))
    if _chance(rng, 0.3):  # legacy space-separated form, one per line
        return "\n".join(f"ENV {k} {v}" for k, v in chosen)
    return "ENV " + " \\\n    ".join(f"{k}={v}" for k, v in chosen)


def _user_lines(rng: random.Random, alpine: bool) -> list[str]:
    style = _pick(rng, ("named", 5), ("numeric", 2), ("root", 1), ("none", 3))
    if style == "none":
        return []
    if style == "root":
        return ["USER root"]
    if alpine:
        create = "RUN addgroup -S app && adduser -S -G app -H -s /sbin/nologin app"
    else:
        create = "RUN " + _cont(["groupadd --system --gid 10001 app",
                                 "useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app"])
    return [create, "USER app" if style == "named" else "USER 10001:10001"]


def _healthcheck(rng: random.Random, port: int) -> str | None:
    style = _pick(rng, ("curl", 3), ("python", 3), ("none", 1), ("absent", 4))
    if style == "absent":
        return None
    if style == "none":
        return "HEALTHCHECK NONE"
    opts = "--interval=30s --timeout=5s --start-period=20s --retries=3"
    if style == "curl":
        return f"HEALTHCHECK {opts} \\\n    CMD curl -fsS http://localhost:{port}/health || exit 1"
    return (f'HEALTHCHECK {opts} \\\n    CMD ["python", "-c", "import urllib.request; '
            f"urllib.request.urlopen('http://127.0.0.1:{port}/health', timeout=4)\"]")


def _cmd(rng: random.Random, port: int, gunicorn: bool) -> str:
    if gunicorn:
        return _pick(
            rng,
            ('CMD ["gunicorn", "-c", "gunicorn_config.py", "app.main:app"]', 5),
            ("CMD gunicorn -c gunicorn_config.py app.main:app", 1),
            (f'ENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-b", "0.0.0.0:{port}", "app.main:app"]', 1),
        )
    return _pick(
        rng,
        (f'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "{port}"]', 4),
        (f"CMD uvicorn app.main:app --host 0.0.0.0 --port {port}", 1),
        (f'ENTRYPOINT ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "{port}"]', 1),
        ('CMD ["sh", "-c", "alembic upgrade head && uvicorn app.main:app --host 0.0.0.0 --port $PORT"]', 1),
    )


def dockerfile(rng: random.Random, *, py: str, port: int, lock: str, gunicorn: bool, dev: bool = False) -> str:
    alpine = _chance(rng, 0.2)
    multi = _chance(rng, 0.55)
    arg_tag = _chance(rng, 0.3)
    heredoc = _chance(rng, 0.15)
    cache_mount = _chance(rng, 0.3)
    syntax = _chance(rng, 0.45) or heredoc or cache_mount
    base, preamble = _base_image(rng, py, alpine, arg_tag)
    out: list[str] = []
    if syntax:
        out.append("# syntax=docker/dockerfile:" + rng.choice(("1", "1.4", "1.7")))
    if _chance(rng, 0.5):
        out.append(f"# Image for the {rng.choice(('orders', 'billing', 'users', 'catalog', 'search'))} API.")
    if preamble:
        out.append(preamble.rstrip())
    if _chance(rng, 0.05):
        out.append("MAINTAINER team@example.com")
    if multi:
        out.append(f"\nFROM {base} AS builder")
        out.append("WORKDIR /build")
        out.append(_system_packages(rng, alpine, build=True, heredoc=heredoc, cache_mount=cache_mount))
        if _chance(rng, 0.5):
            out.append(f"COPY {lock} .")
            out.append(f"RUN pip wheel --no-cache-dir --wheel-dir /wheels -r {lock}")
            install = ("RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/* "
                       "&& rm -rf /wheels")
            copy_from = "COPY --from=builder /wheels /wheels"
        else:
            out.append(f"COPY {lock} .")
            out.append("RUN python -m venv /opt/venv")
            out.append("ENV PATH=\"/opt/venv/bin:$PATH\"")
            out.append(_pip_install(rng, lock, cache_mount))
            install = None
            copy_from = "COPY --from=builder /opt/venv /opt/venv"
        runtime_base = base if _chance(rng, 0.8) else base.replace("-slim", "")
        if arg_tag and _chance(rng, 0.3):
            out.append(f"\nARG PYTHON_VERSION={py}")
        out.append(f"\nFROM {runtime_base} AS {rng.choice(('runtime', 'production', 'final', 'app'))}")
        if _chance(rng, 0.7):
            out.append(_env_block(rng, port))
        out.append(f"WORKDIR {rng.choice(('/app', '/app', '/srv/app', '/code'))}")
        if _chance(rng, 0.5):
            out.append(_system_packages(rng, alpine, build=False, heredoc=heredoc, cache_mount=False))
        out.append(copy_from)
        if install:
            out.append(install)
        elif "venv" in copy_from:
            out.append('ENV PATH="/opt/venv/bin:$PATH"')
    else:
        out.append(f"\nFROM {base}")
        if _chance(rng, 0.75):
            out.append(_env_block(rng, port))
        out.append(f"WORKDIR {rng.choice(('/app', '/app', '/code', 'app'))}")
        if _chance(rng, 0.6):
            out.append(_system_packages(rng, alpine, build=_chance(rng, 0.5), heredoc=heredoc, cache_mount=cache_mount))
        if _chance(rng, 0.8):
            out.append(f"COPY {lock} ./")
            out.append(_pip_install(rng, lock, cache_mount))
            out.append("COPY . .")
        else:  # cache-busting order: sources before dependencies
            out.append("COPY . .")
            out.append(_pip_install(rng, lock, cache_mount))
    if multi:
        if _chance(rng, 0.8):
            out.append("COPY gunicorn_config.py ./" if gunicorn else "COPY alembic.ini ./")
            out.append("COPY app/ ./app/")
        else:
            out.append("COPY . .")
    if _chance(rng, 0.08):
        out.append("ADD https://example.com/releases/tool.tar.gz /tmp/")
    if _chance(rng, 0.1):
        out.append("RUN cd /app && python -m compileall -q .")
    if heredoc and _chance(rng, 0.5):
        out.append("COPY <<EOF /app/logging.ini\n[loggers]\nkeys=root\n\n[logger_root]\nlevel=INFO\nEOF\n")
    if _chance(rng, 0.4):
        out.append(f'LABEL org.opencontainers.image.source="https://example.com/repo" \\\n      version="{rng.randint(0, 9)}.{rng.randint(0, 30)}.0"')
    out.extend(_user_lines(rng, alpine))
    if _chance(rng, 0.85):
        out.append(f"EXPOSE {port}")
    hc = _healthcheck(rng, port)
    if hc:
        out.append(hc)
    if dev:
        out.append(f'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "{port}", "--reload"]')
    else:
        out.append(_cmd(rng, port, gunicorn))
    return "\n".join(out) + "\n"


def scaling_dockerfile(n: int) -> str:
    """n ENV + n RUN instructions, interleaved, after a single FROM (the linear-input-size probe)."""
    out = ["# syntax=docker/dockerfile:1", "FROM python:3.12-slim", "WORKDIR /app"]
    for i in range(n):
        out.append(f"ENV SETTING_{i:04d}=value-{i}")
        out.append(f"RUN echo \"step {i}\" > /tmp/step-{i:04d} && test -s /tmp/step-{i:04d}")
    out.append('CMD ["python", "-m", "http.server", "8000"]')
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------- growth
# One input kind grown alone, at a base size, 10x and 100x: each case is a directory `dockyard check` is run on
# (some kinds are judged only with the repository around them). The unit of each kind and its base size in the
# full run; --quick divides the base by GROWTH_QUICK_DIVISOR, so that the 100x case stays small but exists.
GROWTH = {
    "compose": ("services", 100),
    "env": ("keys", 100),
    "dockerfile": ("instructions", 50),
    "lock": ("packages", 100),
    "tree": ("directories", 10),
    "repositories": ("repositories", 10),
}
# kinds checked as `dockyard check DIR...` (every top folder of the case named), not `dockyard check .`
GROWTH_NAMED = frozenset({"repositories"})
GROWTH_FACTORS = (1, 10, 100)
GROWTH_QUICK_DIVISOR = 10
_GROWTH_DOCKERFILE = ("# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS production\nWORKDIR /app\n"
                      "COPY . .\nCMD [\"python\", \"-m\", \"http.server\", \"8000\"]\n")


def growth_compose(n: int) -> dict[str, str]:
    """n services of a typical shape (an image or a build, ports, environment, a healthcheck, depends_on the
    previous one, env_file) in one compose file, with the .env it interpolates from."""
    out = ["services:"]
    for i in range(n):
        out.append(f"  svc{i:05d}:")
        if i % 3 == 0:
            out += ["    build:", "      context: .", "      target: production"]
        else:
            out.append(f"    image: registry.example.com/team/svc{i:05d}:1.{i % 10}.0")
        out += ["    ports:", f"      - \"${{BIND:-127.0.0.1}}:{20000 + i % 40000}:8000\"",
                "    environment:", f"      SERVICE_NAME: svc{i:05d}", "      LOG_LEVEL: ${LOG_LEVEL:-info}",
                f"      DATABASE_URL: postgresql://app:${{DB_PASSWORD}}@db:5432/svc{i:05d}",
                "    env_file: .env",
                "    healthcheck:", "      test: [\"CMD\", \"curl\", \"-fsS\", \"http://localhost:8000/health\"]",
                "      interval: 30s", "    restart: unless-stopped"]
        if i:
            out += ["    depends_on:", f"      - svc{i - 1:05d}"]
    return {"compose.yaml": "\n".join(out) + "\n", ".env": "LOG_LEVEL=info\nDB_PASSWORD=change-me-123\n",
            "Dockerfile": _GROWTH_DOCKERFILE}


def growth_env(n: int) -> dict[str, str]:
    """An .env of n keys, every fifth one referencing an earlier key, beside the compose file that loads it."""
    out = ["# settings"]
    for i in range(n):
        if i % 5 == 4:
            out.append(f"KEY_{i:05d}=${{KEY_{i - 4:05d}}}/path-{i}")
        else:
            out.append(f"KEY_{i:05d}=value-{i}")
    compose = "services:\n  app:\n    image: python:3.12-slim\n    env_file: .env\n"
    return {".env": "\n".join(out) + "\n", "compose.yaml": compose}


def growth_dockerfile(n: int) -> str:
    """n instructions in one stage: ENV, a pip install RUN, COPY, LABEL and, in turn, ARG or an apt RUN that leaves
    its package lists (each asks whether a later RUN still reads them)."""
    out = ["# syntax=docker/dockerfile:1", "FROM python:3.12-slim AS production", "WORKDIR /app"]
    for i in range(n):
        k = i % 5
        if k == 0:
            out.append(f"ENV SETTING_{i:05d}=value-{i}")
        elif k == 1:  # every pip install asks which ENV is in effect before it (the cache mount's use)
            out.append(f"RUN --mount=type=cache,target=/root/.cache/pip pip install package{i}==1.0.{i}")
        elif k == 2:
            out.append(f"COPY file{i}.txt /app/file{i}.txt")
        elif k == 3:
            out.append(f"LABEL org.example.step{i}=\"{i}\"")
        elif (i // 5) % 2:
            out.append(f"RUN apt-get update && apt-get install -y --no-install-recommends tool{i}")
        else:
            out.append(f"ARG OPTION_{i:05d}=default-{i}")
    out.append('CMD ["python", "-m", "http.server", "8000"]')
    return "\n".join(out) + "\n"


def growth_lock(n: int) -> dict[str, str]:
    """A hashed requirements lock of n packages, installed by the Dockerfile beside it."""
    out = [f"package{i:05d}==1.{i % 7}.{i} \\\n    --hash=sha256:{i:064x}" for i in range(n)]
    dockerfile = ("# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS production\nWORKDIR /app\n"
                  "COPY requirements.lock.txt .\n"
                  "RUN pip install --no-cache-dir --require-hashes -r requirements.lock.txt\n"
                  "COPY . .\nCMD [\"python\", \"-m\", \"http.server\", \"8000\"]\n")
    return {"requirements.lock.txt": "\n".join(out) + "\n", "Dockerfile": dockerfile}


def growth_tree(n: int) -> dict[str, str]:
    """n package directories of two small Python files each, beside one Dockerfile at the root."""
    files = {"Dockerfile": _GROWTH_DOCKERFILE}
    for i in range(n):
        files[f"pkg{i:05d}/__init__.py"] = ""
        files[f"pkg{i:05d}/module.py"] = f"VALUE = {i}\n"
    return files


def growth_repositories(n: int) -> dict[str, str]:
    """n corpus repositories side by side (repo-0000 ... ), checked together in one run by naming each folder."""
    return {f"repo-{i:04d}/{rel}": text for i in range(n) for rel, text in repository(DEFAULT_SEED, i).items()}


def growth_case(kind: str, n: int) -> dict[str, str]:
    """The files of one growth case: ``kind`` (a key of GROWTH) at size ``n``."""
    if kind == "dockerfile":
        return {"Dockerfile": growth_dockerfile(n)}
    return {"compose": growth_compose, "env": growth_env, "lock": growth_lock, "tree": growth_tree,
            "repositories": growth_repositories}[kind](n)


def growth_argv(kind: str, n: int) -> list[str]:
    """The `dockyard` arguments that check a growth case in its directory."""
    if kind in GROWTH_NAMED:
        return ["check", *sorted({rel.split("/", 1)[0] for rel in growth_case(kind, n)})]
    return ["check", "."]


def write_growth(out: Path, quick: bool = False) -> dict[str, dict[str, dict]]:
    """Write every growth case under ``out``: {kind: {"x1": {"path", "n"}, "x10": ..., "x100": ...}}."""
    cases: dict[str, dict[str, dict]] = {}
    for kind, (_unit, base) in GROWTH.items():
        if quick:
            base = max(1, base // GROWTH_QUICK_DIVISOR)
        cases[kind] = {}
        for factor in GROWTH_FACTORS:
            d = out / kind / f"x{factor}"
            n = base * factor
            for rel, text in growth_case(kind, n).items():
                path = d / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            cases[kind][f"x{factor}"] = {"path": str(d), "n": n}
    return cases


# ------------------------------------------------------------------------------------------ dockerignore
def dockerignore(rng: random.Random) -> str | None:
    style = _pick(rng, ("good", 6), ("minimal", 2), ("allowlist", 1), ("absent", 2))
    if style == "absent":
        return None
    if style == "minimal":
        return ".git\n__pycache__\n"
    if style == "allowlist":
        return "# deny everything, then allow what the image needs\n*\n!app/\n!requirements*.txt\n!gunicorn_config.py\n**/__pycache__\n"
    lines = [".git", ".gitignore", "**/__pycache__", "**/*.py[cod]", ".venv", "venv", ".pytest_cache",
             ".mypy_cache", "tests/", "docs/", "*.md", "!README.md", ".github", "docker-compose*.yml",
             "Dockerfile*", ".dockerignore", "node_modules", "*.log"]
    keep = [l for l in lines if _chance(rng, 0.75)]
    env = _pick(rng, ([".env", ".env.*", "!.env.*.example"], 5), ([".env"], 2), ([], 1))
    return "\n".join(keep + env) + "\n"


# -------------------------------------------------------------------------------------------- compose
def _healthcheck_yaml(cmd: str, indent: str = "    ") -> str:
    return (f"{indent}healthcheck:\n{indent}  test: {cmd}\n{indent}  interval: 10s\n{indent}  timeout: 5s\n"
            f"{indent}  retries: 5\n")


def compose_files(rng: random.Random, *, name: str, port: int, db: bool, redis: bool, worker: bool,
                  env_style: str) -> dict[str, str]:
    layout = _pick(rng, ("base+overrides", 6), ("single", 3), ("compose.yaml", 1))
    base_name = {"base+overrides": "docker-compose.base.yml", "single": "docker-compose.yml",
                 "compose.yaml": "compose.yaml"}[layout]
    b: list[str] = []
    if _chance(rng, 0.25):
        b.append(f"version: \"{rng.choice(('3', '3.8', '3.9'))}\"\n")
    if _chance(rng, 0.4):
        b.append(f"name: {name}\n")
    b.append("services:\n  app:\n")
    if _chance(rng, 0.7):
        b.append("    build:\n      context: .\n      dockerfile: Dockerfile\n")
        if _chance(rng, 0.4):
            b.append("      target: " + rng.choice(("runtime", "production", "final")) + "\n")
    else:
        b.append("    build: .\n")
    if _chance(rng, 0.3):
        b.append(f"    image: registry.example.com/{name}:${{TAG:-latest}}\n")
    if env_style == "env_file":
        b.append("    env_file:\n      - .env\n")
    elif env_style == "env_file_required":
        b.append("    env_file:\n      - path: .env\n        required: false\n")
    env_pairs = [("LOG_LEVEL", "${LOG_LEVEL:-info}"), ("PORT", str(port))]
    if db:
        env_pairs.append(("DATABASE_URL", "postgresql://${POSTGRES_USER:-app}:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB:-app}"))
    if redis:
        env_pairs.append(("REDIS_URL", "redis://redis:6379/0"))
    if _chance(rng, 0.5):
        b.append("    environment:\n" + "".join(f"      {k}: \"{v}\"\n" for k, v in env_pairs))
    else:
        b.append("    environment:\n" + "".join(f"      - {k}={v}\n" for k, v in env_pairs))
    if layout != "base+overrides" or _chance(rng, 0.3):
        b.append(rng.choice((f"    ports:\n      - \"{port}:{port}\"\n", f"    ports:\n      - {port}:{port}\n",
                             f"    ports:\n      - \"127.0.0.1:${{APP_PORT:-{port}}}:{port}\"\n")))
    deps = [d for d, on in (("db", db), ("redis", redis)) if on]
    if deps:
        if _chance(rng, 0.6):
            b.append("    depends_on:\n" + "".join(f"      {d}:\n        condition: service_healthy\n" for d in deps))
        else:
            b.append("    depends_on:\n" + "".join(f"      - {d}\n" for d in deps))
    if _chance(rng, 0.6):
        b.append(_healthcheck_yaml(rng.choice((
            f"[\"CMD\", \"curl\", \"-f\", \"http://localhost:{port}/health\"]",
            f"[\"CMD-SHELL\", \"python -c \\\"import urllib.request; urllib.request.urlopen('http://localhost:{port}/health')\\\"\"]",
        ))))
    if _chance(rng, 0.5):
        b.append("    restart: " + rng.choice(("unless-stopped", "always", "on-failure")) + "\n")
    if worker:
        b.append("  worker:\n    build: .\n    command: celery -A app.worker worker --loglevel=info\n")
        if deps:
            b.append("    depends_on:\n" + "".join(f"      - {d}\n" for d in deps))
    if db:
        img = rng.choice(("postgres:16-alpine", "postgres:15", "postgres:latest", "postgres"))
        b.append(f"  db:\n    image: {img}\n    environment:\n      POSTGRES_USER: ${{POSTGRES_USER:-app}}\n"
                 f"      POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}}\n      POSTGRES_DB: ${{POSTGRES_DB:-app}}\n"
                 "    volumes:\n      - pgdata:/var/lib/postgresql/data\n")
        if _chance(rng, 0.7):
            b.append(_healthcheck_yaml("[\"CMD-SHELL\", \"pg_isready -U $${POSTGRES_USER:-app}\"]"))
        if layout != "base+overrides" and _chance(rng, 0.5):
            b.append("    ports:\n      - \"5432:5432\"\n")
    if redis:
        b.append(f"  redis:\n    image: {rng.choice(('redis:7-alpine', 'redis:7.2', 'redis'))}\n")
        if _chance(rng, 0.6):
            b.append(_healthcheck_yaml("[\"CMD\", \"redis-cli\", \"ping\"]"))
        if _chance(rng, 0.5):
            b.append("    volumes:\n      - redisdata:/data\n")
    vols = (["pgdata"] if db else []) + (["redisdata"] if redis and "redisdata:/data" in "".join(b) else [])
    if vols:
        b.append("volumes:\n" + "".join(f"  {v}:\n" for v in vols))
    if _chance(rng, 0.3):
        b.append("networks:\n  default:\n    name: " + name + "-net\n")
    files = {base_name: "".join(b)}
    if layout == "base+overrides":
        dev = ["services:\n  app:\n"]
        dev.append("    build:\n      context: .\n      target: " + rng.choice(("development", "builder", "dev")) + "\n")
        dev.append("    command: uvicorn app.main:app --host 0.0.0.0 --port %d --reload\n" % port)
        dev.append("    volumes:\n      - ./app:/app/app\n" + ("      - .:/app\n" if _chance(rng, 0.3) else ""))
        dev.append(f"    ports:\n      - \"{port}:{port}\"\n")
        dev.append("    env_file:\n      - .env.dev\n")
        if db:
            dev.append("  db:\n    ports:\n      - \"5432:5432\"\n")
        files["docker-compose.dev.yml"] = "".join(dev)
        prod = ["services:\n  app:\n"]
        prod.append(f"    image: registry.example.com/{name}:${{TAG:?set TAG}}\n")
        prod.append("    restart: " + rng.choice(("unless-stopped", "always")) + "\n")
        prod.append("    env_file:\n      - .env.prod\n")
        if _chance(rng, 0.6):
            prod.append(f"    ports:\n      - \"127.0.0.1:{port}:{port}\"\n")
        if _chance(rng, 0.5):
            prod.append("    deploy:\n      resources:\n        limits:\n          cpus: \"1.0\"\n          memory: 512M\n")
        if _chance(rng, 0.5):
            prod.append("    logging:\n      driver: json-file\n      options:\n        max-size: 10m\n        max-file: \"3\"\n")
        if _chance(rng, 0.15):
            prod.append("    volumes:\n      - .:/app\n")  # bind mount in production: bad
        files["docker-compose.prod.yml"] = "".join(prod)
        if _chance(rng, 0.25):
            files["docker-compose.staging.yml"] = (
                f"services:\n  app:\n    image: registry.example.com/{name}:${{TAG:-staging}}\n"
                "    env_file:\n      - .env.staging\n    restart: unless-stopped\n")
    return files


# ------------------------------------------------------------------------------------------- env files
def env_file(rng: random.Random, *, env: str, db: bool, redis: bool, example: bool) -> str:
    lines = [f"# {env} settings" + (" (copy to .env." + env + ")" if example else "")]
    lines.append(f"APP_ENV={env}")
    lines.append(f"LOG_LEVEL={'debug' if env == 'dev' else 'info'}")
    if example:
        lines.append(rng.choice(("SECRET_KEY=change-me", "SECRET_KEY=", "SECRET_KEY=<generate with openssl rand -hex 32>")))
    else:
        lines.append("SECRET_KEY=" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.choice((8, 32, 48)))))
    if db:
        lines.append("POSTGRES_USER=app")
        lines.append("POSTGRES_PASSWORD=" + ("change-me" if example else rng.choice(("postgres", "hunter2", "Zq8x!r2Lw9"))))
        lines.append("POSTGRES_DB=app")
        lines.append(_pick(rng, ('DATABASE_URL="postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}"', 3),
                           ("DATABASE_URL=postgresql://app:app@db:5432/app", 1),
                           ("DATABASE_URL=${DB_URL}", 1)))
    if redis:
        lines.append("REDIS_URL=redis://redis:6379/0")
    if _chance(rng, 0.3):
        lines.append("export WEB_CONCURRENCY=" + str(rng.choice((2, 4))))
    if _chance(rng, 0.3):
        lines.append("ALLOWED_HOSTS='api.example.com,localhost'")
    if _chance(rng, 0.1):
        lines.append("BROKEN LINE WITHOUT EQUALS")
    if _chance(rng, 0.2):
        lines.append("SENTRY_DSN=")
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------------------- python sources
def main_py(rng: random.Random, *, db: bool) -> str:
    routes = rng.sample(("items", "users", "orders", "invoices", "products", "events"), k=rng.randint(1, 3))
    out = ["from fastapi import FastAPI", ""]
    if _chance(rng, 0.5):
        out.insert(0, "import logging")
        out.append("logger = logging.getLogger(__name__)")
    out.append(f'app = FastAPI(title="{rng.choice(("Orders", "Billing", "Catalog"))} API")')
    out.append("")
    if _chance(rng, 0.8):
        out += ['@app.get("/health")', "async def health() -> dict[str, str]:", '    return {"status": "ok"}', ""]
    for r in routes:
        out += [f'@app.get("/{r}/{{item_id}}")', f"async def get_{r[:-1]}(item_id: int) -> dict:",
                f'    return {{"id": item_id, "kind": "{r[:-1]}"}}', ""]
    if db and _chance(rng, 0.5):
        out += ['@app.on_event("startup")', "async def startup() -> None:", "    pass", ""]
    if _chance(rng, 0.2):
        out += ['if __name__ == "__main__":', "    import uvicorn", "",
                '    uvicorn.run("app.main:app", host="0.0.0.0", port=8000, reload=True)']
    return "\n".join(out) + "\n"


def gunicorn_config(rng: random.Random, port: int) -> str:
    style = _pick(rng, ("env", 4), ("fixed", 2), ("bad", 1))
    if style == "env":
        return (
            "import multiprocessing\nimport os\n\n"
            f'bind = f"0.0.0.0:{{os.environ.get(\'PORT\', \'{port}\')}}"\n'
            'workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))\n'
            'worker_class = "uvicorn.workers.UvicornWorker"\n'
            f"timeout = {rng.choice((30, 60, 120))}\ngraceful_timeout = 30\nkeepalive = 5\n"
            'accesslog = "-"\nerrorlog = "-"\n'
            + ("max_requests = 1000\nmax_requests_jitter = 100\n" if _chance(rng, 0.5) else "")
        )
    if style == "fixed":
        return (f'bind = "0.0.0.0:{port}"\nworkers = {rng.choice((2, 4, 8))}\n'
                'worker_class = "uvicorn.workers.UvicornWorker"\ntimeout = 60\n')
    return f'bind = "127.0.0.1:{port}"\nworkers = 1\nworker_class = "sync"\nreload = True\ntimeout = 0\n'


def requirements(rng: random.Random, *, db: bool, redis: bool, worker: bool, hashed: bool) -> str:
    wanted = {"fastapi", "uvicorn", "gunicorn", "pydantic", "pydantic-settings", "httpx"}
    if db:
        wanted |= {"sqlalchemy", "psycopg", "alembic"}
    if redis:
        wanted.add("redis")
    if worker:
        wanted.add("celery")
    wanted |= {n for n, _ in PY_DEPS if _chance(rng, 0.2)}
    lines = ["#", "# This file is autogenerated by pip-compile with Python 3.12", "#"]
    for n, v in PY_DEPS:
        if n not in wanted:
            continue
        pin = f"{n}=={v}" if _chance(rng, 0.93) else f"{n}>={v}"
        if hashed and "==" in pin:
            h1 = "".join(rng.choice("0123456789abcdef") for _ in range(64))
            h2 = "".join(rng.choice("0123456789abcdef") for _ in range(64))
            lines.append(f"{pin} \\\n    --hash=sha256:{h1} \\\n    --hash=sha256:{h2}")
        else:
            lines.append(pin)
        lines.append("    # via -r requirements.in")
    return "\n".join(lines) + "\n"


def makefile(rng: random.Random, overrides: bool) -> str:
    if overrides:
        up = "docker compose -f docker-compose.base.yml -f docker-compose.dev.yml up --build"
        prod = "docker compose -f docker-compose.base.yml -f docker-compose.prod.yml up -d"
    else:
        up = "docker compose up --build"
        prod = "docker compose up -d"
    return (
        ".PHONY: up down prod test lint lock\n\n"
        f"up:\n\t{up}\n\ndown:\n\tdocker compose down\n\nprod:\n\t{prod}\n\n"
        "test:\n\tpytest -q\n\nlint:\n\truff check .\n"
        + ("\nlock:\n\tpip-compile --generate-hashes -o requirements.lock.txt requirements.in\n" if _chance(rng, 0.6) else "")
    )


def workflow(rng: random.Random, py: str) -> str:
    return (
        "name: ci\n\non:\n  push:\n    branches: [main]\n  pull_request:\n\n"
        "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        f"      - uses: actions/setup-python@v5\n        with:\n          python-version: \"{py}\"\n"
        "      - run: pip install -r requirements.lock.txt\n      - run: pytest -q\n"
        "  image:\n    runs-on: ubuntu-latest\n    needs: test\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        + ("      - uses: docker/setup-buildx-action@v3\n" if _chance(rng, 0.7) else "")
        + "      - run: docker build --target "
        + rng.choice(("production", "runtime", "final")) + " -t app:${{ github.sha }} .\n"
    )


GITIGNORE = "__pycache__/\n*.pyc\n.venv/\n.env\n.env.*\n!.env.*.example\n.pytest_cache/\n"


# ------------------------------------------------------------------------------------------ repository
def repository(seed: int, index: int) -> dict[str, str]:
    """relative path -> content for repository number ``index``."""
    rng = random.Random(f"{seed}:{index}")
    name = f"svc-{index:04d}"
    py = rng.choice(PY_VERSIONS)
    port = rng.choice((8000, 8000, 8080, 5000, 80))
    db = _chance(rng, 0.7)
    redis = _chance(rng, 0.5)
    worker = redis and _chance(rng, 0.3)
    gunicorn = _chance(rng, 0.6)
    hashed = _chance(rng, 0.4)
    lock = rng.choice(("requirements.lock.txt", "requirements.lock.txt", "requirements.txt"))
    files: dict[str, str] = {}
    files["Dockerfile"] = dockerfile(rng, py=py, port=port, lock=lock, gunicorn=gunicorn)
    if _chance(rng, 0.2):
        files["Dockerfile.dev"] = dockerfile(rng, py=py, port=port, lock=lock, gunicorn=False, dev=True)
    if worker and _chance(rng, 0.5):
        files["docker/worker.Dockerfile"] = dockerfile(rng, py=py, port=port, lock=lock, gunicorn=False)
    di = dockerignore(rng)
    if di is not None:
        files[".dockerignore"] = di
    env_style = _pick(rng, ("env_file", 4), ("env_file_required", 1), ("inline", 2))
    compose = compose_files(rng, name=name, port=port, db=db, redis=redis, worker=worker, env_style=env_style)
    files.update(compose)
    overrides = "docker-compose.dev.yml" in compose
    envs = ["dev", "prod"] + (["staging"] if "docker-compose.staging.yml" in compose else [])
    if overrides:
        for e in envs:
            files[f".env.{e}.example"] = env_file(rng, env=e, db=db, redis=redis, example=True)
    else:
        files[".env.example"] = env_file(rng, env="dev", db=db, redis=redis, example=True)
    if _chance(rng, 0.15):  # a committed real env file
        files[".env"] = env_file(rng, env="dev", db=db, redis=redis, example=False)
    if _chance(rng, 0.85):
        files[".gitignore"] = GITIGNORE if _chance(rng, 0.8) else "__pycache__/\n.venv/\n"
    files["app/__init__.py"] = ""
    files["app/main.py"] = main_py(rng, db=db)
    if _chance(rng, 0.5):
        files["app/settings.py"] = (
            "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
            '    log_level: str = "info"\n    secret_key: str\n'
            + ('    database_url: str = ""\n' if db else "")
            + "\n\nsettings = Settings()\n")
    if gunicorn:
        files["gunicorn_config.py"] = gunicorn_config(rng, port)
    files[lock] = requirements(rng, db=db, redis=redis, worker=worker, hashed=hashed)
    if lock != "requirements.txt" and _chance(rng, 0.7):
        files["requirements.in"] = "fastapi\nuvicorn[standard]\ngunicorn\npydantic-settings\n" + ("sqlalchemy\npsycopg\n" if db else "")
    if _chance(rng, 0.7):
        files["Makefile"] = makefile(rng, overrides)
    if _chance(rng, 0.6):
        files[".github/workflows/ci.yml"] = workflow(rng, py)
    if _chance(rng, 0.4):
        files["tests/__init__.py"] = ""
        files["tests/test_health.py"] = (
            "from fastapi.testclient import TestClient\n\nfrom app.main import app\n\n\n"
            "def test_health() -> None:\n    assert TestClient(app).get('/health').status_code in (200, 404)\n")
    return files


# ---------------------------------------------------------------------------------------------- writing
def kind_of(rel: str) -> str | None:
    name = rel.rsplit("/", 1)[-1]
    if name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".Dockerfile"):
        return "dockerfile"
    if name.startswith(("docker-compose", "compose.")) and name.endswith((".yml", ".yaml")):
        return "compose"
    return None


def generate(out: Path, size: int, seed: int = DEFAULT_SEED, clean: bool = True, quick: bool = False) -> dict:
    """Write the corpus, scaling and growth files under ``out``; return (and write) the manifest. ``quick``:
    the growth cases at a smaller base size."""
    out = Path(out)
    corpus = out / "corpus"
    scaling = out / "scaling"
    growth = out / "growth"
    if clean:
        for d in (corpus, scaling, growth):
            if d.exists():
                shutil.rmtree(d)
    manifest: dict = {"seed": seed, "size": size, "repos": [], "dockerfiles": [], "compose": [], "files": 0,
                      "bytes": 0, "scaling": {}}
    for i in range(size):
        repo = corpus / f"repo-{i:04d}"
        for rel, text in repository(seed, i).items():
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            manifest["files"] += 1
            manifest["bytes"] += len(text.encode())
            kind = kind_of(rel)
            if kind == "dockerfile":
                manifest["dockerfiles"].append(str(path))
            elif kind == "compose":
                manifest["compose"].append(str(path))
        manifest["repos"].append(str(repo))
    for n in SCALING_SIZES:
        d = scaling / f"n{n}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "Dockerfile").write_text(scaling_dockerfile(n), encoding="utf-8")
        manifest["scaling"][str(n)] = str(d / "Dockerfile")
    manifest["growth"] = write_growth(growth, quick)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE, help=f"number of repositories (default {DEFAULT_SIZE})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default bench/out)")
    ap.add_argument("--quick", action="store_true", help="growth cases at a smaller base size (as run.py --quick)")
    args = ap.parse_args(argv)
    m = generate(args.out, args.size, args.seed, quick=args.quick)
    print(f"{len(m['repos'])} repositories, {m['files']} files ({m['bytes'] / 1024:.0f} KiB), "
          f"{len(m['dockerfiles'])} Dockerfiles, {len(m['compose'])} compose files -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
