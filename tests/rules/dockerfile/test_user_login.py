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


def _found(tmp_path, text):
    return run_files(tmp_path, {"Dockerfile": text}, select="DF062")


def test_home_kept_where_the_user_writes_to_it(tmp_path):
    # git config --global writes ~/.gitconfig as the user: without a home the build fails
    alpine = ("FROM python:3.13-alpine\nRUN adduser -u 1000 --disabled-password app\nRUN mkdir /src\nUSER app\n"
              "RUN git config --global user.name \"App\"\n")
    (f,) = _found(tmp_path / "git", alpine)
    assert triples([f]) == [("DF062", 2, 5)]
    assert f.message == ("`adduser` gives `app` a login shell; a service user needs no login shell: use "
                         "`--shell /usr/sbin/nologin`")
    nologin = "RUN useradd -m -u 10001 -s /usr/sbin/nologin app\nUSER app\n"
    for i, after in enumerate([
        "RUN pip install --user --no-cache-dir httpie\n",
        "RUN mkdir -p ~/.config/app\n",
        "RUN mkdir -p \"$HOME/data\"\n",
        "RUN touch /home/app/.ready\n",
        "WORKDIR /home/app/src\n",
        "ENV PATH=/home/app/.local/bin:$PATH\n",
        'CMD ["/home/app/.local/bin/uvicorn", "app.main:app"]\n',
    ]):
        assert _found(tmp_path / str(i), FROM + nologin + after) == [], after
    chown = ("RUN useradd -m -u 10001 -s /usr/sbin/nologin app\nWORKDIR /home/app\n"
             "COPY --chown=app:app . ./\nUSER app\n")
    assert _found(tmp_path / "chown", FROM + chown) == []
    moved = ("RUN useradd -m -d /srv/app -u 10001 -s /usr/sbin/nologin app\nENV HOME=/data\nUSER app\n"
             "RUN mkdir -p /srv/app/cache /data/x\n")
    assert _found(tmp_path / "moved", FROM + moved) == []


def test_home_not_relied_on_is_still_reported(tmp_path):
    # written as root before USER, in another user's home, or a look at /home only
    text = (FROM + "RUN useradd -m -u 10001 -s /usr/sbin/nologin app\nRUN mkdir -p /home/app/cache\n"
            "USER app\nRUN ls /home && touch /home/other/x && pip install --no-cache-dir -r /app/r.txt\n")
    (f,) = _found(tmp_path, text)
    assert triples([f]) == [("DF062", 2, 5)]
    assert f.message == ("`useradd` gives `app` a home directory (`--create-home`); a service user needs no home "
                         "directory: use `--no-create-home`")


# Debian's adduser --system: shell /usr/sbin/nologin unless --shell; since adduser 3.122 (bookworm, Ubuntu 23.04)
# home /nonexistent, never created, unless --home; older releases create /home/<name> as for a normal user.
# busybox adduser -S/--system: shell /bin/false unless -s, home created unless -H. useradd -r keeps a shell.
def test_debian_adduser_system_has_no_login_shell_and_no_home(tmp_path):
    text = ("FROM python:3.12-slim\nRUN addgroup --system --gid 10001 svc && adduser --system --uid 10001 --group svc\n"
            "USER svc\nCMD [\"python\", \"-m\", \"http.server\"]\n")
    assert _found(tmp_path, text) == []


def test_debian_adduser_system_with_a_shell_or_a_home_is_reported(tmp_path):
    shell = "FROM python:3.12-slim\nRUN adduser --system --uid 10001 --shell /bin/bash app\nUSER app\n"
    (f,) = _found(tmp_path / "shell", shell)
    assert triples([f]) == [("DF062", 2, 5)]
    assert f.message == ("`adduser` gives `app` the login shell `/bin/bash`; a service user needs no login shell: "
                         "use `--shell /usr/sbin/nologin`")
    home = "FROM python:3.12-slim-bookworm\nRUN adduser --system --uid 10001 --home /srv/app app\nUSER app\n"
    (f,) = _found(tmp_path / "home", home)
    assert triples([f]) == [("DF062", 2, 5)]
    assert f.message == ("`adduser` gives `app` a home directory (`--home /srv/app`); a service user needs no "
                         "home directory: use `--no-create-home`")
    no_home = "FROM python:3.12-slim\nRUN adduser --system --uid 10001 --home /nonexistent app\nUSER app\n"
    assert _found(tmp_path / "nonexistent", no_home) == []


def test_adduser_system_on_an_older_debian_creates_the_home(tmp_path):
    text = "FROM python:3.11-slim-bullseye\nRUN adduser --system --uid 10001 --group app\nUSER app\n"
    (f,) = _found(tmp_path, text)
    assert triples([f]) == [("DF062", 2, 5)]
    assert f.message == ("`adduser` gives `app` a home directory (pass `-H` / `--no-create-home`); a service user "
                         "needs no home directory: use `--no-create-home`")
    ok = text.replace("--group app", "--group --no-create-home app")
    assert _found(tmp_path / "ok", ok) == []


def test_busybox_adduser_system_has_no_login_shell_but_a_home(tmp_path):
    text = "FROM python:3.12-alpine\nRUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app\nUSER app\n"
    (f,) = _found(tmp_path, text)
    assert triples([f]) == [("DF062", 2, 33)]
    assert f.message == ("`adduser` gives `app` a home directory (pass `-H` / `--no-create-home`); a service user "
                         "needs no home directory: use `--no-create-home`")
    long_form = "FROM python:3.12-alpine\nRUN adduser --system --uid 10001 app\nUSER app\n"
    assert triples(_found(tmp_path / "long", long_form)) == [("DF062", 2, 5)]
    assert _found(tmp_path / "ok", text.replace("-G app app", "-G app -H app")) == []


def test_useradd_system_keeps_a_login_shell(tmp_path):
    (f,) = _found(tmp_path, "FROM python:3.12-slim\nRUN useradd --system --uid 10001 app\nUSER app\n")
    assert triples([f]) == [("DF062", 2, 5)]
    assert f.message == ("`useradd` gives `app` a login shell; a service user needs no login shell: use "
                         "`--shell /usr/sbin/nologin`")
