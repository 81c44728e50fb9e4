"""Record classes without the start-up cost of :mod:`dataclasses`.

``@record`` turns a class of annotated fields into a plain class with ``__init__``, ``__repr__``, ``__eq__``
and (when frozen) ``__hash__``, like ``@dataclass`` with the options dockyard uses: ``frozen``, ``slots``,
``eq``, defaults, ``field(default_factory=..., repr=False, compare=False, hash=False)`` and
``__post_init__``; :func:`replace` is ``dataclasses.replace``. Importing ``dataclasses`` pulls in ``inspect``,
``ast`` and ``dis``, and each ``@dataclass`` compiles five functions and computes a signature: about 1 ms a
class, and a cold ``dockyard check`` defines some seventy. A ``@record`` compiles nothing when it is defined:
equality and hashing compare ``operator.attrgetter`` tuples, as fast as the generated methods, and
``__init__`` is compiled (the same code ``dataclass`` writes) only once a class has made a few instances
(see :func:`_lazy_init`).

Inheritance between records, ``order``, ``ClassVar`` and ``InitVar`` are not supported (nothing uses them).
"""

from __future__ import annotations

from operator import attrgetter

_MISSING = object()
_FACTORY = object()  # the default of an argument whose field has a default_factory


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class field:  # noqa: N801 - spelled like dataclasses.field, which it stands for
    """A field's options: ``x: list = field(default_factory=list)``."""

    __slots__ = ("default", "default_factory", "repr", "compare", "hash")

    def __init__(self, *, default=_MISSING, default_factory=_MISSING, repr: bool = True, compare: bool = True,
                 hash: bool | None = None) -> None:
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare
        self.hash = compare if hash is None else hash


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self):
    return [getattr(self, name) for name in self.__record_fields__]


def _setstate(self, state):
    for name, value in zip(self.__record_fields__, state):
        object.__setattr__(self, name, value)


def record(cls=None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True):
    """``@record`` / ``@record(frozen=True, slots=True)``: see the module's documentation."""
    if cls is None:
        return lambda c: _build(c, frozen, slots, eq)
    return _build(cls, frozen, slots, eq)


def _build(cls, frozen: bool, slots: bool, eq: bool):
    body = cls.__dict__
    specs: dict[str, field] = {}
    for name in body.get("__annotations__", {}):
        value = body.get(name, _MISSING)
        specs[name] = value if isinstance(value, field) else field(default=value)
    seen_default = False
    for name, spec in specs.items():
        if spec.default is not _MISSING or spec.default_factory is not _MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a field with a default")

    attrs: dict = {"__record_fields__": tuple(specs), "__match_args__": tuple(specs)}
    if "__init__" not in body:
        attrs["__init__"] = _lazy_init(specs, frozen, "__post_init__" in body)
    if "__repr__" not in body:
        attrs["__repr__"] = _repr([n for n, s in specs.items() if s.repr])
    if eq and "__eq__" not in body:
        attrs["__eq__"] = _eq(_key([n for n, s in specs.items() if s.compare]))
    explicit_hash = "__hash__" in body and not (body["__hash__"] is None and "__eq__" in body)
    if not explicit_hash:
        if eq and frozen:
            attrs["__hash__"] = _hash(_key([n for n, s in specs.items() if s.hash]))
        elif eq:
            attrs["__hash__"] = None  # mutable and compared by value: not hashable, as with dataclasses
    if frozen:
        attrs["__setattr__"] = _frozen_setattr
        attrs["__delattr__"] = _frozen_delattr

    if slots:
        namespace = {k: v for k, v in body.items() if k not in specs and k not in ("__dict__", "__weakref__")}
        namespace.update(attrs)
        namespace["__slots__"] = tuple(specs)
        namespace["__qualname__"] = cls.__qualname__
        if frozen:
            namespace["__getstate__"] = _getstate
            namespace["__setstate__"] = _setstate
        return type(cls)(cls.__name__, cls.__bases__, namespace)
    for name, spec in specs.items():
        if spec.default is not _MISSING:
            setattr(cls, name, spec.default)  # a class-level default, as dataclasses leaves it
        elif name in body:
            delattr(cls, name)
    for name, value in attrs.items():
        setattr(cls, name, value)
    return cls


