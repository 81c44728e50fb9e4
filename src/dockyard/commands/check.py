"""``dockyard check [PATH...]``: audit against the standard. Exit 0 clean, 1 findings, 2 usage/internal error."""

from __future__ import annotations

import sys
from pathlib import Path

from dockyard import runcache
from dockyard.commands._common import add_config_arguments, load_projects
from dockyard.engine import run_rules
from dockyard.fsutil import atomic_write
from dockyard.model import UsageError
from dockyard.progress import Progress
from dockyard.records import replace
from dockyard.report import FORMATS, render, write


def configure(parser, words: list[str] = ()) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="directories to discover, or files to check (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--explain-scope", action="store_true",
                        help="also show what each Dockerfile, stage, build context and compose service was judged "
                        "as (FastAPI service, Python image, other image, base image, template) and why")
    parser.add_argument("--statistics", action="store_true",
                        help="print how many findings each rule and checklist section has instead of the findings")
    parser.add_argument("--baseline", metavar="FILE",
                        help="report only findings FILE does not hold (written by --write-baseline)")
    parser.add_argument("--write-baseline", metavar="FILE",
                        help="record every current finding in FILE and exit 0; later runs with --baseline FILE "
                        "report only new ones")
    parser.add_argument("--no-cache", action="store_true",
                        help="check afresh, neither replaying nor keeping a report (see the README's Cache)")
    add_config_arguments(parser)


def run_check(args, progress=None):
    """The merged result of checking every PATH; ``progress`` (a :class:`dockyard.progress.Progress`) shows a
    progress line on a terminal during long runs, cleared before this returns."""
    progress = Progress() if progress is None else progress
    try:
        return _run_check(args, progress)
    finally:
        progress.clear()


def _run_check(args, progress):
    writing = getattr(args, "write_baseline", None) is not None
    baselines: dict = {}  # resolved path -> Baseline, loaded once however many trees use it

    checked: list[Path] = []  # the trees discovered and the files named, for the baseline's stale count

    def baseline_for(path):
        key = Path(path).resolve()
        if key not in baselines:
            from dockyard.baseline import Baseline  # lazy: a check of a compose file runs without it

            baselines[key] = Baseline.load(path)
        return baselines[key]

    if getattr(args, "baseline", None) and not writing:
        baseline_for(args.baseline)  # a missing or broken baseline stops the run before any work
    merged = None
    # one copy of each message and position, however many trees repeat it (a thousand repositories checked in one
    # run give tens of thousands of findings, most of their texts alike)
    messages: dict[str, str] = {}
    positions: dict = {}
    for project, prefix in load_projects(args.paths, args, progress):
        result = run_rules(project, explain_scope=getattr(args, "explain_scope", False), progress=progress)
        progress.tree_done()
        checked.extend([sf.abspath.absolute() for sf in project.files] if project.explicit_files
                       else [project.root])
        chosen = None if writing else (getattr(args, "baseline", None) or project.config.baseline)
        if writing or chosen is not None or getattr(args, "format", None) == "gitlab":
            # what a baseline matches findings by, and GitLab's issue identity; no other report shows it
            from dockyard.baseline import add_fingerprints  # lazy: a check of a compose file runs without it

            result.findings = add_fingerprints(project, result.findings)
        if prefix:  # the root folder itself (`./`) is shown as the prefix
            paths = {"./": prefix}
            result.findings = [
                replace(f, path=paths.get(f.path) or paths.setdefault(f.path, prefix + f.path),
                        message=messages.setdefault(f.message, f.message),
                        position=positions.setdefault(f.position, f.position))
                for f in result.findings]
            result.files = [prefix + p for p in result.files]
            result.templates = [prefix + p for p in result.templates]
            if result.scope is not None:
                result.scope = [replace(e, path=prefix + e.path) for e in result.scope]
        if chosen is not None:
            baseline = baseline_for(chosen)
            result.findings, result.baselined = baseline.filter(result.findings)
            result.baseline = str(chosen)
        project.release()  # its files are checked: free them now, not at the end of the run
        if merged is None:
            merged = result
        else:
            merged.findings.extend(result.findings)
            merged.files.extend(result.files)
            merged.rules = sorted({r.code: r for r in merged.rules + result.rules}.values(), key=lambda r: r.code)
            merged.templates.extend(result.templates)
            if result.scope is not None:
                merged.scope = (merged.scope or []) + result.scope
            merged.fail_on = min(merged.fail_on, result.fail_on)
            merged.baselined += result.baselined
            merged.baseline = merged.baseline or result.baseline
    assert merged is not None
    merged.baseline_fixed = sum(b.fixed(checked) for b in baselines.values())
    merged.findings.sort(key=lambda f: f.sort_key)
    return merged


def run(args) -> int:
    if args.statistics and args.format != "text":
        raise UsageError("--statistics prints text: it cannot be combined with --format " + args.format)
    result = run_check(args)
    if args.write_baseline is not None:
        from dockyard.baseline import write_baseline  # lazy: a check of a compose file runs without it

        n = write_baseline(args.write_baseline, result.findings)
        print(f"dockyard: recorded {n} finding{'s' if n != 1 else ''} in {args.write_baseline}", file=sys.stderr)
        return 0
    color = args.color == "always" or (args.color == "auto" and args.output is None and sys.stdout.isatty()
                                        and args.format == "text")
    fmt = "statistics" if args.statistics else args.format
    if args.output:
        atomic_write(args.output, render(result, fmt, color=color))
    else:
        runcache.approve()  # the report goes to stdout, and nothing else is written: a later run may replay it
        write(result, fmt, sys.stdout, color=color)
    if args.exit_zero:
        return 0
    return 1 if result.failed else 0
