"""Memory a long-running server gives back: large blocks returned to the system when freed.

glibc's ``malloc`` serves a block of 128 KiB or more from its own mapping, returned to the system
on ``free``, but each time such a block is freed it raises that threshold to the block's size (up
to 32 MB), and from then on blocks below it come from the heap, which keeps them when they are
freed. Rendering a session's track (:mod:`solemate.web.track`) frees blocks of many MB, so
``solemate serve`` stayed tens of MB larger after every render: in the soak benchmark its resident
memory grew 98 MB in 150 s, 31 MB with the threshold fixed (renders took as long either way).
Setting the threshold turns the adjustment off. Elsewhere than glibc nothing is changed.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MMAP_THRESHOLD", "return_large_blocks"]

#: glibc's own default; ``mallopt`` with it keeps the threshold there.
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h


def return_large_blocks() -> bool:
    """Keep blocks of :data:`MMAP_THRESHOLD` bytes and more in mappings of their own, returned to
    the system when freed, for the rest of this process. False where the C library is not glibc
    (or refuses), which then keeps its own policy."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
