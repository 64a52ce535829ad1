"""Memory a long-running server gives back to the system once it is free.

glibc's ``malloc`` serves a block of 128 KiB or more from its own mapping, returned to the system
on ``free``, but each time such a block is freed it raises that threshold to the block's size (up
to 32 MB), and from then on blocks below it come from the heap, which keeps them when they are
freed. Rendering a session's track frees blocks of many MB, so ``solemate serve`` stayed about
70 MB larger after its first render (the soak benchmark, 5 minutes: +114 MB by the end, +37 MB
with the threshold fixed; renders took as long either way). Tracks are now rendered in a process
of their own (:mod:`solemate.web.track`); the server's other large blocks still benefit.

What is freed between blocks still in use stays in the heap too: under the soak's requests the
memory malloc held free grew by about 14 MB in two minutes while what was in use did not grow
(Python's own allocations neither), and giving the free pages back took the server's resident
memory down by that much. So the server also gives them back every :data:`TRIM_EVERY_S` seconds.

Both are glibc's; with another C library nothing is changed.
"""

from __future__ import annotations

import ctypes
import functools
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "MMAP_THRESHOLD",
    "TRIM_EVERY_S",
    "give_back_free_pages",
    "keep_giving_back",
    "return_large_blocks",
]

#: glibc's own default; ``mallopt`` with it keeps the threshold there.
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
#: How often the server gives malloc's free pages back (a pass takes about a millisecond).
TRIM_EVERY_S = 30.0


@functools.cache
def _glibc(name: str, *argtypes: Any) -> Callable[..., int] | None:
    """``name`` from the C library this process already uses, when it is Linux's and has it
    (looked up once: the server calls it every :data:`TRIM_EVERY_S` seconds)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = list(argtypes)
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def return_large_blocks() -> bool:
    """Keep blocks of :data:`MMAP_THRESHOLD` bytes and more in mappings of their own, returned to
    the system when freed, for the rest of this process. False where the C library is not glibc
    (or refuses), which then keeps its own policy."""
    mallopt = _glibc("mallopt", ctypes.c_int, ctypes.c_int)
    return mallopt is not None and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def give_back_free_pages() -> bool:
    """Return the whole pages malloc holds free to the system (``malloc_trim``); whether any
    were. False as well where the C library is not glibc."""
    trim = _glibc("malloc_trim", ctypes.c_size_t)
    return trim is not None and bool(trim(0))


def keep_giving_back(every_s: float = TRIM_EVERY_S) -> threading.Thread | None:
    """Call :func:`give_back_free_pages` every ``every_s`` seconds on a daemon thread, for the
    rest of this process; None where there is nothing to call."""
    if _glibc("malloc_trim", ctypes.c_size_t) is None:
        return None

    def loop() -> None:  # ends with the process
        while True:
            time.sleep(every_s)
            give_back_free_pages()

    thread = threading.Thread(target=loop, name="solemate-give-back-memory", daemon=True)
    thread.start()
    return thread
