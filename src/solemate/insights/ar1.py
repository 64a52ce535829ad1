"""Linear regression with AR(1) errors, with the uncertainty about the correlation kept in.

One person's nights are not independent: a bad night tends to follow a bad night, and ordinary
least squares would then understate the uncertainty of the massage effect. Here the errors follow
an AR(1) process over the *calendar*: nights ``t`` and ``s`` correlate by ρ^|t − s|, so a night
without a diary leaves a gap instead of being filled in. For a given ρ the model is whitened
exactly (the Prais–Winsten transformation, generalised to gaps) and solved by least squares.

A month of nights says little about ρ, and plugging in one estimate of it makes intervals too
narrow (about 92 % coverage for a nominal 95 % at 28 nights, in this project's simulations).
So ρ is integrated out instead: with flat priors on the coefficients and on log σ and a uniform
prior on ρ in (−0.95, 0.95), the posterior of ρ is proportional to the restricted (REML)
likelihood, and given ρ each coefficient follows a Student t with n − p degrees of freedom around
its GLS estimate. The posterior of a coefficient is therefore a mixture of t distributions over
a grid of ρ, weighted by the REML likelihood. Its 95 % interval is a credible interval whose
frequentist coverage is checked by simulation in the tests (95 % ± 3 %), and the same posterior
gives the probability that a benefit exceeds a given size.

The fit is written in plain Python, without numpy, because it is small: whitening only ever
enters through the cross-products of the whitened columns, and each of those is a sum over the
nights of three products that do not depend on ρ (a night with itself, with the night before,
the night before with itself), weighted by ρ^gap. So the nights are summed once per distinct gap,
and each value of ρ then costs a few dozen multiplications however many nights there are
(:class:`_Model`). A person's insights start in a fraction of the time importing numpy takes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import NormalDist, fmean

from solemate.insights.distributions import t_cdf_whole, t_density

__all__ = ["Ar1Fit", "ModelError", "fit_ar1", "whitened_cross_products"]

RHO_LIMIT = 0.95
_POINTS = 41


def _linspace(low: float, high: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``low`` to ``high``, both included."""
    step = (high - low) / (count - 1)
    return [*(low + k * step for k in range(count - 1)), high]


_COARSE = _linspace(-RHO_LIMIT, RHO_LIMIT, 39)


class ModelError(ValueError):
    """Too few nights, or terms that the nights cannot tell apart."""


