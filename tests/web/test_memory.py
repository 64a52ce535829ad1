"""A server process gives freed large blocks back to the system (glibc, as on this machine)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Frees one 24 MB block (glibc then serves smaller blocks from its heap), then makes a render's
# worth of 4 MB blocks between small ones that stay (the heap cannot shrink past those), frees the
# large ones and prints how much larger the process stayed, in MB.
GROWTH = """
import sys
import numpy as np
from solemate.web.memory import return_large_blocks

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "returned":
    assert return_large_blocks()
big = np.ones(3_000_000)
del big
before = rss()
blocks, kept = [], []
for _ in range(40):
    blocks.append(np.ones(500_000))
    kept.append(np.ones(1_000))
del blocks
print(rss() - before - 40 * 8_000 / 2**20)
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
def test_without_it_glibc_keeps_them() -> None:
    """What the setting is for: the same blocks stay in the process by default."""
    assert growth("default") > 100
