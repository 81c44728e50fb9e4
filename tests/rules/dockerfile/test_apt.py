from dockyard.fix import apply_edits
from tests.helpers import run_files, triples

GOOD = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        "    curl \\\n    git \\\n    && rm -rf /var/lib/apt/lists/*\n")


def fixed(text, finding):
    return apply_edits(text, list(finding.fix.edits))


def test_good_apt_run_passes_hygiene(tmp_path):
    assert run_files(tmp_path, {"Dockerfile": GOOD}, select=("DF046", "DF047", "DF048", "DF049")) == []


def test_update_and_install_in_separate_runs(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get -q install -y --no-install-recommends curl\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF046")) == [("DF046", 2, 13), ("DF046", 3, 16)]


def test_install_without_yes_is_fixed(tmp_path):
    text = ("FROM python:3.12-slim\nRUN apt-get update && \\\n    apt-get install --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n")
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF047")
    assert triples([f]) == [("DF047", 3, 13)]
    assert fixed(text, f).splitlines()[2] == "    apt-get install -y --no-install-recommends curl \\"


def test_quiet_twice_implies_yes(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get -qq install --no-install-recommends curl\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF047") == []


def test_install_recommends_unsafe_fix(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF048")
    assert triples([f]) == [("DF048", 2, 31)]
    assert f.fix.applicability.value == "unsafe"
    assert "apt-get install --no-install-recommends -y curl" in fixed(text, f)


def test_lists_left_behind_and_fix(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples([f]) == [("DF049", 2, 1)]
    assert fixed(text, f) == (text[:-1] + " \\\n    && rm -rf /var/lib/apt/lists/*\n")


def test_dist_clean_removes_the_lists(tmp_path):
    # Debian trixie's apt (2.7.8 and later) as the official trixie images use it
    text = ("FROM debian:trixie-slim\nRUN set -eux; \\\n\tapt-get update; \\\n"
            "\tapt-get install -y --no-install-recommends \\\n\t\tca-certificates \\\n\t\ttzdata \\\n"
            "\t; \\\n\tapt-get dist-clean\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF049") == []


def test_lists_removed_by_a_later_command_after_semicolons(tmp_path):
    text = ("FROM debian:bookworm-slim\nRUN set -eux; apt-get update; apt-get install -y --no-install-recommends "
            "git; \\\n    git --version; \\\n    rm -r /var/lib/apt/lists/*\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF049") == []


def test_cleanup_before_the_last_update_leaves_its_lists(tmp_path):
    text = ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/* \\\n"
            "    && curl -fsSLo /etc/apt/keyrings/x.asc https://example.org/key.asc \\\n"
            "    && apt-get update && apt-get install -y --no-install-recommends x\n"
            "RUN apt-get dist-clean && apt-get update && apt-get install -y --no-install-recommends y\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF049")) == [("DF049", 2, 1), ("DF049", 6, 1)]


def test_apk_add_without_network_fetches_no_index(tmp_path):
    text = ("FROM alpine:3.20\nRUN set -eux; \\\n\tapk add --no-cache --virtual .build-deps gcc make; \\\n"
            "\tmake install; \\\n"
            "\tscanelf --needed --nobanner --format '%n#p' /usr/local/bin/app \\\n"
            "\t\t| tr ',' '\\n' | sort -u | awk '{ print \"so:\" $1 }' \\\n"
            "\t\t| xargs -rt apk add --no-network --virtual .app-rundeps; \\\n"
            "\tapk del --no-network .build-deps\n"
            "RUN apk add --virtual .rundeps so:libc.musl-x86_64.so.1\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF049")) == [("DF049", 9, 9)]


def test_cache_mount_replaces_cleanup_and_apk_no_cache(tmp_path):
    text = ("# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y --no-install-recommends curl\n")
    assert run_files(tmp_path / "a", {"Dockerfile": text}, select=("DF049", "DF050")) == []
    apk = "FROM python:3.12-alpine\nRUN apk add curl\nRUN apk add --no-cache git\n"
    assert triples(run_files(tmp_path / "b", {"Dockerfile": apk}, select="DF049")) == [("DF049", 2, 9)]


def test_cache_mounts_missing_or_not_locked(tmp_path):
    text = ("FROM python:3.12-slim\nRUN --mount=type=cache,target=/var/cache/apt "
            "--mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y x\n"
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y y\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF050")) == [("DF050", 2, 5), ("DF050", 4, 1)]


# -- DF049's fix leaves valid shell, converges, and never breaks a later RUN ------------------------------------
def test_lists_fix_after_a_trailing_semicolon_drops_it(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl;\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples([f]) == [("DF049", 2, 1)]
    assert fixed(text, f) == ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y "
                              "--no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\n")


def test_lists_fix_goes_before_a_trailing_comment(tmp_path):
    text = ("FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl "
            "; # for the healthcheck\n")
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    after = fixed(text, f)
    assert after.splitlines()[2:] == ["    && apt-get install -y --no-install-recommends curl \\",
                                      "    && rm -rf /var/lib/apt/lists/* # for the healthcheck"]
    # converged: the fixed RUN removes the lists
    assert run_files(tmp_path / "again", {"Dockerfile": after}, select="DF049") == []


def test_lists_not_fixed_after_a_background_job(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl &\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples([f]) == [("DF049", 2, 1)] and f.fix is None


def test_lists_not_fixed_when_a_later_run_installs_from_them(tmp_path):
    text = ("FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
            "RUN apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n")
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples([f]) == [("DF049", 2, 1)] and f.fix is None
    # in a stage built on this one, too
    staged = ("FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
              "FROM base\nRUN apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n")
    (f,) = run_files(tmp_path / "staged", {"Dockerfile": staged}, select="DF049")
    assert triples([f]) == [("DF049", 2, 1)] and f.fix is None
    # a later RUN that updates first fetches its own lists: the fix stays
    updating = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
                "RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n")
    (f,) = run_files(tmp_path / "updating", {"Dockerfile": updating}, select="DF049")
    assert f.fix is not None and f.fix.applicability.value == "safe"


def test_lists_left_in_a_stage_only_copied_from_are_not_judged(tmp_path):
    # the final stage copies files from the builder: the builder's layers are thrown away, its lists never ship
    text = ("FROM python:3.12-slim AS builder\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
            "RUN pip wheel --wheel-dir /wheels -r requirements.lock.txt\n"
            "FROM python:3.12-slim AS production\nCOPY --from=builder /wheels /wheels\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples(found) == [("DF049", 6, 1)]
    assert found[0].message == ("apt package lists stay in this layer; end the RUN with `rm -rf /var/lib/apt/lists/*` "
                                "or use a cache mount for `/var/lib/apt`")
    # a stage the final one is built FROM ships its layers, and so does a stage nothing reads (another target)
    based = text.replace("FROM python:3.12-slim AS production", "FROM builder AS production")
    assert triples(run_files(tmp_path / "based", {"Dockerfile": based}, select="DF049")) == [
        ("DF049", 2, 1), ("DF049", 6, 1)]
    target = text.replace("COPY --from=builder /wheels /wheels\n", "")
    assert triples(run_files(tmp_path / "target", {"Dockerfile": target}, select="DF049")) == [
        ("DF049", 2, 1), ("DF049", 5, 1)]


def test_install_after_a_piped_remote_setup_script_is_not_called_stale(tmp_path):
    # a setup script piped from a download (NodeSource's `setup_20.x | bash -`) adds its repository and runs
    # `apt-get update` itself; what it runs cannot be read here, so the lists it leaves are not called stale
    text = ('FROM python:3.12-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
            "RUN curl -fsSL https://deb.example.org/setup_20.x | bash - \\\n"
            "    && apt-get install -y --no-install-recommends nodejs && rm -rf /var/lib/apt/lists/*\n"
            "RUN wget -qO- https://deb.example.org/setup_20.x | sudo -E sh -s -- --quiet \\\n"
            "    && apt-get install -y --no-install-recommends nodejs && rm -rf /var/lib/apt/lists/*\n"
            # the script runs after the install, or its download only feeds a program that is no shell: stale
            "RUN apt-get install -y --no-install-recommends git && curl -fsSL https://example.org/x.sh | sh\n"
            "RUN curl -fsSL https://example.org/key.asc | gpg --dearmor -o /etc/apt/keyrings/x.gpg \\\n"
            "    && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF046")
    assert triples(found) == [("DF046", 7, 13), ("DF046", 9, 16)]
    assert found[0].message == ("`apt-get install` without `apt-get update` in the same RUN installs from stale "
                                "package lists")


def test_an_update_followed_by_playwright_s_install_deps_is_not_alone(tmp_path):
    # Playwright installs the browsers' system libraries with apt-get itself, after the update in the same RUN
    text = ("FROM python:3.12-slim\n"                                                                       # 1
            "RUN apt-get update && uvx --from playwright playwright install-deps chromium "                  # 2
            "&& rm -rf /var/lib/apt/lists/*\n"
            "RUN apt-get update && npx playwright install --with-deps chromium\n"                          # 3
            "RUN apt-get update && npx playwright install chromium\n")                                     # 4
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF046")) == [("DF046", 4, 13)]


def test_apt_that_downloads_nothing_needs_no_cache_mount(tmp_path):
    text = ("FROM python:3.12-slim\nRUN apt-get purge -y gcc g++ && apt-get autoremove -y && apt-get clean\n"
            "RUN apt-get update && apt-get upgrade -y\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF050")) == [("DF050", 3, 1)]
    # lists fetched by a RUN that installs nothing: the RUN itself is the finding (DF046), not its cache
    text = "FROM python:3.12-slim\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\n"
    assert triples(run_files(tmp_path / "u", {"Dockerfile": text}, select=("DF046", "DF050"))) == [("DF046", 2, 13)]
    # lists an update leaves for the install of a later RUN are worth a cache
    text = "FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get install -y curl\n"
    assert triples(run_files(tmp_path / "l", {"Dockerfile": text}, select="DF050")) == [("DF050", 2, 1), ("DF050", 3, 1)]


def test_lists_are_left_by_the_run_that_fetched_them(tmp_path):
    # the split update/install: the lists are in the update's layer; the install RUN adds none of its own
    text = "FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF049")) == [("DF049", 2, 1)]
