"""Rules, one package per family (dockerfile, dockerignore, compose, env, python, ci, core).

Every module inside a family package is imported by :func:`load_all`; importing a module registers its
rules through the ``@rule`` decorator in :mod:`dockyard.rules.base`.
"""

from __future__ import annotations

import importlib
import os

FAMILY_PACKAGES = ("core", "dockerfile", "dockerignore", "compose", "env", "python", "ci")
_loaded: set[str] = set()


def load_all() -> None:
    load_families(FAMILY_PACKAGES)


def load_families(families) -> None:
    """Import the rule modules of these families (once). Checking a lone Dockerfile needs no compose rules."""
    here = os.path.dirname(__file__)
    for family in FAMILY_PACKAGES:
        if family not in families or family in _loaded:
            continue
        _loaded.add(family)
        folder = os.path.join(here, family)
        if not os.path.isdir(folder):
            continue
        importlib.import_module(f"dockyard.rules.{family}")
        for entry in sorted(os.listdir(folder)):
            if entry.endswith(".py") and not entry.startswith("_"):
                importlib.import_module(f"dockyard.rules.{family}.{entry[:-3]}")
