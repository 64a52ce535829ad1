"""The `solemate` command line.

The entry point answers `--version` before importing anything heavy, so the command starts about as
fast as the interpreter itself; the everyday commands in their plain forms are answered by
``quick.py`` without Typer (with the cyclic garbage collector off, see :func:`_briefly`); every
other command builds the Typer application on demand, with only the commands it runs.
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Callable

from solemate import __version__


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"solemate {__version__}")
        return
    from solemate.cli.quick import answer

    if _briefly(answer, args):
        return
    from solemate.cli.app import run

    run(args)


def _briefly(answer: Callable[[list[str]], bool], args: list[str]) -> bool:
    """``answer(args)`` with the cyclic garbage collector off, as for a command that ends at once.

    The quick path's commands read a bounded page of rows, print and end, and make no cycles worth
    collecting; the collector's passes during their imports cost 2-3 ms of a 50 ms command. When
    they answered, everything is frozen at exit, so the interpreter's final collection does not
    walk it again (another 4-6 ms, measured). The collector is on again for whatever follows (the
    Typer path, or the next command when the tests run many in one process)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        answered = answer(args)
    finally:
        if was_on:
            gc.enable()
    if answered:
        _freeze_at_exit()
    return answered


_frozen_at_exit: list[bool] = []


def _freeze_at_exit() -> None:
    if not _frozen_at_exit:
        _frozen_at_exit.append(True)
        atexit.register(gc.freeze)
