"""The .dockerignore matcher against moby/patternmatcher's own test tables, and pattern positions."""

from __future__ import annotations

import pytest

from dockyard.parsers.dockerignore import clean_path, parse_dockerignore

EXACT, INEXACT, FAIL = "exact", "inexact", "fail"

# patternmatcher_test.go, TestMatches: (pattern, path, result). "inexact" = matched through a parent directory.
MATCHES = [
    ("**", "file", EXACT), ("**", "file/", EXACT), ("**/", "file", EXACT), ("**/", "file/", EXACT),
    ("**", "/", EXACT), ("**/", "/", EXACT), ("**", "dir/file", EXACT), ("**/", "dir/file", EXACT),
    ("**", "dir/file/", EXACT), ("**/", "dir/file/", EXACT), ("**/**", "dir/file", EXACT),
    ("**/**", "dir/file/", EXACT), ("dir/**", "dir/file", EXACT), ("dir/**", "dir/file/", EXACT),
    ("dir/**", "dir/dir2/file", EXACT), ("dir/**", "dir/dir2/file/", EXACT), ("**/dir", "dir", EXACT),
    ("**/dir", "dir/file", INEXACT), ("**/dir2/*", "dir/dir2/file", EXACT), ("**/dir2/*", "dir/dir2/file/", INEXACT),
    ("**/dir2/**", "dir/dir2/dir3/file", EXACT), ("**/dir2/**", "dir/dir2/dir3/file/", EXACT),
    ("**file", "file", EXACT), ("**file", "dir/file", EXACT), ("**/file", "dir/file", EXACT),
    ("**file", "dir/dir/file", EXACT), ("**/file", "dir/dir/file", EXACT), ("**/file*", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file.txt", EXACT), ("**/file*txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt", "dir/dir/file.txt", EXACT), ("**/file*.txt*", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt", "dir/dir/file.txt", EXACT), ("**/**/*.txt2", "dir/dir/file.txt", FAIL),
    ("**/*.txt", "file.txt", EXACT), ("**/**/*.txt", "file.txt", EXACT), ("a**/*.txt", "a/file.txt", EXACT),
    ("a**/*.txt", "a/dir/file.txt", EXACT), ("a**/*.txt", "a/dir/dir/file.txt", EXACT),
    ("a/*.txt", "a/dir/file.txt", FAIL), ("a/*.txt", "a/file.txt", EXACT), ("a/*.txt**", "a/file.txt", EXACT),
    ("a[b-d]e", "ae", FAIL), ("a[b-d]e", "ace", EXACT), ("a[b-d]e", "aae", FAIL), ("a[^b-d]e", "aze", EXACT),
    (".*", ".foo", EXACT), (".*", "foo", FAIL), ("abc.def", "abcdef", FAIL), ("abc.def", "abc.def", EXACT),
    ("abc.def", "abcZdef", FAIL), ("abc?def", "abcZdef", EXACT), ("abc?def", "abcdef", FAIL),
    ("**/foo/bar", "foo/bar", EXACT), ("**/foo/bar", "dir/foo/bar", EXACT), ("**/foo/bar", "dir/dir2/foo/bar", EXACT),
    ("abc/**", "abc", FAIL), ("abc/**", "abc/def", EXACT), ("abc/**", "abc/def/ghi", EXACT),
    ("**/.foo", ".foo", EXACT), ("**/.foo", "bar.foo", FAIL), ("a(b)c/def", "a(b)c/def", EXACT),
    ("a(b)c/def", "a(b)c/xyz", FAIL), ("a.|)$(}+{bc", "a.|)$(}+{bc", EXACT),
    ("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT),
    ("a\\\\", "a\\", EXACT), ("a\\*b", "a*b", EXACT),
]

# TestMatches' multiPatternTests and the single-purpose tests at the top of patternmatcher_test.go.
MULTI = [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"],
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
    (["*"], "fileutils.go", True),
    (["*.go"], "fileutils.go", True),
    (["!fileutils.go", "*.go"], "fileutils.go", True),
    (["docs", "!docs/README.md"], "docs/README.md", False),
    (["docs/", "!docs/README.md"], "docs/README.md", False),
    (["docs/*", "!docs/README.md"], "docs/README.md", False),
    (["*.go", "!fileutils.go"], "fileutils.go", False),
    (["*.go"], ".", False),
    ([], "any/path/there", False),
    (["docs", "  !docs/README.md"], "docs/README.md", False),
    (["docs", "!docs/README.md  "], "docs/README.md", False),
    # Docker's anchoring, unlike .gitignore: a bare name or *.ext matches at the context root only.
    (["*.pyc"], "app/x.pyc", False),
    (["*.pyc"], "x.pyc", True),
    (["__pycache__/"], "app/__pycache__/m.pyc", False),
    (["**/__pycache__"], "app/__pycache__/m.pyc", True),
    (["/build"], "build/lib/x.py", True),
    (["./docs/../build/"], "build/x", True),
]

# TestMatch (filepath.Match's own table, run through Matches): the patterns BuildKit rejects.
BAD = ["[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "!"]
GOOD = ["[\\]a]", "[\\-]", "[x\\-]", "[\\-x]", "ab[^e-g]", "a[^a]b", "*x"]


@pytest.mark.parametrize(("pattern", "path", "result"), MATCHES)
def test_single_pattern_matches_like_patternmatcher(pattern, path, result):
    ig = parse_dockerignore(pattern + "\n")
    assert not ig.errors
    (pat,) = ig.patterns
    assert pat.matches(path) is (result == EXACT)
    assert pat.matches_or_parent(path) is (result != FAIL)


@pytest.mark.parametrize(("patterns", "path", "expected"), MULTI)
def test_pattern_lists_with_exceptions(patterns, path, expected):
    assert parse_dockerignore("\n".join(patterns)).excluded(path) is expected


@pytest.mark.parametrize("pattern", BAD)
def test_malformed_patterns_are_errors(pattern):
    ig = parse_dockerignore(pattern + "\n")
    assert len(ig.errors) == 1
    assert ig.errors[0].line == 1
    assert not ig.excluded("a")


@pytest.mark.parametrize("pattern", GOOD)
def test_well_formed_class_patterns(pattern):
    assert not parse_dockerignore(pattern).errors


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("[\\]a]", "]", True), ("[\\-]", "-", True), ("[x\\-]", "x", True), ("[x\\-]", "z", False),
    ("ab[^e-g]", "abc", True), ("a*b", "a/b", False), ("a?b", "a/b", False), ("a*/b", "abc/b", True),
])
def test_filepath_match_table(pattern, path, expected):
    assert parse_dockerignore(pattern).excluded(path) is expected


