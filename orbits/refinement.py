"""The pass search, stage 2: from brackets (:mod:`orbits.screening`) to passes.

For all brackets at once (:func:`refine_events`):

1. Rises and sets: Newton steps on the height above the horizon cone
   (:func:`~orbits.bounds.cone_height_km`) and its analytic rate, from
   where the cubic through the bracket's ends crosses zero
   (:func:`hermite_root`), until a step is under 1 ms (converging
   quadratically, the root is then good to microseconds; a bisection ends
   within 1 ms).  With the cone's curvature bound
   (:func:`~orbits.bounds.cone_curvature_bound_km_s2`) a step that provably
   lands within a microsecond of the root also ends it.
2. Pairing: per satellite in time order, a rise opens a pass and the next
   set closes it; a rise while up or a set while down changes nothing.  A
   satellite up at the search's start (end) has a pass whose rise (set) is
   not known: it is put at the search's limit.  Passes are kept when they
   touch the window.
3. Culminations: the highest of the elevation maxima inside each pass (or
   of its ends when it holds none).  Sign changes of the elevation rate
   bracket them; safeguarded Newton steps on the rate (its rate from the
   two-body acceleration) refine them from the peak of the cubic through
   the bracket ends (:func:`hermite_peak`), to 1 ms.

The azimuth and elevation at each event come from the last Newton
evaluation, not a new one (:func:`_at_roots`; the culmination's elevation
is off by ``el'' dt^2 / 2``, dt under 1 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .bounds import cone_curvature_bound_km_s2, cone_height_km
from .roots import index_ranges, newton_bracketed

if TYPE_CHECKING:
    from .positions import Tracker
    from .screening import Brackets

__all__ = ["PassEvents", "refine_events", "hermite_root", "hermite_peak"]


@dataclass(frozen=True, slots=True)
class PassEvents:
    """The passes of a search: one entry per pass, ordered by satellite and time.

    ``sat`` indexes the tracker's satellites; ``rise_s``, ``culmination_s``,
    ``set_s`` are POSIX seconds; a rise or set not known (``rise_known``,
    ``set_known`` False: the satellite was up at the search's limit) lies at
    that limit.  ``peak_el_deg`` and ``culmination_az_deg`` are the angles at
    the culmination (the azimuth NaN where not known without another
    evaluation); ``rise_angles``/``set_angles`` have rows azimuth (deg),
    elevation (deg), elevation rate (deg/s) at the rise and set, NaN where
    not known.  ``samples``: how many (satellite, time) points refinement
    evaluated.
    """

    sat: np.ndarray
    rise_s: np.ndarray
    culmination_s: np.ndarray
    set_s: np.ndarray
    rise_known: np.ndarray
    set_known: np.ndarray
    peak_el_deg: np.ndarray
    culmination_az_deg: np.ndarray
    rise_angles: np.ndarray
    set_angles: np.ndarray
    samples: int

    def __len__(self) -> int:
        return len(self.sat)


@dataclass(frozen=True, slots=True)
class _Paired:
    """Passes before their culminations (see :class:`PassEvents`)."""

    sat: np.ndarray
    rise_s: np.ndarray
    set_s: np.ndarray
    rise_known: np.ndarray
    set_known: np.ndarray
    rise_angles: np.ndarray
    set_angles: np.ndarray


class _Evaluations:
    """What the Newton steps evaluate, counting the (satellite, time) points."""

    def __init__(self, tracker, horizon_deg):
        self.tracker = tracker
        self.horizon_deg = horizon_deg
        self.samples = 0

    def look(self, sat, t):
        look = self.tracker.look(t, sat)
        self.samples += len(t)
        return look

    def cone(self, sat, t):
        """Height above the cone of the horizon elevation (km; same sign as
        elevation minus horizon, and nearly linear in time), its rate, and
        what the events need at the roots: azimuth, elevation and their
        rates, stacked (see :func:`_at_roots`)."""
        look = self.look(sat, t)
        w, w_rate = cone_height_km(look, self.horizon_deg)
        return w, w_rate, _angles(look)

    def elevation_rate(self, sat, t):
        """Elevation rate (deg/s), its rate, and the angles as in :meth:`cone`."""
        look = self.tracker.look(t, sat, accel=True)
        self.samples += len(t)
        return look["elevation_rate_deg_s"], look["elevation_accel_deg_s2"], _angles(look)


def refine_events(tracker: Tracker, brackets: Brackets) -> PassEvents:
    """The passes bracketed by ``brackets`` (found with the same ``tracker``),
    their rises, sets and culminations refined to a millisecond."""
    ev = _Evaluations(tracker, brackets.horizon_deg)
    c = brackets.crossings
    sat = c.sat.astype(int)
    start = hermite_root(c.a_s, c.b_s, c.cone_a_km, c.cone_b_km, c.cone_rate_a_km_s, c.cone_rate_b_km_s)
    if len(sat) and brackets.mask is not None:
        roots, t_last, angles = _mask_roots(
            ev, brackets.mask, sat, c.a_s, c.b_s, c.above_a_deg, c.above_b_deg
        )
    elif len(sat):
        site_radius_km = float(np.linalg.norm(tracker.site.itrs_km()))
        curvature = cone_curvature_bound_km_s2(
            tracker.elements, site_radius_km, brackets.horizon_deg, brackets.curvature_km_s2
        )
        roots, t_last, angles = newton_bracketed(
            ev.cone,
            sat,
            c.a_s,
            c.b_s,
            c.above_a_deg,
            c.above_b_deg,
            start=start,
            tol_s=1e-3,
            curvature=curvature[sat],
            last=True,
        )
    else:
        roots, t_last, angles = c.a_s, c.a_s, np.zeros((4, 0))
    paired = _pair(brackets, sat, roots, c.above_a_deg < 0, _at_roots(roots, t_last, angles))
    culmination_s, peak_el, culmination_az = _culminate(ev, brackets, paired)
    return PassEvents(
        paired.sat,
        paired.rise_s,
        culmination_s,
        paired.set_s,
        paired.rise_known,
        paired.set_known,
        peak_el,
        culmination_az,
        paired.rise_angles,
        paired.set_angles,
        ev.samples,
    )


def _mask_roots(ev, horizon, sat, a, b, f_a, f_b, tol_s=1e-3):
    """Where elevation minus a masked horizon's limit crosses zero in each
    bracket ``[a, b]`` (values ``f_a``, ``f_b`` of opposite signs, deg):
    regula falsi with the Illinois rule, vectorised over the brackets, until
    the bracket is under ``tol_s`` or a step moves less than a tenth of it.
    The limit is piecewise linear in azimuth, so the function has kinks
    where Newton's rate would lie; bracketing methods do not mind.  Returns
    ``(roots, t_last, angles)`` as :func:`~orbits.roots.newton_bracketed`
    does with ``last=True`` (the last evaluation is the root)."""
    a, b = a.astype(float).copy(), b.astype(float).copy()
    f_a, f_b = f_a.astype(float).copy(), f_b.astype(float).copy()
    n = len(sat)
    root = 0.5 * (a + b)
    angles = np.full((4, n), np.nan)
    side = np.zeros(n, dtype=int)  # -1: a kept last step, +1: b kept
    active = np.arange(n)
    for _ in range(80):
        if not len(active):
            break
        fa, fb, lo, hi = f_a[active], f_b[active], a[active], b[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(fa != fb, (lo * fb - hi * fa) / (fb - fa), 0.5 * (lo + hi))
        # keep strictly inside, and bisect when the secant sits at an end
        x = np.where((x <= lo) | (x >= hi) | ~np.isfinite(x), 0.5 * (lo + hi), x)
        look = ev.look(sat[active], x)
        fx = horizon.above_deg(look)
        angles[:, active] = _angles(look)
        step = np.abs(x - root[active])
        root[active] = x
        left = np.sign(fx) == np.sign(fa)  # the root is in [x, hi]
        # Illinois: halve the value at the end kept twice running
        keep_b = left & (side[active] == 1)
        keep_a = ~left & (side[active] == -1)
        f_b[active] = np.where(keep_b, fb / 2, np.where(left, fb, fx))
        f_a[active] = np.where(keep_a, fa / 2, np.where(left, fx, fa))
        a[active] = np.where(left, x, lo)
        b[active] = np.where(left, hi, x)
        side[active] = np.where(left, 1, -1)
        done = (fx == 0) | (b[active] - a[active] < tol_s) | (step < 0.1 * tol_s)
        active = active[~done]
    return root, root.copy(), angles


def _pair(brackets, sat, roots, rising, root_angles):
    """Rises and sets, per satellite in time order, into passes clipped to the window."""
    n_sat = len(brackets.lo_s)
    lo_s, hi_s = brackets.lo_s, brackets.hi_s
    up_at_lo, up_at_hi = brackets.up_at_lo, brackets.up_at_hi
    order = np.lexsort((roots, sat))
    s, t, r, ix = sat[order], roots[order], rising[order], order
    first = np.r_[True, s[1:] != s[:-1]] if len(s) else np.array([], bool)
    # A rise while up, or a set while down, changes nothing: drop it.
    before = np.where(first, up_at_lo[s], np.r_[False, r[:-1]])
    keep = r != before
    had_events = np.zeros(n_sat, dtype=bool)
    had_events[s] = True
    s, t, r, ix = s[keep], t[keep], r[keep], ix[keep]
    first = np.r_[True, s[1:] != s[:-1]] if len(s) else np.array([], bool)
    last = np.r_[s[1:] != s[:-1], True] if len(s) else np.array([], bool)
    sets = np.flatnonzero(~r)
    opened = ~first[sets]  # else the satellite was up at the search start
    rise = np.where(opened, t[sets - 1], lo_s[s[sets]])
    trailing = np.flatnonzero(r & last & up_at_hi[s])
    # Up throughout, with only redundant events in between.
    quiet = np.ones(n_sat, dtype=bool)
    quiet[s] = False
    whole = np.flatnonzero(quiet & had_events & up_at_lo & up_at_hi)
    p_sat = np.concatenate([s[sets], s[trailing], whole])
    p_rise = np.concatenate([rise, t[trailing], lo_s[whole]])
    p_set = np.concatenate([t[sets], hi_s[s[trailing]], hi_s[whole]])
    p_rise_known = np.concatenate([opened, np.ones(len(trailing), bool), np.zeros(len(whole), bool)])
    p_set_known = np.concatenate([np.ones(len(sets), bool), np.zeros(len(trailing) + len(whole), bool)])
    none = np.full(len(whole), -1)
    p_rise_root = np.concatenate([np.where(opened, ix[sets - 1], -1), ix[trailing], none])
    p_set_root = np.concatenate([ix[sets], np.full(len(trailing), -1), none])
    inside = (p_set >= brackets.start_s) & (p_rise <= brackets.end_s)
    order = np.lexsort((p_rise[inside], p_sat[inside]))
    # azimuth, elevation (deg) and elevation rate at the known rises and sets
    return _Paired(
        p_sat[inside][order],
        p_rise[inside][order],
        p_set[inside][order],
        p_rise_known[inside][order],
        p_set_known[inside][order],
        _pick(root_angles, p_rise_root[inside][order]),
        _pick(root_angles, p_set_root[inside][order]),
    )


def _culminate(ev, brackets, passes):
    """Culmination time, elevation and azimuth of every pass: the highest of
    the elevation maxima inside it (or of its ends when there is none)."""
    n = len(passes.sat)
    culmination_s = np.full(n, np.nan)
    peak_el = np.full(n, np.nan)
    culmination_az = np.full(n, np.nan)  # NaN: not known without evaluating
    if not n:
        return culmination_s, peak_el, culmination_az
    p = brackets.peaks
    psat, pa, pb, p_rate_a, p_rate_b, p_el_a, p_el_b = (
        p.sat.astype(int),
        p.a_s,
        p.b_s,
        p.el_rate_a_deg_s,
        p.el_rate_b_deg_s,
        p.el_a_deg,
        p.el_b_deg,
    )
    # Find the passes each peak bracket overlaps, with keys ordered by
    # satellite, then time (passes of one satellite do not overlap).
    t0 = min(brackets.lo_s.min(), pa.min() if len(pa) else np.inf)
    span = max(brackets.hi_s.max(), pb.max() if len(pb) else -np.inf) - t0 + 1.0
    rise_key = passes.sat * span + (passes.rise_s - t0)
    set_key = passes.sat * span + (passes.set_s - t0)
    first = np.searchsorted(set_key, psat * span + (pa - t0), "right")
    last = np.searchsorted(rise_key, psat * span + (pb - t0), "left") - 1
    count = np.maximum(last - first + 1, 0)
    peak = np.repeat(np.arange(len(psat)), count)
    owner = index_ranges(first, count)
    # Passes without a peak bracket: their highest point is one of their ends.
    alone = np.setdiff1d(np.arange(n), owner)
    lo = np.concatenate([np.maximum(pa[peak], passes.rise_s[owner]), passes.rise_s[alone]])
    hi = np.concatenate([np.minimum(pb[peak], passes.set_s[owner]), passes.set_s[alone]])
    owner = np.concatenate([owner, alone])
    sat = passes.sat[owner]
    # Bracket ends that are grid samples have their rate and elevation
    # already; the others (cut by a rise or set, or a pass alone) are computed.
    nan = np.full(len(alone), np.nan)
    rate_lo = np.concatenate([np.where(lo[: len(peak)] == pa[peak], p_rate_a[peak], np.nan), nan])
    rate_hi = np.concatenate([np.where(hi[: len(peak)] == pb[peak], p_rate_b[peak], np.nan), nan])
    el_lo = np.concatenate([p_el_a[peak], nan])
    el_hi = np.concatenate([p_el_b[peak], nan])
    # Bracket ends at a known rise or set have their values from its Newton steps.
    az_lo, az_hi = np.full(len(owner), np.nan), np.full(len(owner), np.nan)
    for rate, el, az, at, ends, angles in (
        (rate_lo, el_lo, az_lo, lo, passes.rise_s, passes.rise_angles),
        (rate_hi, el_hi, az_hi, hi, passes.set_s, passes.set_angles),
    ):
        k = np.flatnonzero(np.isnan(rate) & (at == ends[owner]) & np.isfinite(angles[1][owner]))
        az[k], el[k], rate[k] = angles[:, owner[k]]
        k = np.flatnonzero(np.isnan(rate))
        if len(k):
            look = ev.look(sat[k], at[k])
            rate[k], el[k], az[k] = look["elevation_rate_deg_s"], look["elevation_deg"], look["azimuth_deg"]
    bracketed = (rate_lo > 0) & (rate_hi < 0)
    lower = el_lo >= el_hi
    when, el, az = np.where(lower, lo, hi), np.where(lower, el_lo, el_hi), np.where(lower, az_lo, az_hi)
    if bracketed.any():
        # Newton steps on the elevation rate, with its rate from the
        # two-body acceleration (good to ~0.2%: the steps still converge
        # fast, and the bracket holds the root whatever they do).
        # The culmination is the last point evaluated, under 1 ms from the
        # root: its angles are exact, its elevation off by ~el'' dt^2 / 2.
        k = np.flatnonzero(bracketed)
        start = hermite_peak(lo[k], hi[k], el_lo[k], el_hi[k], rate_lo[k], rate_hi[k])
        _, when[k], angles = newton_bracketed(
            ev.elevation_rate,
            sat[k],
            lo[k],
            hi[k],
            rate_lo[k],
            rate_hi[k],
            tol_s=1e-3,
            start=start,
            last=True,
        )
        az[k], el[k] = angles[0], angles[2]
    # The highest candidate of each pass (the earliest of equals).
    best = np.lexsort((np.arange(len(owner)), -el, owner))
    head = best[np.r_[True, owner[best][1:] != owner[best][:-1]]]
    culmination_s[owner[head]] = when[head]
    peak_el[owner[head]] = el[head]
    culmination_az[owner[head]] = az[head]
    return culmination_s, peak_el, culmination_az


def hermite_peak(
    a: np.ndarray, b: np.ndarray, f_a: np.ndarray, f_b: np.ndarray, rate_a: np.ndarray, rate_b: np.ndarray
) -> np.ndarray:
    """Where the cubic through ``(a, f_a)``, ``(b, f_b)`` with slopes
    ``rate_a > 0 > rate_b`` peaks: a starting point for refining maxima."""
    h = b - a
    m_a, m_b, rise = rate_a * h, rate_b * h, f_b - f_a
    # The cubic's slope per unit of the interval: c2 x^2 + c1 x + m_a, + at 0, - at 1.
    c2, c1 = 3 * (m_a + m_b) - 6 * rise, 6 * rise - 4 * m_a - 2 * m_b
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(np.maximum(c1 * c1 - 4 * c2 * m_a, 0.0))
        # the root where the slope turns negative, in the form that keeps precision
        x = np.where(c1 < 0, 2 * m_a / (disc - c1), -(c1 + disc) / (2 * c2))
        x = np.where(np.abs(c2) < 1e-12 * (np.abs(c1) + np.abs(m_a)), -m_a / c1, x)
    x = np.where(np.isfinite(x), np.clip(x, 0.0, 1.0), m_a / (m_a - m_b))
    return a + h * x


def hermite_root(
    a: np.ndarray,
    b: np.ndarray,
    f_a: np.ndarray,
    f_b: np.ndarray,
    rate_a: np.ndarray,
    rate_b: np.ndarray,
    rounds: int = 4,
) -> np.ndarray:
    """Where the cubic through ``(a, f_a)``, ``(b, f_b)`` with slopes
    ``rate_a``, ``rate_b`` crosses zero (``f_a``, ``f_b`` of opposite signs):
    a few safeguarded Newton steps on the cubic from the secant point.  A
    starting point for refining roots of smooth functions, no more."""
    h = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.clip(f_a / (f_a - f_b), 0.0, 1.0)
        m_a, m_b = rate_a * h, rate_b * h  # slopes per unit of the interval
        for _ in range(rounds):
            x2, x3 = x * x, x * x * x
            value = (
                (2 * x3 - 3 * x2 + 1) * f_a
                + (x3 - 2 * x2 + x) * m_a
                + (-2 * x3 + 3 * x2) * f_b
                + (x3 - x2) * m_b
            )
            slope = (
                (6 * x2 - 6 * x) * f_a
                + (3 * x2 - 4 * x + 1) * m_a
                + (-6 * x2 + 6 * x) * f_b
                + (3 * x2 - 2 * x) * m_b
            )
            step = np.where(slope != 0, value / slope, 0.0)
            x = np.clip(np.where(np.isfinite(step), x - step, x), 0.0, 1.0)
    return a + h * x


def _angles(look):
    """Azimuth, its rate, elevation, its rate (deg, deg/s), stacked."""
    return np.stack(
        [look["azimuth_deg"], look["azimuth_rate_deg_s"], look["elevation_deg"], look["elevation_rate_deg_s"]]
    )


def _at_roots(roots, t_last, angles):
    """Azimuth, elevation (deg) and elevation rate (deg/s) at ``roots`` from
    :func:`_angles` at ``t_last``, within a millisecond of them (first order:
    the error is under 1e-6 deg)."""
    az, az_rate, el, el_rate = angles
    dt = roots - t_last
    return np.stack([(az + az_rate * dt) % 360.0, el + el_rate * dt, el_rate])


def _pick(columns, index):
    """``columns[:, index]``, NaN where ``index`` is -1."""
    out = np.full((len(columns), len(index)), np.nan)
    ok = index >= 0
    out[:, ok] = columns[:, index[ok]]
    return out
