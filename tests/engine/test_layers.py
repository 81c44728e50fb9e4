"""Every import points down the layers of the package: a module imports only modules of its own layer or below.

Imports inside functions and under ``if TYPE_CHECKING:`` count as much as those at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dockyard

# Top to bottom. A module belongs to the first layer one of whose prefixes names it or a package above it;
# everything no prefix names is the base layer.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # argument parsing, the commands, and `fix` (which drives the engine until the files are stable)
    ("commands", ("dockyard.__main__", "dockyard.cli", "dockyard.commands", "dockyard.fix")),
    # reporters: they read the engine's Result, rules included, and never look a rule up
    ("report", ("dockyard.report",)),
    # the engine runs the rules; `env check` chooses its rules and groups their findings beside it
    ("engine", ("dockyard.engine", "dockyard.envcheck")),
    ("rules", ("dockyard.rules",)),
    # what the rule families share: shell, stages and build contexts, the classification of files, the
    # project-level facts (catalogues, services) and the lock files read from RUN instructions
    ("analysis", ("dockyard.analysis", "dockyard.roles", "dockyard.projects", "dockyard.locks")),
    # compose loading and environments, parsers, discovery, records, config, secrets, env-file definitions...
    ("base", ()),
)
RANK = {name: i for i, (name, _) in enumerate(LAYERS)}
SRC = Path(dockyard.__file__).parent


def layer_of(module: str) -> str:
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return "base"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(module: str) -> bool:
    path = SRC.parent / module.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imported(module: str, path: Path, node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    # `from dockyard import roles` imports the module dockyard.roles
    return [base] + [f"{base}.{a.name}" for a in node.names if _exists(f"{base}.{a.name}")]


def imports_of(module: str, path: Path, text: str) -> list[tuple[str, int]]:
    """Every dockyard module ``text`` imports, with the line: at the top, in functions, under TYPE_CHECKING."""
    return [(target, node.lineno) for node in ast.walk(ast.parse(text)) for target in _imported(module, path, node)
            if target.split(".")[0] == "dockyard"]


def upward(module: str, path: Path, text: str) -> list[str]:
    mine = layer_of(module)
    return [f"{module} ({mine}) imports {target} ({layer_of(target)}) at line {line}"
            for target, line in imports_of(module, path, text) if RANK[layer_of(target)] < RANK[mine]]


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        yield _module_name(path), path, path.read_text(encoding="utf-8")


def test_every_import_points_down_the_layers():
    assert [v for module, path, text in _sources() for v in upward(module, path, text)] == []


def test_an_import_under_type_checking_or_in_a_function_counts():
    text = "if TYPE_CHECKING:\n    from dockyard.engine import Result\ndef f():\n    from dockyard import rules\n"
    assert upward("dockyard.model", SRC / "model.py", text) == [
        "dockyard.model (base) imports dockyard.engine (engine) at line 2",
        "dockyard.model (base) imports dockyard.rules (rules) at line 4"]
    assert upward("dockyard.analysis.stages", SRC / "analysis" / "stages.py", "from .shell import run_script\n") == []


def test_the_layer_table_names_modules_that_exist():
    modules = {module for module, _, _ in _sources()}
    for _, prefixes in LAYERS:
        for prefix in prefixes:
            assert any(m == prefix or m.startswith(prefix + ".") for m in modules), prefix


def test_below_the_engine_nothing_imports_the_rules():
    # the engine runs the rules (and `env check` beside it chooses some); the commands above list them
    importers = {module for module, path, text in _sources() if not module.startswith("dockyard.rules")
                 for target, _ in imports_of(module, path, text)
                 if target == "dockyard.rules" or target.startswith("dockyard.rules.")}
    assert {layer_of(m) for m in importers} <= {"commands", "engine"}


def test_a_rule_family_borrows_no_other_familys_private_module():
    # what families share lives below them, in dockyard.analysis
    borrowed = []
    for module, path, text in _sources():
        if not module.startswith("dockyard.rules."):
            continue
        family = module.split(".")[2]
        for target, line in imports_of(module, path, text):
            parts = target.split(".")
            if target.startswith("dockyard.rules.") and len(parts) > 3 and parts[2] != family \
                    and parts[3].startswith("_"):
                borrowed.append(f"{module} imports {target} at line {line}")
    assert borrowed == []
