"""Safe YAML loading that keeps positions, with compose's flavour of YAML.

``load_yaml(text) -> YamlDocument(root, errors, documents)``; never raises.

* Mappings become :class:`YMap` (a ``dict``), sequences :class:`YSeq` (a ``list``), scalars plain Python
  values (``str``, ``int``, ``float``, ``bool``, ``None``). Positions live in the containers:
  ``m.key_pos(k)``, ``m.value_pos(k)``, ``s.item_pos(i)``, and ``.pos`` for the container itself; the root's
  position is ``doc.root_pos``. All positions are :class:`dockyard.model.Position` (1-based, end exclusive).
* Plain scalars resolve as go-yaml v3 (what compose uses) resolves them, i.e. YAML 1.2-style: ``yes``/``on``
  stay strings, ``0777`` / ``0o777`` / ``0x1F`` / ``1_000`` are ints, ``~``/``null``/empty are null.
* Merge keys ``<<`` (a mapping or a list of mappings) are applied; explicit keys win.
* Explicit tags on scalars are honoured as go-yaml honours them: ``!!str 0123`` is the string ``"0123"``,
  ``!!int "0x1F"`` the int 31, ``!!float 1`` a float, ``!!bool "true"``/``!!null ""`` a bool/None, ``!!binary`` the
  decoded base64 text; a value its tag cannot hold (``!!int 1.5``, ``!!bool yes``) is an error, as is a
  ``!!timestamp`` (compose accepts no timestamp). Any other tag leaves the text as written, a string. Tags on
  mappings and sequences are ignored.
* Compose's tags ``!reset`` and ``!override`` are kept: ``m.tag(k)`` returns ``"!reset"``/``"!override"``
  (or ``None``); ``YMap.tags`` maps keys to tags. ``!reset`` values are kept as written (merge decides).
* Several documents (``---``) are all parsed: ``documents`` holds each one's value, ``positions`` where each
  starts; ``root`` is the first. As in go-yaml, an anchor stays defined for the documents after it, and a later
  anchor of the same name replaces it. :meth:`YamlDocument.split` gives one document per view.
* A parsed tree may be shared (a run parses each file once); who changes one works on :func:`copy_tree`.
* Alias expansion is bounded (``MAX_ALIAS_NODES``): a "billion laughs" document is an error value.
* Duplicate keys are errors (compose rejects them), as are syntax errors, tabs in indentation, undefined
  aliases, non-UTF-8 input (via :func:`load_yaml_bytes`), excessive nesting.
"""

from __future__ import annotations

from dockyard import TYPE_CHECKING
from dockyard.lines import utf8_error
from dockyard.model import Position
from dockyard.records import field, record
from dockyard.regex import lazy_compile, noting

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 500

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_FLOAT = lazy_compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT = lazy_compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_SPECIAL_FLOATS = {".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
                   ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
                   "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
                   "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf")}

COMPOSE_TAGS = ("!reset", "!override")


@record(frozen=True, slots=True)
class YamlError:
    message: str
    position: Position = field(default_factory=Position.whole_file)
    kind: str = "syntax"  # syntax | duplicate-key | alias-bomb | encoding | depth | tag

    def __str__(self) -> str:
        return f"{self.position.line}:{self.position.column}: {self.message}"


class YMap(dict):
    """A mapping that remembers where each key and value was written."""

    __slots__ = ("pos", "_kpos", "_vpos", "tags", "anchor")

    def __init__(self, pos: Position | None = None) -> None:
        super().__init__()
        self.pos = pos or Position()
        self._kpos: dict[Any, Position] = {}
        self._vpos: dict[Any, Position] = {}
        self.tags: dict[Any, str] = {}
        self.anchor: str | None = None

    def key_pos(self, key: Any) -> Position | None:
        return self._kpos.get(key)

    def value_pos(self, key: Any) -> Position | None:
        return self._vpos.get(key)

    def tag(self, key: Any) -> str | None:
        return self.tags.get(key)

    def _set(self, key: Any, value: Any, kpos: Position, vpos: Position, tag: str | None) -> None:
        self[key] = value
        self._kpos[key] = kpos
        self._vpos[key] = vpos
        if tag:
            self.tags[key] = tag


class YSeq(list):
    """A sequence that remembers where each item was written."""

    __slots__ = ("pos", "_ipos", "item_tags")

    def __init__(self, pos: Position | None = None) -> None:
        super().__init__()
        self.pos = pos or Position()
        self._ipos: list[Position] = []
        self.item_tags: dict[int, str] = {}

    def item_pos(self, index: int) -> Position | None:
        try:
            return self._ipos[index]
        except IndexError:
            return None


