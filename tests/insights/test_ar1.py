"""The AR(1) fit's numerical shortcuts against the plain computations they replace."""

from __future__ import annotations

import numpy as np
import pytest

from solemate.insights.ar1 import _Model, fit_ar1, whitened_cross_products


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
    assert not any(s for row in fit.scales for s in row)
    assert fit.estimate("b") == pytest.approx(0.0, abs=1e-6)
    assert fit.interval("b") == pytest.approx((0.0, 0.0), abs=1e-6)


def whitened_by_hand(rho: float, days: list[int], matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """Prais–Winsten with gaps, row by row: the plain computation the sums replace."""
    rows = [matrix[0]]
    log_det = 0.0
    for i in range(1, len(days)):
        r = rho ** (days[i] - days[i - 1])
        rows.append((matrix[i] - r * matrix[i - 1]) / np.sqrt(1 - r * r))
        log_det += np.log(1 - r * r)
    return np.array(rows), log_det


def test_whitening_by_hand() -> None:
    matrix = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 7.0]])
    whitened, log_det = whitened_by_hand(0.5, [0, 1, 3], matrix)
    second = (matrix[1] - 0.5 * matrix[0]) / np.sqrt(0.75)
    third = (matrix[2] - 0.25 * matrix[1]) / np.sqrt(1 - 0.0625)
    assert np.allclose(whitened, np.array([[1.0, 2.0], second, third]), rtol=1e-15)
    assert log_det == pytest.approx(np.log(0.75) + np.log(1 - 0.0625), rel=1e-14)
    assert np.allclose(
        whitened_cross_products(0.5, [0, 1, 3], matrix.tolist()), whitened.T @ whitened, rtol=1e-14
    )


@pytest.mark.parametrize(("n", "seed", "rho"), [(12, 1, -0.9), (42, 2, 0.3), (400, 3, 0.94)])
def test_the_sums_are_the_whitened_cross_products(n: int, seed: int, rho: float) -> None:
    """Nights with gaps, an intercept (so y is centred) and the arm: the model's cross-products
    of [y, X] at ρ are those of the columns whitened row by row."""
    y, x, days = nights(n, seed)
    model = _Model(y, x, days)
    cross, log_det = model.cross(rho)
    centred = np.column_stack([np.array(y) - np.mean(y), np.array(x)])
    whitened, by_hand = whitened_by_hand(rho, days, centred)
    assert np.allclose(np.reshape(cross, (3, 3)), whitened.T @ whitened, rtol=1e-11, atol=1e-9)
    assert log_det == pytest.approx(by_hand, rel=1e-12)