@dataclass(frozen=True)
class Ar1Fit:
    """A fitted model. ``rho`` is the REML estimate of the night-to-night correlation and
    ``sigma`` the spread of one night's error in the outcome's units (at that ρ); ``df`` is
    n − p. Estimates and intervals of a term come from the posterior mixture (see the module):
    ``weights`` has one weight per value of ρ on the grid, ``means`` and ``scales`` one row per
    value of ρ and one column per term.
    """

    names: tuple[str, ...]
    rho: float
    sigma: float
    df: int
    nights: int
    weights: tuple[float, ...] = field(repr=False, compare=False)
    means: tuple[tuple[float, ...], ...] = field(repr=False, compare=False)
    scales: tuple[tuple[float, ...], ...] = field(repr=False, compare=False)

    def _mixture(self, name: str) -> tuple[list[float], list[float], list[float]]:
        j = self.names.index(name)
        return [m[j] for m in self.means], [s[j] for s in self.scales], list(self.weights)

    def probability_below(self, name: str, value: float, prior_sd: float | None = None) -> float:
        """Posterior probability that the coefficient of ``name`` is below ``value``.

        With ``prior_sd`` the coefficient has a sceptical normal prior centred on 0 with that
        standard deviation instead of a flat one: at each ρ the t posterior is combined with the
        prior by precision weighting (its degrees of freedom kept), and the ρ weights are
        multiplied by how likely the estimate is under the prior, N(estimate; 0, scale² + prior²).
        """
        means, scales, weights = self._mixture(name)
        if prior_sd is not None:
            if not (prior_sd > 0 and math.isfinite(prior_sd)):
                raise ValueError(f"the prior's standard deviation must be above 0, got {prior_sd}")
            totals = [s * s + prior_sd**2 for s in scales]
            log_evidence = [
                -0.5 * (math.log(t) + m * m / t) for m, t in zip(means, totals, strict=True)
            ]
            top = max(log_evidence)
            weights = [w * math.exp(e - top) for w, e in zip(weights, log_evidence, strict=True)]
            whole = math.fsum(weights)
            weights = [w / whole for w in weights]
            shrinks = [prior_sd**2 / t for t in totals]
            means = [m * k for m, k in zip(means, shrinks, strict=True)]
            scales = [s * math.sqrt(k) for s, k in zip(scales, shrinks, strict=True)]
        return _mixture_below(value, means, scales, weights, self.df)

    def quantile(self, name: str, p: float) -> float:
        """The value with posterior probability ``p`` below it, to about 1e-12 of its size.

        Newton's method on the mixture's distribution function, using its density, kept inside
        a bracket that every evaluation narrows (a step leaving it bisects instead): three to
        seven evaluations where bisection to 1e-9 needed about thirty-five.
        """
        means, scales, weights = self._mixture(name)
        low = min(m - 60 * s for m, s in zip(means, scales, strict=True))
        high = max(m + 60 * s for m, s in zip(means, scales, strict=True))
        if not all(s > 0 for s in scales):  # a point mass has no density: bisection alone
            return _bisect(
                lambda v: _mixture_below(v, means, scales, weights, self.df), p, low, high
            )
        density = t_density(self.df)
        start = NormalDist().inv_cdf(p) if 0 < p < 1 else 0.0
        x = min(
            max(
                math.fsum(
                    w * (m + start * s) for w, m, s in zip(weights, means, scales, strict=True)
                ),
                low,
            ),
            high,
        )
        for _ in range(100):
            below = _mixture_below(x, means, scales, weights, self.df)
            if below < p:
                low = x
            else:
                high = x
            slope = math.fsum(
                w / s * density((x - m) / s) for w, m, s in zip(weights, means, scales, strict=True)
            )
            step = (below - p) / slope if slope > 0 else math.inf
            tolerance = 1e-12 * max(1.0, abs(x))
            if abs(step) <= tolerance:
                return x - step
            x = x - step if low < x - step < high else 0.5 * (low + high)
            if high - low < tolerance:
                return x
        return x

    def estimate(self, name: str) -> float:
        """The posterior median of a coefficient: the point estimate shown to people."""
        return self.quantile(name, 0.5)

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """The central ``level`` interval of a coefficient."""
        tail = (1 - level) / 2
        return self.quantile(name, tail), self.quantile(name, 1 - tail)


def _mixture_below(
    value: float, means: Sequence[float], scales: Sequence[float], weights: Sequence[float], df: int
) -> float:
    """P(below ``value``) for a weighted mixture of t distributions with ``df`` degrees of
    freedom, located at ``means`` and scaled by ``scales``."""
    total = []
    for m, s, w in zip(means, scales, weights, strict=True):
        if s > 0:
            total.append(w * t_cdf_whole((value - m) / s, df))
        else:  # a zero scale (every night the same) is a point mass at the mean
            total.append(w * (1.0 if value > m else 0.0 if value < m else 0.5))
    return math.fsum(total)


def _bisect(below: Callable[[float], float], p: float, low: float, high: float) -> float:
    """The ``v`` in [low, high] with below(v) = p, for a non-decreasing ``below``, by bisection."""
    for _ in range(100):
        mid = 0.5 * (low + high)
        if below(mid) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-9 * max(1.0, abs(mid)):
            break
    return 0.5 * (low + high)


