"""Regenerate the lock files that ``dockyard init`` ships for every dependency variant.

``init`` must work offline, so the pinned, hashed locks are produced ahead of time, one pair per set of
dependencies (PostgreSQL driver, Redis client, Celery), and packaged under ``scaffold/locks/<key>/``.
They are universal locks (``uv pip compile --universal``) for Python >= 3.11, so one file installs on
3.11 and 3.12 alike. Run ``python -m dockyard.scaffold.lockgen`` (needs ``uv`` and the package index).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dockyard.scaffold.render import Answers, context_for, render_text

HERE = Path(__file__).resolve().parent
COMPILE = [
    "pip",
    "compile",
    "--universal",
    "--python-version",
    "3.11",
    "--generate-hashes",
    "--quiet",
    "--custom-compile-command",
    "make lock-deps",
]


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        raise SystemExit("uv is required: pip install uv")
    return found


def generate(index_url: str | None = None) -> list[str]:
    uv = _uv()
    extra = ["--index-url", index_url] if index_url else []
    done = []
    for pg, celery, cache in itertools.product((True, False), repeat=3):
        answers = Answers(db="postgres" if pg else "none", cache="redis" if cache else "none",
                          worker="celery" if celery else "none")
        key = answers.lock_key
        if key in done:
            continue
        ctx = context_for(answers)
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            for name in ("requirements.in", "requirements-dev.in"):
                src = (HERE / "template" / f"{name}.tmpl").read_text(encoding="utf-8")
                (t / name).write_text(render_text(src, ctx, name), encoding="utf-8")
            subprocess.run([uv, *COMPILE, *extra, "requirements.in", "-o", "requirements.lock.txt"], cwd=t, check=True)
            subprocess.run([uv, *COMPILE, *extra, "requirements-dev.in", "-o", "requirements-dev.lock.txt"],
                           cwd=t, check=True)
            out = HERE / "locks" / key
            out.mkdir(parents=True, exist_ok=True)
            for name in ("requirements.lock.txt", "requirements-dev.lock.txt"):
                shutil.copyfile(t / name, out / name)
        done.append(key)
    return done


if __name__ == "__main__":
    print("\n".join(generate(sys.argv[1] if len(sys.argv) > 1 else None)))
