"""The scaling benchmark's words for growth, and the whole-command runner it shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.bench_scaling import describe, growth
from benchmarks.harness import whole_command


@pytest.mark.parametrize(
    ("low", "high", "shape"),
    [
        (2.0, 2.05, "flat"),
        (2.0, 5.0, "sublinear"),
        (2.0, 20.0, "linear, k = 1.00"),
        (2.0, 400.0, "faster than linear"),
    ],
)
def test_growth_is_named_from_its_exponent(low: float, high: float, shape: str) -> None:
    assert growth(low, high, 1.0, 10.0).startswith(shape)


def test_a_steady_cost_per_unit_is_linear_above_a_fixed_cost() -> None:
    sizes, times, peaks = [12.0, 24.0, 48.0], [4.0, 5.2, 7.6], [100.0, 104.0, 106.0]
    assert describe("render", sizes, times, peaks, 0).startswith("the smallest size")
    second = describe("render", sizes, times, peaks, 1)
    assert "×2.0 the size: time ×1.30" in second
    assert "100 ms per added min of session" in second
    third = describe("render", sizes, times, peaks, 2)
    assert "linear above a fixed cost" in third
    assert "memory ×1.02, flat" in third


def test_whole_command_reports_its_own_peak(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text('{"a": [1, 2, 3]}')
    wall, peak = whole_command("json.tool", [str(data)])
    assert wall > 0
    assert 5 < peak < 500


def test_a_failing_command_is_named_with_its_message(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"python -m json.tool .*missing.json failed"):
        whole_command("json.tool", [str(tmp_path / "missing.json")])
