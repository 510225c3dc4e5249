"""README's Python example runs as written (so README stays true)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_runs_as_written(db_url: str) -> None:
    text = README.read_text()
    section = text.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOXOFFICE_", "PG"))}
    env["BOXOFFICE_DATABASE_URL"] = db_url
    out = subprocess.run([sys.executable, "-c", code.group(1)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "no longer free: C8" in out.stdout
    assert "['CONFIRMED']" in out.stdout
    assert "booking_exchanged" in out.stdout and "booking_cancelled" in out.stdout
    assert "EUR 37.50 change EUR 12.50" in out.stdout
    assert "EUR 12.50 back for ('F8',)" in out.stdout
