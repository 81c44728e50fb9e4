"""DF064 run-pipefail: exact findings, and agreement with hadolint's DL4006 on which RUNs are flagged."""

from __future__ import annotations

import json
import subprocess

import pytest

from dockyard.parsers.buildkit import parse_dockerfile
from tests.helpers import run_files, triples
from tests.init.conftest import HADOLINT

FROM = "FROM debian:bookworm-slim\n"
PIPE_SHELL = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'


def run(tmp_path, text):
    return run_files(tmp_path, {"Dockerfile": text}, select="DF064")


# ------------------------------------------------------------------------------------------ exact findings
def test_first_unprotected_pipe_of_each_run(tmp_path):
    text = (FROM + "RUN curl -fsSL https://example.org/install.sh | sh\n"
            "RUN set -eux; \\\n    tar -c . |& gzip > /x.tgz; \\\n    curl -fsSL https://example.org/k | apt-key add -\n"
            "RUN echo \"$(curl -fsSL https://example.org/v | sha256sum)\"\n")
    found = run(tmp_path, text)
    assert triples(found) == [("DF064", 2, 47), ("DF064", 4, 14), ("DF064", 6, 46)]
    assert [(f.position.end_line, f.position.end_column) for f in found] == [(2, 48), (4, 16), (6, 47)]
    # Debian's /bin/sh (dash) rejects `set -o pipefail`: the advice is a bash SHELL
    assert found[0].message == (
        "`curl` is piped (`|`) into `sh` without `pipefail`: if `curl` fails, the RUN still succeeds when `sh` "
        "does; add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN (`set -o pipefail` fails "
        "under Debian's /bin/sh, dash); or run the pipe in `bash -o pipefail -c '...'`")
    assert found[1].message.startswith("`tar` is piped (`|&`) into `gzip`")
    assert found[0].severity.label == "warning"


def test_advice_fits_the_shell_that_runs_the_pipe(tmp_path):
    # busybox ash (Alpine's /bin/sh) knows pipefail and Alpine has no bash; a bash SHELL takes `set -o pipefail`;
    # a long pipe's status is its last command's
    text = ("FROM alpine:3.20 AS a\nRUN wget -qO- https://example.org/k | tr -d '\\r' | xargs echo\n"
            "FROM debian:12-slim AS b\nSHELL [\"/bin/bash\", \"-c\"]\nRUN curl -fsSL https://example.org/x | tar -xz\n")
    found = run(tmp_path, text)
    assert triples(found) == [("DF064", 2, 37), ("DF064", 5, 38)]
    assert found[0].message == (
        "`wget` is piped (`|`) into `tr` without `pipefail`: if `wget` fails, the RUN still succeeds when `xargs`, "
        "the last command of the pipe, does; add `set -o pipefail` before the pipe, or "
        "`SHELL [\"/bin/ash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN")
    assert found[1].message.endswith("add `set -o pipefail` before the pipe, or add `-o pipefail` to the `SHELL`")


def test_pipefail_set_before_the_pipe_or_by_the_shell(tmp_path):
    text = (FROM + "RUN set -euxo pipefail; curl -fsSL https://example.org/x | tar -xz\n"
            "RUN set -o errexit -o pipefail && curl -fsSL https://example.org/x | tar -xz\n"
            "RUN <<EOF\nset -eo pipefail\ncurl -fsSL https://example.org/x | tar -xz\nEOF\n"
            + PIPE_SHELL + "RUN curl -fsSL https://example.org/x | tar -xz\n"
            "FROM debian:bookworm-slim AS base\n" + 'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]\n'
            "FROM base\nRUN wget -qO- https://example.org/x | tar -xz\n")
    assert run(tmp_path, text) == []


def test_set_after_the_pipe_or_switched_off_does_not_protect_it(tmp_path):
    text = (FROM + "RUN curl -fsSL https://example.org/x | tar -xz; set -o pipefail\n"
            "RUN set -o pipefail; set +o pipefail; curl -fsSL https://example.org/x | tar -xz\n"
            "RUN set -o pipefail\nRUN curl -fsSL https://example.org/x | tar -xz\n")
    assert triples(run(tmp_path, text)) == [("DF064", 2, 38), ("DF064", 3, 72), ("DF064", 5, 38)]


def test_a_pipe_from_a_command_that_cannot_fail_is_skipped(tmp_path):
    text = (FROM + "RUN set -eux; \\\n    echo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \\\n"
            "    printf '%s\\n' a b | sort; \\\n"
            "    dst=\"$(echo \"$src\" | tr -d 3)\"; \\\n"
            "    find /usr/local -type f -executable -exec ldd '{}' ';' \\\n        | awk '/=>/ { print $(NF-1) }'\n")
    found = run(tmp_path, text)
    assert triples(found) == [("DF064", 7, 9)]
    assert found[0].message.startswith("`find` is piped (`|`) into `awk`")


