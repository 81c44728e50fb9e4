"""What one Python module declares for :mod:`dockyard.parsers.fastapi_app`, read with ``ast``: its string
constants, imports, FastAPI and APIRouter objects, their routes and included routers."""

from __future__ import annotations

import ast

from dockyard.parsers.fastapi_app import HTTP_METHODS, IMPORTED, ModuleInfo, RouterObject, module_name


def read_module(path: str, text: str) -> ModuleInfo | None:
    """What the module at ``path`` declares; None when it does not parse."""
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return None
    info = ModuleInfo(module_name(path), path)
    # constants first, so paths defined below their use still resolve
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    info.constants[t.id] = stmt.value.value
    _Collector(info).visit(tree)
    return info


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _kw(call: ast.Call, name: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


class _Collector(ast.NodeVisitor):
    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.scope = ""

    def _str(self, node: ast.AST | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.info.constants:
            return self.info.constants[node.id]
        if isinstance(node, ast.Name) and self.info.imports.get(node.id, ("", None))[1]:
            mod, attr = self.info.imports[node.id]  # `from .contract import HEALTH_PATH`: known once all are read
            return f"{IMPORTED}{mod}{IMPORTED}{attr}{IMPORTED}"
        if isinstance(node, ast.JoinedStr):
            out = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    out.append(str(v.value))
                elif isinstance(v, ast.FormattedValue):
                    s = self._str(v.value)
                    if s is None:
                        return None
                    out.append(s)
            return "".join(out)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            a, b = self._str(node.left), self._str(node.right)
            return a + b if a is not None and b is not None else None
        return None

    def _prefix(self, node: ast.AST | None) -> str:
        """A router or include prefix; one that is no literal (``settings.API_V1_STR``) is kept as ``<expr>``,
        so paths under it are never mistaken for root paths."""
        if node is None:
            return ""
        value = self._str(node)
        return value if value is not None else f"<{ast.unparse(node)}>"

    def _key(self, name: str) -> str:
        return f"{self.scope}.{name}" if self.scope else name

    def _lookup(self, name: str) -> RouterObject | None:
        if self.scope and f"{self.scope}.{name}" in self.info.objects:
            return self.info.objects[f"{self.scope}.{name}"]
        return self.info.objects.get(name)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            self.info.imports[local] = (alias.name if alias.asname else alias.name.split(".")[0], None)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            pkg = self.info.name.split(".")
            if not self.info.path.endswith("__init__.py"):
                pkg = pkg[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
            base = ".".join([*pkg, base] if base else pkg)
        for alias in node.names:
            self.info.imports[alias.asname or alias.name] = (base, alias.name)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._decorators(node)
        if not self.scope:
            self.scope = node.name
            self.generic_visit(node)
            self.scope = ""
        else:
            self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        for target in node.targets:
            if isinstance(target, ast.Name):
                if not self.scope:
                    s = self._str(value)
                    if s is not None:
                        self.info.constants[target.id] = s
                if isinstance(value, ast.Call) and _call_name(value) in ("FastAPI", "APIRouter"):
                    kind = "app" if _call_name(value) == "FastAPI" else "router"
                    prefix = self._prefix(_kw(value, "prefix"))
                    self.info.objects[self._key(target.id)] = RouterObject(
                        self.info.name, self._key(target.id), kind, prefix, node.lineno, node.col_offset + 1)
                elif not self.scope and isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                    # `app = create_app()`: the one app the module's factory builds, whose routes the module then
                    # adds to (`@app.get("/health")` after the factory returns)
                    made = [o for k, o in self.info.objects.items()
                            if k.startswith(value.func.id + ".") and o.kind == "app"]
                    if len(made) == 1:
                        self.info.objects[target.id] = made[0]
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, ast.Name):
            self.visit_Assign(ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno,
                                         col_offset=node.col_offset))
        else:
            self.generic_visit(node)

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
                continue
            owner = dec.func.value
            if not isinstance(owner, ast.Name):
                continue
            obj = self._lookup(owner.id)
            if obj is None:
                continue
            method = dec.func.attr
            path = self._str(dec.args[0]) if dec.args else self._str(_kw(dec, "path"))
            if path is None:
                continue
            if method in HTTP_METHODS:
                obj.routes.append((method.upper(), path, dec.lineno, dec.col_offset + 1))
            elif method == "api_route":
                for m in self._methods(_kw(dec, "methods")):
                    obj.routes.append((m, path, dec.lineno, dec.col_offset + 1))

    def _methods(self, node: ast.AST | None) -> list[str]:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [s.upper() for s in (self._str(e) for e in node.elts) if s]
        return ["GET"]

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            obj = self._lookup(node.func.value.id)
            attr = node.func.attr
            included = (node.args[0] if node.args else _kw(node, "router")) if attr == "include_router" else None
            if obj is not None and included is not None:  # `include_router(api_router)`, `(router=api_router)`
                obj.includes.append((self._ref(included), self._prefix(_kw(node, "prefix")), node.lineno))
            elif obj is not None and attr in ("mount", "host"):
                # `app.mount("/api/v1", api)`, `app.host("admin.example.com", admin_app)`: served by `obj`
                target = node.args[1] if len(node.args) > 1 else _kw(node, "app")
                ref = self._ref(target) if target is not None else None
                if ref is not None:
                    obj.mounts.append(ref)
            elif obj is not None and attr == "add_api_route" and (node.args or _kw(node, "path") is not None):
                path = self._str(node.args[0] if node.args else _kw(node, "path"))
                if path is not None:
                    for m in self._methods(_kw(node, "methods")):
                        obj.routes.append((m, path, node.lineno, node.col_offset + 1))
        self.generic_visit(node)

    def _ref(self, node: ast.AST) -> tuple[str, str] | None:
        """A reference to a router: (module, name) after resolving imports."""
        if isinstance(node, ast.Name):
            if self._lookup(node.id) is not None:
                return (self.info.name, self._lookup(node.id).name)
            if node.id in self.info.imports:
                mod, attr = self.info.imports[node.id]
                return (mod, attr) if attr else None
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            base = node.value.id
            if base in self.info.imports:
                mod, attr = self.info.imports[base]
                return (f"{mod}.{attr}" if attr else mod, node.attr)
        return None
