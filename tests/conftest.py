import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))  # lets tests import tests.helpers

import os  # noqa: E402

# Every check the suite starts checks afresh: a report replayed from the cache (dockyard.runcache) would hide the
# run under test. tests/engine/test_runcache.py turns the cache on for its own runs.
os.environ["DOCKYARD_NO_CACHE"] = "1"
