"""Rules, one package per family (see :mod:`dockyard.rules.families`).

Importing a rule module registers its rules through the ``@rule`` decorator in :mod:`dockyard.rules.base`.
:func:`load_all` imports every module (``dockyard rules``, docs, reports that list every rule); a check imports
only the modules of the rules it runs on something (see :mod:`dockyard.rules._table`, which says where each rule
is defined and what it is run on, and :func:`load_rule`): checking a lone Dockerfile imports no compose rules.
"""

from __future__ import annotations

import importlib
import os

from dockyard.fsutil import atomic_write
from dockyard.regex import noting
from dockyard.rules._table import RULES
from dockyard.rules.families import FAMILIES

TABLE_PATH = os.path.join(os.path.dirname(__file__), "_table.py")
_loaded: set[str] = set()


def load_all() -> None:
    """Import every rule module of every family (once)."""
    here = os.path.dirname(__file__)
    for family in FAMILIES:
        if family.package in _loaded:
            continue
        _loaded.add(family.package)
        folder = os.path.join(here, family.package)
        importlib.import_module(f"dockyard.rules.{family.package}")
        for entry in sorted(os.listdir(folder)):
            if entry.endswith(".py") and not entry.startswith("_"):
                importlib.import_module(f"dockyard.rules.{family.package}.{entry[:-3]}")


def load_rule(code: str):
    """The rule ``code`` (a :class:`dockyard.rules.base.Rule`), importing only the module that defines it; None
    for an unknown code."""
    from dockyard.rules.base import registered  # lazy: dockyard.rules.base imports this module

    entry = RULES.get(code)
    if entry is not None:
        noting(importlib.import_module, f"dockyard.rules.{entry[0]}")
    return registered(code)


def table_source() -> str:
    """The text of :mod:`dockyard.rules._table`, made from the rule modules."""
    from dockyard.rules.base import all_rules  # lazy: dockyard.rules.base imports this module

    lines = ['"""Where each rule is defined and what it is run on: generated from the rule modules by',
             '``python -m dockyard.rules.docs`` (a test checks it is current). A check reads it to import only the',
             'rule modules whose rules have something to run on."""',
             "",
             "# code -> (module under dockyard.rules, scope, file kinds it needs: none of them, nothing to report)",
             "RULES: dict[str, tuple[str, str, tuple[str, ...]]] = {"]
    for r in all_rules():
        module = r.check.__module__.removeprefix("dockyard.rules.")
        needs = "(" + ", ".join(f'"{kind}"' for kind in r.needs) + ("," if len(r.needs) == 1 else "") + ")"
        lines.append(f'    "{r.code}": ("{module}", "{r.scope}", {needs}),')
    lines += ["}", ""]
    return "\n".join(lines)


def update_table(path: str = TABLE_PATH) -> bool:
    """Rewrite :mod:`dockyard.rules._table` from the rule modules; True when it changed."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    new = table_source()
    if new != text:
        atomic_write(path, new)
    return new != text