@record(slots=True)
class YamlDocument:
    root: Any
    errors: tuple[YamlError, ...] = ()
    documents: tuple[Any, ...] = ()
    root_pos: Position = field(default_factory=Position.whole_file)
    root_tag: str | None = None
    positions: tuple[Position, ...] = ()  # where each document's value starts
    index: int = 0  # in a view from split(): which document of the file this is, of how many
    count: int = 1

    @property
    def ok(self) -> bool:
        return not self.errors

    def split(self) -> tuple["YamlDocument", ...]:
        """One view per document of the file (the file's errors in each): itself when it has at most one."""
        if len(self.documents) <= 1:
            return (self,)
        n = len(self.documents)
        return tuple(YamlDocument(d, self.errors, (d,), pos, None, (pos,), i, n)
                     for i, (d, pos) in enumerate(zip(self.documents, self.positions)))


def to_plain(value: Any) -> Any:
    """Deep copy into plain ``dict``/``list``/scalars (positions dropped)."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def copy_tree(value: Any) -> Any:
    """Deep copy of a parsed tree that keeps positions and tags: a consumer that changes a tree in place works on
    its own copy, and the parse stays shared (a tree holds no container twice: aliases are built anew)."""
    if isinstance(value, YMap):
        m = YMap(value.pos)
        for k, v in value.items():
            dict.__setitem__(m, k, copy_tree(v))
        m._kpos, m._vpos, m.tags, m.anchor = dict(value._kpos), dict(value._vpos), dict(value.tags), value.anchor
        return m
    if isinstance(value, YSeq):
        s = YSeq(value.pos)
        list.extend(s, [copy_tree(v) for v in value])
        s._ipos, s.item_tags = list(value._ipos), dict(value.item_tags)
        return s
    return value


def resolve_plain(text: str) -> Any:
    """go-yaml v3's resolution of an untagged plain scalar."""
    if text in _NULLS:
        return None
    c = text[0]
    if c in "tTfF":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return text
    if c in "0123456789+-.":
        if c == "." or c in "+-" and len(text) > 1 and text[1] == ".":
            sp = _SPECIAL_FLOATS.get(text)
            if sp is not None:
                return sp
        plain = text.replace("_", "")
        if _GO_INT.match(plain):
            return _go_int(plain)
        if _FLOAT.match(plain):
            try:
                return float(plain)
            except ValueError:
                return text
    elif c == "<" and text == "<<":
        return text
    return text


def _go_int(plain: str) -> int | str:
    sign = 1
    body = plain
    if body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    low = body.lower()
    if low.startswith("0x"):
        v = int(body[2:], 16)
    elif low.startswith("0o"):
        v = int(body[2:], 8)
    elif low.startswith("0b"):
        v = int(body[2:], 2)
    elif len(body) > 1 and body[0] == "0":
        v = int(body[1:], 8)
    else:
        v = int(body)
    v *= sign
    if v < -(2**63) or v >= 2**64:
        return plain
    return v