class _Model:
    """The nights and terms of one fit, reduced to sums that make each value of ρ cheap.

    Night i (after the first) whitens to (m_i − r m_{i−1}) / √(1 − r²) with r = ρ^gap, for each
    column m of [y, X]. The cross-product of two whitened columns a and b is then the first
    night's a_0 b_0 plus, for each distinct gap, (S0 − r S1 − r S1ᵀ + r² S2) / (1 − r²), where
    S0 sums a_i b_i, S1 sums a_i b_{i−1} and S2 sums a_{i−1} b_{i−1} over the nights with that gap.
    These sums are taken once. y is centred first when a term is constant (an intercept), which
    only moves that term's estimate and keeps the sums well away from cancelling.
    """

    def __init__(self, y: Sequence[float], x: Sequence[Sequence[float]], days: Sequence[int]):
        self.n, self.p = len(y), len(x[0])
        constant = next((j for j in range(self.p) if len({row[j] for row in x}) == 1), None)
        self.shift = [0.0] * self.p
        centre = 0.0
        if constant is not None and x[0][constant] != 0:
            centre = fmean(y)
            self.shift[constant] = centre / x[0][constant]
        rows = [(v - centre, *row) for v, row in zip(y, x, strict=True)]
        k = self.p + 1
        self.k = k
        first = rows[0]
        self.first = [first[a] * first[b] for a in range(k) for b in range(k)]
        sums: dict[int, tuple[list[int], list[float], list[float], list[float]]] = {}
        for i in range(1, self.n):
            gap = days[i] - days[i - 1]
            if gap not in sums:
                sums[gap] = ([0], [0.0] * (k * k), [0.0] * (k * k), [0.0] * (k * k))
            count, s0, s1, s2 = sums[gap]
            count[0] += 1
            now, before = rows[i], rows[i - 1]
            for a in range(k):
                na, ba = now[a], before[a]
                for b in range(k):
                    index = a * k + b
                    s0[index] += na * now[b]
                    s1[index] += na * before[b]
                    s2[index] += ba * before[b]
        # Per gap: its count, and for every entry (a, b) S0, S1 + S1ᵀ and S2.
        self.sums = [
            (gap, c[0], s0, [s1[a * k + b] + s1[b * k + a] for a in range(k) for b in range(k)], s2)
            for gap, (c, s0, s1, s2) in sorted(sums.items())
        ]

    def cross(self, rho: float) -> tuple[list[float], float]:
        """The cross-products of the whitened [y, X] (row by row, k × k) and the log
        determinant of the nights' correlation matrix, at ``rho``."""
        out = self.first
        log_det = 0.0
        for gap, count, s0, s1, s2 in self.sums:
            r = rho**gap
            keep = 1.0 - r * r
            log_det += count * math.log(keep)
            r2 = r * r
            out = [
                o + (a - r * b + r2 * c) / keep for o, a, b, c in zip(out, s0, s1, s2, strict=True)
            ]
        return out, log_det

    def terms(self, cross: list[float]) -> list[list[float]]:
        """The terms' block of :meth:`cross` (X'Ω⁻¹X, p × p), without y's row and column."""
        k = self.k
        return [[cross[(a + 1) * k + b + 1] for b in range(self.p)] for a in range(self.p)]

    def solve(self, rho: float) -> _Solution:
        """The GLS fit at ``rho``; a ρ whose X'X is not positive definite gets an infinite
        criterion (so no weight) and no estimates."""
        n, p, k = self.n, self.p, self.k
        cross, log_det = self.cross(rho)
        xtx = self.terms(cross)
        xty = [cross[(a + 1) * k] for a in range(p)]
        lower = _cholesky(xtx)
        if lower is None:
            return _Solution(math.inf, [0.0] * p, [0.0] * p, math.inf)
        inverse_lower = _invert_lower(lower)
        # (X'X)⁻¹ = L⁻ᵀ L⁻¹: its diagonal, and β = L⁻ᵀ (L⁻¹ X'y).
        half = [sum([inverse_lower[a][c] * xty[c] for c in range(a + 1)]) for a in range(p)]
        beta = [sum([inverse_lower[c][a] * half[c] for c in range(a, p)]) for a in range(p)]
        diagonal = [sum([inverse_lower[c][a] ** 2 for c in range(a, p)]) for a in range(p)]
        rss = max(cross[0] - sum([h * h for h in half]), 0.0)
        log_det_xtx = 2.0 * sum([math.log(lower[a][a]) for a in range(p)])
        criterion = (n - p) * math.log(max(rss, 1e-300)) + log_det + log_det_xtx
        return _Solution(
            criterion, [b + s for b, s in zip(beta, self.shift, strict=True)], diagonal, rss
        )

    def criterion(self, rho: float) -> float:
        return self.solve(rho).criterion


