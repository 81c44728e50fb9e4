from tests.helpers import run_files, triples


def run(tmp_path, files, code):
    if isinstance(files, str):
        files = {"Dockerfile": files}
    return run_files(tmp_path, files, select=code)


# ---------------------------------------------------------------- DF013 multi-stage
def test_single_stage(tmp_path):
    assert triples(run(tmp_path, "ARG X=1\nFROM python:3.12-slim\nRUN true\n", "DF013")) == [("DF013", 2, 1)]


def test_runtime_stage_takes_nothing_from_builder(tmp_path):
    text = "FROM python:3.12-slim AS builder\nRUN true\nFROM python:3.12-slim AS production\nCOPY . .\n"
    assert triples(run(tmp_path, text, "DF013")) == [("DF013", 3, 1)]


def test_copy_from_mount_from_or_built_from(tmp_path):
    for i, tail in enumerate(("COPY --from=builder /w /w\n",
                              "RUN --mount=type=bind,from=builder,source=/w,target=/w true\n")):
        text = f"FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS production\n{tail}"
        assert run(tmp_path / str(i), text, "DF013") == []
    assert run(tmp_path / "c", "FROM python:3.12-slim AS base\nfrom base as production\n", "DF013") == []


# ---------------------------------------------------------------- DF014 production target
def test_no_production_stage(tmp_path):
    found = run(tmp_path, "FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS runtime\n", "DF014")
    assert triples(found) == [("DF014", 2, 1)]
    assert "(stages: `builder`, `runtime`)" in found[0].message


def test_production_stage_any_case_and_dev_dockerfiles(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim AS Production\n", "Dockerfile.dev": "FROM python:3.12-slim\n",
             "docker/test.Dockerfile": "FROM python:3.12-slim\n"}
    assert run(tmp_path, files, "DF014") == []


def test_multiple_dockerfiles_each_judged(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim AS production\n",
             "services/worker/Dockerfile": "FROM python:3.12-slim\n"}
    found = run(tmp_path, files, "DF014")
    assert [(f.path, f.position.line) for f in found] == [("services/worker/Dockerfile", 1)]


