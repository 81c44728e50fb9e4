"""The result cache on real repositories: each clone of ``bench/corpus/`` is checked three times, cold
(``--no-cache``), then recording its report, then replayed, and the three runs' exit codes, stdout and stderr must be
byte for byte the same. Prints each repository's times and exits 1 when any run differs.

    .venv/bin/python bench/replay_check.py --clones DIR --dockyard V/bin/dockyard

The runs use a cache folder of their own (``DOCKYARD_CACHE_DIR``), and a clone must have been checked out more than
two seconds before (dockyard does not keep a report of files changed that recently).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))

from score import REPOS  # noqa: E402


def run(dockyard: str, clone: Path, env: dict, *extra: str) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    out = subprocess.run([dockyard, "check", ".", "--format", "json", "--exit-zero", *extra], cwd=clone,
                         capture_output=True, text=True, env=env, timeout=600)
    return out.returncode, out.stdout, out.stderr, (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clones", required=True, help="folder holding the clones, each named as in score.py's REPOS")
    ap.add_argument("--dockyard", required=True, help="an installed dockyard executable")
    args = ap.parse_args(argv)
    differ = 0
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "DOCKYARD_NO_CACHE"}
        env["DOCKYARD_CACHE_DIR"] = cache
        for folder, _commit, _full in REPOS.values():
            clone = Path(args.clones) / folder
            if not clone.is_dir():
                print(f"missing clone: {clone}", file=sys.stderr)
                return 2
            cold, recorded, replayed = (run(args.dockyard, clone, env, "--no-cache"), run(args.dockyard, clone, env),
                                        run(args.dockyard, clone, env))
            same = cold[:3] == recorded[:3] == replayed[:3]
            differ += not same
            print(f"{folder:40} {'same' if same else 'DIFFERS'}  cold {cold[3]:7.0f} ms  recording {recorded[3]:7.0f} ms"
                  f"  replayed {replayed[3]:5.0f} ms")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
