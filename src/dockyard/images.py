"""Image references (`registry/repository:tag@digest`) and what their tag pins.

Used by the Dockerfile base-image rules (DF003-DF005) and by compose's `image:` rule (CO019), so that a
`FROM` and an `image:` are judged alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["ImageRef", "TagKind", "codename_of", "parse_ref", "tag_kind"]


@dataclass(frozen=True)
class ImageRef:
    registry: str  # "" for Docker Hub
    repository: str  # "python", "library/python", "tiangolo/uvicorn-gunicorn"
    tag: str | None
    digest: str | None

    @property
    def official_name(self) -> str | None:
        """The Docker Official Image name (`python`), or None for other images."""
        if self.registry not in ("", "docker.io", "index.docker.io", "registry-1.docker.io"):
            return None
        repo = self.repository
        if repo.startswith("library/"):
            repo = repo[len("library/"):]
        return None if "/" in repo else repo

    @property
    def name(self) -> str:
        """The image's own name, the last part of its repository (`public.ecr.aws/docker/library/debian`: `debian`)."""
        return self.repository.rsplit("/", 1)[-1]


def parse_ref(ref: str) -> ImageRef:
    rest, _, digest = ref.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag = None
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
    registry = ""
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    return ImageRef(registry.lower(), rest.lower(), tag, digest or None)


class TagKind(Enum):
    VERSION = "version"  # the tag names a version of the image (`3.12-slim`, `debian:bookworm`, `alpine3.20`)
    DIGEST_ONLY = "digest-only"  # no tag, pinned by digest
    NONE = "none"  # no tag: `latest`
    LATEST = "latest"
    RELEASE_ONLY = "release-only"  # a distribution codename on an image that is not the distribution (`rust:buster`)
    VERSIONLESS = "versionless"  # `slim`, `alpine`, `lts`, `stable-slim`, `lts-bookworm`


# Release codenames: for the distribution's own images they are versions, like `13` (`debian:bookworm`,
# `ubuntu:noble`, `buildpack-deps:trixie-curl`). Debian's `sid`, `testing`, `unstable` and Ubuntu's `devel`
# and `rolling` are aliases that move.
DEBIAN_CODENAMES = frozenset({
    "hamm", "slink", "potato", "woody", "sarge", "etch", "lenny", "squeeze", "wheezy", "jessie", "stretch",
    "buster", "bullseye", "bookworm", "trixie", "forky", "duke",
})
UBUNTU_CODENAMES = frozenset({
    "trusty", "utopic", "vivid", "wily", "xenial", "yakkety", "zesty", "artful", "bionic", "cosmic", "disco",
    "eoan", "focal", "groovy", "hirsute", "impish", "jammy", "kinetic", "lunar", "mantic", "noble", "oracular",
    "plucky", "questing",
})
CODENAMES = DEBIAN_CODENAMES | UBUNTU_CODENAMES
# images whose version is the distribution release their tag names
DISTRIBUTION_IMAGES = frozenset({"debian", "ubuntu", "buildpack-deps"})
# tag words that follow new releases
MOVING_WORDS = frozenset({
    "latest", "stable", "oldstable", "testing", "unstable", "sid", "lts", "edge", "rolling", "current", "devel",
    "mainline", "nightly",
})


def tag_kind(ref: ImageRef) -> TagKind:
    """What ``ref``'s tag pins. Tags holding a digit are versions (`3.12-slim`, `alpine3.20`, `22-bookworm`);
    a tag made of words is a version only for a distribution's own image named by its release codename, with
    variants (`debian:bookworm-slim`, `buildpack-deps:trixie-scm`)."""
    tag = ref.tag
    if tag is None:
        return TagKind.DIGEST_ONLY if ref.digest else TagKind.NONE
    low = tag.lower()
    if low == "latest":
        return TagKind.LATEST
    if any(ch.isdigit() for ch in low):
        return TagKind.VERSION
    words = set(low.replace("_", "-").split("-"))
    if words & MOVING_WORDS or not words & CODENAMES:
        return TagKind.VERSIONLESS
    return TagKind.VERSION if ref.name in DISTRIBUTION_IMAGES else TagKind.RELEASE_ONLY


def codename_of(tag: str) -> str | None:
    """The release codename in ``tag`` (`slim-bookworm` -> `bookworm`), if any."""
    return next((w for w in tag.lower().replace("_", "-").split("-") if w in CODENAMES), None)
