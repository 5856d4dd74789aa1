"""Vectorised root refinement on many brackets at once.

Each solver works on arrays of brackets ``[a, b]`` (one per candidate event,
any number of satellites) and calls ``fun(index, t)`` once per iteration for
all brackets not yet converged, so the cost is a few grouped SGP4 calls,
never a Python loop over time steps.
"""

import numpy as np

__all__ = ["newton_bracketed", "secant_bracketed", "sign_brackets"]


def newton_bracketed(fun, index, a, b, fa, fb=None, tol_s=1e-4, max_iter=50):
    """Roots of ``f`` in ``[a, b]`` where ``f(a)`` and ``f(b)`` differ in sign.

    ``fun(index, t)`` returns ``(f, dfdt)``.  Newton steps from the secant
    estimate (the midpoint without ``fb``), falling back to bisection
    whenever a step would leave the bracket; the bracket always holds the
    root.  Converged when a step is under ``tol_s`` seconds.
    """
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    neg_at_a = np.asarray(fa) < 0
    x = 0.5 * (a + b)
    if fb is not None:
        fa_, fb_ = np.asarray(fa, float), np.asarray(fb, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = a + (b - a) * fa_ / (fa_ - fb_)
        inside = np.isfinite(secant) & (secant > a) & (secant < b)
        x = np.where(inside, secant, x)
    active = np.ones(a.shape, dtype=bool)
    for _ in range(max_iter):
        if not active.any():
            break
        k = np.flatnonzero(active)
        f, df = fun(index[k], x[k])
        below = (f < 0) == neg_at_a[k]          # x is on a's side of the root
        a[k] = np.where(below, x[k], a[k])
        b[k] = np.where(below, b[k], x[k])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(df != 0, f / df, np.inf)
        new = x[k] - step
        # (x itself is now an end of the bracket: landing on it is converging.)
        outside = ~np.isfinite(new) | (new < a[k]) | (new > b[k])
        new = np.where(outside, 0.5 * (a[k] + b[k]), new)
        moved = np.abs(new - x[k])
        x[k] = new
        active[k] = (moved > tol_s) & (b[k] - a[k] > tol_s) & (f != 0)
    return x


def secant_bracketed(fun, index, a, b, fa, fb, tol_s=1e-3, max_iter=60):
    """Roots of ``f`` in ``[a, b]`` (opposite signs at the ends) without derivatives.

    ``fun(index, t)`` returns ``f``.  Secant steps through the last two
    points (order 1.6), each kept inside the bracket, which always holds the
    root; a bisection replaces a step that would leave it.  Converged when a
    step or the bracket is under ``tol_s`` seconds.
    """
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    fa, fb = np.asarray(fa, float), np.asarray(fb, float)
    neg_at_a = fa < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        x = a - fa * (b - a) / (fb - fa)
    x = np.where(np.isfinite(x) & (x > a) & (x < b), x, 0.5 * (a + b))
    # The previous point of each secant: the bracket end nearer the start.
    near_a = (x - a) < (b - x)
    prev_x, prev_f = np.where(near_a, a, b), np.where(near_a, fa, fb)
    active = (b - a) > tol_s
    for _ in range(max_iter):
        if not active.any():
            break
        k = np.flatnonzero(active)
        f = np.asarray(fun(index[k], x[k]), dtype=float)
        below = (f < 0) == neg_at_a[k]
        a[k] = np.where(below, x[k], a[k])
        b[k] = np.where(below, b[k], x[k])
        with np.errstate(divide="ignore", invalid="ignore"):
            new = x[k] - f * (x[k] - prev_x[k]) / (f - prev_f[k])
        outside = ~np.isfinite(new) | (new < a[k]) | (new > b[k])
        new = np.where(outside, 0.5 * (a[k] + b[k]), new)
        prev_x[k], prev_f[k] = x[k], f
        moved = np.abs(new - x[k])
        x[k] = new
        active[k] = (moved > tol_s) & (b[k] - a[k] > tol_s) & (f != 0)
    return x


def sign_brackets(fun, index, owner, t, f, slack, finest_s=0.5, split=4):
    """Bracket every sign change of sampled functions, proving none is missed.

    ``t`` (n,) are sample times, grouped in runs by ``owner`` (n,) and
    increasing within a run; ``f`` (k, n) holds k functions sampled there
    and ``index`` (n,) what ``fun(index, t) -> (k, m)`` needs to evaluate
    them elsewhere.  ``slack(index, h) -> (k, m)`` bounds how far each
    function can stray between two samples ``h`` seconds apart beyond the
    nearer of its end values (``L h / 2`` for a rate bound ``L``,
    ``M h^2 / 8`` for a curvature bound ``M``).  An interval whose ends share
    a sign but come within that slack of zero is split in ``split`` parts,
    again and again, down to ``finest_s``.

    Returns one tuple ``(index, a, b, fa, fb)`` of arrays per function: the
    brackets, each holding one sign change.
    """
    k = len(f)
    found = [[] for _ in range(k)]
    frac = np.linspace(0.0, 1.0, split + 1)
    while len(t) > 1:
        same = owner[1:] == owner[:-1]
        a, b, fa, fb = t[:-1], t[1:], f[:, :-1], f[:, 1:]
        side = (fa >= 0) == (fb >= 0)
        h = b - a
        doubt = (same & (h > finest_s)
                 & (side & (np.minimum(np.abs(fa), np.abs(fb)) <= slack(index[:-1], h))).any(axis=0))
        for c in range(k):
            j = np.flatnonzero(same & ~side[c] & ~doubt)
            found[c].append((index[j], a[j], b[j], fa[c, j], fb[c, j]))
        j = np.flatnonzero(doubt)
        if not len(j):
            break
        t = (a[j, None] + h[j, None] * frac).ravel()
        owner = np.repeat(np.arange(len(j)), split + 1)
        index = np.repeat(index[j], split + 1)
        f = np.asarray(fun(index, t))
    empty = (np.array([], dtype=int),) + tuple(np.array([]) for _ in range(4))
    return [tuple(np.concatenate(col) for col in zip(*parts)) if parts else empty for parts in found]
