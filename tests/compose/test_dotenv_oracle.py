"""Differential test: dockyard's dotenv parser against ``docker compose config``.

Each generated env file becomes one service's ``env_file``; compose renders the loaded variables into the
service's ``environment``. Many files share one binary run; files dockyard predicts to fail are checked
one by one for the same message.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compose import _oracle

from dockyard.parsers.dotenv import parse_env  # noqa: E402


SHELL = {"SH": "from-shell", "SE": ""}
KEYS = st.sampled_from(["A", "B", "a_b", "K.1", "K-2", "SH", "SE", "X[0]", "export", "exporter", "1N"])
VALUE_CHARS = "ab #'\"\\$=:{}-?nt0"
VALUES = st.one_of(
    st.text(alphabet=VALUE_CHARS, max_size=8),
    st.sampled_from(["${A}", "$B", "${SH:-d}", "${NOPE-x}", "${A:+r}", "\\n", "\\$A", "\\0101", "$$A",
                     "${SH}", "${SE:-e}", "'q'", '"q"', "#c", " #c", "\\\"", "${", "${A:?m}"]),
)
SEP = st.sampled_from(["=", " = ", ":", "= ", "=  "])
LINE = st.one_of(
    st.tuples(st.sampled_from(["", "export ", "  "]), KEYS, SEP, VALUES).map("".join),
    st.tuples(KEYS, SEP, st.sampled_from(["'", '"']), st.text(alphabet="ab $\\\n#'\"", max_size=6),
              st.sampled_from(["'", '"', ""]), st.sampled_from(["", " # c", "x"])).map("".join),
    st.sampled_from(["# comment", "", "   ", "SH", "NOPE", "A", "\t", "A B=1", "A*=1"]),
)
FILES = st.tuples(st.lists(LINE, max_size=6), st.sampled_from(["\n", "\r\n"]), st.booleans()).map(
    lambda t: t[1].join(t[0]) + ("\n" if t[2] else ""))


def _collect(n: int) -> list[str]:
    out: list[str] = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(FILES)
    def gen(text: str) -> None:
        out.append(text)

    gen()
    return out


def _project(d: Path, texts: list[str], offset: int = 0) -> None:
    lines = ["services:"]
    for i, text in enumerate(texts):
        name = f"e{offset + i}"
        Path(d, name).write_bytes(text.encode())
        lines += [f"  s{offset + i}:", "    image: busybox", f"    env_file: [{name}]"]
    Path(d, "compose.yaml").write_text("\n".join(lines) + "\n")


def _single(args):
    i, text = args
    with tempfile.TemporaryDirectory() as d:
        _project(Path(d), [text], i)
        return _oracle.run_config(Path(d), env=SHELL)


def _expected(result) -> dict:
    return {k: v.replace("$", "$$") for k, v in result.as_dict().items()}


def _got(data, i):
    env = data["services"][f"s{i}"].get("environment") or {}
    return {k: ("" if v is None else v) for k, v in env.items()}


def test_dotenv_agrees_with_compose():
    texts = _collect(1000)
    results = [parse_env(t, SHELL.get) for t in texts]
    agree = 0
    failures = []
    ok_idx = [i for i, r in enumerate(results) if r.ok]
    err_idx = [i for i, r in enumerate(results) if not r.ok]
    with tempfile.TemporaryDirectory() as d:
        lines = ["services:"]
        for i in ok_idx:
            Path(d, f"e{i}").write_bytes(texts[i].encode())
            lines += [f"  s{i}:", "    image: busybox", f"    env_file: [e{i}]"]
        Path(d, "compose.yaml").write_text("\n".join(lines) + "\n")
        rc, data, err = _oracle.run_config(Path(d), env=SHELL)
    if rc == 0:
        for i in ok_idx:
            if _got(data, i) == _expected(results[i]):
                agree += 1
            else:
                failures.append((texts[i], _expected(results[i]), _got(data, i)))
    else:
        with ThreadPoolExecutor(8) as pool:
            singles = list(pool.map(_single, [(i, texts[i]) for i in ok_idx]))
        for i, (rc1, data1, err1) in zip(ok_idx, singles):
            if rc1 == 0 and _got(data1, i) == _expected(results[i]):
                agree += 1
            else:
                failures.append((texts[i], _expected(results[i]), err1[-200:] if rc1 else _got(data1, i)))
    with ThreadPoolExecutor(8) as pool:
        singles = list(pool.map(_single, [(i, texts[i]) for i in err_idx]))
    for i, (rc1, data1, err1) in zip(err_idx, singles):
        # the oracle's output is read in text mode (universal newlines)
        message = results[i].errors[0].message.replace("\r\n", "\n").replace("\r", "\n")
        if rc1 != 0 and message in err1:
            agree += 1
        else:
            failures.append((texts[i], message, err1[-300:] if rc1 else _got(data1, i)))
    print(f"dotenv: {agree} agree, {len(failures)} disagree ({len(ok_idx)} files ok, {len(err_idx)} errors)")
    assert not failures, failures[:8]
