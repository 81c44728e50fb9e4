"""Whole Dockerfiles: the standard's own example, and reference-quality builds that must be clean."""

import re
from pathlib import Path

from dockyard.standard import standard_text
from tests.helpers import run_files, triples

MINE = tuple(f"DF{i:03d}" for i in range(1, 19))
DIGEST = "@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea"

REFERENCE = f"""# syntax=docker/dockerfile:1
ARG PYTHON_IMAGE=python:3.12-slim{DIGEST}

FROM --platform=$BUILDPLATFORM ${{PYTHON_IMAGE}} AS builder
WORKDIR /build
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt,sharing=locked \\
    apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev
COPY requirements.lock.txt requirements-dev.lock.txt ./
RUN --mount=type=cache,target=/root/.cache/pip <<EOF
set -e
python -m pip wheel --wheel-dir /wheels -r requirements.lock.txt
python -m pip wheel --wheel-dir /wheels-dev --find-links /wheels -r requirements-dev.lock.txt
EOF

FROM builder AS security
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --no-index --find-links /wheels-dev -r requirements-dev.lock.txt
COPY app/ ./app/
RUN pip-audit -r requirements.lock.txt && bandit -r app && touch /scanned

FROM ${{PYTHON_IMAGE}} AS production
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PYTHONPATH=/app \\
    PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    PATH="/opt/venv/bin:${{PATH}}"
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock.txt ./
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\
    python -m venv /opt/venv \\
    && /opt/venv/bin/pip install --no-index --find-links /wheels -r requirements.lock.txt
COPY --from=security /scanned /tmp/scanned
COPY gunicorn_config.py ./
COPY app/ ./app/
RUN groupadd --system --gid 10001 app \\
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn_config.py", "app.main:app"]
"""


def test_reference_multistage_dockerfile_is_clean(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": REFERENCE}, select=MINE)
    assert [(f.code, f.position.line, f.message) for f in found] == []


def test_reference_with_lowercase_instructions_and_backtick_escape_is_clean(tmp_path):
    text = REFERENCE.replace("# syntax=docker/dockerfile:1\n", "# syntax=docker/dockerfile:1\n# escape=`\n")
    text = text.replace("\\\n", "`\n").replace(" AS ", " as ")
    text = re.sub(r"^(FROM|RUN|COPY|ENV|WORKDIR|USER|EXPOSE|CMD|ARG)\b", lambda m: m.group(1).lower(), text,
                  flags=re.M)
    found = run_files(tmp_path, {"Dockerfile": text}, select=MINE)
    assert [(f.code, f.position.line, f.message) for f in found] == []


def test_scaffold_template_dockerfile_is_clean(tmp_path):
    tmpl = Path(__file__).resolve().parents[3] / "src" / "dockyard" / "scaffold" / "template" / "Dockerfile.tmpl"
    text = (tmpl.read_text().replace("@@python_image@@", "python:3.12-slim" + DIGEST)
            .replace("@@port@@", "8000").replace("@@title@@", "demo").replace("@@name@@", "demo"))
    ci = {".github/workflows/ci.yml": "jobs:\n  scan:\n    steps:\n      - with:\n          target: security\n"}
    found = run_files(tmp_path, {"Dockerfile": text, **ci}, select=MINE)
    assert [(f.code, f.position.line, f.message) for f in found] == []


def test_standard_complete_example(tmp_path):
    doc = standard_text()
    text = re.search(r"### Complete Dockerfile Example.*?```dockerfile\n(.*?)```", doc, re.S).group(1)
    found = run_files(tmp_path, {"Dockerfile": text}, select=MINE)
    assert triples(found) == [
        ("DF005", 3, 6),    # python:3.11-slim not pinned by digest
        ("DF017", 3, 23),   # `as base`
        ("DF015", 18, 5),   # gcc in base, which production is built FROM
        ("DF015", 19, 5),   # g++
        ("DF015", 20, 5),   # libffi-dev
        ("DF015", 21, 5),   # libssl-dev
        ("DF010", 32, 5),   # cache mount unused: PIP_NO_CACHE_DIR=1 in the same stage
        ("DF009", 33, 27),  # pip install --upgrade pip: unpinned
        ("DF011", 34, 5),   # runtime lineage installs from the index (once per RUN, at the dependency install)
        # no DF009 at 34:20: `requirements.txt` is not in this tree and nothing names the build context, so it
        # is not judged (examples/standard-example holds a loose one: there it is reported)
        ("DF017", 37, 11),
        ("DF010", 38, 5),   # development stage installs without cache mount
        ("DF009", 38, 20),  # -e ".[dev]" resolves afresh
        ("DF016", 45, 1),   # no scan stage
        ("DF017", 45, 11),
        ("DF010", 48, 5),
        ("DF011", 48, 5),
        ("DF018", 48, 17),  # pip install -e in production
        ("DF009", 48, 20),
    ]
