"""``dockyard check [PATH...]``: audit against the standard. Exit 0 clean, 1 findings, 2 usage/internal error."""

from __future__ import annotations

import sys
from dataclasses import replace

from dockyard.commands._common import add_config_arguments, load_projects


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="directories to discover, or files to check (default: .)")
    parser.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    add_config_arguments(parser)


def run_check(args):
    from dockyard.engine import run_rules

    merged = None
    for project, prefix in load_projects(args.paths, args):
        result = run_rules(project)
        if prefix:  # the root folder itself (`./`) is shown as the prefix
            result.findings = [replace(f, path=prefix if f.path == "./" else prefix + f.path) for f in result.findings]
            result.files = [prefix + p for p in result.files]
        if merged is None:
            merged = result
        else:
            merged.findings.extend(result.findings)
            merged.files.extend(result.files)
            merged.fail_on = min(merged.fail_on, result.fail_on)
    assert merged is not None
    merged.findings.sort(key=lambda f: f.sort_key)
    return merged


def run(args) -> int:
    from dockyard.report import render

    result = run_check(args)
    color = args.color == "always" or (args.color == "auto" and args.output is None and sys.stdout.isatty()
                                        and args.format == "text")
    text = render(result, args.format, color=color)
    if args.output:
        from dockyard.fsutil import atomic_write

        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    if args.exit_zero:
        return 0
    return 1 if result.failed else 0
