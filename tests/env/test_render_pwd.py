"""`env render` interpolates `${PWD}` as `docker compose` does: the working directory when the shell sets none."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_pwd_is_the_working_directory_when_the_environment_has_none(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: x:1\n    volumes:\n"
                                           "      - ${PWD}/config.yaml:/etc/app/config.yaml\n")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "DOCKYARD_CACHE_DIR": str(tmp_path / "cache")}  # no PWD, as a process started with a clean environment
    out = subprocess.run([sys.executable, "-m", "dockyard", "env", "render", "--show-secrets", "--format", "json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    volume = json.loads(out.stdout)["services"]["app"]["volumes"][0]
    assert volume["source"] == str(tmp_path / "config.yaml")
    # a PWD the shell sets wins, as in compose
    env["PWD"] = "/srv/elsewhere"
    out = subprocess.run([sys.executable, "-m", "dockyard", "env", "render", "--show-secrets", "--format", "json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["services"]["app"]["volumes"][0]["source"] == "/srv/elsewhere/config.yaml"
