"""JSON Schema validators for vendored schemas (compose spec, GitHub workflows), compiled once and cached.

The compose schema is the one compose-go v2.9.1 embeds, vendored unchanged in ``compose/schema/``; SchemaStore's
GitHub workflow schema comes from check-jsonschema's vendored copy (both Apache License 2.0, see
THIRD_PARTY_NOTICES.md); never a hand-written copy. Where SchemaStore's schema is stricter than GitHub's own workflow
parser, the loaded copy is amended to agree with GitHub (:data:`AMENDMENTS`). Compiling a large schema with fastjsonschema takes a few hundred
milliseconds, so the generated validator code is cached on disk (keyed by the schema file's and fastjsonschema's
identity) and run on later runs without importing fastjsonschema at all: the generated code raises
:class:`SchemaViolation` (the header that names fastjsonschema's exception classes is rewritten to name it), which
spares a run the ~15 ms of importing fastjsonschema's code generator, ``typing`` and ``decimal``' users.
"""

from __future__ import annotations

import json
import marshal
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from dockyard import TYPE_CHECKING, cache
from dockyard.fsutil import atomic_write
from dockyard.regex import noting

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

_VALIDATORS: dict[str, Callable[[Any], Any]] = {}

# the line fastjsonschema's generated code starts with to import its exception classes, and what replaces it
_GENERATED_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException"
# ... and the `decimal` import it starts with (a millisecond of every run) only to accept `Decimal` numbers in
# `isinstance` tests: parsed YAML and JSON hold none, so a class no value is an instance of gives the same answers
_GENERATED_DECIMAL = "from decimal import Decimal"
_OWN_DECIMAL = "from dockyard.schemas import NotDecimal as Decimal"
_OWN_IMPORT = ("from dockyard.schemas import SchemaViolation as JsonSchemaValueException, "
               "SchemaViolation as JsonSchemaValuesException")


class NotDecimal:
    """What the generated code calls ``Decimal``: no parsed YAML or JSON value is one (see ``_GENERATED_DECIMAL``)."""


class SchemaViolation(ValueError):
    """What a validator raises for invalid data: fastjsonschema's ``JsonSchemaValueException`` (same constructor,
    ``message`` and ``path``), defined here so that running a cached validator needs no fastjsonschema import."""

    def __init__(self, message: str, value: Any = None, name: str | None = None, definition: Any = None,
                 rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule

    @property
    def path(self) -> list[str]:
        """The path of the invalid value (``["data", "services", "web"]``), split as fastjsonschema splits it."""
        import re

        return [item for item in re.split(r"[\.\[\]]+", self.name or "") if item != ""]


def _github_parser_differences(schema: dict) -> dict:
    """SchemaStore's workflow schema made to accept what GitHub's own workflow parser accepts (its definitions
    in actions/languageservices, ``workflow-parser/src/workflow-v1.0.json``): a ``strategy`` needs no ``matrix``
    there (``fail-fast`` or ``max-parallel`` alone is valid, and such a job runs once); SchemaStore requires one."""
    strategy = schema.get("definitions", {}).get("normalJob", {}).get("properties", {}).get("strategy")
    if isinstance(strategy, dict):
        strategy.pop("required", None)
    return schema


# what is changed in a vendored schema before it is compiled: (identity for the cache key, the change)
AMENDMENTS: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "github-workflows": ("strategy-matrix-optional", _github_parser_differences),
}


def schema_path(name: str) -> Path:
    if name == "compose-go-spec":  # vendored by dockyard itself (compose-go's own copy, with its notice)
        return Path(__file__).parent / "compose" / "schema" / "compose-spec.json"
    # find_spec locates the package without importing it (its import pulls in a CLI stack we do not need)
    import importlib.util

    spec = importlib.util.find_spec("check_jsonschema")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("check-jsonschema is not installed; it provides the vendored schemas")
    folder = Path(list(spec.submodule_search_locations)[0]) / "builtin_schemas" / "vendor"
    return folder / f"{name}.json"


def _generator_identity() -> str:
    """fastjsonschema's version, read from its ``version.py`` without importing the package: installed beside
    dockyard as a rule (one file read), else wherever the import system finds it (a search of ``sys.path``)."""
    beside = Path(__file__).resolve().parent.parent / "fastjsonschema" / "version.py"
    if beside.is_file():
        return beside.read_text(encoding="utf-8")
    import importlib.util

    spec = importlib.util.find_spec("fastjsonschema")
    if spec is None or spec.origin is None:
        raise RuntimeError("fastjsonschema is not installed; it compiles the vendored schemas")
    return Path(spec.origin).with_name("version.py").read_text(encoding="utf-8")


