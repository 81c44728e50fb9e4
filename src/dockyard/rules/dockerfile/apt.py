"""apt (and apk) hygiene: one RUN updates and installs, non-interactively, without extras, leaving no lists."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import memo, roles
from dockyard.analysis.shell import calls, package_call, piped_remote_scripts, run_scripts
from dockyard.analysis.stages import cache_mount_targets, shipped_stages, span_position
from dockyard.model import Applicability, Edit, Fix, Problem
from dockyard.rules.base import Context, Scope, rule

APT = ("apt-get", "apt")
LISTS = "/var/lib/apt/lists"


# what apt does that fetches lists or packages
_DOWNLOADS = frozenset({"update", "install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source",
                        "download", "reinstall"})


def _apt_calls(script):
    return [c for c in calls(script) if c.tool in APT]


def _cache_mounts(ins) -> dict[str, dict[str, str]]:
    """target -> options of the instruction's cache mounts."""
    return {target.rstrip("/"): flag.options() for target, flag in cache_mount_targets(ins) if target.rstrip("/")}


def _end_of(script, word) -> int | None:
    """File offset just after a word, for inserting an option after it."""
    r = script.file_range(word.start, word.end)
    if r is None:
        return None
    return r[1]


@rule(
    code="DF046", name="apt-update-with-install", scope=Scope.DOCKERFILE, purposes=roles.BUILT,
    summary="`apt-get update` and `apt-get install` run in the same RUN",
    why="A separate `RUN apt-get update` layer is cached: later edits to the install line reuse stale package "
        "lists, installing outdated versions or failing with 404s once the mirror moves on.",
    standard=("DF-APT-HYGIENE",), section="Clean Package Cache; Multi-Line RUN Optimization", severity="error",
    example="FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl "
            "&& rm -rf /var/lib/apt/lists/*\n",
    use_instead="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
                "    && rm -rf /var/lib/apt/lists/*\n",
    notes="An install that follows, in the same RUN, a downloaded script piped into a shell (`curl -fsSL "
          "https://deb.nodesource.com/setup_20.x | bash -`) is not judged: such setup scripts add their repository "
          "and run `apt-get update` themselves, and what they run cannot be read here. An update followed by "
          "Playwright's `install-deps` (or `install --with-deps`), which runs `apt-get install`, is not alone.",
)
def update_with_install(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for script in run_scripts(df, df.instructions):
        apt = _apt_calls(script)
        updates = [c for c in apt if c.sub == "update"]
        installs = [c for c in apt if c.sub in ("install", "upgrade", "dist-upgrade")]
        if installs and not updates:
            c = installs[0]
            if any(sh.start < c.command.start for sh in piped_remote_scripts(script)):
                continue  # a downloaded setup script piped into a shell (NodeSource's) may update the lists itself
            yield Problem(f"`{c.tool} {c.sub}` without `{c.tool} update` in the same RUN installs from stale "
                          "package lists", script.word_position(c.sub_word))
        elif updates and not installs and not _installs_through_a_tool(script):
            c = updates[0]
            yield Problem(f"`{c.tool} update` alone in a RUN: its cached layer goes stale; update and install "
                          "in one RUN", script.word_position(c.sub_word))


def _installs_through_a_tool(script) -> bool:
    """Whether a command of the RUN installs system packages with apt itself: Playwright's browser dependencies
    (`playwright install-deps`, `playwright install --with-deps`, however Playwright is started)."""
    for cmd in script.commands:
        words = [w.text for w in cmd.argv]
        for i, word in enumerate(words):  # `uvx --from playwright playwright install-deps`: any of them
            rest = words[i + 1:] if word == "playwright" else []
            if rest[:1] == ["install-deps"] or (rest[:1] == ["install"] and "--with-deps" in rest):
                return True
    return False


@rule(
    code="DF047", name="apt-install-yes", scope=Scope.DOCKERFILE, purposes=roles.BUILT,
    summary="`apt-get install` runs non-interactively with `-y`",
    why="Without `-y` apt asks for confirmation; in a build there is no one to answer and the install aborts.",
    standard=("DF-APT-HYGIENE",), section="Clean Package Cache", severity="error", fix="safe",
    example="FROM python:3.12-slim\nRUN apt-get update && apt-get install --no-install-recommends curl "
            "&& rm -rf /var/lib/apt/lists/*\n",
    use_instead="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl "
                "&& rm -rf /var/lib/apt/lists/*\n",
)
def install_yes(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for script in run_scripts(df, df.instructions):
        for c in _apt_calls(script):
            if c.sub != "install":
                continue
            if c.command.has_flag("-y", "--yes", "--assume-yes") or any(
                    w.text in ("-qq", "--quiet=2") for w in c.command.argv):
                continue
            end = _end_of(script, c.sub_word)
            fix = Fix((Edit(end, end, " -y"),)) if end is not None else None
            yield Problem(f"`{c.tool} install` without `-y` waits for a confirmation no one can give",
                          script.word_position(c.sub_word), fix=fix)


@rule(
    code="DF048", name="apt-no-install-recommends", scope=Scope.DOCKERFILE,
    summary="`apt-get install` uses `--no-install-recommends`",
    why="Recommended packages are not needed to run the requested ones; they add tens of megabytes and more "
        "code to patch and scan in every image.",
    standard=("DF-APT-HYGIENE",), section="Clean Package Cache; Multi-Line RUN Optimization", severity="error",
    fix="unsafe",
    example="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    use_instead="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl "
                "&& rm -rf /var/lib/apt/lists/*\n",
    notes="The fix is unsafe: a program may rely on a package that was only pulled in as a recommendation.",
)
def no_recommends(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for script in run_scripts(df, df.instructions):
        for c in _apt_calls(script):
            if c.sub != "install":
                continue
            texts = [w.text for w in c.command.argv]
            if "--no-install-recommends" in texts or any(
                    t.lower().replace(" ", "") in ("apt::install-recommends=false", "apt::install-recommends=0",
                                                   "apt::install-recommends=no") for t in texts):
                continue
            end = _end_of(script, c.sub_word)
            fix = (Fix((Edit(end, end, " --no-install-recommends"),), Applicability.UNSAFE)
                   if end is not None else None)
            yield Problem(f"`{c.tool} install` without `--no-install-recommends` also installs recommended packages",
                          script.word_position(c.sub_word), fix=fix)


def _removes(script, prefix: str, after: int = 0) -> bool:
    """Whether a command starting at or after script offset ``after`` runs `rm` on ``prefix`` or below it."""
    for cmd in script.commands:
        if cmd.start >= after and cmd.name == "rm" and any(w.text.startswith(prefix) for w in cmd.argv[1:]):
            return True
    return False


# `apt-get dist-clean` (APT 2.7.8 and later: Debian trixie, Ubuntu noble) removes the lists with the cache
DIST_CLEAN = frozenset({"dist-clean", "distclean"})


def _lists_cleared(script, after: int) -> bool:
    """Whether the apt lists are gone once the RUN ends: removed by a command after the last apt command that
    fetches them (which starts at ``after``)."""
    return _removes(script, LISTS, after) or any(
        c.sub in DIST_CLEAN and c.command.start >= after for c in _apt_calls(script))


# apt commands that read the package lists (and fail, or install nothing, without them)
READS_LISTS = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source", "download",
                         "satisfy", "reinstall", "policy", "show", "search", "madison", "depends", "rdepends"})


_PLACES = memo.table()  # per stage: each instruction's index in it


def _lists_needed_later(df, ins):
    """The first later RUN of the same stage, or of a stage built FROM it, that reads the apt lists ``ins`` leaves
    (it installs before any `apt-get update` of its own): removing them in ``ins`` would make it fail."""
    stage = df.stages[ins.stage] if 0 <= ins.stage < len(df.stages) else None
    if stage is None:
        return None

    def later():
        where = memo.remembered(_PLACES, stage, lambda: {id(i): k for k, i in enumerate(stage.instructions)})
        for k in range(where.get(id(ins), len(stage.instructions)) + 1, len(stage.instructions)):
            yield stage.instructions[k]
        for other in df.stages:
            if other.index != stage.index and stage in df.ancestry(other)[1:]:
                yield from other.instructions

    # read lazily, up to the first RUN that fetches lists of its own: after it nothing reads those of ``ins``
    for script in run_scripts(df, later()):
        mounts = _cache_mounts(script.instruction)
        if any(t in mounts for t in ("/var/lib/apt", LISTS)):
            continue
        for cmd in script.commands:
            call = package_call(cmd)
            if call is not None and call.tool in APT:
                if call.sub == "update":
                    return None
                if call.sub in READS_LISTS:
                    return script.instruction
            elif cmd.name == "apt-cache":
                return script.instruction
    return None


@rule(
    code="DF049", name="apt-lists-cleanup", scope=Scope.DOCKERFILE,
    summary="A RUN that uses apt removes `/var/lib/apt/lists/*` (or caches it in a mount); apk uses `--no-cache` "
            "and no `apk update`",
    why="Package lists left in the layer add tens of megabytes to the image, and deleting them in a later RUN "
        "does not shrink it: the bytes stay in the earlier layer.",
    standard=("DF-APT-HYGIENE",), section="Clean Package Cache", severity="error", fix="safe",
    example="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
    use_instead="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
                "    && rm -rf /var/lib/apt/lists/*\n",
    notes="A cache mount on `/var/lib/apt` keeps the lists out of the layer and is accepted instead of the removal; "
          "so is `apt-get dist-clean` (APT 2.7.8 and later), which removes the lists and the package cache. The "
          "removal must come after the RUN's last `apt-get update`/`install`. `apk add --no-network` fetches no "
          "index and needs no `--no-cache`. A RUN that installs without `apt-get update` leaves no lists of its own: the "
          "RUN that fetched them is judged. The fix appends `&& rm -rf /var/lib/apt/lists/*` after the RUN's last "
          "statement (a `;` ending it is dropped, a comment ending it stays last); it is not offered when the RUN "
          "ends in a background job (`&`), or when a later RUN (of the stage, or of a stage built on it) installs "
          "from these lists without its own `apt-get update`: that RUN would then fail. Judged in the stages whose "
          "layers make up an image (the final stage, a `production` stage, any stage nothing reads from, and the "
          "stages they are built FROM): a builder that other stages only `COPY --from` is thrown away with its "
          "lists.",
)
def lists_cleanup(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    shipped = shipped_stages(df)
    for script in run_scripts(df, [ins for ins in df.instructions if ins.stage in shipped]):
        ins = script.instruction
        mounts = _cache_mounts(ins)
        apt = [c for c in _apt_calls(script) if c.sub in ("update", "install", "upgrade", "dist-upgrade")]
        # the lists are written by `apt-get update`: a RUN that only installs from an earlier RUN's lists leaves
        # none in its own layer (that RUN's is the finding)
        if any(c.sub == "update" for c in apt) and not _lists_cleared(script, max(c.command.start for c in apt)) \
                and not any(t in mounts for t in ("/var/lib/apt", LISTS)):
            fix = None
            edit = script.and_then("rm -rf /var/lib/apt/lists/*")
            if edit is not None and _lists_needed_later(df, ins) is None:
                fix = Fix((edit,))
            yield Problem("apt package lists stay in this layer; end the RUN with `rm -rf /var/lib/apt/lists/*` "
                          "or use a cache mount for `/var/lib/apt`", span_position(ins.keyword_span),
                          fix=fix)
        apk = [c for c in calls(script) if c.tool == "apk"]
        if not apk or "/var/cache/apk" in mounts or _removes(script, "/var/cache/apk"):
            continue
        updates = [c for c in apk if c.sub == "update"]
        # `--no-network` installs from what is already there and fetches no index to leave behind
        loose = [c for c in apk if c.sub == "add" and not c.command.has_flag("--no-cache", "--no-network")]
        for c in loose:
            also = " (and so does the `apk update` before it: drop it)" if updates else ""
            yield Problem(f"`apk add` without `--no-cache` leaves the package index in the layer{also}",
                          script.word_position(c.sub_word))
        if updates and not loose:
            # `apk add --no-cache` does not remove an index `apk update` wrote: drop the update instead
            yield Problem("`apk update` leaves the package index in the layer (`--no-cache` on `apk add` does "
                          "not remove it); drop it: `apk add --no-cache` fetches a fresh index itself",
                          script.word_position(updates[0].sub_word))


@rule(
    code="DF050", name="apt-cache-mount", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE,
    summary="apt runs with locked cache mounts for `/var/cache/apt` and `/var/lib/apt`",
    why="Cache mounts keep downloaded packages and lists between builds without putting them in the image; "
        "`sharing=locked` stops parallel builds from corrupting apt's shared state.",
    standard=("DF-APT-CACHE-MOUNT",), section="BuildKit Cache Mounts", severity="warning",
    example="FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
    use_instead="# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
                "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
                "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
                "    rm -f /etc/apt/apt.conf.d/docker-clean \\\n"
                "    && apt-get update && apt-get install -y --no-install-recommends curl\n",
    notes="Debian-based images delete downloaded packages after each install (`/etc/apt/apt.conf.d/docker-clean`); "
          "remove that file in the same RUN for the `/var/cache/apt` mount to have an effect. A RUN whose apt "
          "commands download nothing (`apt-get purge`, `autoremove`, `clean`) needs no cache, nor one that only "
          "runs `apt-get update` and deletes the lists it fetched (DF046 says it installs nothing).",
)
def cache_mount(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for script in run_scripts(df, df.instructions):
        ins = script.instruction
        subs = {c.sub for c in _apt_calls(script)}
        if not subs & _DOWNLOADS or (subs & _DOWNLOADS == {"update"} and "/var/lib/apt/lists" in script.text):
            # (`apt-get purge`, `autoremove`, `clean` download nothing for a cache to keep; lists an `update`
            # fetches and the same RUN deletes serve nothing: the RUN is DF046's finding)
            continue
        mounts = _cache_mounts(ins)
        missing = [t for t in ("/var/cache/apt", "/var/lib/apt") if t not in mounts]
        if missing:
            listed = " and ".join(f"`--mount=type=cache,target={t},sharing=locked`" for t in missing)
            yield Problem(f"apt runs without {listed}", span_position(ins.keyword_span))
            continue
        for target, flag in cache_mount_targets(ins):
            target = target.rstrip("/")
            if target in ("/var/cache/apt", "/var/lib/apt") and flag.options().get("sharing", "shared") != "locked":
                yield Problem(f"the apt cache mount on `{target}` needs `sharing=locked`: apt cannot share its "
                              "cache between concurrent builds", span_position(flag.span))
