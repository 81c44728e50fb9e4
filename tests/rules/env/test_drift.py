from tests.helpers import described, run_files


def test_each_template_lacking_a_key_is_named(tmp_path):
    files = {".env.dev.example": "A=1\nB=2\nDEBUG=true\n", ".env.prod.example": "A=1\nB=3\nSENTRY_DSN=\n",
             ".env.staging.example": "A=1\nB=2\nDEBUG=false\nSENTRY_DSN=\n"}
    found = run_files(tmp_path, files, select="EN006")
    assert described(found, path=True, message=False) == [
        (".env.dev.example", "EN006", 1, 1), (".env.prod.example", "EN006", 1, 1)]
    assert "`SENTRY_DSN`" in found[0].message and "`.env.prod.example` (line 3)" in found[0].message
    assert "`DEBUG`" in found[1].message


def test_real_files_and_other_folders_do_not_count(tmp_path):
    files = {".env.dev.example": "A=1\n", ".env.prod.example": "A=2\n", ".env.prod": "A=2\nEXTRA=1\n",
             "other/.env.dev.example": "Z=1\n"}
    assert run_files(tmp_path, files, select="EN006") == []
