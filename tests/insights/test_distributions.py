"""The hand-written t distribution against scipy's, over the range the insights use."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from solemate.insights.distributions import t_cdf, t_cdf_whole, t_density, t_quantile


def test_scalar_cdf_and_quantile_match_scipy() -> None:
    for t, df in itertools.product(
        [-30, -5, -2, -0.3, 0.1, 1, 2.5, 7, 40], [1, 2, 3.5, 5, 19, 1000]
    ):
        assert t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), abs=1e-12)
    for p, df in itertools.product([1e-6, 0.025, 0.3, 0.975, 0.999], [1, 2, 5, 19, 100]):
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 20, 21, 300, 301, 1000, 3641])
def test_series_cdf_matches_scipy(df: int) -> None:
    values = np.linspace(-40, 40, 801)
    found = np.array([t_cdf_whole(float(v), df) for v in values])
    assert np.abs(found - stats.t.cdf(values, df)).max() < 1e-6


@pytest.mark.parametrize("df", [1, 2, 3, 20, 301, 3641])
def test_density_matches_scipy(df: int) -> None:
    values = np.linspace(-40, 40, 801)
    density = t_density(df)
    found = np.array([density(float(v)) for v in values])
    assert np.abs(found - stats.t.pdf(values, df)).max() < 1e-11


def test_infinite_values_and_bad_degrees_of_freedom() -> None:
    assert t_cdf_whole(float("inf"), 5) == 1.0
    assert t_cdf_whole(float("-inf"), 5) == 0.0
    for df in (0, 2.5):
        with pytest.raises(ValueError, match="whole number"):
            t_cdf_whole(1.0, df)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        t_density(0)