def _without_definitions(source: str) -> str:
    """The generated code without the ``definition=`` argument of each exception it raises: a copy of the schema
    part that failed, which nothing here reads, and half of the code's size (the cache file's, and the time a run
    takes to load it)."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("JsonSchema"):
            node.keywords = [k for k in node.keywords if k.arg != "definition"]
    return ast.unparse(tree)


def validator(name: str, definition: str | None = None) -> Callable[[Any], Any]:
    """A function raising :class:`SchemaViolation` (with ``.path``) for invalid data; with ``definition``, the
    validator of one of the schema's definitions (``normalJob``) instead of the whole."""
    key = f"{name}#{definition}" if definition else name
    if key in _VALIDATORS:
        return _VALIDATORS[key]
    # keyed by the schema's content (crc32: hashlib's import alone costs more than the check) and the generator's
    # and Python's versions, never by where the file is installed: every install of one release shares its entry
    path = schema_path(name)
    amendment, amend = AMENDMENTS.get(name, ("", None))
    identity = zlib.crc32((_generator_identity() + sys.version + _OWN_IMPORT + _OWN_DECIMAL + "-definitions" +
                           amendment).encode())
    digest = f"{zlib.crc32(path.read_bytes()):08x}{identity:08x}"
    suffix = f"_{definition}" if definition else ""
    cached = Path(cache.directory()) / f"schema_{name.replace('-', '_')}{suffix}_{digest}.bin"
    code_obj = None
    if cached.is_file():
        try:
            code_obj = marshal.loads(cached.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            code_obj = None
    if code_obj is None:
        import re

        import fastjsonschema

        schema = json.loads(path.read_text(encoding="utf-8"))
        if amend is not None:
            schema = amend(schema)
        if definition:
            schema = {"$schema": schema.get("$schema"), "definitions": schema.get("definitions", {}),
                      "$ref": f"#/definitions/{definition}"}
        source = fastjsonschema.compile_to_code(schema)
        if _GENERATED_IMPORT not in source:
            raise RuntimeError(f"fastjsonschema's generated code no longer starts with `{_GENERATED_IMPORT}`")
        source = source.replace(_GENERATED_IMPORT, _OWN_IMPORT, 1)
        if "Decimal(" not in source:  # never built, only tested against
            source = source.replace(_GENERATED_DECIMAL, _OWN_DECIMAL, 1)
        source = _without_definitions(source)
        entry = re.search(r"^def (\w+)", source, re.M)
        source += f"\n\nvalidate = {entry.group(1)}\n"
        code_obj = compile(source, f"<schema {name}>", "exec")
        try:
            atomic_write(cached, marshal.dumps(code_obj))
            _prune(cached)
        except OSError:
            pass
    namespace: dict[str, Any] = {}
    noting(exec, code_obj, namespace)  # generated by fastjsonschema from a vendored schema; its patterns are fixed
    func = namespace["validate"]
    _VALIDATORS[key] = func
    return func


KEEP_PER_SCHEMA = 3


def _prune(kept: Path) -> None:
    """Keep the newest few cached validators of the schema ``kept`` is one of (other releases, fastjsonschema or
    Python versions): the cache does not grow with every upgrade, and two releases in use side by side do not
    evict each other's entry."""
    stem = kept.name[: kept.name.rindex("_") + 1]  # schema_<name>[_<definition>]_
    entries = [p for p in kept.parent.glob(stem + "*.bin") if p.name[len(stem):].count("_") == 0]
    entries.sort(key=lambda p: (p == kept, p.stat().st_mtime_ns), reverse=True)
    for other in entries[KEEP_PER_SCHEMA:]:
        try:
            other.unlink()
        except OSError:
            pass


def first_error(name: str, data: Any, definition: str | None = None) -> tuple[str, list] | None:
    """(message, path within the data) of the first schema violation, or None when valid."""
    try:
        check = validator(name, definition)
    except Exception as exc:
        import fastjsonschema

        if not isinstance(exc, fastjsonschema.JsonSchemaDefinitionException):
            raise
        return f"schema could not be applied: {exc}", []  # fastjsonschema refuses the schema itself
    try:
        check(data)
    except SchemaViolation as exc:
        path = list(exc.path[1:]) if exc.path and exc.path[0] == "data" else list(exc.path or [])
        return exc.message, path
    return None