# ---------------------------------------------------------------- DF015 build deps in runtime
def test_compilers_in_final_lineage(tmp_path):
    text = ("FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "    gcc \\\n    libpq-dev \\\n    libpq5 \\\n    && rm -rf /var/lib/apt/lists/*\n"
            "FROM base AS production\nRUN apk add --no-cache build-base\n")
    found = run(tmp_path, text, "DF015")
    assert triples(found) == [("DF015", 3, 5), ("DF015", 4, 5), ("DF015", 8, 24)]


def test_builder_may_have_compilers_and_removed_in_same_run_is_ok(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nRUN apt-get install -y gcc\n"
            "FROM python:3.12-alpine AS production\n"
            "RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install x==1 && apk del .build-deps\n"
            "RUN apt-get install -y g++ && apt-get purge -y g++\n")
    assert run(tmp_path, text, "DF015") == []


# the docker-library idiom: save the manual packages, install build deps, build, mark everything automatic,
# mark the saved packages (and what the result links against) manual again, purge what is automatic
SAVED_APT_MARK = (
    "FROM debian:bookworm-slim\n"
    "RUN set -eux; \\\n"
    "\tsavedAptMark=\"$(apt-mark showmanual)\"; \\\n"
    "\tapt-get update; \\\n"
    "\tapt-get install -y --no-install-recommends \\\n"
    "\t\tdpkg-dev \\\n"
    "\t\tgcc \\\n"
    "\t\tlibssl-dev \\\n"
    "\t\tmake \\\n"
    "\t\twget \\\n"
    "\t; \\\n"
    "\twget -O app.tar.xz \"https://example.org/app.tar.xz\"; \\\n"
    "\t./configure && make -j \"$(nproc)\" && make install; \\\n"
    "\tapt-mark auto '.*' > /dev/null; \\\n"
    "\tapt-mark manual $savedAptMark{kept}; \\\n"
    "\tfind /usr/local -type f -executable -exec ldd '{{}}' ';' \\\n"
    "\t\t| awk '/=>/ {{ print $(NF-1) }}' \\\n"
    "\t\t| sort -u \\\n"
    "\t\t| xargs -r dpkg-query --search \\\n"
    "\t\t| awk 'sub(\":$\", \"\", $1) {{ print $1 }}' \\\n"
    "\t\t| sort -u \\\n"
    "\t\t| xargs -r apt-mark manual \\\n"
    "\t; \\\n"
    "\tapt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\\n"
    "\trm -rf /var/lib/apt/lists/*\n"
)


def test_saved_apt_mark_idiom_removes_the_build_deps(tmp_path):
    assert run(tmp_path, SAVED_APT_MARK.format(kept=""), "DF015") == []


def test_saved_apt_mark_idiom_keeps_a_package_marked_manual_again_by_name(tmp_path):
    found = run(tmp_path, SAVED_APT_MARK.format(kept=" gcc"), "DF015")
    assert triples(found) == [("DF015", 7, 3)]
    assert found[0].message.startswith("`gcc` is a build dependency")


def test_apt_mark_without_auto_removal_removes_nothing(tmp_path):
    text = ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make"
            " && apt-mark auto '.*' && rm -rf /var/lib/apt/lists/*\n")
    assert triples(run(tmp_path, text, "DF015")) == [("DF015", 2, 66), ("DF015", 2, 70)]


def test_apt_mark_auto_by_name_then_autoremove(tmp_path):
    text = ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make \\\n"
            "    && make && apt-mark auto gcc && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*\n")
    assert triples(run(tmp_path, text, "DF015")) == [("DF015", 2, 70)]


def test_purge_of_named_packages_and_reinstall_after_removal(tmp_path):
    text = ("FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev libpq5 \\\n"
            "    && pip install psycopg==3.2.1 \\\n"
            "    && apt-get purge -y gcc && apt-get remove -y libpq-dev && rm -rf /var/lib/apt/lists/*\n"
            "RUN apt-get update && apt-get install -y g++ && apt-get purge -y g++ \\\n"
            "    && apt-get install -y --no-install-recommends g++ && rm -rf /var/lib/apt/lists/*\n")
    # g++ installed again after its purge stays
    assert triples(run(tmp_path, text, "DF015")) == [("DF015", 6, 51)]


def test_apk_virtual_build_deps_deleted_without_network(tmp_path):
    text = ("FROM alpine:3.20\n"
            "RUN set -eux; \\\n"
            "\tapk add --no-cache --virtual .build-deps \\\n"
            "\t\tbzip2-dev \\\n"
            "\t\tgcc \\\n"
            "\t\tlinux-headers \\\n"
            "\t\tmake \\\n"
            "\t; \\\n"
            "\tmake install; \\\n"
            "\tfind /usr/local -type f -executable -exec scanelf --needed --nobanner --format '%n#p' '{}' ';' \\\n"
            "\t\t| tr ',' '\\n' \\\n"
            "\t\t| sort -u \\\n"
            "\t\t| xargs -rt apk add --no-network --virtual .python-rundeps \\\n"
            "\t; \\\n"
            "\tapk del --no-network .build-deps\n")
    assert run(tmp_path, text, "DF015") == []
    kept = text.replace("apk del --no-network .build-deps", "apk del --no-network .python-rundeps")
    assert triples(run(tmp_path / "kept", kept, "DF015")) == [
        ("DF015", 4, 3), ("DF015", 5, 3), ("DF015", 6, 3), ("DF015", 7, 3)]


# ---------------------------------------------------------------- DF016 scan stage
def test_no_scan_stage(tmp_path):
    found = run(tmp_path, "FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS production\n", "DF016")
    assert triples(found) == [("DF016", 2, 1)]


def test_scan_stage_nobody_builds(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nFROM builder AS security\nRUN pip-audit -r r.lock\n"
            "FROM python:3.12-slim AS production\n")
    found = run(tmp_path, text, "DF016")
    assert triples(found) == [("DF016", 2, 1)]
    assert "--target security" in found[0].message


def test_scan_stage_targeted_by_ci_or_needed_by_final(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nFROM builder AS security\nRUN python -m bandit -r app\n"
            "FROM python:3.12-slim AS production\n")
    ci = {".github/workflows/ci.yml": "jobs:\n  s:\n    steps:\n      - uses: docker/build-push-action@v6\n"
                                      "        with:\n          target: security\n"}
    assert run(tmp_path / "a", {"Dockerfile": text, **ci}, "DF016") == []
    mk = {"Makefile": "scan:\n\tdocker build --target=security .\n"}
    assert run(tmp_path / "b", {"Dockerfile": text, **mk}, "DF016") == []
    needed = text + "COPY --from=security /etc/hostname /tmp/scanned\n"
    assert run(tmp_path / "c", needed, "DF016") == []
    wrong = {"Makefile": "scan:\n\tdocker build --target security-extra .\n"}
    assert triples(run(tmp_path / "d", {"Dockerfile": text, **wrong}, "DF016")) == [("DF016", 2, 1)]


# ---------------------------------------------------------------- DF018 editable in production
def test_editable_install_in_production_lineage(tmp_path):
    text = ("FROM python:3.12-slim AS base\nRUN pip install --no-deps -e .\n"
            "FROM base AS production\nRUN uv pip install --editable=./pkg\n"
            "FROM python:3.12-slim AS development\nRUN pip install -e .\n")
    found = run(tmp_path, text, "DF018")
    assert triples(found) == [("DF018", 2, 27), ("DF018", 4, 20)]
    assert found[0].message.startswith("`pip install -e .` is an editable install")


def test_an_editable_install_in_a_development_image_is_its_business(tmp_path):
    text = "FROM python:3.12\nCOPY . /app\nRUN pip install -e .\nCMD [\"python\", \"-m\", \"app\"]\n"
    assert run_files(tmp_path, {"server/dev.Dockerfile": text}, select="DF018") == []
    assert triples(run_files(tmp_path / "b", {"server/Dockerfile": text}, select="DF018")) == [("DF018", 3, 17)]


def test_editable_in_heredoc_of_final_stage(tmp_path):
    text = "FROM python:3.12-slim\nRUN <<EOF\npip install -e .\nEOF\n"
    assert triples(run(tmp_path, text, "DF018")) == [("DF018", 3, 13)]


def test_non_editable_production(tmp_path):
    text = "FROM python:3.12-slim AS production\nRUN pip install --no-deps .\n"
    assert run(tmp_path, text, "DF018") == []


def test_a_dev_package_s_run_time_library_is_named_for_what_loads_it(tmp_path):
    # psycopg 3 (pure Python) loads libpq when the application runs: moving libpq-dev to a builder stage alone
    # would break the image, its run-time package belongs here
    debian = ("FROM python:3.12-slim\n"
              "RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev gcc \\\n"
              "    && rm -rf /var/lib/apt/lists/*\n"
              "CMD [\"gunicorn\", \"app.main:app\"]\n")
    found = run_files(tmp_path / "a", {"Dockerfile": debian}, select="DF015")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (2, 66, "`libpq-dev` is a build dependency installed into the runtime image (stage #0 (`FROM "
                "python:3.12-slim`)); install it in a builder stage and copy only the built wheels or venv; what loads its library when the application "
                "runs (psycopg 3 loads libpq, an extension links to it) needs only the run-time package here: "
                "`libpq5`"),
        (2, 76, "`gcc` is a build dependency installed into the runtime image (stage #0 (`FROM python:3.12-slim`)); "
                "install it in a builder stage and copy only the built wheels or venv")]
    alpine = "FROM python:3.12-alpine\nRUN apk add --no-cache postgresql-dev\nCMD [\"gunicorn\", \"app.main:app\"]\n"
    found = run_files(tmp_path / "b", {"Dockerfile": alpine}, select="DF015")
    assert [f.message.rsplit(": ", 1)[-1] for f in found] == ["`libpq`"]
    # musl's C library, linked for wheels built against musl: the run-time package is `musl`
    musl = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends musl-dev \\\n"
            "    && ln -s /usr/lib/x86_64-linux-musl/libc.so /lib/libc.musl-x86_64.so.1\n"
            "CMD [\"gunicorn\", \"app.main:app\"]\n")
    found = run_files(tmp_path / "c", {"Dockerfile": musl}, select="DF015")
    assert [(f.position.line, f.position.column, f.message.rsplit(": ", 1)[-1]) for f in found] == [(2, 66, "`musl`")]


def test_apt_get_autoremove_of_named_packages_removes_them(tmp_path):
    text = ("FROM python:3.12-slim\n"
            "RUN apt-get update && apt-get install -y git build-essential libpq5 \\\n"
            "    && pip install --no-cache-dir -r requirements.txt \\\n"
            "    && apt-get autoremove -y build-essential\n"
            "CMD [\"gunicorn\", \"app.main:app\"]\n")
    assert triples(run(tmp_path, text, "DF015")) == []
