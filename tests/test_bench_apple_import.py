"""The Apple import benchmark's comparison words: parity within 10 %, else faster or slower."""

from __future__ import annotations

import pytest
from benchmarks.bench_apple_import import compared


@pytest.mark.parametrize(
    ("ours", "theirs", "words"),
    [
        ([1.0, 1.05, 1.1], [1.0, 1.0, 1.0], "at parity"),
        ([1.0, 1.0, 1.0], [3.0, 3.0, 3.0], "3.0× faster"),
        ([2.0, 2.5, 3.0], [1.0, 1.0, 1.0], "2.5× slower"),
    ],
)
def test_comparisons_in_words(ours: list[float], theirs: list[float], words: str) -> None:
    assert compared(ours, theirs).startswith(words)
