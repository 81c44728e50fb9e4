"""``dockyard fix [PATH...] [--diff | --check] [--unsafe-fixes]``: apply automatic fixes.

Exit codes: 0 when nothing at or above the failure threshold remains (``--check``: when nothing would
change), 1 otherwise, 2 on usage or internal errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dockyard.commands._common import add_config_arguments, display_prefix, outermost, resolve_config


def configure(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="directories to fix (default: .)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print the changes as a unified diff; write nothing")
    mode.add_argument("--check", action="store_true", help="exit 1 when a fix would change a file; write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    add_config_arguments(parser)


def run(args) -> int:
    from dockyard.fix import WriteBack, fix_project
    from dockyard.model import UsageError
    from dockyard.project import Project

    mode = WriteBack.DIFF if args.diff else WriteBack.CHECK if args.check else WriteBack.WRITE
    status = 0
    roots = []
    for p in args.paths or ["."]:
        if not Path(p).is_dir():
            raise UsageError(f"not a directory: {p} (fix works on a project directory)")
        roots.append(Path(p).resolve())
    for root in outermost(roots):  # each tree once, however often and however nested it is named
        config = resolve_config(args, root)
        prefix = display_prefix(root)
        first: list = []  # the project as it was before any fix: what the diffs' secrets are known from

        def discover(root=root, config=config):
            project = Project.discover(root, config)
            if not first:
                first.append(project)
            return project

        report = fix_project(discover, mode, args.unsafe_fixes, prefix)
        for diff in report.diffs:
            from dockyard.secrets import project_redactor

            sys.stdout.write(project_redactor(first[0]).diff(diff))  # a diff shows lines of secrets too
        for path in report.abandoned:
            print(f"{prefix}{path}: fixes abandoned, the fixed file would no longer parse", file=sys.stderr)
        verb = "Fixed" if mode is WriteBack.WRITE else "Would fix"
        remaining = [f for f in report.remaining if f.severity >= config.fail_on]
        print(f"{verb} {report.total} finding{'s' if report.total != 1 else ''} in {len(report.applied)} "
              f"file{'s' if len(report.applied) != 1 else ''}; {len(remaining)} remaining.", file=sys.stderr)
        if mode is WriteBack.CHECK:
            status = max(status, 1 if report.total else 0)
        elif mode is WriteBack.WRITE:
            status = max(status, 1 if remaining else 0)
        else:
            status = max(status, 1 if report.total or remaining else 0)
    return status
