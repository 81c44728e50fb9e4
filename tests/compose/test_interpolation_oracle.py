"""Differential test: dockyard's interpolation against ``docker compose config``.

Hypothesis generates templates and environments; they are batched into one compose file (one label per
case, variables renamed per case so every case has its own environment) so that thousands of cases take a
handful of binary runs. Cases dockyard predicts to fail are checked one by one (in parallel) for the same
error message.
"""

from __future__ import annotations

import json
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compose import _oracle

from dockyard.parsers.interpolation import InterpolationError, substitute  # noqa: E402


NAMES = ["VA", "VB", "VC", "VD"]
OPS = ["", ":-", "-", ":?", "?", ":+", "+"]
LITERAL = st.text(alphabet="ab /:-+?{}._=#x1", max_size=4)


def _template(depth: int):
    leaf = st.one_of(
        LITERAL,
        st.sampled_from(["$$", "$", "${", "}", "${}", "${1}", "$1", "${VA", "$VA", "${VB}", "$-", "{", "$$VA"]),
        st.sampled_from(NAMES).map(lambda n: "$" + n),
        st.sampled_from(NAMES).map(lambda n: "${" + n + "}"),
    )
    if depth <= 0:
        return st.lists(leaf, max_size=4).map("".join)

    def braced(args):
        name, op, inner = args
        if not op:
            return "${" + name + "}"
        return "${" + name + op + inner + "}"

    node = st.tuples(st.sampled_from(NAMES), st.sampled_from(OPS), _template(depth - 1)).map(braced)
    return st.lists(st.one_of(leaf, node, node), min_size=1, max_size=4).map("".join)


TEMPLATES = _template(2)
VALUE = st.one_of(st.none(), st.just(""), st.text(alphabet="xy$ {}-", max_size=5))
ENVS = st.fixed_dictionaries({n: VALUE for n in NAMES})

_NAME_RE = re.compile(r"V[ABCD]")


def _rename(template: str, i: int) -> str:
    return _NAME_RE.sub(lambda m: f"{m.group(0)}_{i}_", template)


def _collect(n: int) -> list[tuple[str, dict]]:
    cases: list[tuple[str, dict]] = []

    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(TEMPLATES, ENVS)
    def gen(template: str, env: dict) -> None:
        cases.append((template, env))

    gen()
    return cases


def _compose_file(labels: dict[str, str]) -> str:
    lines = ["services:", "  a:", "    image: busybox", "    labels:"]
    for k, v in labels.items():
        lines.append(f"      {k}: {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def _prepare(cases):
    """Per-case renamed template, merged environment, dockyard's predictions."""
    env: dict[str, str] = {}
    prepared = []
    for i, (template, case_env) in enumerate(cases):
        t = _rename(template, i)
        lookup_env = {}
        for n, v in case_env.items():
            if v is not None:
                env[f"{n}_{i}_"] = v
                lookup_env[f"{n}_{i}_"] = v
        try:
            predicted = ("ok", substitute(t, lookup_env.get))
        except InterpolationError as e:
            predicted = ("error", e.compose_message(f"services.a.labels.l{i}"))
        prepared.append((f"l{i}", t, predicted))
    return prepared, env


def _run_single(args):
    key, template, env = args
    with tempfile.TemporaryDirectory() as d:
        Path(d, "compose.yaml").write_text(_compose_file({key: template}))
        return _oracle.run_config(Path(d), env=env)


def _check(prepared, env, batch_size=500):
    agree = disagree = 0
    failures = []
    ok_cases = [p for p in prepared if p[2][0] == "ok"]
    err_cases = [p for p in prepared if p[2][0] == "error"]
    for start in range(0, len(ok_cases), batch_size):
        batch = ok_cases[start:start + batch_size]
        with tempfile.TemporaryDirectory() as d:
            Path(d, "compose.yaml").write_text(_compose_file({k: t for k, t, _ in batch}))
            rc, data, err = _oracle.run_config(Path(d), env=env)
        if rc != 0:
            # find the culprit(s) one by one
            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(_run_single, [(k, t, env) for k, t, _ in batch]))
            for (k, t, pred), (rc1, data1, err1) in zip(batch, results):
                if rc1 == 0 and data1["services"]["a"]["labels"][k] == pred[1].replace("$", "$$"):
                    agree += 1
                else:
                    disagree += 1
                    failures.append((t, pred, rc1, err1.strip()[-300:]))
            continue
        labels = data["services"]["a"].get("labels", {})
        for k, t, pred in batch:
            if labels.get(k) == pred[1].replace("$", "$$"):
                agree += 1
            else:
                disagree += 1
                failures.append((t, pred, labels.get(k)))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(_run_single, [(k, t, env) for k, t, _ in err_cases]))
    for (k, t, pred), (rc, data, err) in zip(err_cases, results):
        if rc != 0 and pred[1] in err:
            agree += 1
        else:
            disagree += 1
            failures.append((t, pred, rc, err.strip()[-300:] if rc else data["services"]["a"]["labels"][k]))
    return agree, disagree, failures, len(ok_cases), len(err_cases)


def test_interpolation_agrees_with_compose(record_property):
    cases = _collect(2000)
    prepared, env = _prepare(cases)
    agree, disagree, failures, n_ok, n_err = _check(prepared, env)
    record_property("interpolation_agree", agree)
    print(f"interpolation: {agree} agree, {disagree} disagree ({n_ok} values, {n_err} errors)")
    assert not failures, failures[:10]
    assert agree >= 2000


FIXED = [
    ("${A:-${B:?x}}", {"A": "set"}),
    ("${A:-{x}", {"A": "set"}),
    ("${A:-x}}", {"A": "set"}),
    ("x${A:-a}b${B:-c}d", {"A": "set"}),
    ("${A:-${B}", {"A": "set"}),
    ("${A+${B}}-${C:+z}", {"A": "", "C": ""}),
    ("$$A $ $1 ${A}", {"A": "v"}),
    ("${A?}", {}),
    ("${A:?must be set}", {"A": ""}),
]


@pytest.mark.parametrize("template,env", FIXED)
def test_fixed_cases(template, env):
    prepared, merged = _prepare([(template.replace("A", "VA").replace("B", "VB").replace("C", "VC"),
                                  {("V" + k): v for k, v in env.items()})])
    agree, disagree, failures, *_ = _check(prepared, merged)
    assert not failures, failures