def _key(names: list[str]):
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return attrgetter(*names)


def _repr(names: list[str]):
    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _eq(key):
    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    __eq__.generic = True  # replaced by a compiled one with the compiled __init__ (see _lazy_init)
    return __eq__


def _compile_eq(names: list[str]):
    mine = "(" + "".join(f"self.{n}," for n in names) + ")"
    src = (f"def __eq__(self, other):\n  if other.__class__ is self.__class__:\n"
           f"    return {mine} == {mine.replace('self.', 'other.')}\n  return NotImplemented")
    env: dict = {}
    exec(src, env)  # noqa: S102 - built from the class's own field names
    return env["__eq__"]


def _hash(key):
    def __hash__(self):
        return hash(key(self))

    return __hash__


# instances a record class makes through the generic ``__init__`` before its own is compiled. Compiling the two
# methods costs about 150 microseconds warm and 350 cold; a generic call about 1.4 microseconds more than a compiled
# one: compiling pays for itself after a few hundred instances. (At 16, a check of a ten-line Dockerfile compiled
# ten classes, a twentieth of its run.)
COMPILE_AFTER = 256


def _lazy_init(specs: dict[str, field], frozen: bool, post_init: bool):
    """An ``__init__`` that binds arguments generically for a class's first few instances, then compiles the
    class's own (what ``dataclass`` writes) and puts it on the class. Compiling costs about as much as a few
    hundred generic calls: a cold run, which makes most record classes a handful of times, compiles none of
    them, and a long run gets the compiled ``__init__`` for the classes it makes many of."""
    names = tuple(specs)
    setter = object.__setattr__ if frozen else setattr
    made = 0

    def __init__(self, *args, **kwargs):
        nonlocal made
        made += 1
        if made > COMPILE_AFTER:
            cls = self.__class__
            real = _compile_init(specs, frozen, post_init)
            real.__qualname__ = f"{cls.__qualname__}.__init__"
            type.__setattr__(cls, "__init__", real)
            if getattr(cls.__dict__.get("__eq__"), "generic", False):  # a class made often is compared often
                eq = _compile_eq([n for n, s in specs.items() if s.compare])
                eq.__qualname__ = f"{cls.__qualname__}.__eq__"
                type.__setattr__(cls, "__eq__", eq)
            real(self, *args, **kwargs)
            return
        if len(args) > len(names):
            raise TypeError(f"__init__() takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in specs:
                raise TypeError(f"__init__() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"__init__() got multiple values for argument {key!r}")
            values[key] = value
        for name in names:
            if name in values:
                value = values[name]
            elif specs[name].default_factory is not _MISSING:
                value = specs[name].default_factory()
            elif specs[name].default is not _MISSING:
                value = specs[name].default
            else:
                raise TypeError(f"__init__() missing 1 required positional argument: {name!r}")
            setter(self, name, value)
        if post_init:
            self.__post_init__()

    return __init__


def _compile_init(specs: dict[str, field], frozen: bool, post_init: bool):
    env: dict = {"_FACTORY": _FACTORY, "_osa": object.__setattr__}
    params, lines = [], []
    for name, spec in specs.items():
        if spec.default_factory is not _MISSING:
            env[f"_f_{name}"] = spec.default_factory
            params.append(f"{name}=_FACTORY")
            value = f"_f_{name}() if {name} is _FACTORY else {name}"
        elif spec.default is not _MISSING:
            env[f"_d_{name}"] = spec.default
            params.append(f"{name}=_d_{name}")
            value = name
        else:
            params.append(name)
            value = name
        lines.append(f"  _osa(self, {name!r}, {value})" if frozen else f"  self.{name} = {value}")
    if post_init:
        lines.append("  self.__post_init__()")
    src = "\n".join([f"def __init__(self, {', '.join(params)}):", *(lines or ["  pass"])])
    exec(src, env)  # noqa: S102 - built above from the class's own field names
    return env["__init__"]


def replace(obj, /, **changes):
    """A copy of the record ``obj`` with some fields changed (``dataclasses.replace``)."""
    for name in obj.__record_fields__:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return obj.__class__(**changes)
