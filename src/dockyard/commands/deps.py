"""``dockyard deps lock|wheelhouse|wheels-check``: the standard's lock-deps / wheelhouse-build / wheelhouse-check.

Exit codes, alike for every job: 0 done; 1 the job's own negative answer (the input does not resolve, a package
does not build, a target lacks a wheel); 2 usage error, a tool that cannot run, or a package index that cannot be
reached (:class:`dockyard.deps.indexes.DepsError`).

The jobs in :mod:`dockyard.deps` print nothing; this module reports their progress and results.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dockyard.deps.indexes import DepsError
from dockyard.deps.lock import LockResult, lock
from dockyard.deps.wheelhouse import WheelhouseResult, build_wheelhouse
from dockyard.deps.wheels_check import PackageReport, WheelsCheck, check_wheels
from dockyard.model import UsageError


def configure(parser: argparse.ArgumentParser, words: list[str] = ()) -> None:
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
    job = getattr(args, "deps_command", None)
    if job is None:
        raise UsageError("choose a job: dockyard deps lock | wheelhouse | wheels-check")
    try:
        if job == "lock":
            return _report_lock(lock(args.input, args.output, hashes=args.hashes, python=args.python,
                                     progress=_say))
        if job == "wheelhouse":
            return _report_wheelhouse(build_wheelhouse(args.dir, args.lock, progress=_package_progress))
        if job == "wheels-check":
            if args.format not in ("text", "json"):
                raise UsageError(f"--format must be text or json, not {args.format!r}")
            return _report_wheels(check_wheels(args.lock, args.platform, args.python, libc=args.libc,
                                               libc_version=args.libc_version, timeout=args.timeout,
                                               jobs=args.jobs), args.format)
    except DepsError as exc:
        return _error(str(exc))
    raise UsageError(f"unknown deps job {job!r}")


def _say(message: str) -> None:
    print(f"dockyard: {message}", file=sys.stderr)


def _error(message: str) -> int:
    print(f"dockyard: error: {message}", file=sys.stderr)
    return 2


def _package_progress(done: int, total: int, message: str) -> None:
    print(f"[{done}/{total}] {message}", file=sys.stderr, flush=True)


def _report_lock(result: LockResult) -> int:
    if not result.ok:
        sys.stderr.write(result.resolver_output)
        if result.index_error:
            return _error(result.index_error)
        _say(f"resolving {result.input.name} failed")
        return 1
    _say(f"wrote {result.output.name} ({result.pinned} pinned packages)")
    return 0


def _report_wheelhouse(result: WheelhouseResult) -> int:
    if not result.ok:
        sys.stderr.write(result.pip_output + "\n")
        if result.index_error:
            return _error(result.index_error)
        what = f"package {result.failing}" if result.failing else "an unknown package"
        _say(f"wheelhouse build failed at {what} (pip exit code {result.pip_code})")
        return 1
    print(f"{len(result.wheels)} wheels in {result.wheel_dir}")
    return 0


def _report_wheels(check: WheelsCheck, fmt: str) -> int:
    """The wheel-availability table (or JSON document). 0 all targets have wheels, 1 some lack one."""
    import json

    for note in check.notes:
        _say(note)
    reports, lacking, plats = check.reports, check.lacking, list(check.platforms)
    if fmt == "json":
        doc = {
            "python": check.python,
            "libc": check.libc,
            "platforms": plats,
            "packages": [r.to_dict() for r in reports],
            "summary": {"packages": len(reports), "lacking_wheels": len(lacking)},
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(render_table(reports, plats))
        if lacking:
            needed = sorted({p for r in lacking for p in r.build_packages})
            line = f"\n{len(lacking)} of {len(reports)} packages lack a wheel for some target"
            if needed:
                line += f"; builder stage needs: {' '.join(needed)}"
            print(line)
        else:
            print(f"\nall {len(reports)} packages have wheels for {', '.join(plats)}")
    return 1 if lacking else 0


def render_table(reports: list[PackageReport], platforms: list[str]) -> str:
    header = ["package", "version", *platforms, "build packages"]
    rows = [header]
    for r in reports:
        rows.append([r.name, r.version, *(r.cells[p] for p in platforms), " ".join(r.build_packages) or "-"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"
