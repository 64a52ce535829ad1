"""The AR(1) fit's numerical shortcuts against the plain computations they replace."""

from __future__ import annotations

import numpy as np
import pytest

from solemate.insights.ar1 import _whiten, fit_ar1


def nights(n: int, seed: int) -> tuple[list[float], list[list[float]], list[int]]:
    rng = np.random.default_rng(seed)
    days = [int(d) for d in np.cumsum(1 + (rng.random(n) < 0.15) * rng.integers(1, 3, n)) - 1]
    arm = (rng.random(n) < 0.5).astype(float)
    noise = np.empty(n)
    noise[0] = rng.normal()
    for t in range(1, n):
        noise[t] = 0.4 * noise[t - 1] + rng.normal() * np.sqrt(1 - 0.16)
    return list(25 - 8 * arm + 12 * noise), [[1.0, a] for a in arm], days


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (42, 2), (400, 3)])
def test_quantiles_invert_the_posterior_distribution(n: int, seed: int) -> None:
    y, x, days = nights(n, seed)
    fit = fit_ar1(y, x, days, ["intercept", "massage"])
    for p in (0.025, 0.2, 0.5, 0.975):
        assert fit.probability_below("massage", fit.quantile("massage", p)) == pytest.approx(
            p, abs=1e-12
        )


def test_a_point_mass_is_still_answered() -> None:
    """Every night zero: no spread, no density, yet an estimate (by bisection)."""
    fit = fit_ar1([0.0] * 6, [[1.0, float(i % 2)] for i in range(6)], range(6), ["a", "b"])
    assert not fit.scales.any()
    assert fit.estimate("b") == pytest.approx(0.0, abs=1e-6)
    assert fit.interval("b") == pytest.approx((0.0, 0.0), abs=1e-6)


def test_whitening_by_hand() -> None:
    """Night t minus ρ^gap times night t − 1, over √(1 − ρ^(2 gap)); the first night as it is."""
    matrix = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 7.0]])
    whitened, log_det = _whiten(0.5, np.array([1.0, 2.0]), matrix)
    second = (matrix[1] - 0.5 * matrix[0]) / np.sqrt(0.75)
    third = (matrix[2] - 0.25 * matrix[1]) / np.sqrt(1 - 0.0625)
    expected = np.array([[1.0, 2.0], second, third])
    assert np.allclose(whitened, expected, rtol=1e-15)
    assert log_det == pytest.approx(np.log(0.75) + np.log(1 - 0.0625), rel=1e-14)