def test_cat_of_a_file_a_copy_put_in_the_image_is_skipped(tmp_path):
    # the key is in the image or the COPY failed: `cat` hides nothing; a file no COPY put there may be missing
    text = (FROM + "COPY nodesource.gpg.key /tmp/nodesource.gpg.key\nCOPY a.sh b.sh /opt/\n"
            "RUN cat /tmp/nodesource.gpg.key | gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg\n"
            "RUN cat /opt/a.sh /opt/b.sh | sh\n"
            "RUN cat /etc/ssl/extra.pem | tee -a /etc/ssl/certs/ca-certificates.crt\n")
    found = run(tmp_path, text)
    assert triples(found) == [("DF064", 6, 28)]
    assert found[0].message.startswith("`cat` is piped (`|`) into `tee`")


def test_exec_form_shell_script_points_at_the_keyword(tmp_path):
    text = FROM + 'RUN ["sh", "-c", "curl -fsSL https://example.org/x | sh"]\n'
    assert triples(run(tmp_path, text)) == [("DF064", 2, 1)]


# ------------------------------------------------------------------------------- against hadolint DL4006
# (name, Dockerfile, None when both flag the same RUN lines, or (hadolint's lines, ours, why we differ))
CASES = [
    ("pipe", FROM + "RUN curl -fsSL https://x | sh\n", None),
    ("no-pipe", FROM + "RUN apt-get update && apt-get install -y curl\n", None),
    ("or-is-not-a-pipe", FROM + "RUN test -f /x || touch /x\n", None),
    ("set-eux-is-not-pipefail", FROM + "RUN set -eux; curl https://x | tar -xz\n", None),
    ("set-pipefail-before-the-pipe", FROM + "RUN set -o pipefail && curl https://x | sh\n",
     # hadolint ignores `set -o pipefail` in the script; the checklist item accepts it
     ([2], [], "set in the script")),
    ("set-euxo-pipefail", FROM + "RUN set -euxo pipefail; \\\n    curl https://x | tar -xz\n",
     ([2], [], "set in the script")),
    ("set-in-previous-run-does-not-carry-over", FROM + "RUN set -o pipefail\nRUN curl https://x | sh\n", None),
    ("set-after-the-pipe", FROM + "RUN curl https://x | sh; set -o pipefail\n", None),
    ("pipe-in-command-substitution", FROM + "RUN echo \"$(curl https://x | sha256sum)\"\n", None),
    ("pipe-in-subshell", FROM + "RUN (curl https://x | sh)\n", None),
    ("pipe-in-if-condition", FROM + "RUN if dpkg -l | grep -q curl; then echo yes; fi\n", None),
    ("pipe-and-stderr", FROM + "RUN make 2>&1 |& tee /build.log\n", None),
    ("quoted-pipe", FROM + "RUN echo \"a | b\" 'c|d'\n", None),
    ("pipe-from-echo", FROM + "RUN echo \"$SHA256 *app.tar.xz\" | sha256sum -c -\n",
     # echo cannot fail: the pipeline's status is the checksum's, pipefail changes nothing
     ([2], [], "echo cannot fail")),
    ("pipe-from-echo-then-from-find", FROM + "RUN dst=\"$(echo \"$src\" | tr -d 3)\"; \\\n"
     "    find /usr/local -type f -exec ldd '{}' ';' | awk '/=>/ { print $(NF-1) }' | sort -u\n", None),
    ("pipe-in-bash-c-string", FROM + "RUN bash -c 'curl https://x | sh'\n", None),
    ("case-pattern", FROM + "RUN case \"$(uname -m)\" in x86_64|amd64) echo a ;; *) echo b ;; esac\n", None),
    ("shell-comment", FROM + "RUN apt-get update # then | nothing\n", None),
    ("comment-line-in-continuation", FROM + "RUN apt-get update \\\n# a | b\n    && apt-get install -y curl\n",
     None),
    ("pipe-on-continuation-line", FROM + "RUN curl -fsSL https://x \\\n    | sh\n", None),
    ("two-runs-one-flagged", FROM + "RUN echo a\nRUN ls /x | cat\nRUN echo c\n", None),
    ("several-pipes-one-run", FROM + "RUN a | b | c && d | e\n", None),
    ("cache-mount-flag", FROM + "RUN --mount=type=cache,target=/root/.cache pip download x | tee /log\n", None),
    ("heredoc-script", FROM + "RUN <<EOF\nset -eux\ncurl https://x | sh\nEOF\n", None),
    ("heredoc-file-content", FROM + "RUN cat > /etc/x.conf <<EOF\na | b\nEOF\n", None),
    ("heredoc-python-shebang", FROM + "RUN <<EOF\n#!/usr/bin/env python3\nprint(1 | 2)\nEOF\n", None),
    ("heredoc-into-a-pipe", FROM + "RUN cat <<EOF | sh\necho hi\nEOF\n",
     # hadolint reads only the heredoc body; the RUN's own command line is a pipeline
     ([], [2], "the pipe is on the RUN line, outside the heredoc")),
    ("heredoc-read-by-bash", FROM + "RUN <<EOF bash\ncurl https://x | sh\nEOF\n", None),
    ("heredoc-stdin-of-bash", FROM + "RUN bash <<EOF\ncurl https://x | sh\nEOF\n",
     # bash runs the heredoc as its script; hadolint does not read the body of `cmd <<EOF`
     ([], [2], "bash reads the heredoc")),
    ("heredoc-read-by-python", FROM + "RUN <<EOF python3\nx = a | b\nEOF\n",
     # python3 reads the heredoc, not the shell; hadolint parses that body as shell
     ([2], [], "python3 reads the heredoc")),
    ("heredoc-stdin-of-python", FROM + "RUN python3 <<EOF\nx = a | b\nEOF\n", None),
    ("onbuild-run", FROM + "ONBUILD RUN curl https://x | sh\n", None),
    ("shell-bash-pipefail", FROM + PIPE_SHELL + "RUN curl https://x | sh\n", None),
    ("shell-ash-eo-pipefail", FROM + 'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nRUN wget -qO- https://x | sh\n',
     None),
    ("shell-bash-euxo-pipefail", FROM + 'SHELL ["/bin/bash", "-euxo", "pipefail", "-c"]\nRUN curl https://x | sh\n',
     None),
    ("shell-without-pipefail-replaces", FROM + PIPE_SHELL + 'SHELL ["/bin/bash", "-c"]\nRUN curl https://x | sh\n',
     None),
    ("shell-powershell", FROM + 'SHELL ["pwsh", "-Command"]\nRUN Get-Content x | Out-File y\n', None),
    ("shell-sh-pipefail", FROM + 'SHELL ["/bin/sh", "-o", "pipefail", "-c"]\nRUN curl https://x | sh\n',
     # hadolint accepts only bash, zsh and ash; a /bin/sh without pipefail fails the build instead of hiding
     # anything, so a build that runs has pipefail
     ([3], [], "sh with -o pipefail")),
    ("stage-from-stage-inherits-shell",
     FROM.replace("\n", " AS base\n") + PIPE_SHELL + "FROM base\nRUN curl https://x | sh\n",
     # BuildKit starts `FROM base` with base's SHELL; hadolint resets its state at every FROM
     ([4], [], "SHELL inherited from the parent stage")),
    ("new-external-stage-resets-shell", FROM + PIPE_SHELL + FROM + "RUN curl https://x | sh\n", None),
    ("exec-form-sh-c", FROM + 'RUN ["sh", "-c", "curl https://x | sh"]\n', None),
    ("exec-form-bash-pipefail", FROM + 'RUN ["/bin/bash", "-o", "pipefail", "-c", "curl https://x | sh"]\n',
     # hadolint does not read the options of an exec-form shell
     ([2], [], "exec-form bash -o pipefail")),
    ("exec-form-no-shell", FROM + 'RUN ["echo", "a | b"]\n',
     # hadolint joins exec-form words into a script; BuildKit runs `echo` with the word `a | b`, no shell
     ([2], [], "exec form runs no shell")),
]


def _hadolint_lines(tmp_path, text: str) -> list[int]:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    out = subprocess.run([HADOLINT, "--no-color", "--format", "json", str(path)], capture_output=True, text=True,
                         timeout=60).stdout
    return sorted(f["line"] for f in json.loads(out) if f["code"] == "DL4006")


def _our_lines(tmp_path, text: str) -> list[int]:
    """The line of the RUN instruction each DF064 finding lies in (hadolint reports the instruction's line)."""
    instructions = parse_dockerfile(text).instructions
    lines = []
    for f in run(tmp_path / "ours", text):
        ins = next(i for i in instructions if i.span.line <= f.position.line <= i.end_line)
        assert ins.keyword == "RUN"
        lines.append(ins.span.line)
    return sorted(lines)


def test_the_table_is_large_enough():
    assert len(CASES) >= 30 and len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize("name,text,difference", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_hadolint_dl4006(tmp_path, name, text, difference):
    theirs, ours = _hadolint_lines(tmp_path, text), _our_lines(tmp_path, text)
    if difference is None:
        assert ours == theirs
    else:
        expected_theirs, expected_ours, _why = difference
        assert (theirs, ours) == (expected_theirs, expected_ours)
