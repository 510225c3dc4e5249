"""The domain and services never import Qt: they run in scripts, the CLI and workers."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import boxoffice

PROBE = """
import importlib, sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6.") or name.startswith("shiboken6"):
            raise ImportError("Qt is not allowed outside boxoffice.ui: " + name)
        return None
sys.meta_path.insert(0, NoQt())
for name in sys.argv[1:]:
    importlib.import_module(name)
print("ok", len(sys.argv) - 1)
"""


def test_non_ui_modules_import_without_qt() -> None:
    names = [m.name for m in pkgutil.walk_packages(boxoffice.__path__, "boxoffice.")
             if not m.name.startswith("boxoffice.ui") and m.name != "boxoffice.__main__"]
    assert "boxoffice.booking" in names and "boxoffice.expiry" in names
    out = subprocess.run([sys.executable, "-c", PROBE, *names], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"ok {len(names)}"
