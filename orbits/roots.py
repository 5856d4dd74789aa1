"""Vectorised root refinement on many brackets at once.

Each solver works on arrays of brackets ``[a, b]`` (one per candidate event,
any number of satellites) and calls ``fun(index, t)`` once per iteration for
all brackets not yet converged, so the cost is a few grouped SGP4 calls,
never a Python loop over time steps.
"""

import numpy as np

__all__ = [
    "newton_bracketed",
    "secant_bracketed",
    "sign_brackets",
    "envelope_km",
    "index_ranges",
    "golden_minimum",
    "bisect_crossing",
]


def newton_bracketed(
    fun,
    index,
    a,
    b,
    fa,
    fb=None,
    tol_s=1e-4,
    max_iter=50,
    start=None,
    last=False,
    curvature=None,
    near_s=1e-6,
    step_s=1e-2,
):
    """Roots of ``f`` in ``[a, b]`` where ``f(a)`` and ``f(b)`` differ in sign.

    ``fun(index, t)`` returns ``(f, dfdt)``.  Newton steps from ``start``
    if given, else the secant estimate (the midpoint without ``fb``),
    falling back to bisection
    whenever a step would leave the bracket; the bracket always holds the
    root.  Converged when a step is under ``tol_s`` seconds.

    With ``curvature`` (per bracket, a bound ``M`` on ``|f''|``), also when
    a step ``d`` under ``step_s`` provably lands within ``near_s`` of the
    root, so the point need not be evaluated again to know it: there
    ``|f| <= M d^2 / 2`` (Taylor from the point the step came from), and
    ``|f'| >= |f'(x)| - 2 M d`` within ``d`` of it, so the root is within
    ``M d^2 / (2 (|f'(x)| - 2 M d))``.

    With ``last``, ``fun`` returns ``(f, dfdt, extra)``, ``extra`` an array
    ``(c, m)`` of anything computed with ``f``, and the result is ``(roots,
    t_last, extra_last)``: where each root was last evaluated (within
    ``tol_s`` of it) and what ``fun`` gave there, so callers can take values
    at the roots from there instead of evaluating again.
    """
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    neg_at_a = np.asarray(fa) < 0
    x = 0.5 * (a + b)
    if start is not None:  # a better first guess, kept inside the bracket
        x = np.where((start > a) & (start < b), start, x)
    elif fb is not None:
        fa_, fb_ = np.asarray(fa, float), np.asarray(fb, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = a + (b - a) * fa_ / (fa_ - fb_)
        inside = np.isfinite(secant) & (secant > a) & (secant < b)
        x = np.where(inside, secant, x)
    active = np.ones(a.shape, dtype=bool)
    t_last, extra_last = np.full(a.shape, np.nan), None
    for _ in range(max_iter):
        if not active.any():
            break
        k = np.flatnonzero(active)
        got = fun(index[k], x[k])
        f, df = got[0], got[1]
        if last:
            if extra_last is None:
                extra_last = np.full((len(got[2]),) + a.shape, np.nan)
            t_last[k], extra_last[:, k] = x[k], got[2]
        below = (f < 0) == neg_at_a[k]  # x is on a's side of the root
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
        if curvature is not None:
            m = curvature[k]
            with np.errstate(divide="ignore", invalid="ignore"):
                landed = (
                    ~outside
                    & (moved < step_s)
                    & (m * moved * moved <= 2 * near_s * (np.abs(df) - 2 * m * moved))
                )
            active[k] &= ~landed
    return (x, t_last, extra_last) if last else x


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


def sign_brackets(fun, index, owner, t, f, bound, rates=None, rate_error=0.0, finest_s=0.5, split=4):
    """Bracket every sign change of sampled functions, proving none is missed.

    ``t`` (n,) are sample times, grouped in runs by ``owner`` (n,) and
    increasing within a run; ``f`` (k, n) holds k functions sampled there
    and ``index`` (n,) what ``fun(index, t)`` needs to evaluate them
    elsewhere.  Two kinds of proof:

    * without ``rates``, ``fun`` returns ``f`` (k, m) and ``bound(index, h,
      fa, fb) -> (k, m)`` bounds each function's rate (``|f'| <= L``): an
      interval is decided when the nearer end value clears ``L h / 2``;
    * with ``rates`` (k, n), ``fun`` returns ``(f, rates)`` and ``bound``
      bounds each function's curvature (``|f''| <= M``, may depend on the
      end values): an interval is decided by :func:`envelope_km`, the rates
      known to within ``rate_error`` (a number, or ``rate_error(index)``
      broadcasting against (k, m)).

    An interval whose ends share a sign but cannot be decided (or whose
    bound is not finite) is split in ``split`` parts, again and again, down
    to ``finest_s``.  Returns one tuple ``(index, a, b, fa, fb)`` of arrays
    per function: the brackets, each holding one sign change.
    """
    k = len(f)
    found = [[] for _ in range(k)]
    frac = np.linspace(0.0, 1.0, split + 1)
    while len(t) > 1:
        same = owner[1:] == owner[:-1]
        a, b, fa, fb = t[:-1], t[1:], f[:, :-1], f[:, 1:]
        side = (fa >= 0) == (fb >= 0)
        h = b - a
        m = bound(index[:-1], h, fa, fb)
        if rates is None:
            unsure = np.minimum(np.abs(fa), np.abs(fb)) <= m * h / 2
        else:
            err = rate_error(index[:-1]) if callable(rate_error) else rate_error
            with np.errstate(invalid="ignore"):
                ceiling, floor = envelope_km(fa, fb, rates[:, :-1], rates[:, 1:], m, h, err)
                unsure = np.where(fa >= 0, ~(floor >= 0), ~(ceiling < 0))
        unsure |= ~np.isfinite(m)
        doubt = same & (h > finest_s) & (side & unsure).any(axis=0)
        for c in range(k):
            j = np.flatnonzero(same & ~side[c] & ~doubt)
            found[c].append((index[j], a[j], b[j], fa[c, j], fb[c, j]))
        j = np.flatnonzero(doubt)
        if not len(j):
            break
        t = (a[j, None] + h[j, None] * frac).ravel()
        owner = np.repeat(np.arange(len(j)), split + 1)
        index = np.repeat(index[j], split + 1)
        if rates is None:
            f = np.asarray(fun(index, t))
        else:
            f, rates = (np.asarray(x) for x in fun(index, t))
    empty = (np.array([], dtype=int),) + tuple(np.array([]) for _ in range(4))
    return [tuple(np.concatenate(col) for col in zip(*parts)) if parts else empty for parts in found]


def envelope_km(u_a, u_b, rate_a, rate_b, bound, h, rate_error=0.0):
    """Bounds on ``u`` between two samples ``h`` seconds apart: ``(ceiling, floor)``.

    From each end, ``|u''| <= bound`` confines ``u`` between two parabolas
    (``u_a + rate_a t +- bound t^2 / 2`` and likewise back from ``b``).  The
    upper parabolas differ linearly, so the lower of the two peaks where
    they cross, or at an end; likewise the floor.  Usually much tighter
    than the chord bound ``max(u_a, u_b) + bound h^2 / 8``, and never looser
    (both are applied).  ``rate_error`` widens both for rates known only to
    within that much.  Any unit works (km for the screening).
    """

    def extreme(sign):
        ra, rb = rate_a - sign * rate_error, rate_b + sign * rate_error
        # parabola from a minus parabola from b: c0 + c1 t
        c0 = u_a - u_b + rb * h + sign * bound * h * h / 2
        c1 = ra - rb - sign * bound * h
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(np.where(c1 != 0, -c0 / c1, 0.0), 0.0, h)
        return u_a + ra * t - sign * bound * t * t / 2

    # The chord bound (no rates) is sometimes the tighter one: take both.
    chord = bound * h * h / 8
    ceiling = np.minimum(np.maximum(np.maximum(u_a, u_b), extreme(-1.0)), np.maximum(u_a, u_b) + chord)
    floor = np.maximum(np.minimum(np.minimum(u_a, u_b), extreme(1.0)), np.minimum(u_a, u_b) - chord)
    return ceiling, floor


def index_ranges(first, count):
    """``first[i], first[i] + 1, ... first[i] + count[i] - 1`` for every
    ``i``, concatenated: e.g. the rows each bracket overlaps, or (``first``
    0) each sample's place in its run."""
    count = np.asarray(count, dtype=int)
    first = np.broadcast_to(first, count.shape)
    return np.repeat(first, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)


_GOLDEN = 0.6180339887498949  # (sqrt(5) - 1) / 2


def golden_minimum(fun, a, b, steps=28):
    """Minima of unimodal ``fun`` on brackets ``[a, b]`` (arrays), by
    golden-section search: ``fun(t)`` takes and returns arrays shaped like
    ``a`` and is called once per step for all brackets; the bracket shrinks
    by 0.618 a step (28 steps: 1.4e-6 of its width)."""
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = fun(c), fun(d)
    for _ in range(steps):
        left = fc < fd
        a, b = np.where(left, a, c), np.where(left, d, b)
        new = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        fn = fun(new)
        c, d, fc, fd = (
            np.where(left, new, d),
            np.where(left, c, new),
            np.where(left, fn, fd),
            np.where(left, fc, fn),
        )
    return (a + b) / 2


def bisect_crossing(fun, inside, outside, steps=44):
    """Where ``fun`` (negative at ``inside``) reaches zero going towards
    ``outside`` (arrays), by bisection; ``outside`` itself where ``fun`` is
    still negative there."""
    inside, outside = np.array(inside, dtype=float), np.array(outside, dtype=float)
    found = fun(outside) >= 0
    a, b = inside, outside
    for _ in range(steps):
        m = (a + b) / 2
        neg = fun(m) < 0
        a, b = np.where(neg, m, a), np.where(neg, b, m)
    return np.where(found, (a + b) / 2, outside)
