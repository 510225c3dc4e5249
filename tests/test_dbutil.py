"""The test helpers clean up after themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_private_folders_are_removed_when_the_run_ends() -> None:
    """Each test run left an empty boxoffice-tests/run-* folder in the temp dir (issue 13
    item 11); a run's private folders go when its process ends."""
    made = subprocess.run(
        [sys.executable, "-c",
         "from tests import dbutil; p = dbutil.private_dir(); (p / 'pgdata').mkdir(); "
         "(p / 'pgdata' / 'PG_VERSION').write_text('16'); print(p)"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    folder = Path(made.stdout.strip())
    assert folder.name.startswith("run-") and folder.parent.name == "boxoffice-tests"
    assert not folder.exists()
