"""Rules, one package per family (dockerfile, dockerignore, compose, env, python, ci, core).

Every module inside a family package is imported by :func:`load_all`; importing a module registers its
rules through the ``@rule`` decorator in :mod:`dockyard.rules.base`.
"""

from __future__ import annotations

import importlib
import os

FAMILY_PACKAGES = ("core", "dockerfile", "dockerignore", "compose", "env", "python", "ci")
_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    here = os.path.dirname(__file__)
    for family in FAMILY_PACKAGES:
        folder = os.path.join(here, family)
        if not os.path.isdir(folder):
            continue
        importlib.import_module(f"dockyard.rules.{family}")
        for entry in sorted(os.listdir(folder)):
            if entry.endswith(".py") and not entry.startswith("_"):
                importlib.import_module(f"dockyard.rules.{family}.{entry[:-3]}")
