"""The package's shape: no import cycles among its modules, and every module a room of at most
600 lines.

Imports are read from the source with :mod:`ast`, including those inside functions and under
``TYPE_CHECKING`` (a cycle that only type checkers follow still ties two modules together). A
module importing the package it belongs to (its ``__init__``) is not a cycle: Python runs the
package first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import solemate

ROOT = Path(solemate.__file__).parent
LONGEST = 600


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, its own enclosing packages left out."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            named.add(source)
            named.update(f"{source}.{alias.name}" for alias in node.names)
    found = set()
    for target in named:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name and not name.startswith(f"{target}."):
            found.add(target)
    return found


def import_cycles() -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan's SCCs)."""
    files = module_files()
    graph = {name: imports_of(name, path, set(files)) for name, path in files.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = [stack.pop()]
            while group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def long_modules() -> dict[str, int]:
    """Modules over :data:`LONGEST` lines, with their length."""
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in module_files().items()
    }
    return {name: n for name, n in sorted(lengths.items()) if n > LONGEST}


def test_no_import_cycles() -> None:
    assert import_cycles() == []


def test_the_cycle_finder_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "a.py"
    module.write_text("def f():\n    from solemate.b import x\n", encoding="utf-8")
    assert imports_of("solemate.a", module, {"solemate.a", "solemate.b"}) == {"solemate.b"}


def test_a_submodule_importing_its_own_package_is_no_cycle(tmp_path: Path) -> None:
    module = tmp_path / "b.py"
    module.write_text("from solemate.journal import records\nimport solemate\n", encoding="utf-8")
    modules = {"solemate", "solemate.journal", "solemate.journal.b", "solemate.journal.records"}
    assert imports_of("solemate.journal.b", module, modules) == {"solemate.journal.records"}


def test_no_module_is_over_600_lines() -> None:
    assert long_modules() == {}
