"""The soak benchmark, run for a few seconds: the mix works, nothing fails, memory is sampled."""

from __future__ import annotations

import pytest
from benchmarks.bench_soak import report, soak


@pytest.mark.slow
def test_a_short_soak_has_no_errors() -> None:
    result = soak(4, clients=2)
    assert result.server_errors == 0
    assert result.broken_connections == 0
    assert result.unexpected == {}
    assert result.requests["start"] > 0
    assert result.requests["refused"] == 3 * result.requests["plan"]
    assert len(result.rss_mb) >= 2
    assert all(mb > 10 for mb in result.rss_mb)
    shown = report(result)
    assert "0 broken connections" in shown
