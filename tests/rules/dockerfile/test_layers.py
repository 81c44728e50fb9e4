from dockyard.fix import apply_edits
from tests.helpers import run_files, triples


def test_consecutive_runs_with_same_mounts(tmp_path):
    text = ("FROM python:3.12-slim\nRUN groupadd --gid 10001 app\n# make the user\nRUN useradd --uid 10001 app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.lock.txt\nCOPY . .\n"
            "RUN echo a\nFROM python:3.12-slim\nRUN echo b\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 4, 1)]
    assert found[0].fix.applicability.value == "unsafe"
    assert apply_edits(text, list(found[0].fix.edits)).startswith(
        "FROM python:3.12-slim\nRUN groupadd --gid 10001 app \\\n# make the user\n    && useradd --uid 10001 app\nRUN --mount")


def test_combine_fix_keeps_comment_lines_and_parses_as_one_run(tmp_path):
    import dockerfile

    text = "FROM python:3.12-slim\nRUN a\n# about b\n\n  # more\nRUN b\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 6, 1)]
    fixed = apply_edits(text, list(found[0].fix.edits))
    assert fixed == "FROM python:3.12-slim\nRUN a \\\n# about b\n  # more\n    && b\n"
    assert [c.value for c in dockerfile.parse_string(fixed)][1] == ("a     && b",)


def test_combine_offers_no_fix_after_a_trailing_shell_comment(tmp_path):
    # joined, `# note \` would swallow `&& b`: the fix leaves that pair apart and joins the others
    text = "FROM python:3.12-slim\nRUN a \\\n    --flag  # note\nRUN b\nRUN c\nRUN echo '#' d\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 4, 1)]
    assert apply_edits(text, list(found[0].fix.edits)).endswith(
        "# note\nRUN b \\\n    && c \\\n    && echo '#' d\n")
    only = run_files(tmp_path / "only", {"Dockerfile": "FROM python:3.12-slim\nRUN a  # note\nRUN b\n"},
                     select="DF051")
    assert triples(only) == [("DF051", 3, 1)] and only[0].fix is None


def test_runs_separated_by_other_instructions_pass(tmp_path):
    text = "FROM python:3.12-slim\nRUN echo a\nWORKDIR /app\nRUN echo b\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF051") == []


def test_unsorted_packages_fix_keeps_layout(tmp_path):
    text = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "    git \\\n    curl \\\n    && rm -rf /var/lib/apt/lists/*\n")
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF052")
    assert triples([f]) == [("DF052", 3, 5)]
    assert apply_edits(text, list(f.fix.edits)) == text.replace("git \\\n    curl", "curl \\\n    git")


def test_pip_and_apk_lists(tmp_path):
    text = ("FROM python:3.12-alpine\nRUN apk add --no-cache -t .deps musl-dev gcc\n"
            "RUN python -m pip install --no-cache-dir -r r.txt uvicorn fastapi\n"
            "RUN pip install \"$PKG\" a\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF052")) == [("DF052", 2, 33), ("DF052", 3, 51)]


