"""What the jobs of a CI pipeline push to registries, and which builds' images those pushes publish.

A build is pushed when it pushes itself (``--push``, ``push: true``), when its job pushes one of its tags
(``docker push``, also under a name ``docker tag`` gives it) or its compose services (``docker compose push``). A
registry login pushes nothing: a job may log in only to pull a cache image.
"""

from __future__ import annotations

import posixpath
import re

from dockyard.records import field, record
from dockyard.regex import lazy_compile

VAR_ONLY = lazy_compile(r"^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")


def opaque_word(word) -> bool:
    """A word that may expand to several arguments: ``"${ARGS[@]}"``, ``"$@"``, an unquoted ``$OPTS``."""
    raw = word.raw
    return "[@]" in raw or "[*]" in raw or "$@" in raw or "$*" in raw or bool(VAR_ONLY.match(raw))


@record
class JobPushes:
    """What one job sends to a registry: the references it pushes (``docker push``), ``docker tag`` aliases, a
    ``docker compose push``, and whether it pushes something whose name cannot be read (``"$@"``, ``$IMAGE``)."""

    refs: list[str] = field(default_factory=list)
    all_tags: list[str] = field(default_factory=list)  # `docker push --all-tags REPO`
    aliases: list[tuple[str, str]] = field(default_factory=list)  # `docker tag SOURCE TARGET`
    compose: bool = False
    unknown: bool = False


# registries whose platform runs one architecture only: an image pushed there needs no other (Heroku: linux/amd64)
SINGLE_ARCH_REGISTRIES = ("registry.heroku.com",)


def split_ref(ref: str) -> tuple[str, str]:
    """An image reference as (repository, tag); the tag is ``latest`` when none is written. A ``:`` inside
    ``${...}`` or ``{{...}}`` (``${TAG:-dev}``) or before a later ``/`` (a registry port) is no tag separator."""
    ref = ref.split("@sha256:", 1)[0]
    depth, cut = 0, -1
    for i, ch in enumerate(ref):
        if ch == "{":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif depth == 0 and ch == ":":
            cut = i
        elif depth == 0 and ch == "/":
            cut = -1
    if cut < 0:
        return ref, "latest"
    return ref[:cut], ref[cut + 1:]


def unreadable_ref(ref: str) -> bool:
    """A reference that is one variable (``$IMAGE``, ``${IMAGE}``, ``{{env.IMAGE}}``): what it names is unknown."""
    return bool(VAR_ONLY.match(ref)) or bool(re.fullmatch(r"\{\{[^{}]*\}\}", ref))


def record_push(pl, step, words: list) -> None:
    """Note what a command sends to a registry (``docker push``, ``docker compose push``, ``docker buildx
    imagetools``) and the ``docker tag`` aliases a later push may use."""
    texts = [w.text for w in words]
    name = posixpath.basename(texts[0])
    rest = texts[1:]
    if name == "docker-compose" or (name == "docker" and rest[:1] == ["compose"]):
        if "push" in rest:
            pl.pushes_of(step.path, step.job).compose = True
        return
    if name != "docker":
        return
    if rest[:2] == ["buildx", "imagetools"]:
        pl.pushes_of(step.path, step.job).unknown = True  # a manifest of images pushed some other way
        return
    k = 2 if rest[:1] == ["image"] else 1
    verb = texts[k:k + 1]
    if verb == ["push"]:
        jp = pl.pushes_of(step.path, step.job)
        all_tags = False
        for w in words[k + 1:]:
            if w.text in ("-a", "--all-tags"):
                all_tags = True
            elif w.text.startswith("-"):
                continue
            elif opaque_word(w) or unreadable_ref(w.text):
                jp.unknown = True  # `docker push $IMAGE`, `"${IMAGES[@]}"`: which image, the analysis cannot say
            else:
                (jp.all_tags if all_tags else jp.refs).append(w.text)
    elif verb == ["tag"]:
        names = [w.text for w in words[k + 1:] if not w.text.startswith("-")]
        if len(names) == 2:
            pl.pushes_of(step.path, step.job).aliases.append((names[0], names[1]))


def destinations(b, jp: JobPushes | None) -> list[str] | None:
    """The references a build's image is pushed to ([] when it is not pushed; None when a push of the job
    names something that cannot be read, or the build's own names cannot be). A build is pushed when it
    pushes itself (`--push`, `push: true`), or when its job pushes one of its tags (`docker push`, also
    after `docker tag`), or pushes its compose services (`docker compose push`). A registry login alone
    pushes nothing: a job may log in only to pull a cache image."""
    tags = [t for i in b.images for t in i.tags]
    if b.pushes:
        return tags or None  # pushed by digest (`outputs: type=image,push-by-digest=true`): under no tag it names
    if jp is None:
        return []
    if jp.compose and b.via.startswith("docker compose "):
        return tags
    if jp.unknown:
        return None
    if b.opaque or not tags or any(unreadable_ref(t) for t in tags):
        # what the build is called cannot be read: any push of its job may be its image
        return None if (jp.refs or jp.all_tags) else []
    names = {split_ref(t) for t in tags}
    for _ in range(len(jp.aliases) + 1):  # `docker tag` chains
        grown = names | {split_ref(dst) for src, dst in jp.aliases if split_ref(src) in names}
        if grown == names:
            break
        names = grown
    pushed = [r for r in jp.refs if split_ref(r) in names]
    repos = {repo for repo, _ in names}
    pushed += [r for r in jp.all_tags if split_ref(r)[0] in repos]
    return pushed


def single_arch_only(found: list[str], env: dict[str, str]) -> bool:
    """Whether every reference a build is pushed to is in a registry whose platform runs one architecture
    (Heroku's `registry.heroku.com`), with the workflow's and job's `env:` values read into the name."""

    def resolve(ref: str) -> str:
        for _ in range(4):  # an env value naming another
            m = re.match(r"^(?:\{\{env\.([A-Za-z_][A-Za-z0-9_]*)\}\}|\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?)", ref)
            if m is None:
                break
            name = m.group(1) or m.group(2)
            if name not in env:
                break
            ref = env[name] + ref[m.end():]
        return ref

    return all(resolve(r).split("/", 1)[0].lower() in SINGLE_ARCH_REGISTRIES for r in found)
