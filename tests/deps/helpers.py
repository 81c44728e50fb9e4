from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dockyard

SRC = str(Path(dockyard.__file__).resolve().parent.parent)


def run_dockyard(*args: str, cwd: Path, timeout: float = 240, isolated: bool = False) -> subprocess.CompletedProcess:
    """Run ``python -m dockyard ARGS`` the way a user does; bounded in time.

    ``isolated``: hide the user's pip configuration (files and PIP_* index variables).
    """
    env = dict(os.environ)
    if isolated:
        env["PIP_CONFIG_FILE"] = os.devnull
        for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
            env.pop(key, None)
    env["PYTHONPATH"] = SRC + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run(
        [sys.executable, "-m", "dockyard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def table(stdout: str) -> dict[str, list[str]]:
    """Rows of the wheels-check text table keyed by package name (cells split on 2+ spaces)."""
    import re

    rows = {}
    for line in stdout.splitlines():
        if not line.strip():
            break
        cells = re.split(r" {2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return rows
