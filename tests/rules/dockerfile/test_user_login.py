from tests.helpers import run_files, triples

FROM = "FROM python:3.12-slim\n"


def _run(tmp_path, body):
    return triples(run_files(tmp_path, {"Dockerfile": FROM + body + "USER app\n"}, select="DF062"))


def test_debian_useradd_without_shell_is_reported_at_the_command(tmp_path):
    assert _run(tmp_path, "RUN groupadd -g 10001 app && useradd -r -u 10001 -g app app\n") == [("DF062", 2, 30)]


def test_create_home_is_reported(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": FROM + "RUN useradd -u 10001 -m -s /usr/sbin/nologin app\nUSER app\n"},
                      select="DF062")
    assert triples(found) == [("DF062", 2, 5)]
    assert "home directory" in found[0].message and "login shell" not in found[0].message


def test_busybox_adduser_needs_H_and_nologin(tmp_path):
    assert _run(tmp_path / "a", "RUN adduser -D -u 10001 app\n") == [("DF062", 2, 5)]
    assert _run(tmp_path / "b", "RUN adduser -D -H -u 10001 -s /sbin/nologin app\n") == []


def test_service_user_passes_and_other_users_are_not_judged(tmp_path):
    ok = "RUN useradd --system --uid 10001 --no-create-home --shell=/usr/sbin/nologin app \\\n && useradd -m other\n"
    assert _run(tmp_path, ok) == []
