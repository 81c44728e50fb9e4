"""``dockyard fix [PATH...] [--diff | --check] [--unsafe-fixes] [--force]``: apply automatic fixes.

Exit codes: 0 when nothing at or above the failure threshold remains (``--check``: when nothing would
change), 1 otherwise (and when a file could not be written: changed meanwhile, read-only, or not writable),
2 on usage or internal errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dockyard.commands._common import add_config_arguments, display_prefix, outermost, resolve_config
from dockyard.fix import WriteBack, fix_project
from dockyard.model import Applicability, UsageError
from dockyard.project import Project
from dockyard.secrets import project_redactor


def configure(parser, words: list[str] = ()) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="directories to fix (default: .)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print the changes as a unified diff; write nothing")
    mode.add_argument("--check", action="store_true", help="exit 1 when a fix would change a file; write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    parser.add_argument("--force", action="store_true",
                        help="also write read-only files (without it they are left as they are and reported)")
    add_config_arguments(parser)


def run(args) -> int:
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
        project = Project.discover(root, config)  # fix_project leaves it as it was: the diffs' secrets come from it
        report = fix_project(project, mode, args.unsafe_fixes, prefix, force=args.force)
        for diff in report.diffs:
            sys.stdout.write(project_redactor(project).diff(diff))  # a diff shows lines of secrets too
        for path in report.abandoned:
            print(f"{prefix}{path}: fixes abandoned, the fixed file would no longer parse", file=sys.stderr)
        for path, why in report.not_written.items():
            print(f"{prefix}{path}: not fixed: {why}", file=sys.stderr)
        verb = "Fixed" if mode is WriteBack.WRITE else "Would fix"
        remaining = [f for f in report.remaining if f.severity >= config.fail_on]
        left = len(remaining) + report.unwritten
        hidden = "" if args.unsafe_fixes else _unsafe_hint(
            sum(1 for f in report.remaining if f.fix is not None and f.fix.applicability is Applicability.UNSAFE))
        print(f"{verb} {report.total} finding{'s' if report.total != 1 else ''} in {len(report.applied)} "
              f"file{'s' if len(report.applied) != 1 else ''}; {left} remaining{hidden}.", file=sys.stderr)
        if mode is WriteBack.CHECK:
            status = max(status, 1 if report.total else 0)
        elif mode is WriteBack.WRITE:
            status = max(status, 1 if remaining or report.not_written else 0)
        else:
            status = max(status, 1 if report.total or remaining else 0)
    return status


def _unsafe_hint(n: int) -> str:
    return f" ({n} more fixable with `--unsafe-fixes`)" if n else ""
