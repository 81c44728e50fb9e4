"""``dockyard env check|render|diff|init``: one environment's view of the compose and env files.

Exit codes: 0 ok, 1 problems found (``check``: a required item fails; ``diff``: the key sets differ;
``render``: compose would refuse the configuration; ``init``: the file exists), 2 usage error.
No secret value is printed unless ``--show-secrets`` / ``--show-values`` asks for it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dockyard import TYPE_CHECKING, __version__
from dockyard.commands._common import add_config_arguments, resolve_config
from dockyard.compose.context import project_environments, source_parser
from dockyard.compose.environments import DEFAULT_FILES, DEFAULT_OVERRIDES
from dockyard.compose.loader import command_environment, load_project
from dockyard.fsutil import create_exclusive, file_type, is_special, read_regular
from dockyard.model import Severity, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.project import Project


def configure(parser, words: list[str] = ()) -> None:
    """The sub-command named first in ``words`` gets its parser; with none named, every sub-command does (for the
    help and the error that lists them). Building the four costs a tenth of a short ``env render``."""
    sub = parser.add_subparsers(dest="env_command", metavar="SUBCOMMAND")
    named = next((w for w in words if w in _SUBCOMMANDS), None)
    for name, build in _SUBCOMMANDS.items():
        if named is None or name == named:
            build(sub)


def _check(sub) -> None:
    p = sub.add_parser("check", help="per environment: what is missing, placeholder, weak or drifting",
                       description="Run the env-file rules and compose's interpolation check, grouped by environment.")
    p.add_argument("path", nargs="?", default=".", metavar="PATH", help="project directory (default: .)")
    p.add_argument("--env", metavar="NAME", help="only this environment")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_config_arguments(p)


def _render(sub) -> None:
    p = sub.add_parser("render", help="the merged, interpolated compose model (as `docker compose config`)",
                       description="Print the merged, interpolated model. Secret values are masked unless "
                       "--show-secrets is given; with --show-secrets --format json the content equals "
                       "`docker compose config --format json` for the same inputs.")
    p.add_argument("-f", "--file", dest="files", action="append", default=[], metavar="FILE",
                   help="compose file (repeatable; default: the environment's files, else compose's defaults)")
    p.add_argument("--env-file", dest="env_files", action="append", default=[], metavar="FILE",
                   help="interpolation env file (repeatable; default: the environment's, else .env)")
    p.add_argument("--env", metavar="NAME", help="render this environment (its compose files and env file)")
    p.add_argument("--project-directory", metavar="DIR", help="project directory (default: the first file's folder)")
    p.add_argument("--format", choices=("yaml", "json"), default="yaml")
    p.add_argument("--show-secrets", action="store_true", help="print secret values unmasked")


def _diff(sub) -> None:
    p = sub.add_parser("diff", help="keys only in A, only in B, and values that differ",
                       description="Compare two env files (paths, or environment names resolved to .env.NAME, "
                       "else .env.NAME.example). Exit 1 when the key sets differ.")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--show-values", action="store_true", help="show differing values (secrets stay masked)")
    p.add_argument("--project-directory", metavar="DIR", default=".", help="where environment names are looked up")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _init(sub) -> None:
    p = sub.add_parser("init", help="create .env.NAME from its template with generated secrets",
                       description="Create .env.NAME from .env.NAME.example, replacing every CHANGE_ME placeholder "
                       "secret with a generated one (mode 0600). Never overwrites an existing file.")
    p.add_argument("--env", required=True, metavar="NAME")
    p.add_argument("--force-template", metavar="FILE", help="use FILE as the template instead of .env.NAME.example")
    p.add_argument("--project-directory", metavar="DIR", default=".", help="where the env files live (default: .)")


_SUBCOMMANDS = {"check": _check, "render": _render, "diff": _diff, "init": _init}


def run(args) -> int:
    command = getattr(args, "env_command", None)
    if command is None:
        raise UsageError("env: choose a subcommand: check, render, diff or init")
    return {"check": run_check, "render": run_render, "diff": run_diff, "init": run_init}[command](args)


# -- check ---------------------------------------------------------------------------------------------------
def run_check(args) -> int:
    import json

    from dockyard.engine import run_rules  # lazy: `env render` runs without it
    from dockyard.envcheck import category, check_rules, group_by_environment  # lazy: `env render` runs without it
    from dockyard.project import Project  # lazy: `env render` runs without it

    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"not a directory: {args.path}")
    project = Project.discover(root.resolve(), resolve_config(args, root.resolve()))
    result = run_rules(project, check_rules())
    reports, rest = group_by_environment(project, result.findings)
    if args.env is not None:
        chosen = [r for r in reports if r.name == args.env]
        if not chosen:
            known = ", ".join(r.name for r in reports) or "none found"
            raise UsageError(f"unknown environment {args.env!r} (environments: {known})")
        reports, rest = chosen, []
    shown = [f for r in reports for f in r.findings] + rest
    failed = any(f.severity >= Severity.ERROR for f in shown)
    if args.format == "json":
        data = {
            "version": __version__,
            "environments": [r.to_dict() for r in reports],
            "project": [dict(f.to_dict(), category=category(f)) for f in rest],
            "failed": failed,
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 1 if failed else 0
    lines: list[str] = []

    def finding_line(f) -> str:
        p = f.position
        return f"  {category(f):<13} {f.path}:{p.line}:{p.column}: {f.code} {f.severity.label}: {f.message}"

    for r in reports:
        head = f"environment {r.name}"
        parts = []
        if r.env_file:
            parts.append(f"env file {r.env_file}" + (" (template)" if r.template else ""))
        else:
            parts.append("no env file")
        if r.compose_files:
            parts.append("compose " + ", ".join(r.compose_files))
        lines.append(f"{head}: " + "; ".join(parts))
        lines.extend(finding_line(f) for f in sorted(r.findings, key=lambda f: f.sort_key))
        if not r.findings:
            lines.append("  ok")
    if rest:
        lines.append("all environments")
        lines.extend(finding_line(f) for f in rest)
    errors = sum(1 for f in shown if f.severity >= Severity.ERROR)
    warnings = len(shown) - errors
    envs = f"{len(reports)} environment{'s' if len(reports) != 1 else ''}"
    if shown:
        lines.append(f"{envs}: {errors} error{'s' if errors != 1 else ''}, "
                     f"{warnings} warning{'s' if warnings != 1 else ''}.")
    else:
        lines.append(f"{envs}: no problems.")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if failed else 0


# -- render ---------------------------------------------------------------------------------------------------
def _default_compose_files(folder: Path) -> list[Path]:
    """What ``docker compose`` reads with no ``-f``: the first default file and the first default override."""
    base = next((folder / n for n in DEFAULT_FILES if (folder / n).is_file()), None)
    if base is None:
        raise UsageError(f"no compose file in {folder} (looked for {', '.join(DEFAULT_FILES)}); use -f")
    override = next((folder / n for n in DEFAULT_OVERRIDES if (folder / n).is_file()), None)
    return [base] + ([override] if override else [])


def _environment_inputs(args, folder: Path, name: str) -> tuple[list[Path], list[Path], Project]:
    """The compose files and env file of environment ``name`` as ``env check`` knows it: configured, or named by
    the conventions of its folder (the root; ``svc/`` for ``svc/dev``). Only the folders it can be made of are
    listed, not the rest of the tree. With them, the project they were found in."""
    import posixpath

    from dockyard.project import Project  # lazy: `env render` runs without it

    root = folder.resolve()
    config = resolve_config(args, root)
    configured = config.environments.get(name) or {}
    folders = {"", posixpath.dirname(name), posixpath.dirname(configured.get("env_file") or "")}
    project = Project.discover(root, config, folders=folders)
    env = next((e for e in project_environments(project) if e.name == name), None)
    if env is None:  # the whole tree is looked at only to name the environments there are
        known = ", ".join(sorted(e.name for e in project_environments(Project.discover(root, config))))
        raise UsageError(f"unknown environment {name!r} (environments: {known or 'none found'})")
    return list(env.compose_files), [env.env_file] if env.env_file else [], project


# Load problems that stop `env render` with exit 2 and one line, whatever else the load met after them:
# interpolation past its budget (values that double line after line). An include or extends cycle is compose's
# refusal: exit 1, worded as compose words it.
FATAL_PROBLEMS = frozenset({"budget"})


def run_render(args) -> int:
    import os

    from dockyard.compose.render import render  # lazy: `env check` runs without it

    folder = Path(args.project_directory) if args.project_directory else Path(".")
    files = [Path(f) for f in args.files]
    env_files = [Path(e) for e in args.env_files]
    parse = None
    if args.env is not None:
        env_compose, env_env, found_in = _environment_inputs(args, folder, args.env)
        parse = source_parser(found_in)  # the files discovery parsed are not parsed again
        files = files or env_compose
        env_files = env_files or env_env
    if not files:
        files = _default_compose_files(folder)
    for f in [*files, *env_files]:
        if not f.is_file():
            raise UsageError(f"{f}: {_special(f)}, not a regular file" if _special(f) else f"no such file: {f}")
    project = load_project(files, env_files or None, project_dir=args.project_directory,
                           environ=command_environment(dict(os.environ), os.getcwd()), parse=parse)
    if not project.ok:
        from dockyard.compose.render import redactor_for  # lazy: `env check` runs without it

        redactor = redactor_for(project)
        fatal = [p for p in project.errors if p.kind in FATAL_PROBLEMS]
        if fatal:  # not compose's refusal but inputs dockyard will not expand: one line, as a usage error
            where = f"{fatal[0].file}: " if fatal[0].file else ""
            print(f"dockyard: error: {where}{redactor(fatal[0].safe_message)}", file=sys.stderr)
            return 2
        for problem in project.errors:
            where = f"{problem.file}: " if problem.file else ""
            print(f"dockyard: {where}{redactor(problem.safe_message)}", file=sys.stderr)
        return 1
    text = render(project, args.format, mask_secrets=not args.show_secrets)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


# -- diff -------------------------------------------------------------------------------------------------------
def run_diff(args) -> int:
    import json

    from dockyard.envtools import diff_env_files, read_env, resolve_env_file  # lazy: `env render` runs without it

    root = Path(args.project_directory)
    pa, pb = resolve_env_file(args.a, root), resolve_env_file(args.b, root)
    la, lb = _label(pa), _label(pb)
    d = diff_env_files(la, read_env(pa), lb, read_env(pb), args.show_values)
    if args.format == "json":
        data = {"a": la, "b": lb, "only_in_a": d.only_a, "only_in_b": d.only_b,
                "different": [{"key": k, **({"a": va, "b": vb} if args.show_values else {})}
                              for k, va, vb in d.different]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 1 if d.keys_differ else 0
    lines = [f"--- {la}", f"+++ {lb}"]
    if d.only_a:
        lines.append(f"only in {la}:")
        lines.extend(f"  - {k}" for k in d.only_a)
    if d.only_b:
        lines.append(f"only in {lb}:")
        lines.extend(f"  + {k}" for k in d.only_b)
    if d.different:
        lines.append("different values:")
        for k, va, vb in d.different:
            lines.append(f"  ~ {k}: {_shown(va)} -> {_shown(vb)}" if args.show_values else f"  ~ {k}")
    if len(lines) == 2:
        lines.append("same keys, same values")
    elif not d.keys_differ:
        lines.append("same keys")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if d.keys_differ else 0


def _special(path: Path) -> str | None:
    """What ``path`` is in words when it is a pipe, a socket or a device: never opened, never read."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return file_type(mode) if is_special(mode) else None


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _shown(value: str | None) -> str:
    return "(unset)" if value is None else repr(value)


