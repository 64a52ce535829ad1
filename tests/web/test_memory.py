"""A server process gives freed memory back to the system (glibc, as on this machine)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from solemate.web import memory

# Frees one 24 MB block (glibc then serves smaller blocks from its heap), then makes a render's
# worth of 4 MB blocks between 1 MB ones that stay (the heap cannot shrink past those), frees the
# large ones and prints how much larger the process stayed, in MB.
GROWTH = """
import sys
import numpy as np
from solemate.web.memory import give_back_free_pages, return_large_blocks

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "returned":
    assert return_large_blocks()
trimmed = sys.argv[1] == "trimmed"
big = np.ones(3_000_000)
del big
before = rss()
blocks, kept = [], []
for _ in range(40):
    blocks.append(np.ones(500_000))
    kept.append(np.ones(125_000))
del blocks
if trimmed:
    assert give_back_free_pages()
print(rss() - before - 40 * 1_000_000 / 2**20)
"""


def growth(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", GROWTH, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, on Linux")
def test_freed_blocks_of_a_render_are_given_back() -> None:
    kept = growth("returned")
    assert kept < 10, f"{kept:.0f} MB kept after the blocks were freed"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, on Linux")
def test_free_pages_kept_between_blocks_in_use_are_given_back() -> None:
    kept = growth("trimmed")
    assert kept < 10, f"{kept:.0f} MB kept after the free pages were given back"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, on Linux")
def test_without_either_glibc_keeps_them() -> None:
    """What both are for: the same blocks stay in the process by default."""
    assert growth("default") > 100


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, on Linux")
def test_the_pages_are_given_back_on_a_thread_of_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = threading.Semaphore(0)
    monkeypatch.setattr(memory, "give_back_free_pages", calls.release)
    thread = memory.keep_giving_back(every_s=0.01)
    assert thread is not None
    assert thread.daemon
    assert calls.acquire(timeout=10)
    assert calls.acquire(timeout=10)  # again, not once
