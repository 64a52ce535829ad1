"""Only the settings read the environment: the shells build one Settings and pass its values down.

Every use of ``os.environ``, ``os.getenv`` (or ``environ``/``getenv`` imported from ``os``) in the
package is found with :mod:`ast`; each must be in ``settings.py`` or on the short list below, which
says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import solemate

ROOT = Path(solemate.__file__).parent

#: The whole module may read the environment.
SETTINGS_MODULES = frozenset({"settings.py"})

#: Single variables a shell module may read, with the reason.
ALLOWED = {
    # The machine's time zone, which the diary's shell asks the system for: not a setting.
    ("cli/diary_commands.py", "TZ"),
    # Rich's own terminal switches (FORCE_COLOR, TTY_COMPATIBLE, TTY_INTERACTIVE), checked to know
    # whether Rich would print plain text: how the terminal behaves, not a setting of solemate.
    ("cli/plain_table.py", None),
}


def environment_reads(path: Path) -> list[tuple[int, str | None]]:
    """Each line reading the environment in ``path``, with the variable's name when it is a
    constant (``os.environ.get("TZ")``, ``os.environ["TZ"]``, ``os.getenv("TZ")``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str | None]] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in ("environ", "getenv", "environb") for alias in node.names):
                found.append((node.lineno, None))
            continue
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "environb")
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            continue
        found.append((node.lineno, _constant_name(node, parents)))
    return sorted(found, key=lambda read: read[0])


def _constant_name(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    parent = parents.get(node)
    key: ast.expr | None
    if isinstance(parent, ast.Subscript):
        key = parent.slice  # os.environ["TZ"]
    elif isinstance(parent, ast.Call) and parent.args:
        key = parent.args[0]  # os.getenv("TZ")
    elif isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = parents.get(parent)  # os.environ.get("TZ")
        key = call.args[0] if isinstance(call, ast.Call) and call.args else None
    else:
        key = None
    return str(key.value) if isinstance(key, ast.Constant) else None


def test_nothing_below_the_shells_reads_the_environment() -> None:
    offending = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in SETTINGS_MODULES:
            continue
        for line, name in environment_reads(path):
            if (relative, name) not in ALLOWED:
                offending.append(f"{relative}:{line} reads {name or 'the environment'}")
    assert not offending, "read it in solemate/settings.py and pass it down:\n" + "\n".join(
        offending
    )


def test_the_finder_sees_every_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom os import environ\n"
        "a = os.environ.get('A')\nb = os.environ['B']\nc = os.getenv('C')\nd = dict(os.environ)\n",
        encoding="utf-8",
    )
    assert environment_reads(sample) == [(2, None), (3, "A"), (4, "B"), (5, "C"), (6, None)]