@dataclass(frozen=True)
class _Solution:
    """At one ρ: −2 × log restricted likelihood (up to a constant), the GLS estimates, the
    diagonal of the inverse of the whitened X'X, and the residual sum of squares."""

    criterion: float
    beta: list[float]
    variances: list[float]
    rss: float


def _cholesky(matrix: list[list[float]]) -> list[list[float]] | None:
    """The lower triangular L with L Lᵀ = ``matrix``; None when it is not positive definite."""
    size = len(matrix)
    lower = [[0.0] * size for _ in range(size)]
    for i in range(size):
        row = lower[i]
        for j in range(i + 1):
            other = lower[j]
            total = matrix[i][j] - sum([row[c] * other[c] for c in range(j)])
            if i == j:
                if not total > 0:
                    return None
                row[i] = math.sqrt(total)
            else:
                row[j] = total / other[j]
    return lower


def _invert_lower(lower: list[list[float]]) -> list[list[float]]:
    """The inverse of a lower triangular matrix (itself lower triangular)."""
    size = len(lower)
    inverse = [[0.0] * size for _ in range(size)]
    for i in range(size):
        inverse[i][i] = 1.0 / lower[i][i]
        for j in range(i):
            total = sum([lower[i][c] * inverse[c][j] for c in range(j, i)])
            inverse[i][j] = -total / lower[i][i]
    return inverse


def whitened_cross_products(
    rho: float, days: Sequence[int], columns: Sequence[Sequence[float]]
) -> list[list[float]]:
    """The cross-products (k × k) of ``columns`` (one row per night, k values each) whitened
    for AR(1) errors with correlation ``rho`` over calendar ``days``: X'Ω⁻¹X."""
    if len(columns) < 2:
        raise ValueError("at least two nights are needed")
    model = _Model([0.0] * len(columns), columns, days)
    return model.terms(model.cross(rho)[0])


def _rank_deficient(x: Sequence[Sequence[float]]) -> bool:
    """Whether some term is (to rounding) a combination of the others, by the Cholesky
    factorisation of X'X with each column scaled to unit length."""
    p = len(x[0])
    norms = [math.sqrt(math.fsum(row[j] ** 2 for row in x)) for j in range(p)]
    if not all(norms):
        return True
    gram = [
        [math.fsum(row[a] * row[b] for row in x) / (norms[a] * norms[b]) for b in range(p)]
        for a in range(p)
    ]
    lower = _cholesky(gram)
    return lower is None or min(lower[j][j] for j in range(p)) < 1e-7


