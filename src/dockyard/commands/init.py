"""``dockyard init``: generate the reference FastAPI service (or ``--update`` an existing one)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dockyard.model import UsageError
from dockyard.scaffold import update as up
from dockyard.scaffold.render import Answers, render

CHOICES = {
    "db": ("postgres", "none"),
    "cache": ("redis", "none"),
    "worker": ("celery", "none"),
}
DEFAULTS = {"python": "3.12", "db": "postgres", "cache": "redis", "worker": "none", "port": 8000}


def configure(parser: argparse.ArgumentParser, words: list[str] = ()) -> None:
    parser.add_argument("directory", nargs="?", default=".", help="target directory (default: current)")
    parser.add_argument("--no-input", action="store_true", help="never prompt; use flags and defaults")
    parser.add_argument("--name", help="project name (lowercase, digits, '-'; default: the directory name)")
    parser.add_argument("--python", help=f"Python version of the image (default {DEFAULTS['python']})")
    parser.add_argument("--db", choices=CHOICES["db"], help="database (default postgres)")
    parser.add_argument("--cache", choices=CHOICES["cache"], help="cache (default redis)")
    parser.add_argument(
        "--worker", choices=CHOICES["worker"],
        help="background worker (default none); celery always brings Redis as its broker, even with --cache none",
    )
    parser.add_argument("--port", type=int, help="port the service listens on (default 8000)")
    parser.add_argument("--force", action="store_true",
                        help="write over conflicting files after backing each up as FILE.dockyard-bak-<timestamp>")
    parser.add_argument("--update", action="store_true",
                        help="re-render with this dockyard's template and three-way merge with local edits")


def _default_name(directory: Path) -> str:
    import re

    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"app-{name}" if name else "app"
    return name[:63]


def _prompt(label: str, default: str, choices: tuple[str, ...] | None = None) -> str:
    hint = f" [{'/'.join(choices)}]" if choices else ""
    while True:
        value = input(f"{label}{hint} ({default}): ").strip() or default
        if not choices or value in choices:
            return value
        print(f"  choose one of: {', '.join(choices)}", file=sys.stderr)


def _answers(args: argparse.Namespace, root: Path, recorded: dict):
    values = {**DEFAULTS, "name": _default_name(root)}
    values.update({k: v for k, v in recorded.items() if k in values and v is not None})
    explicit = {k: getattr(args, k) for k in ("name", "python", "db", "cache", "worker", "port")}
    interactive = not args.no_input and not args.update and sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        for key in ("name", "python", "db", "cache", "worker", "port"):
            if explicit[key] is None:
                explicit[key] = _prompt(key, str(values[key]), CHOICES.get(key))
    values.update({k: v for k, v in explicit.items() if v is not None})
    try:
        values["port"] = int(values["port"])
    except (TypeError, ValueError):
        raise UsageError(f"--port {values['port']!r}: expected a number") from None
    answers = Answers(**{k: (str(v) if k != "port" else v) for k, v in values.items()})
    errors = answers.validate()
    if errors:
        raise UsageError("; ".join(errors))
    return answers


def run(args: argparse.Namespace) -> int:
    root = Path(args.directory)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a directory")
    recorded = up.read_answers(root) if args.update else {}
    if args.update and not recorded:
        raise UsageError(f"--update: {root / up.ANSWERS_FILE} not found (was this directory made by dockyard init?)")
    answers = _answers(args, root, recorded)
    rendered = render(answers)
    plan = up.plan_update(root, rendered, answers) if args.update else up.plan_init(root, rendered, answers)

    if answers.worker == "celery" and answers.cache == "none":
        print("note: --worker celery uses Redis as its broker, so a redis service is included (--cache none only "
              "means the application gets no Redis client)", file=sys.stderr)
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)

    if plan.conflicts and not args.force:
        print(f"dockyard init: {len(plan.conflicts)} conflicting file(s) in {root}; nothing was written:",
              file=sys.stderr)
        for rel, reason in sorted(plan.conflicts.items()):
            print(f"  {rel}: {reason}", file=sys.stderr)
        print("re-run with --force to back each one up (FILE.dockyard-bak-<timestamp>) and write it"
              + (" with conflict markers" if args.update else ""), file=sys.stderr)
        return 1

    root.mkdir(parents=True, exist_ok=True)
    backups = up.apply(root, plan, force=args.force)
    for rel, saved in backups:
        print(f"backed up {rel} -> {saved}")
    for rel in plan.merged:
        print(f"merged    {rel} (your edits kept)")
    for rel in sorted(plan.conflicts):
        print(f"CONFLICT  {rel}: {plan.conflicts[rel]} (resolve the <<<<<<< markers)" if args.update
              else f"replaced  {rel}")
    created = [r for r in plan.writes if r not in plan.conflicts and r not in plan.merged]
    verb = "updated" if args.update else "created"
    print(f"dockyard init: {verb} {len(created) + len(plan.merged) + len(plan.conflicts)} file(s) in {root} "
          f"({len(plan.unchanged)} unchanged, {len(plan.kept)} kept as you left them)")
    if not args.update:
        print("next: cp .env.dev.example .env.dev && make up")
    return 1 if (args.update and plan.conflicts) else 0
