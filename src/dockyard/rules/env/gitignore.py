"""EN004: ``.gitignore`` ignores ``.env`` and ``.env.*`` and re-includes ``.env.*.example``."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.envtools import is_template
from dockyard.model import Applicability, Edit, Fix, Position, Problem, directory_path
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import committed_on_purpose, env_files, is_public_config
from dockyard.source import FileKind

IGNORE_ALL = ".env"
IGNORE_ENVS = ".env.*"
KEEP_TEMPLATES = "!.env.*.example"
# Names every repository must ignore / keep, whether or not the files exist in this checkout.
REAL_NAMES = (".env", ".env.dev", ".env.staging", ".env.prod", ".env.local")
TEMPLATE_NAMES = (".env.dev.example", ".env.staging.example", ".env.prod.example")


def _verdicts(text: str, real: list[str], templates: list[str]):
    from dockyard.parsers.ignorefile import GitIgnore  # lazy: a check of a lone Dockerfile runs without it

    gi = GitIgnore.parse(text)
    exposed = [p for p in real if not gi.ignored(p)]
    hidden = [p for p in templates if gi.ignored(p)]
    return gi, exposed, hidden


def _missing_lines(text: str, real: list[str], templates: list[str]) -> list[str]:
    """The lines that, appended in order, make the verdicts right (possibly not enough, e.g. a parent dir)."""
    lines: list[str] = []
    _, exposed, _ = _verdicts(text, real, templates)
    if ".env" in exposed or any(p.rsplit("/", 1)[-1] == ".env" for p in exposed):
        lines.append(IGNORE_ALL)
    if any(p.rsplit("/", 1)[-1] != ".env" for p in exposed):
        lines.append(IGNORE_ENVS)
    _, _, hidden = _verdicts(_appended(text, lines), real, templates)
    if hidden:
        lines.append(KEEP_TEMPLATES)
    return lines


def _appended(text: str, lines: list[str]) -> str:
    if not lines:
        return text
    sep = "" if not text or text.endswith("\n") else "\n"
    return text + sep + "\n".join(lines) + "\n"


@rule(
    code="EN004", name="gitignore-env-files", scope=Scope.PROJECT, category="gitignore",
    summary="`.gitignore` ignores `.env` and `.env.*` and re-includes `.env.*.example`",
    why="Real env files hold secrets; if git does not ignore them, one `git add .` publishes them. The "
    "templates must stay visible to git, or they are never committed and the next environment is set up by "
    "guesswork.",
    standard=("EN-GITIGNORE",), section=".gitignore Configuration",
    fix="safe",
    example={".gitignore": "__pycache__/\n.env\n"},
    use_instead={".gitignore": "__pycache__/\n.env\n.env.*\n!.env.*.example\n"},
    notes="The standard's own example writes `!.env.*.example  # Allow example files`: `.gitignore` has no "
    "trailing comments, so that line is the pattern `.env.*.example  # Allow example files`, which matches "
    "nothing and leaves every template ignored. The fix appends the missing lines, each on its own line. An env file "
    "that a `!` line re-includes after a line that ignores it is committed on purpose (a test configuration such as "
    "`!.env.testing`): it is not asked to be ignored.",
)
def check(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    sf = project.file(".gitignore")
    text = sf.text if sf is not None else ""
    if sf is not None and text is None:
        return  # unreadable: reported by the engine
    text = text or ""
    if sf is None and not env_files(project) and not project.files_of(FileKind.COMPOSE):
        return  # nothing here is deployed with env files
    public = [f.path for f in env_files(project) if is_public_config(project, f)]
    # a file an explicit `!` line re-includes after `.env.*` is committed on purpose (a test configuration)
    files = [f.path for f in env_files(project) if f.path not in public and not committed_on_purpose(project, f.path)] \
        + [p for p, _ in project.problems if ".env" in p]
    real = list(dict.fromkeys([*REAL_NAMES, *(p for p in files if not is_template(p))]))
    templates = list(dict.fromkeys([*TEMPLATE_NAMES, *(p for p in files if p.endswith(".example"))]))
    gi, exposed, hidden = _verdicts(text, real, templates)
    if not exposed and not hidden:
        return
    parts = []
    if exposed:
        parts.append("does not ignore " + ", ".join(f"`{p}`" for p in exposed[:4]) + (" ..." if len(exposed) > 4 else ""))
    if hidden:
        parts.append("ignores the templates " + ", ".join(f"`{p}`" for p in hidden[:3]) + (" ..." if len(hidden) > 3 else ""))
    message = "`.gitignore` " + " and ".join(parts)
    position = Position.whole_file()
    decider = gi.deciding_pattern(hidden[0]) if hidden else None
    if decider is not None and sf is not None:
        position = sf.line_position(decider.line)
    if sf is not None:
        commented = [p for p in gi.patterns if " #" in p.text and ".env" in p.text]
        if commented:
            position = sf.line_position(commented[0].line)
            message += f" (line {commented[0].line}: `.gitignore` has no trailing comments; put the comment on its own line)"
    lines = _missing_lines(text, real, templates)
    if lines and public:  # keep committed public build settings (`frontend/.env`) visible to git
        _, _, hidden_public = _verdicts(_appended(text, lines), [], public)
        lines += [f"!{p}" for p in hidden_public]
    fix = None
    if lines:
        _, still_exposed, still_hidden = _verdicts(_appended(text, lines), real, templates)
        if not still_exposed and not still_hidden:
            start = len(text)
            fix = Fix((Edit(start, start, _appended(text, lines)[start:]),), Applicability.SAFE, path=".gitignore")
    if fix is not None:
        message += ": add " + ", ".join(f"`{line}`" for line in lines)
    if sf is None:  # reported at the folder the missing file belongs in; the fix creates it
        yield Problem("no `.gitignore`, so git " + message.removeprefix("`.gitignore` "), path=directory_path(""),
                      fix=fix)
        return
    yield Problem(message, position, path=".gitignore", fix=fix)
