from dockyard.fix import apply_edits
from tests.helpers import run_files, triples


def _fixed(finding, text):
    return apply_edits(text, list(finding.fix.edits))


def test_missing_env_star_and_reinclude(tmp_path):
    text = "__pycache__/\n.env\n"
    found = run_files(tmp_path, {".gitignore": text, ".env.dev.example": "A=1\n"}, select="EN004")
    assert triples(found) == [("EN004", 1, 1)]
    assert _fixed(found[0], text) == "__pycache__/\n.env\n.env.*\n!.env.*.example\n"


def test_no_trailing_newline_and_missing_dot_env(tmp_path):
    text = "*.pyc"
    found = run_files(tmp_path, {".gitignore": text, ".env.prod": "A=1\n"}, select="EN004")
    assert triples(found) == [("EN004", 1, 1)]
    assert _fixed(found[0], text) == "*.pyc\n.env\n.env.*\n!.env.*.example\n"


def test_templates_ignored_points_at_the_pattern(tmp_path):
    text = "build/\n.env*\n"
    found = run_files(tmp_path, {".gitignore": text}, select="EN004")
    assert triples(found) == [("EN004", 2, 1)]
    assert "ignores the templates" in found[0].message
    assert _fixed(found[0], text) == "build/\n.env*\n!.env.*.example\n"


def test_standard_example_with_trailing_comment(tmp_path):
    text = "# Environment files\n.env\n.env.*\n!.env.*.example  # Allow example files\n"
    found = run_files(tmp_path, {".gitignore": text}, select="EN004")
    assert triples(found) == [("EN004", 4, 1)]
    assert "no trailing comments" in found[0].message
    assert _fixed(found[0], text) == text + "!.env.*.example\n"


def test_missing_gitignore_is_created(tmp_path):
    # reported at the project folder (the file does not exist); the fix creates `.gitignore`
    found = run_files(tmp_path, {".env.dev.example": "A=1\n"}, select="EN004")
    assert triples(found) == [("EN004", 1, 1)] and found[0].path == "./"
    assert found[0].message.startswith("no `.gitignore`, so git does not ignore `.env`")
    assert found[0].fix.path == ".gitignore"
    assert _fixed(found[0], "") == ".env\n.env.*\n!.env.*.example\n"


def test_fixed_text_passes(tmp_path):
    files = {".gitignore": "__pycache__/\n.env\n.env.*\n!.env.*.example\n", ".env.dev.example": "A=1\n",
             "deploy/.env.prod": "A=1\n"}
    assert run_files(tmp_path, files, select="EN004") == []


def test_fix_through_dockyard_fix_is_stable(tmp_path):
    from dockyard.cli import main

    (tmp_path / ".gitignore").write_text(".env\n")
    (tmp_path / ".env.dev.example").write_text("A=1\n")
    assert main(["fix", str(tmp_path), "--select", "EN004"]) == 0
    assert (tmp_path / ".gitignore").read_text() == ".env\n.env.*\n!.env.*.example\n"
    assert main(["fix", str(tmp_path), "--select", "EN004"]) == 0
    assert (tmp_path / ".gitignore").read_text() == ".env\n.env.*\n!.env.*.example\n"


def test_committed_public_frontend_settings_stay_visible(tmp_path):
    # `frontend/.env` holds public build settings meant to be committed: it is not asked to be ignored, and
    # the appended `.env` line is followed by a re-include of it
    files = {".gitignore": "node_modules/\n", ".env": "SECRET_KEY=changethis\n",
             "frontend/package.json": "{}\n", "frontend/.env": "VITE_API_URL=http://localhost:8000\n"
             "MAILPIT_HOST=http://localhost:8025\n"}
    found = run_files(tmp_path, files, select="EN004")
    assert triples(found) == [("EN004", 1, 1)]
    assert "frontend/.env" not in found[0].message.split(": add")[0]
    assert _fixed(found[0], files[".gitignore"]) == "node_modules/\n.env\n.env.*\n!.env.*.example\n!frontend/.env\n"


def test_an_env_file_re_included_on_purpose_is_not_asked_to_be_ignored(tmp_path):
    # the repository commits its test configuration: `!.env.testing` after `.env.*`
    text = ".env\n.env.*\n!.env.*.example\n!.env.testing\n"
    files = {".gitignore": text, "server/.env.testing": "POLAR_ENV=testing\n"}
    assert run_files(tmp_path, files, select="EN004") == []
    # a `!` line that re-includes what nothing ignored is no such choice: the file is still asked to be ignored
    files[".gitignore"] = ".env\n!.env.testing\n.env.dev\n.env.staging\n.env.prod\n.env.local\n"
    found = run_files(tmp_path / "b", files, select="EN004")
    assert triples(found) == [("EN004", 1, 1)]
    assert found[0].message.startswith("`.gitignore` does not ignore `server/.env.testing`")
