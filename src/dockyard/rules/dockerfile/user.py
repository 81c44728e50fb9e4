"""The final stage runs as a dedicated non-root user with fixed IDs, and owns the directories it writes."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.image_stage import image_stage_words
from dockyard.analysis.shell import exec_argv, instruction_script, pip_call, run_scripts
from dockyard.analysis.stages import (final_lineage, final_lineage_instructions, home_dir, last_of,
                                               span_position)
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule

ROOT_NAMES = frozenset({"root", "0"})
WRITABLE_DIRS = frozenset({"uploads", "upload", "temp", "tmp", "storage", "logs", "log", "data", "media", "cache"})
SYSTEM_TMP = frozenset({"/tmp", "/var/tmp"})


def _user_name(ins) -> str:
    return (ins.value[0] if ins.value else "").split(":", 1)[0]


def _is_root(name: str) -> bool:
    return name.lower() in ROOT_NAMES


@rule(
    code="DF040", name="final-user-nonroot", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The final stage switches to a non-root user",
    why="A process running as root inside the container turns any code-execution bug into root on the "
        "container's filesystem, and one kernel or runtime flaw away from root on the host.",
    standard=("DF-NONROOT",), section="Non-Root User; Security Best Practices", severity="error",
    example="FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"app\"]\n",
    use_instead="FROM python:3.12-slim\nRUN groupadd --system --gid 10001 app \\\n"
                "    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app\n"
                "USER app\nCMD [\"python\", \"-m\", \"app\"]\n",
    notes="Only the final stage (and the stages it is built from) is judged: builder stages may run as root. "
          "Asked of images that run a service: a command-line tool, a one-off job or a test image runs briefly, "
          "started by hand or by a script. Not judged: an official image whose entrypoint starts as root only to "
          "own its data and then re-executes the server as its own user (`postgres`, `mysql`, `mariadb`, `mongo`, "
          "`redis`, `rabbitmq`, `cassandra`; `USER app` would break their initialisation), while the Dockerfile "
          "keeps that ENTRYPOINT and runs the server's own command (a shell-form CMD runs `/bin/sh`, as root); and "
          "`elasticsearch`, which already sets a non-root `USER`, while the Dockerfile sets none.",
)
def final_user(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    stages = final_lineage(df)
    if not stages:
        return
    instructions = final_lineage_instructions(df)
    user = last_of(instructions, "USER")
    final = stages[-1]
    if user is None or _is_root(_user_name(user)):
        official = _official_image(stages[0].base_resolved)
        if official in _DROPS_PRIVILEGES and _keeps_entrypoint(instructions, _DROPS_PRIVILEGES[official]):
            return  # the image's own entrypoint re-executes the server as its dedicated user
        if user is None and official in _NONROOT_IMAGES:
            return  # the image itself already runs as a non-root user
    if user is None:
        yield Problem(f"{image_stage_words(df)} runs as root: it never sets `USER`; {_nonroot_advice(stages)}",
                      span_position(final.from_instruction.keyword_span))
    elif _is_root(_user_name(user)):
        yield Problem(f"{image_stage_words(df)}'s last `USER` is `{user.value[0]}`: the container runs as root",
                      span_position(user.args_span))


# Official images whose `docker-entrypoint.sh` starts as root only to own the data directories, then re-executes
# itself as the image's user (`gosu`) when the command is the server's own (or starts with an option, which
# it prepends the server to): the commands that step down, as prefixes of the first argument.
_DROPS_PRIVILEGES = {
    "postgres": ("postgres",),  # gosu postgres
    "mysql": ("mysqld",),  # gosu mysql
    "mariadb": ("mariadbd", "mysqld"),  # gosu mysql
    "mongo": ("mongo",),  # gosu mongodb, for every mongo* command
    "redis": ("redis-server",),  # gosu redis
    "rabbitmq": ("rabbitmq",),  # gosu rabbitmq, for every rabbitmq* command
    "cassandra": ("cassandra",),  # gosu cassandra
}
# Official images that set a non-root USER themselves (Elastic's elasticsearch image ends with `USER 1000:0`)
_NONROOT_IMAGES = frozenset({"elasticsearch"})


def _official_image(base: str) -> str:
    """The name of a Docker Official Image (`postgres` for `postgres:17`, `docker.io/library/postgres@sha256:...`;
    `elasticsearch` for Elastic's own registry too), '' for any other image."""
    ref = base.lower().split("@", 1)[0]
    name = ref.rsplit(":", 1)[0] if ":" in ref.rsplit("/", 1)[-1] else ref
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    name = name.removeprefix("library/")
    if name == "docker.elastic.co/elasticsearch/elasticsearch":
        return "elasticsearch"
    return "" if "/" in name else name


def _keeps_entrypoint(instructions, commands: tuple[str, ...]) -> bool:
    """Whether the container still starts through the image's entrypoint with a command that it steps down for:
    no ENTRYPOINT of its own (or `docker-entrypoint.sh` again), and the image's CMD or an exec-form CMD whose
    first word is the server (or an option). A shell-form CMD starts `/bin/sh`, which the entrypoint runs as root."""
    entrypoint = last_of(instructions, "ENTRYPOINT")
    cmd = last_of(instructions, "CMD")
    if entrypoint is not None:
        argv = exec_argv(entrypoint)
        if not argv or posixpath.basename(argv[0]) != "docker-entrypoint.sh":
            return False
        if cmd is None or instructions.index(cmd) < instructions.index(entrypoint):
            return False  # ENTRYPOINT clears the CMD the image had
    if cmd is None:
        return True
    argv = exec_argv(cmd)
    return bool(argv) and (argv[0].startswith("-") or argv[0].startswith(commands))


def _nonroot_advice(stages) -> str:
    """How to stop running as root, for the image at hand: `scratch` and distroless have no `useradd` and no
    `/etc/passwd` entry to name; nginx needs writable cache and pid paths, which its unprivileged image has."""
    root = stages[0].base_resolved.lower() if stages else ""
    if root == "scratch" or "distroless" in root:
        return "switch to a numeric user (`USER 10001:10001`): the image has no `useradd` and no `/etc/passwd`"
    if root.split("@", 1)[0].rpartition("/")[2].split(":", 1)[0] == "nginx":
        return ("build on `nginxinc/nginx-unprivileged` (it runs as `nginx` on port 8080), or give `nginx` its "
                "cache and pid paths before `USER nginx`")
    return "create a dedicated user and switch to it (`USER app`) before `CMD`"


def _option_value(words, i, short: str, long: str) -> tuple[bool, str | None]:
    """Whether argv[i] is the option (``-u 1``, ``-u1``, ``--uid 1``, ``--uid=1``) and its value."""
    t = words[i].text
    if t == short or t == long:
        return True, words[i + 1].text if i + 1 < len(words) else None
    if t.startswith(long + "="):
        return True, t[len(long) + 1 :]
    if short and len(short) == 2 and t.startswith(short) and not t.startswith("--") and len(t) > 2:
        return True, t[2:]
    return False, None


def _fixed(value: str | None) -> bool:
    return value is not None and (value.isdigit() or "$" in value)


@rule(
    code="DF041", name="user-fixed-ids", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The runtime user and group are created with fixed numeric UID and GID",
    why="Without an explicit UID/GID the IDs depend on what the base image already allocated, so files on "
        "volumes and bind mounts change owner between builds and hosts cannot grant access by ID.",
    standard=("DF-NONROOT",), section="Non-Root User; Security Best Practices", severity="error",
    example="FROM python:3.12-slim\nRUN groupadd app && useradd -g app app\nUSER app\n",
    use_instead="FROM python:3.12-slim\nRUN groupadd --gid 10001 app && useradd --uid 10001 --gid app app\nUSER app\n",
)
def fixed_ids(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    instructions = final_lineage_instructions(df)
    user = last_of(instructions, "USER")
    if user is None:
        return
    name = _user_name(user)
    if not name or _is_root(name) or name.isdigit() or "$" in name:
        return
    for script in run_scripts(df, instructions):
        for cmd in script.commands:
            tool = cmd.name
            if tool not in ("useradd", "adduser", "groupadd", "addgroup"):
                continue
            words = cmd.argv
            is_user = tool in ("useradd", "adduser")
            short, long = ("-u", "--uid") if is_user else ("-g", "--gid")
            found, value = False, None
            positional = []
            i = 1
            while i < len(words):
                hit, v = _option_value(words, i, short, long)
                if hit:
                    found, value = True, v
                t = words[i].text
                if not t.startswith("-"):
                    positional.append(t)
                i += 1
            if is_user and name not in positional:
                continue
            if not found or not _fixed(value):
                what = "user" if is_user else "group"
                yield Problem(f"`{tool}` creates the {what} without a fixed numeric {'UID' if is_user else 'GID'}; "
                              f"pass `{long} 10001` so file ownership is the same on every build and host",
                              script.word_position(words[0]))


def _chown_targets(cmd, workdir: str) -> list[tuple[str, bool]]:
    """(path, recursive) of a ``chown`` call's paths, made absolute against the working directory."""
    args = [w.text for w in cmd.argv[1:]]
    recursive = any(a in ("-R", "--recursive") or (a.startswith("-") and not a.startswith("--") and "R" in a)
                    for a in args)
    plain = [a for a in args if not a.startswith("-")]
    return [(posixpath.normpath(posixpath.join(workdir, p)), recursive) for p in plain[1:]]


@rule(
    code="DF042", name="writable-dirs-owned", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="Directories the app writes are owned by the app user",
    why="A directory created by root stays root-owned after `USER app`: the first upload, log line or temp "
        "file fails with `Permission denied` at runtime, long after the image built fine.",
    standard=("DF-CHOWN",), section="Non-Root User; Volume Permissions", severity="error",
    example="FROM python:3.12-slim\nWORKDIR /app\nRUN useradd --uid 10001 app && mkdir -p /app/uploads /app/logs\n"
            "USER app\n",
    use_instead="FROM python:3.12-slim\nWORKDIR /app\nRUN useradd --uid 10001 app && mkdir -p /app/uploads /app/logs \\\n"
                "    && chown -R app:app /app/uploads /app/logs\nUSER app\n",
    notes="Judged when the final stage runs as a non-root user; directories named uploads, temp, tmp, storage, "
          "logs, data, media or cache that a `RUN mkdir` creates must be covered by a `chown` (or created after "
          "`USER` switched to the app user).",
)
def writable_dirs(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    instructions = final_lineage_instructions(df)
    user = last_of(instructions, "USER")
    if user is None or _is_root(_user_name(user)):
        return
    workdir = "/"
    current_user = "root"
    created: list[tuple[str, object, object]] = []  # (absolute dir, script, word)
    owned: list[tuple[str, bool]] = []
    for ins in instructions:
        if ins.keyword == "WORKDIR" and ins.value:
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value[0]))
        elif ins.keyword == "USER" and ins.value:
            current_user = _user_name(ins)
        elif ins.keyword in ("COPY", "ADD") and ins.flag("chown") is not None and len(ins.value) >= 2:
            owned.append((posixpath.normpath(posixpath.join(workdir, ins.value[-1])), True))
        elif ins.keyword == "RUN":
            for script in run_scripts(df, [ins]):
                for cmd in script.commands:
                    if cmd.name == "chown":
                        owned.extend(_chown_targets(cmd, workdir))
                    elif cmd.name == "install" and any(w.text == "-d" for w in cmd.argv):
                        if any(w.text in ("-o", "--owner") or w.text.startswith("--owner=") for w in cmd.argv):
                            for w in cmd.argv[1:]:
                                if w.text.startswith("/"):
                                    owned.append((posixpath.normpath(w.text), False))
                    elif cmd.name == "mkdir":
                        for w in cmd.argv[1:]:
                            if w.text.startswith("-") or "$" in w.text:
                                continue
                            path = posixpath.normpath(posixpath.join(workdir, w.text))
                            if posixpath.basename(path) in WRITABLE_DIRS and path not in SYSTEM_TMP:
                                if _is_root(current_user):
                                    created.append((path, script, w))
    for path, script, word in created:
        if any(path == p or (rec and path.startswith(p.rstrip("/") + "/")) for p, rec in owned):
            continue
        name = _user_name(user)
        yield Problem(f"`{path}` is created as root but the container runs as `{name}`: writes to it will fail; "
                      f"add `chown -R {name}:{name} {path}`", script.word_position(word))


NOLOGIN_SHELLS = frozenset({"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"})


# Debian releases whose adduser (before 3.122) still creates `/home/<name>` for a `--system` user
_OLD_DEBIAN = ("jessie", "stretch", "buster", "bullseye", "xenial", "bionic", "focal", "jammy",
               "ubuntu:16.04", "ubuntu:18.04", "ubuntu:20.04", "ubuntu:22.04")


def _adduser_flavor(texts: list[str], base: str, alpine: bool) -> str:
    """Which `adduser` runs: `busybox` (Alpine; short options such as `-S`, `-D`, `-H`), `debian` (long options
    only; `--group` is Debian's), or `debian-old` (a Debian or Ubuntu release older than adduser 3.122)."""
    if "--group" not in texts and (alpine or any(t.startswith("-") and not t.startswith("--") for t in texts)):
        return "busybox"
    return "debian-old" if any(name in base for name in _OLD_DEBIAN) else "debian"


def _login_problems(tool: str, words, base: str = "", alpine: bool = False) -> dict[str, str]:
    """What a user-creating command leaves open: `shell` (a login shell) and `home` (a home directory).

    useradd (`-r` too) gives the default shell of /etc/default/useradd (`/bin/sh`) and no home unless `-m`.
    Debian's adduser gives a normal user a shell and a home; `--system` gives `/usr/sbin/nologin` unless
    `--shell`, and (adduser 3.122+, bookworm and later) the home `/nonexistent`, never created, unless `--home`.
    busybox adduser gives `-S`/`--system` users `/bin/false` unless `-s`, and creates the home unless `-H`."""
    texts = [w.text for w in words[1:]]
    shell = None
    for i, t in enumerate(texts):
        if t in ("-s", "--shell") and i + 1 < len(texts):
            shell = texts[i + 1]
        elif t.startswith("--shell="):
            shell = t.split("=", 1)[1]
        elif t.startswith("-s") and not t.startswith("--") and len(t) > 2:
            shell = t[2:]
    flavor = _adduser_flavor(texts, base, alpine) if tool == "adduser" else ""
    system = tool == "adduser" and ("--system" in texts or (flavor == "busybox" and any(
        t.startswith("-") and not t.startswith("--") and "S" in t for t in texts)))
    no_create = any(t in ("-H", "--no-create-home") for t in texts) or (flavor == "busybox" and any(
        t.startswith("-") and not t.startswith("--") and "H" in t for t in texts))
    problems = {}
    if shell is None and system:
        pass  # adduser gives a system user /usr/sbin/nologin (Debian) or /bin/false (busybox)
    elif shell not in NOLOGIN_SHELLS and not (shell and "$" in shell):
        problems["shell"] = "a login shell" if shell is None else f"the login shell `{shell}`"
    if tool == "useradd":
        # useradd makes no home unless asked (-m), Debian's default; --no-create-home states it
        if any(t in ("-m", "--create-home") for t in texts):
            problems["home"] = "a home directory (`--create-home`)"
    elif no_create:
        pass
    elif flavor == "debian" and system:
        home = _option(texts, "--home")
        if home is not None and posixpath.normpath(home) != "/nonexistent" and "$" not in home:
            problems["home"] = f"a home directory (`--home {home}`)"
    else:
        # busybox adduser (Alpine) makes a home unless -H; Debian's adduser unless --no-create-home
        problems["home"] = "a home directory (pass `-H` / `--no-create-home`)"
    return problems


def _option(texts: list[str], name: str) -> str | None:
    """The value of a long option (`--home DIR` or `--home=DIR`), the last one given; None when absent."""
    value = None
    for i, t in enumerate(texts):
        if t == name and i + 1 < len(texts):
            value = texts[i + 1]
        elif t.startswith(name + "="):
            value = t.split("=", 1)[1]
    return value


_HOME_WRITERS = (("git", "config", "--global"), ("pipx",), ("uv", "tool", "install"))


def _mentions_home(text: str, homes: set[str]) -> bool:
    """Whether a word or value refers to the home directory: `~`, `$HOME`, or a path in one of ``homes``."""
    if text.startswith("~") or "$HOME" in text or "${HOME}" in text:
        return True
    return any(part == h or part.startswith(h + "/") for part in text.split(":") for h in homes)


def _relies_on_home(df, instructions, name: str, home: str) -> bool:
    """Whether the image relies on ``name``'s home once the user exists: an instruction run as ``name`` (after
    `USER name`) writes there (a path in it, `~`, `$HOME`, `pip install --user`, `git config --global`,
    `pipx`), a WORKDIR or a COPY/ADD lands in it, or an ENV, CMD or ENTRYPOINT points into it. `ENV HOME=...`
    moves the home."""
    homes = {home}
    as_user = False
    workdir = "/"
    for ins in instructions:
        kw = ins.keyword
        if kw == "USER":
            as_user = _user_name(ins) == name
        elif kw == "ENV":
            for key, value in ins.key_values():
                if key == "HOME" and value and value.startswith("/"):
                    homes.add(posixpath.normpath(value))
                elif value and _mentions_home(value, homes):
                    return True
        elif kw == "WORKDIR" and ins.value:
            workdir = posixpath.normpath(posixpath.join(workdir, ins.value[0]))
            if as_user and _mentions_home(workdir, homes):
                return True
        elif kw in ("COPY", "ADD") and len(ins.value) >= 2:
            chown = ins.flag("chown")
            owner = chown.value.split(":", 1)[0] if chown is not None and chown.value else ""
            dest = posixpath.normpath(posixpath.join(workdir, ins.value[-1]))
            if (as_user or owner == name) and _mentions_home(dest, homes):
                return True
        elif kw in ("CMD", "ENTRYPOINT"):
            if any(_mentions_home(a, homes) for a in exec_argv(ins)):
                return True
            script = instruction_script(df, ins)
            if script is not None and any(_mentions_home(w.text, homes) for c in script.commands for w in c.argv):
                return True
        elif kw == "RUN" and as_user:
            script = instruction_script(df, ins)
            if script is None:
                continue
            for cmd in script.commands:
                texts = tuple(w.text for w in cmd.argv)
                if any(_mentions_home(w.raw, homes) or _mentions_home(w.text, homes) for w in cmd.argv[1:]):
                    return True
                if any(texts[:len(writer)] == writer for writer in _HOME_WRITERS):
                    return True
                call = pip_call(script, cmd)
                if call is not None and call.is_install and call.has("--user"):
                    return True
    return False


@rule(
    code="DF062", name="user-no-login", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The runtime user has no login shell and no home directory",
    why="A service account needs neither: a shell makes an attacker's foothold interactive (`su app`, `exec sh` "
        "as the user), and a writable home collects dotfiles, caches and credentials that outlive the process. "
        "The standard's non-root example creates a system user with no home and `/usr/sbin/nologin`.",
    standard=("DF-NONROOT",), section="Non-Root User; Security Best Practices", severity="warning",
    example="FROM python:3.12-slim\nRUN groupadd --gid 10001 app && useradd --uid 10001 --gid app -m app\nUSER app\n",
    use_instead="FROM python:3.12-slim\nRUN groupadd --gid 10001 app \\\n"
                "    && useradd --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app\nUSER app\n",
    notes="A warning, not an error: the checklist asks for no home \"where possible\" (some tools insist on one). "
          "Only the user that the final stage's last `USER` names is judged. The home directory is not questioned "
          "where the image relies on it: after `USER <name>` a RUN writes there (`~`, `$HOME`, its path, "
          "`pip install --user`, `git config --global`, `pipx`), a WORKDIR or COPY/ADD (`--chown=<name>`) lands "
          "in it, or an ENV, CMD or ENTRYPOINT points into it (`ENV HOME=...` moves it). Each tool's defaults count: "
          "`useradd` (`-r` too) gives the login shell `/bin/sh` and no home unless `-m`; Debian's `adduser --system` "
          "gives `/usr/sbin/nologin` unless `--shell`, and since adduser 3.122 (bookworm, Ubuntu 23.04) the home "
          "`/nonexistent`, never created, unless `--home` (older releases create `/home/<name>`); busybox `adduser "
          "-S` (Alpine) gives `/bin/false` unless `-s` and creates the home unless `-H`.",
)
def user_no_login(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    instructions = final_lineage_instructions(df)
    user = last_of(instructions, "USER")
    if user is None:
        return
    name = _user_name(user)
    if not name or _is_root(name) or name.isdigit() or "$" in name:
        return
    base: str | None = None
    alpine = False
    for script in run_scripts(df, instructions):
        for cmd in script.commands:
            if cmd.name not in ("useradd", "adduser"):
                continue
            positional = [w.text for w in cmd.argv[1:] if not w.text.startswith("-")]
            if name not in positional:
                continue
            if base is None:  # the system that runs adduser: Alpine (busybox) or which Debian release
                base = final_lineage(df)[0].base_resolved.lower()
                alpine = "alpine" in base or any(
                    c.name == "apk" for sc in run_scripts(df, instructions) for c in sc.commands)
            problems = _login_problems(cmd.name, cmd.argv, base, alpine)
            if "home" in problems:
                at = next(i for i, x in enumerate(instructions) if x is script.instruction)
                later = instructions[at + 1:]
                if _relies_on_home(df, later, name, home_dir(cmd.name, name, cmd.argv)):
                    del problems["home"]
            if not problems:
                continue
            if "home" not in problems:
                advice = "a service user needs no login shell: use `--shell /usr/sbin/nologin`"
            elif "shell" not in problems:
                advice = "a service user needs no home directory: use `--no-create-home`"
            else:
                advice = "a service user needs neither: use `--no-create-home --shell /usr/sbin/nologin`"
            yield Problem(f"`{cmd.name}` gives `{name}` {' and '.join(problems.values())}; {advice}",
                          script.word_position(cmd.argv[0]))
