"""The layers hold: the core never imports Qt or the screens, one face starts everything,
the screens' folders import each other only as their docstrings say, no core import cycle.

Every import statement is read with ``ast`` (``scripts/import_graph.py``), function-level
ones included: the lazy imports are where the line used to leak. The subprocess probe
beside it proves the same at run time for Qt.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import boxoffice
from scripts import import_graph

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


@pytest.fixture(scope="module")
def tree() -> import_graph.Tree:
    return import_graph.scan()


def test_the_tree_keeps_every_layer_rule(tree: import_graph.Tree) -> None:
    assert import_graph.violations(tree) == []


def test_the_core_has_no_import_cycle(tree: import_graph.Tree) -> None:
    assert [c for c in import_graph.cycles(tree.graph())
            if any(import_graph.is_core(m) for m in c)] == []


def test_the_scan_sees_lazy_imports_and_every_module(tree: import_graph.Tree) -> None:
    """The scan is not blind where the old test was: imports inside functions count."""
    names = {m.name for m in pkgutil.walk_packages(boxoffice.__path__, "boxoffice.")}
    assert names <= set(tree.modules)
    cli_starts = {i.target for i in tree.imports if i.module == "boxoffice.cli" and i.lazy}
    assert {"boxoffice.ui.app", "boxoffice.ui.smoke"} <= cli_starts
    assert import_graph.folder_rules(tree)["common"] == frozenset()
    assert "common" in (import_graph.folder_rules(tree)["door"] or ())


# -- the scanner itself, on small trees made for the purpose -----------------------------


def make_tree(root: Path, files: dict[str, str]) -> import_graph.Tree:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return import_graph.scan(root)


FOLDERS = {
    "boxoffice/__init__.py": "",
    "boxoffice/ui/__init__.py": "",
    "boxoffice/ui/app.py": "",
    "boxoffice/ui/common/__init__.py": '"""Shared.\n\nMay import the core and Qt."""\n',
    "boxoffice/ui/common/style.py": "",
    "boxoffice/ui/door/__init__.py": '"""Door.\n\nMay import the core, Qt and `ui.common`."""\n',
}


def test_each_rule_break_is_found(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, FOLDERS | {
        "boxoffice/cli.py": "def open_database(): ...\n",
        "boxoffice/report.py": """
            def run():
                from boxoffice.cli import open_database
                from .ui.door import window
                import PySide6.QtCore
            """,
        "boxoffice/ui/door/window.py": """
            from boxoffice.ui.common.style import colour, _private
            from boxoffice.ui.app import make_application
            if __name__ == "__main__":
                pass
            """,
        "boxoffice/ui/common/banner.py": "from boxoffice.ui.door import window\n",
        "boxoffice/a.py": "def f():\n    from . import b\n",
        "boxoffice/b.py": "import boxoffice.a\n",
    })
    found = "\n".join(import_graph.violations(tree))
    assert "boxoffice.report:3 imports boxoffice.cli (open_database) [in a function]" in found
    assert "core imports the screens" in found and "boxoffice.ui.door.window" in found
    assert "Qt outside boxoffice.ui: boxoffice.report:5 imports PySide6.QtCore" in found
    assert "private name" in found and "(colour, _private)" in found
    assert "ui/door imports the app shell" in found
    assert "ui/common imports ui/door" in found
    assert "starts things outside the face" in found and "boxoffice.ui.door.window" in found
    assert "import cycle of 2 modules: boxoffice.a, boxoffice.b" in found
    assert len(import_graph.violations(tree)) == 8


def test_a_clean_tree_passes_and_the_docstring_grants_a_folder(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, FOLDERS | {
        "boxoffice/cli.py": "def main():\n    from boxoffice.ui.app import run\n"
                            "if __name__ == '__main__':\n    main()\n",
        "boxoffice/ui/door/window.py": "from boxoffice.ui.common.style import colour\n"
                                       "from ..common import style\n",
    })
    assert import_graph.violations(tree) == []
    assert import_graph.cycles(tree.graph()) == []
    edges = tree.graph()["boxoffice.ui.door.window"]
    assert edges == {"boxoffice.ui.common.style"}


def test_a_folder_without_its_rule_is_named(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, FOLDERS | {"boxoffice/ui/wall/__init__.py": '"""Wall."""\n'})
    assert import_graph.violations(tree) == [
        "boxoffice.ui.wall has no 'May import' sentence in its docstring"]