def test_sorted_packages_pass(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends Curl git\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF052") == []


def test_compared_by_package_name_not_by_spec_text(tmp_path):
    # `unit=...` sorts before `unit-python3.12=...` by name (the text puts `-` before `=`)
    text = ("FROM ubuntu:noble\nRUN apt-get update && apt-get install --yes -qq --no-install-recommends \\\n"
            "      unit=1.33.0-1~noble \\\n      unit-python3.12=1.33.0-1~noble \\\n"
            "    && apt-get install -y --no-install-recommends libc6:amd64 libc6-dev/bookworm-backports \\\n"
            "    && pip install 'celery[redis]==5.4.0' Django>=5 django-environ typing_extensions \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF052") == []
    unsorted = text.replace("libc6:amd64 libc6-dev/bookworm-backports", "libc6-dev/bookworm-backports libc6:amd64")
    (f,) = run_files(tmp_path / "u", {"Dockerfile": unsorted}, select="DF052")
    assert triples([f]) == [("DF052", 5, 51)]
    assert f.message == ("`apt-get install` packages are not sorted: `libc6-dev/bookworm-backports` should come after "
                         "`libc6:amd64`")


def test_a_list_over_several_lines_is_sorted_by_line(tmp_path):
    # the official alpine images keep `dpkg` on the line of `dpkg-dev`, which needs it
    text = ("FROM alpine:3.20\nRUN set -eux; \\\n\tapk add --no-cache --virtual .build-deps \\\n"
            "\t\tbzip2-dev \\\n\t\tdpkg-dev dpkg \\\n\t\tfindutils \\\n\t\tgcc \\\n\t; \\\n"
            "\tapk del --no-network .build-deps\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF052") == []
    unsorted = text.replace("\t\tbzip2-dev \\\n\t\tdpkg-dev dpkg \\\n", "\t\tdpkg-dev dpkg \\\n\t\tbzip2-dev \\\n")
    (f,) = run_files(tmp_path / "u", {"Dockerfile": unsorted}, select="DF052")
    assert triples([f]) == [("DF052", 4, 3)]
    assert f.message == "`apk add` packages are not sorted: `dpkg-dev` should come after `bzip2-dev`"
    assert apply_edits(unsorted, list(f.fix.edits)) == text


def test_comment_lines_label_groups_sorted_on_their_own(tmp_path):
    # each labelled group is judged and fixed on its own: the labels stay with their packages
    text = ("FROM python:3.12-alpine\nRUN apk update && apk add --no-cache \\\n  curl \\\n"
            "  # For building dependencies. \\\n  gcc \\\n  musl-dev \\\n  # For psycopg \\\n"
            "  postgresql-dev \\\n  # For UI \\\n  ncurses \\\n  bash\n")
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF052")
    assert triples([f]) == [("DF052", 10, 3)]
    assert f.message == "`apk add` packages are not sorted: `ncurses` should come after `bash`"
    fixed = apply_edits(text, list(f.fix.edits))
    assert fixed == text.replace("  ncurses \\\n  bash\n", "  bash \\\n  ncurses\n")
    assert run_files(tmp_path / "fixed", {"Dockerfile": fixed}, select="DF052") == []


def test_combine_after_a_trailing_semicolon_or_background_job(tmp_path):
    # `a; && b` and `a & && b` are not shell: the `;` is dropped, and a background job is joined to nothing
    text = "FROM python:3.12-slim\nRUN a;\nRUN b\nRUN c &\nRUN d\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 3, 1)]
    assert apply_edits(text, list(found[0].fix.edits)) == (
        "FROM python:3.12-slim\nRUN a \\\n    && b\nRUN c &\nRUN d\n")


def test_a_run_of_split_runs_is_one_finding_naming_every_run(tmp_path):
    # one merged RUN fixes the whole run: one finding at its second RUN, naming the later ones
    text = "FROM python:3.12-slim\nRUN echo one\nRUN echo two\nRUN echo three\nRUN echo four\nCOPY . .\nRUN a\nRUN b\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 3, 1), ("DF051", 8, 1)]
    assert found[0].message == ("this RUN and the RUNs on lines 4 and 5 directly follow the RUN on line 2 with the "
                                "same mounts; combine them into one layer")
    assert (found[0].position.end_line, found[0].position.end_column) == (3, 4)
    assert found[1].message == ("this RUN directly follows the RUN on line 7 with the same mounts; combine them "
                                "into one layer")
    assert apply_edits(text, list(found[0].fix.edits)).startswith(
        "FROM python:3.12-slim\nRUN echo one \\\n    && echo two \\\n    && echo three \\\n    && echo four\nCOPY")


def test_a_run_of_runs_ends_where_the_mounts_change(tmp_path):
    text = ("FROM python:3.12-slim\nRUN a\nRUN b\nRUN --mount=type=cache,target=/root/.cache/pip c\n"
            "RUN --mount=type=cache,target=/root/.cache/pip d\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 3, 1), ("DF051", 5, 1)]


def test_split_runs_of_a_stage_only_copied_from_are_not_judged(tmp_path):
    # a frontend builder whose output the final stage copies: its layers are thrown away, their number costs nothing
    text = ("FROM node:22-slim AS frontend\nWORKDIR /src\nCOPY package.json yarn.lock ./\nRUN yarn install\n"
            "COPY . .\nRUN yarn build\nRUN yarn test\n"
            "FROM python:3.12-slim AS production\nCOPY --from=frontend /src/dist /app/static\n"
            "RUN groupadd --gid 10001 app\nRUN useradd --uid 10001 --gid app app\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF051")
    assert triples(found) == [("DF051", 11, 1)]
    assert found[0].message == ("this RUN directly follows the RUN on line 10 with the same mounts; combine them "
                                "into one layer")
