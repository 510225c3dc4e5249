"""``boxoffice --smoke-test``: from the source tree always; the built bundle
(dist/boxoffice, made by scripts/build_bundle.sh) when BOXOFFICE_TEST_BUNDLE=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BOXOFFICE_", "PG")) and k not in ("PYTHONPATH",)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _smoke(command: list[str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("smoke test passed"), done.stdout
    return last


def test_smoke_test_from_the_source_tree() -> None:
    line = _smoke([sys.executable, "-m", "boxoffice", "--smoke-test"])
    assert "sold A1" in line and "1-page ticket PDF, checked in" in line
    assert line.endswith("source")


@pytest.mark.skipif(os.environ.get("BOXOFFICE_TEST_BUNDLE") != "1",
                    reason="set BOXOFFICE_TEST_BUNDLE=1 after scripts/build_bundle.sh")
def test_smoke_test_of_the_built_bundle() -> None:
    program = ROOT / "dist" / "boxoffice" / "boxoffice"
    assert program.exists(), "build it first: scripts/build_bundle.sh"
    line = _smoke([str(program), "--smoke-test"])
    assert line.endswith("bundle")