# -- init ---------------------------------------------------------------------------------------------------------
def run_init(args) -> int:
    import os

    from dockyard.envtools import fill_template, real_name, template_name  # lazy: `env render` runs without it
    name = args.env
    if not name or "/" in name or name.startswith(".") or any(c.isspace() for c in name):
        raise UsageError(f"invalid environment name {name!r}")
    root = Path(args.project_directory)
    if not root.is_dir():
        raise UsageError(f"not a directory: {args.project_directory}")
    target = root / real_name(name)
    template = Path(args.force_template) if args.force_template else root / template_name(name)
    if not template.is_file():
        raise UsageError(f"no template {template}: create it first (or name one with --force-template)")
    if os.path.lexists(target):
        print(f"dockyard: {_label(target)} already exists; not overwriting it (remove it first to start over)",
              file=sys.stderr)
        return 1
    try:
        data = read_regular(template)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read template {template}: {exc}") from None
    bom = text.startswith("\ufeff")
    result = fill_template(text[1:] if bom else text)
    try:
        create_exclusive(target, ("\ufeff" if bom else "") + result.text, mode=0o600)
    except FileExistsError:
        print(f"dockyard: {_label(target)} already exists; not overwriting it (remove it first to start over)",
              file=sys.stderr)
        return 1
    out = [f"created {_label(target)} from {_label(template)} (mode 0600)"]
    if result.generated:
        out.append(f"generated {len(result.generated)} secret{'s' if len(result.generated) != 1 else ''}: "
                   + ", ".join(result.generated))
    else:
        out.append("no placeholder secrets to generate")
    for key, line in result.remaining:
        out.append(f"still to fill in: {key} (line {line})")
    sys.stdout.write("\n".join(out) + "\n")
    _warn_if_not_ignored(root, target)
    return 0


def _warn_if_not_ignored(root: Path, target: Path) -> None:
    gitignore = root / ".gitignore"
    try:
        text = gitignore.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    from dockyard.parsers.ignorefile import GitIgnore  # lazy: `env render` runs without it

    if not GitIgnore.parse(text).ignored(target.name):
        print(f"dockyard: warning: {target.name} is not ignored by {_label(gitignore)}; add `.env.*` there "
              "before committing (`dockyard fix` does it)", file=sys.stderr)
