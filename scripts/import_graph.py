"""BoxOffice's import graph, read from the source with ``ast``: its cycles and its layer leaks.

Every import statement counts, wherever it stands: at module level, inside a function
(the lazy imports that once let the core call up into the screens), under ``if
TYPE_CHECKING``. Relative imports are resolved. ``tests/test_layers.py`` holds the rules
below with this same scan; run it by hand to see a tree's graph:

    .venv/bin/python scripts/import_graph.py [TREE]    # TREE defaults to this checkout

It prints the import cycles (strongly connected components of the module graph, with
their sizes) and every import against the layer rules, and exits 1 when there is any.

The rules:
- nothing outside ``boxoffice.ui`` imports Qt, and only the face's ``boxoffice.cli``
  (which starts the app, the door window and the reports) imports ``boxoffice.ui``;
- the face (``cli``, ``__main__``, ``cashup_report``) is imported by nothing else, and
  ``cli`` only by ``__main__``;
- ``boxoffice.ui`` takes no private (``_name``) from another module;
- a ``ui/`` folder imports another ``ui/`` folder only where its ``__init__`` docstring's
  "May import" sentence names it (as `ui.common`), and never the app shell (the modules
  directly in ``ui/``: ``app.py``, ``smoke.py``);
- nothing but the face has an ``if __name__ == "__main__"`` block: one place starts things;
- the core has no import cycle.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "boxoffice"
UI = "boxoffice.ui"
QT = ("PySide6", "shiboken6")
# The face: the command that starts everything, its ``-m`` entry, and the cash-up text
# only the command prints. Only ``boxoffice.cli`` of them starts the screens.
FACE = frozenset({"boxoffice.cli", "boxoffice.__main__", "boxoffice.cashup_report"})
STARTS_SCREENS = "boxoffice.cli"
# Modules that may start things (``if __name__ == "__main__"``): the face and ``-m`` entries.
STARTERS = frozenset({"boxoffice.cli", "boxoffice.__main__", "boxoffice.bench.__main__"})


@dataclass(frozen=True)
class Import:
    """One imported module (``target``) with the names taken from it, where it stands."""

    module: str  # the importing module
    target: str  # the module imported, resolved (a submodule when a name is one)
    names: tuple[str, ...]  # names taken with ``from target import ...`` (empty for ``import``)
    line: int
    lazy: bool  # inside a function (runs when called, not at import time)

    def where(self) -> str:
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.module}:{self.line} imports {self.target}{names}" + (
            " [in a function]" if self.lazy else "")


@dataclass(frozen=True)
class Tree:
    """The modules of ``boxoffice`` in one checkout, and every import they make."""

    root: Path
    modules: dict[str, Path]
    imports: tuple[Import, ...]
    starters: frozenset[str]  # modules with an ``if __name__ == "__main__"`` block

    def graph(self) -> dict[str, set[str]]:
        """Module → the ``boxoffice`` modules it imports (package ``__init__`` files are
        nodes of their own; importing a submodule does not add an edge to its parents)."""
        edges: dict[str, set[str]] = {m: set() for m in self.modules}
        for imp in self.imports:
            if imp.target in self.modules and imp.target != imp.module:
                edges[imp.module].add(imp.target)
        return edges


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def scan(root: Path | str | None = None) -> Tree:
    """Read every ``boxoffice/**/*.py`` under ``root`` (default: this checkout)."""
    root = Path(root) if root is not None else Path(__file__).resolve().parent.parent
    modules = {module_name(root, p): p for p in sorted((root / PACKAGE).rglob("*.py"))}
    imports: list[Import] = []
    starters: set[str] = set()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imports += _imports_of(tree, name, package, modules)
        if any(_is_main_guard(node) for node in tree.body):
            starters.add(name)
    return Tree(root, modules, tuple(imports), frozenset(starters))


def _imports_of(tree: ast.Module, module: str, package: str,
                modules: dict[str, Path]) -> list[Import]:
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                       | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, (), child.lineno, inner) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(child.module, child.level, package)
                plain: list[str] = []
                for a in child.names:
                    sub = f"{base}.{a.name}"
                    if sub in modules:  # ``from boxoffice import money``: the submodule
                        found.append(Import(module, sub, (), child.lineno, inner))
                    else:
                        plain.append(a.name)
                if plain:
                    found.append(Import(module, base, tuple(plain), child.lineno, inner))
            visit(child, inner)

    visit(tree, False)
    return found


def _resolve(name: str | None, level: int, package: str) -> str:
    """The absolute module a ``from`` import names (``from ..x import y`` in a.b.c → a.x)."""
    if level == 0:
        return name or ""
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, name] if name else base)


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    return (any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
            and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides))


# -- cycles --------------------------------------------------------------------------


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative),
    largest first, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found, key=lambda c: (-len(c), c))


# -- layer rules ---------------------------------------------------------------------


def is_ui(module: str) -> bool:
    return module == UI or module.startswith(UI + ".")


def is_core(module: str) -> bool:
    return module.startswith(PACKAGE) and not is_ui(module) and module not in FACE


def _is_qt(target: str) -> bool:
    return any(target == q or target.startswith(q + ".") for q in QT)


def ui_folder(tree: Tree, module: str) -> str | None:
    """``boxoffice.ui.counter.seat_grid`` → ``counter``; None outside the ui folders: for
    the app shell (the modules directly in ``ui/``, such as ``app`` and ``smoke``, that
    assemble the windows of every folder) and for the core."""
    parts = module.split(".")
    if not is_ui(module) or len(parts) < 3:
        return None
    package = tree.modules.get(f"{UI}.{parts[2]}")
    return parts[2] if package is not None and package.name == "__init__.py" else None


def folder_rules(tree: Tree) -> dict[str, frozenset[str] | None]:
    """What each ``ui/`` folder may import of the others, read from the "May import"
    sentence of its ``__init__`` docstring (backquoted `ui.name` words); None for a folder
    whose docstring has no such sentence."""
    rules: dict[str, frozenset[str] | None] = {}
    for name, path in tree.modules.items():
        folder = ui_folder(tree, name)
        if folder is None or name != f"{UI}.{folder}":
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        at = doc.find("May import")
        sentence = doc[at:].split(".\n", 1)[0] if at >= 0 else None
        rules[folder] = (None if sentence is None
                         else frozenset(re.findall(r"`ui\.(\w+)`", sentence)))
    return rules


def violations(tree: Tree) -> list[str]:
    """Every import (and starter) against the rules in this module's docstring."""
    bad: list[str] = []
    rules = folder_rules(tree)
    for folder, allowed in sorted(rules.items()):
        if allowed is None:
            bad.append(f"{UI}.{folder} has no 'May import' sentence in its docstring")
    for imp in tree.imports:
        m, t = imp.module, imp.target
        if not is_ui(m) and m != STARTS_SCREENS and is_ui(t):
            bad.append(f"{'core' if is_core(m) else 'face'} imports the screens (only "
                       f"{STARTS_SCREENS} may): {imp.where()}")
        if not is_ui(m) and _is_qt(t):
            bad.append(f"Qt outside {UI}: {imp.where()}")
        if t == STARTS_SCREENS and m != "boxoffice.__main__":
            bad.append(f"imports the face (only boxoffice.__main__ may): {imp.where()}")
        elif t in FACE and m not in FACE:
            bad.append(f"imports the face's own module (only the face may): {imp.where()}")
        if is_ui(m) and t != m:
            private = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
            if private:
                bad.append(f"ui takes a private name of another module: {imp.where()}")
        here, there = ui_folder(tree, m), ui_folder(tree, t)
        if here is not None and is_ui(t) and t != UI:
            if there is None:
                bad.append(f"ui/{here} imports the app shell ({UI}'s own modules): "
                           f"{imp.where()}")
            elif there != here and there not in (rules.get(here) or frozenset()):
                bad.append(f"ui/{here} imports ui/{there}, which its docstring does not "
                           f"allow: {imp.where()}")
    for name in sorted(tree.starters - STARTERS):
        bad.append(f"starts things outside the face (an `if __name__ == \"__main__\"` "
                   f"block): {name}")
    for component in cycles(tree.graph()):
        core = [m for m in component if is_core(m)]
        if core:
            bad.append(f"the core is in an import cycle of {len(component)} modules: "
                       f"{', '.join(component)}")
    return bad


def report(tree: Tree) -> tuple[str, int]:
    """The printed report and how many rule breaks it lists."""
    graph = tree.graph()
    found = cycles(graph)
    edges = sum(len(v) for v in graph.values())
    lazy = sum(1 for i in tree.imports if i.lazy)
    lines = [f"{tree.root}: {len(tree.modules)} modules, {edges} internal import edges, "
             f"{len(tree.imports)} imports ({lazy} inside functions)", ""]
    lines.append(f"import cycles: {len(found)}")
    for component in found:
        lines.append(f"  {len(component)} modules: {', '.join(component)}")
    bad = violations(tree)
    lines += ["", f"against the layer rules: {len(bad)}"]
    lines += [f"  {b}" for b in bad]
    return "\n".join(lines) + "\n", len(bad)


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    text, broken = report(scan(args[0] if args else None))
    sys.stdout.write(text)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
