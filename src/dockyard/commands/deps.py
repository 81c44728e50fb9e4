"""``dockyard deps lock|wheelhouse|wheels-check``: the standard's lock-deps / wheelhouse-build / wheelhouse-check.

Exit codes, alike for every job: 0 done; 1 the job's own negative answer (the input does not resolve, a package
does not build, a target lacks a wheel); 2 usage error, a tool that cannot run, or a package index that cannot be
reached (:class:`dockyard.deps.DepsError`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dockyard.model import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="deps_command", metavar="JOB")

    lock = sub.add_parser("lock", help="resolve requirements.in or pyproject.toml into requirements.lock.txt",
                          description="Resolve requirements.in (or pyproject.toml [project].dependencies) into a "
                                      "pinned lock file with uv pip compile (pip-tools when uv is missing).")
    lock.add_argument("--input", type=Path, default=None,
                      help="requirements.in or pyproject.toml (default: whichever exists, in that order)")
    lock.add_argument("--output", type=Path, default=Path("requirements.lock.txt"),
                      help="lock file to write (default: requirements.lock.txt)")
    lock.add_argument("--hashes", action="store_true", help="add --hash=sha256:... lines (pip's hash-checking mode)")
    lock.add_argument("--python", default=None, metavar="X.Y",
                      help="resolve for this Python version (default: the running interpreter's)")

    wh = sub.add_parser("wheelhouse", help="build wheels for every locked package into a directory",
                        description="python -m pip wheel --wheel-dir DIR -r LOCK, with progress per package.")
    wh.add_argument("--dir", type=Path, default=Path("wheels"), help="wheel directory (default: wheels)")
    wh.add_argument("--lock", type=Path, default=Path("requirements.lock.txt"),
                    help="lock file (default: requirements.lock.txt)")

    wc = sub.add_parser("wheels-check", help="which locked packages lack a binary wheel for the target platforms",
                        description="Ask the configured package indexes whether each pinned package has a wheel "
                                    "for every target platform. Exit 1 when any target lacks one.")
    wc.add_argument("--lock", type=Path, default=Path("requirements.lock.txt"),
                    help="lock file (default: requirements.lock.txt)")
    wc.add_argument("--platform", default="linux/amd64,linux/arm64",
                    help="comma-separated Docker platforms (default: linux/amd64,linux/arm64)")
    wc.add_argument("--python", default="3.12", metavar="X.Y", help="target CPython version (default: 3.12)")
    wc.add_argument("--libc", choices=("glibc", "musl"), default="glibc",
                    help="glibc images take manylinux wheels, musl (Alpine) images musllinux ones (default: glibc)")
    wc.add_argument("--libc-version", default=None, metavar="X.Y",
                    help="newest libc of the image (default: glibc 2.36, musl 1.2)")
    wc.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    wc.add_argument("--timeout", type=float, default=15.0, help="seconds per index request (default: 15)")
    wc.add_argument("--jobs", type=int, default=8, help="concurrent index requests, at most 16 (default: 8)")


def run(args: argparse.Namespace) -> int:
    import sys

    from dockyard import deps

    job = getattr(args, "deps_command", None)
    if job is None:
        raise UsageError("choose a job: dockyard deps lock | wheelhouse | wheels-check")
    try:
        if job == "lock":
            return deps.lock(args.input, args.output, hashes=args.hashes, python=args.python)
        if job == "wheelhouse":
            return deps.wheelhouse(args.dir, args.lock)
        if job == "wheels-check":
            return deps.wheels_check(args.lock, args.platform, args.python, fmt=args.format, libc=args.libc,
                                     libc_version=args.libc_version, timeout=args.timeout, jobs=args.jobs)
    except deps.DepsError as exc:
        print(f"dockyard: error: {exc}", file=sys.stderr)
        return 2
    raise UsageError(f"unknown deps job {job!r}")
