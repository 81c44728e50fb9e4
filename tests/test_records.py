"""dockyard.records: dataclass-like records without dataclasses' start-up cost; dockyard.regex: lazy patterns."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest

from dockyard.records import COMPILE_AFTER, FrozenInstanceError, field, record, replace
from dockyard.regex import lazy_compile


def _classes():
    """A record class and the dataclass it stands for, defined alike."""

    @record(frozen=True, slots=True)
    class Rec:
        name: str
        line: int = 1
        tags: list = field(default_factory=list)
        note: str = field(default="", compare=False, repr=False)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Data:
        name: str
        line: int = 1
        tags: list = dataclasses.field(default_factory=list)
        note: str = dataclasses.field(default="", compare=False, repr=False)

    return Rec, Data


CALLS = [(("a",), {}), (("a", 2), {}), (("a",), {"line": 3}), ((), {"name": "b", "tags": [1]}),
         (("a", 2, [3], "n"), {})]
BAD_CALLS = [((), {}), (("a", 1, [], "", 5), {}), (("a",), {"name": "b"}), (("a",), {"colour": 1})]


@pytest.mark.parametrize("compiled", [False, True], ids=["generic-init", "compiled-init"])
def test_a_record_binds_arguments_compares_hashes_and_prints_as_a_dataclass(compiled):
    Rec, Data = _classes()
    if compiled:
        for _ in range(COMPILE_AFTER + 1):
            Rec("warm-up")
        assert Rec.__init__.__qualname__.endswith("Rec.__init__") and "generic" not in vars(Rec.__eq__)
    for args, kwargs in CALLS:
        r, d = Rec(*args, **kwargs), Data(*args, **kwargs)
        assert [getattr(r, f) for f in ("name", "line", "tags", "note")] == \
            [getattr(d, f) for f in ("name", "line", "tags", "note")]
        assert repr(r).replace("Rec", "X") == repr(d).replace("Data", "X")
        assert r == Rec(*args, **kwargs) and r != d
    assert Rec("a", note="x") == Rec("a", note="y")  # compare=False
    assert Rec("a", tags=[1]) != Rec("a", tags=[2])
    assert Rec("a").tags is not Rec("a").tags  # a fresh default per instance
    for args, kwargs in BAD_CALLS:
        with pytest.raises(TypeError):
            Data(*args, **kwargs)
        with pytest.raises(TypeError):
            Rec(*args, **kwargs)


def test_a_frozen_record_refuses_assignment_hashes_by_value_and_copies():
    @record(frozen=True, slots=True)
    class Point:
        line: int
        column: int = 1

    p = Point(2, 3)
    with pytest.raises(FrozenInstanceError):
        p.line = 4
    with pytest.raises(AttributeError):
        del p.line
    assert hash(p) == hash(Point(2, 3)) and {p: 1}[Point(2, 3)] == 1
    assert not hasattr(p, "__dict__") and Point.__slots__ == ("line", "column")
    assert copy.copy(p) == p and copy.deepcopy(p) == p
    assert replace(p, column=9) == Point(2, 9) and p == Point(2, 3)
    assert Point.__match_args__ == ("line", "column")


def test_a_mutable_record_is_unhashable_and_post_init_runs():
    @record
    class Counter:
        counts: dict = field(default_factory=dict)
        total: int = 0

        def __post_init__(self):
            self.total = sum(self.counts.values())

    c = Counter({"a": 2, "b": 3})
    assert c.total == 5 and Counter().total == 0
    c.total = 7
    assert c.total == 7
    with pytest.raises(TypeError):
        hash(c)
    assert replace(c, counts={"x": 1}).total == 1


def test_an_eq_false_record_compares_by_identity():
    @record(eq=False)
    class Handle:
        path: str

    h = Handle("a")
    assert h != Handle("a") and h == h and hash(h) == object.__hash__(h)


def test_a_field_without_default_after_one_with_default_is_refused():
    with pytest.raises(TypeError, match="non-default field 'b'"):
        @record
        class Bad:
            a: int = 0
            b: int


def test_a_lazy_pattern_compiles_on_first_use_and_behaves_as_the_compiled_one():
    pattern = lazy_compile(r"(?P<key>[a-z]+)=(\d+)", re.IGNORECASE)
    assert "_compiled" not in vars(pattern)
    real = re.compile(r"(?P<key>[a-z]+)=(\d+)", re.IGNORECASE)
    text = "A=1 b=22 c=x"
    assert pattern.match(text).group("key") == real.match(text).group("key") == "A"
    assert "_compiled" in vars(pattern)
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert pattern.sub("#", text) == real.sub("#", text)
    assert pattern.pattern == real.pattern and pattern.flags == real.flags and pattern.compiled is real