def fit_ar1(
    y: Sequence[float], x: Sequence[Sequence[float]], days: Sequence[int], names: Sequence[str]
) -> Ar1Fit:
    """Fit y = Xβ + u with AR(1) errors over calendar ``days`` (strictly increasing integers).

    Worked example: five pairs of nights, massage first in three of them, one diary missing
    (day 7). Massage nights average 13.0 minutes to fall asleep, control nights 22.4; the model
    puts the difference at about −9.5 minutes, give or take about 3:

    >>> y = [14, 22, 25, 12, 15, 21, 24, 20, 11]
    >>> massage = [1, 0, 0, 1, 1, 0, 0, 0, 1]
    >>> days = [0, 1, 2, 3, 4, 5, 6, 8, 9]
    >>> fit = fit_ar1(y, [[1, m] for m in massage], days, ["intercept", "massage"])
    >>> round(fit.estimate("massage"), 1), fit.df
    (-9.5, 7)
    >>> [round(v, 1) for v in fit.interval("massage")]
    [-12.6, -6.2]
    >>> round(fit.probability_below("massage", -5), 3)  # P(at least 5 minutes faster)
    0.993

    A design that cannot separate its terms is refused rather than answered with noise:

    >>> try:
    ...     fit_ar1([1, 2, 3, 4], [[1, 1]] * 4, range(4), ["intercept", "massage"])
    ... except ModelError as error:
    ...     print(error)
    the terms intercept, massage cannot be told apart with these 4 nights
    """
    yv = [float(v) for v in y]
    n = len(yv)
    xv = [[float(v) for v in row] for row in x]
    if len(xv) != n or not xv or len({len(row) for row in xv}) != 1:
        raise ValueError(f"{len(xv)} rows of terms for {n} nights, all of one length")
    p = len(xv[0])
    dv = [int(d) for d in days]
    if len(names) != p:
        raise ValueError(f"{len(names)} names for {p} columns")
    if len(dv) != n or any(b <= a for a, b in pairwise(dv)):
        raise ValueError("days must be strictly increasing, one per night")
    if n - p < 2:
        raise ModelError(f"{n} nights are too few for {p} terms and the night-to-night correlation")
    if _rank_deficient(xv):
        raise ModelError(f"the terms {', '.join(names)} cannot be told apart with these {n} nights")
    model = _Model(yv, xv, dv)
    coarse = [model.criterion(rho) for rho in _COARSE]
    best = coarse.index(min(coarse))
    mode = _golden_minimum(
        model.criterion, _COARSE[max(best - 1, 0)], _COARSE[min(best + 1, len(_COARSE) - 1)]
    )
    solutions = [model.solve(rho) for rho in _posterior_grid(model, mode)]
    at_mode = model.solve(mode)
    log_weights = [-0.5 * s.criterion for s in solutions]
    top = max(log_weights)
    weights = [math.exp(w - top) for w in log_weights]
    whole = math.fsum(weights)
    return Ar1Fit(
        names=tuple(names),
        rho=mode,
        sigma=math.sqrt(at_mode.rss / (n - p)),
        df=n - p,
        nights=n,
        weights=tuple(w / whole for w in weights),
        means=tuple(tuple(s.beta) for s in solutions),
        scales=tuple(
            tuple(math.sqrt(max(v, 0.0) * s.rss / (n - p)) for v in s.variances) for s in solutions
        ),
    )


def _posterior_grid(model: _Model, mode: float) -> list[float]:
    """ρ values covering the posterior: ±5 approximate standard deviations around its mode.

    The width comes from the curvature of the criterion at the mode, so a decade of nights
    (a narrow posterior) is resolved as finely as a month (a wide one).
    """
    h = 1e-3
    low_end, high_end = -RHO_LIMIT + 1e-6, RHO_LIMIT - 1e-6
    centre = min(max(mode, low_end + h), high_end - h)
    below, at, above = (model.criterion(r) for r in (centre - h, centre, centre + h))
    curvature = (below - 2 * at + above) / h**2
    # criterion = −2 log L, so the posterior variance of ρ is about 2 / curvature.
    spread = math.sqrt(2.0 / curvature) if curvature > 0 else RHO_LIMIT
    low = max(low_end, mode - 5 * spread)
    high = min(high_end, mode + 5 * spread)
    return _linspace(low, high, _POINTS)


def _golden_minimum(
    f: Callable[[float], float], low: float, high: float, tolerance: float = 1e-4
) -> float:
    """The minimum of a one-dimensional function on [low, high] by golden-section search."""
    ratio = (math.sqrt(5) - 1) / 2
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tolerance:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2