def _pos(node: Any) -> Position:
    s, e = node.start_mark, node.end_mark
    return Position(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _mark_pos(mark: Any) -> Position:
    if mark is None:
        return Position()
    return Position(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)


class _Budget(Exception):
    pass


class _Builder:
    def __init__(self) -> None:
        self.errors: list[YamlError] = []
        self.seen: set[int] = set()
        self.expanded = 0
        self.alias_depth = 0

    def build(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            self.errors.append(YamlError(f"nesting deeper than {MAX_DEPTH} levels", _pos(node), "depth"))
            raise _Budget
        nid = id(node)
        is_alias = nid in self.seen and node.id != "scalar"
        if is_alias or self.alias_depth:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                self.errors.append(YamlError(
                    f"alias expansion exceeds {MAX_ALIAS_NODES} nodes (possible 'billion laughs' document)",
                    _pos(node), "alias-bomb"))
                raise _Budget
        self.seen.add(nid)
        if is_alias:
            self.alias_depth += 1
        try:
            kind = node.id
            if kind == "scalar":
                return self.scalar(node)
            if kind == "sequence":
                seq = YSeq(_pos(node))
                for item in node.value:
                    seq.append(self.build(item, depth + 1))
                    seq._ipos.append(_pos(item))
                    if item.tag in COMPOSE_TAGS:
                        seq.item_tags[len(seq) - 1] = item.tag
                return seq
            return self.mapping(node, depth)
        finally:
            if is_alias:
                self.alias_depth -= 1

    def scalar(self, node: Any) -> Any:
        tag = node.tag
        value = node.value
        if tag == IMPLICIT:
            if node.style:  # quoted or block scalar: a string (plain is None or "" depending on the loader)
                return value
            return resolve_plain(value)
        if tag.startswith(_YAML_TAG):
            return self.explicit(tag[len(_YAML_TAG):], value, node)
        return value  # a tag go-yaml does not resolve (`!foo`, `!override`): the text as written

    def explicit(self, short: str, value: str, node: Any) -> Any:
        """A scalar with a ``!!`` tag, as go-yaml v3 decodes it: resolved as a plain scalar, then kept only when
        it is of the tag's type (an int is also a float)."""
        if short == "str":
            return value
        if short == "binary":
            import base64
            import binascii

            try:
                data = base64.b64decode("".join(value.split()), validate=True)
            except (binascii.Error, ValueError):
                self.errors.append(YamlError("!!binary value contains invalid base64 data", _pos(node), "tag"))
                return value
            return data.decode("utf-8", "replace")
        r = resolve_plain(value)
        kind = _tag_of(r)
        if short == "timestamp":
            if _TIMESTAMP.match(value):
                self.errors.append(YamlError(f"!!timestamp `{value}`: compose accepts no timestamp value "
                                             "(invalid jsonType time.Time); write it as a string", _pos(node), "tag"))
            else:
                self.errors.append(YamlError(f"cannot decode !!{kind} `{value}` as a !!timestamp", _pos(node),
                                             "tag"))
            return value
        if short not in ("int", "float", "bool", "null"):
            return value  # !!merge, !!value, !!map on a scalar...: the text, as go-yaml leaves it
        if kind == short:
            return r
        if short == "float" and kind == "int":
            return float(r)
        self.errors.append(YamlError(f"cannot decode !!{kind} `{value}` as a !!{short}", _pos(node), "tag"))
        return value

    def mapping(self, node: Any, depth: int) -> YMap:
        m = YMap(_pos(node))
        merges: list[Any] = []
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge" or (knode.id == "scalar" and knode.tag == IMPLICIT
                                                          and not knode.style and knode.value == "<<"):
                merges.append(vnode)
                continue
            if knode.id != "scalar":
                key: Any = to_plain(self.build(knode, depth + 1))
                try:
                    hash(key)
                except TypeError:
                    self.errors.append(YamlError("invalid map key: a mapping key must be a scalar", _pos(knode), "syntax"))
                    continue
            else:
                key = self.build(knode, depth + 1)
            if key in m:
                first = m.key_pos(key)
                where = f" (first defined at line {first.line})" if first else ""
                self.errors.append(YamlError(f"duplicate key {key!r}{where}", _pos(knode), "duplicate-key"))
                continue
            value = self.build(vnode, depth + 1)
            tag = vnode.tag if vnode.tag in COMPOSE_TAGS else None
            m._set(key, value, _pos(knode), _pos(vnode), tag)
        for mnode in merges:
            sources = mnode.value if mnode.id == "sequence" else [mnode]
            for src in sources:
                built = self.build(src, depth + 1)
                if not isinstance(built, YMap):
                    self.errors.append(YamlError("merge key '<<' needs a mapping or a list of mappings",
                                                 _pos(src), "syntax"))
                    continue
                for k, v in built.items():
                    if k not in m:
                        m._set(k, v, built.key_pos(k) or _pos(src), built.value_pos(k) or _pos(src),
                               built.tag(k))
        return m


# The tag a node gets when it has none: the loaders below resolve nothing themselves (see Builder.scalar), so an
# explicit `!!int` is told apart from a plain `5`.
IMPLICIT = "?"
_YAML_TAG = "tag:yaml.org,2002:"
# go-yaml's timestamp formats (2006-1-2, with a time after T, t or spaces, and a zone)
_TIMESTAMP = lazy_compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?"
                        r"(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$")


def _tag_of(value: Any) -> str:
    """The go-yaml tag of a resolved plain scalar (for its error messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


_LOADERS: dict[str, Any] = {}


# PyYAML's pure-Python reader compiles this class of non-printable characters when it is imported, and the
# huge ranges in its negated form (up to U+10FFFF) make that compile take about 4 ms, a tenth of a short run.
# The same set written as what it excludes compiles in a twentieth of that: placed in the `re` module's cache
# under PyYAML's pattern text before PyYAML is imported, it is what PyYAML's `re.compile` returns. A test holds
# the two patterns to the same matches on every code point, and PyYAML's reader to the pattern text.
YAML_NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"
YAML_NON_PRINTABLE_EXCLUDED = "[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]"
_NON_PRINTABLE_EXCLUDED = lazy_compile(YAML_NON_PRINTABLE_EXCLUDED)


def import_yaml() -> Any:
    """PyYAML, imported at the cost of its modules but not of compiling its reader's largest pattern."""
    import sys

    if "yaml" in sys.modules:
        return sys.modules["yaml"]
    import re

    cache = getattr(re, "_cache", None)
    key = (str, YAML_NON_PRINTABLE, 0)
    if isinstance(cache, dict) and key not in cache:
        cache[key] = _NON_PRINTABLE_EXCLUDED.compiled
    import importlib

    return noting(importlib.import_module, "yaml")


