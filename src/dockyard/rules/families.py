"""The rule families: each is a package of :mod:`dockyard.rules`, the prefix its rule codes start with, and the
title docs and reports give it. Everything that lists, loads or names families reads this table."""

from __future__ import annotations

from dockyard.records import record


@record(frozen=True, slots=True)
class Family:
    package: str  # dockyard.rules.<package>
    prefix: str  # the first two letters of its rule codes
    title: str


# in the order their rules are loaded
FAMILIES = (
    Family("core", "DY", "dockyard itself"),
    Family("dockerfile", "DF", "Dockerfile"),
    Family("dockerignore", "DI", ".dockerignore"),
    Family("compose", "CO", "Compose"),
    Family("env", "EN", "Environment files"),
    Family("python", "PY", "Python runtime"),
    Family("ci", "CI", "Build tooling and CI"),
)
BY_PREFIX = {f.prefix: f for f in FAMILIES}
