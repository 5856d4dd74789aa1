"""Vectorised root refinement on many brackets at once.

Each solver works on arrays of brackets ``[a, b]`` (one per candidate event,
any number of satellites) and calls ``fun(index, t)`` once per iteration for
all brackets not yet converged, so the cost is a few grouped SGP4 calls,
never a Python loop over time steps.
"""

import numpy as np

__all__ = ["newton_bracketed", "illinois", "sign_brackets"]


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
        outside = ~np.isfinite(new) | (new <= a[k]) | (new >= b[k])
        new = np.where(outside, 0.5 * (a[k] + b[k]), new)
        moved = np.abs(new - x[k])
        x[k] = new
        active[k] = (moved > tol_s) & (b[k] - a[k] > tol_s) & (f != 0)
    return x


def illinois(fun, index, a, b, fa, fb, tol_s=1e-3, max_iter=80):
    """Roots of ``f`` in ``[a, b]`` (opposite signs at the ends) without derivatives.

    ``fun(index, t)`` returns ``f``.  Regula falsi with the Illinois
    modification, and a bisection step when the bracket stops shrinking;
    converged when the bracket is narrower than ``tol_s`` seconds.
    """
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    fa, fb = np.array(fa, dtype=float), np.array(fb, dtype=float)
    last = np.zeros(a.shape, dtype=int)     # which end was kept last time: -1 a, +1 b
    active = (b - a) > tol_s
    for it in range(max_iter):
        if not active.any():
            break
        k = np.flatnonzero(active)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (a[k] * fb[k] - b[k] * fa[k]) / (fb[k] - fa[k])
        width = b[k] - a[k]
        bad = ~np.isfinite(x) | (x <= a[k] + 0.01 * width) | (x >= b[k] - 0.01 * width)
        x = np.where(bad | (it % 4 == 3), 0.5 * (a[k] + b[k]), x)
        f = fun(index[k], x)
        same_as_a = np.sign(f) == np.sign(fa[k])
        # Replace the end whose sign matches; halve the kept end's value if it
        # was kept last time too (the Illinois step).
        keep_b = same_as_a
        fb[k] = np.where(keep_b & (last[k] == 1), 0.5 * fb[k], fb[k])
        fa[k] = np.where(~keep_b & (last[k] == -1), 0.5 * fa[k], fa[k])
        a[k] = np.where(keep_b, x, a[k])
        fa[k] = np.where(keep_b, f, fa[k])
        b[k] = np.where(keep_b, b[k], x)
        fb[k] = np.where(keep_b, fb[k], f)
        last[k] = np.where(keep_b, 1, -1)
        active[k] = (b[k] - a[k] > tol_s) & (f != 0)
    return 0.5 * (a + b)


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