def test_comments_whitespace_positions_and_cleaning():
    text = "\ufeff# comment\n  # not a comment\n\n  /dist/ \r\n!  keep.md\n"
    ig = parse_dockerignore(text)
    assert [(p.text, p.pattern, p.exclusion, p.line, p.column, p.end_column) for p in ig.patterns] == [
        ("# not a comment", "# not a comment", False, 2, 3, 18),
        ("/dist/", "dist", False, 4, 3, 9),
        ("!  keep.md", "keep.md", True, 5, 1, 11),
    ]
    assert text[ig.patterns[1].start:ig.patterns[1].end] == "/dist/"


def test_deciding_pattern_is_the_last_that_changed_the_state():
    ig = parse_dockerignore("*.md\n!README.md\nREADME*\n")
    assert ig.excluding_pattern("README.md").line == 3
    assert ig.excluding_pattern("CHANGES.md").line == 1
    assert ig.excluding_pattern("app/x.md") is None


@pytest.mark.parametrize(("raw", "clean"), [
    ("", "."), ("a/b/../c", "a/c"), ("/../x", "/x"), ("../../x", "../../x"), ("a//b/./", "a/b"), ("/", "/"),
])
def test_clean_path_is_go_filepath_clean(raw, clean):
    assert clean_path(raw) == clean
