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
    parser.add_argument("--explain-scope", action="store_true",
                        help="also show what each Dockerfile, stage, build context and compose service was judged "
                        "as (FastAPI service, Python image, other image, base image, template) and why")
    add_config_arguments(parser)


def run_check(args):
    from dockyard.engine import run_rules

    merged = None
    for project, prefix in load_projects(args.paths, args):
        result = run_rules(project, explain_scope=getattr(args, "explain_scope", False))
        if prefix:  # the root folder itself (`./`) is shown as the prefix
            result.findings = [replace(f, path=prefix if f.path == "./" else prefix + f.path) for f in result.findings]
            result.files = [prefix + p for p in result.files]
            result.templates = [prefix + p for p in result.templates]
            if result.scope is not None:
                result.scope = [replace(e, path=prefix + e.path) for e in result.scope]
        if merged is None:
            merged = result
        else:
            merged.findings.extend(result.findings)
            merged.files.extend(result.files)
            merged.templates.extend(result.templates)
            if result.scope is not None:
                merged.scope = (merged.scope or []) + result.scope
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
