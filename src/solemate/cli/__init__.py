"""The `solemate` command line.

The entry point answers `--version` before importing anything heavy, so the command starts about as
fast as the interpreter itself; the everyday commands in their plain forms are answered by
``quick.py`` without Typer; every other command builds the Typer application on demand, with only
the commands it runs.
"""

from __future__ import annotations

import sys

from solemate import __version__


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"solemate {__version__}")
        return
    from solemate.cli.quick import answer

    if answer(args):
        return
    from solemate.cli.app import run

    run(args)
