from tests.helpers import run_files, triples


def test_unterminated_quote(tmp_path):
    found = run_files(tmp_path, {".env.dev.example": 'A=1\nB="http://x\nC=3\n'}, select="EN001")
    assert triples(found) == [("EN001", 2, 3)]
    assert "http://x" not in found[0].message


def test_bad_key_character_does_not_quote_the_value(tmp_path):
    found = run_files(tmp_path, {".env.dev.example": "API$KEY=hunter2-secret\n"}, select="EN001")
    assert triples(found) == [("EN001", 1, 4)]
    assert "hunter2" not in found[0].message


def test_invalid_interpolation(tmp_path):
    assert triples(run_files(tmp_path, {".env.prod": "A=x\nB=${A\n"}, select="EN001")) == [("EN001", 2, 3)]


def test_duplicate_keys_point_at_each_repeat(tmp_path):
    text = "API_PORT=8150\nDEBUG=true\nAPI_PORT=8100\n  API_PORT=1\n"
    found = run_files(tmp_path, {".env.dev.example": text}, select="EN001")
    assert triples(found) == [("EN001", 3, 1), ("EN001", 4, 3)]
    assert "first on line 1" in found[0].message


def test_unreadable_env_file_is_reported_by_the_engine(tmp_path):
    assert triples(run_files(tmp_path, {".env.prod": b"A=\xff\xfe\n"}, select="EN001")) == [("EN001", 1, 1)]


def test_clean_files_and_shell_required_references_pass(tmp_path):
    files = {
        ".env.dev.example": "# comment\nexport A=1\nB='x y'\nC=\"multi\nline\"\nD=${A}\n",
        ".env.prod": "E=${FROM_SHELL:?set in the shell}\nF=2\n",
    }
    assert run_files(tmp_path, files, select="EN001") == []