def _loader_class(go_anchors: bool = False) -> Any:
    """A safe loader that leaves untagged nodes to :class:`_Builder` (C when available). With ``go_anchors``, the
    pure-Python composer keeps anchors across documents and lets a later anchor replace one of the same name, as
    go-yaml does (used only when the first parse stops on an undefined alias or a duplicate anchor)."""
    key = "go" if go_anchors else "c"
    if key in _LOADERS:
        return _LOADERS[key]
    yaml = import_yaml()

    def resolve(self, _kind, _value, _implicit):
        return IMPLICIT

    if not go_anchors:
        cls = type("_Loader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {"resolve": resolve})
    else:
        from yaml.events import AliasEvent

        def compose_document(self):
            self.get_event()  # DocumentStart
            node = self.compose_node(None, None)
            self.get_event()  # DocumentEnd
            return node  # anchors stay defined for the next documents

        def compose_node(self, parent, index):
            if not self.check_event(AliasEvent):
                anchor = self.peek_event().anchor
                if anchor is not None:
                    self.anchors.pop(anchor, None)  # a later anchor of the same name replaces the earlier one
            return yaml.SafeLoader.compose_node(self, parent, index)

        cls = type("_GoLoader", (yaml.SafeLoader,), {"resolve": resolve, "compose_document": compose_document,
                                                      "compose_node": compose_node})
    _LOADERS[key] = cls
    return cls


def load_yaml(text: str) -> YamlDocument:
    """Parse every document of ``text``. ``root`` is the first document's value (``None`` if empty)."""
    doc = _load(text, go_anchors=False)
    if any(e.kind == "syntax" and e.message.startswith(_ANCHOR_ERRORS) for e in doc.errors):
        return _load(text, go_anchors=True)  # go-yaml keeps anchors across documents and lets them be redefined
    return doc


_ANCHOR_ERRORS = ("found undefined alias", "found duplicate anchor")


def _load(text: str, go_anchors: bool) -> YamlDocument:
    yaml = import_yaml()

    errors: list[YamlError] = []
    roots: list[Any] = []
    positions: list[Position] = []
    root_pos = Position.whole_file()
    root_tag = None
    loader = _loader_class(go_anchors)(text)
    try:
        builder = _Builder()
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                if not roots:
                    root_pos = _pos(node)
                    root_tag = node.tag if node.tag in COMPOSE_TAGS else None
                positions.append(_pos(node))
                try:
                    roots.append(builder.build(node))
                except _Budget:
                    roots.append(None)
                    break
                except RecursionError:
                    errors.append(YamlError("document nested too deeply", _pos(node), "depth"))
                    roots.append(None)
                    break
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            # "while parsing a flow node: did not find expected node content"
            msg = ": ".join(x for x in (e.context, e.problem) if x) or "invalid YAML"
            if mark is not None and _tab_at(text, mark.line):
                msg = "tab character used for indentation (YAML allows only spaces): " + msg
            errors.append(YamlError(msg, _mark_pos(mark), "syntax"))
        except yaml.YAMLError as e:
            errors.append(YamlError(str(e) or "invalid YAML", Position(), "syntax"))
        except RecursionError:
            errors.append(YamlError("document nested too deeply", Position(), "depth"))
        errors.extend(builder.errors)
    finally:
        try:
            loader.dispose()
        except Exception:  # pragma: no cover - C loader cleanup
            pass
    errors = _dedupe(errors)
    return YamlDocument(roots[0] if roots else None, tuple(errors), tuple(roots), root_pos, root_tag,
                        tuple(positions[:len(roots)]))


def _tab_at(text: str, line0: int) -> bool:
    lines = text.split("\n", line0 + 1)
    if line0 >= len(lines):
        return False
    row = lines[line0]
    return "\t" in row[: len(row) - len(row.lstrip(" \t"))]


def _dedupe(errors: list[YamlError]) -> list[YamlError]:
    out: list[YamlError] = []
    seen: set[tuple[int, str]] = set()
    for e in errors:
        k = (e.position.line, e.kind)
        if k in seen and e.kind == "syntax":
            continue
        seen.add(k)
        out.append(e)
    return out


def load_yaml_bytes(data: bytes) -> YamlDocument:
    """Decode (UTF-8, BOM allowed; UTF-16 with BOM) and parse; undecodable or binary data is an error."""
    text = yaml_text(data)
    return load_yaml(text) if isinstance(text, str) else text


def yaml_text(data: bytes) -> str | YamlDocument:
    """The text :func:`load_yaml_bytes` parses, or the document of its error when ``data`` does not decode."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        return YamlDocument(None, (YamlError("file looks binary (NUL bytes)", Position(), "encoding"),))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        message, line, col = utf8_error(data, e)
        return YamlDocument(None, (YamlError(message, Position(line, col), "encoding"),))
