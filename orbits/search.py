"""Finding every pass: screening on a coarse grid, then refining roots.

The method, for all satellites at once:

1. Sample each satellite on a grid (about 8 steps an orbit: 720 s for most
   LEO, up to 1800 s for GEO; 45 an orbit for horizons other than 0) with
   sgp4's array API: elevation ``el``, its rate, and
   ``u``, the satellite's height above the site's horizon plane (km).
   Low orbits are sampled only around the times the site is near the
   orbit plane and the satellite near the site along it
   (:mod:`orbits.planes`); elsewhere no pass can happen.
2. ``u`` has a bounded second derivative (|d2u/dt2| <= the satellite's
   acceleration in the rotating frame, bounded per orbit by gravity at
   perigee plus Coriolis and centrifugal terms, ``M``).  With the rates at
   both samples, ``u`` stays under two parabolas (:func:`envelope_km`;
   never above ``max(u_a, u_b) + M h^2 / 8``), so an interval whose bound
   stays below the horizon plane certainly holds no pass.  Intervals that cannot be ruled
   out, yet show no crossing at their ends, are subdivided (8 parts, down to
   one second), so short grazing passes between samples are not missed.
   Likewise ``u >= min(u_a, u_b) - M h^2 / 8`` proves a satellite up at both
   ends stayed up; intervals where it cannot be proved are subdivided.
3. Sign changes of ``el - horizon`` bracket rises and sets; Newton steps on
   the height above the horizon cone and its analytic rate refine them until
   a step is under 1 ms (converging quadratically, the root is then good to
   microseconds; a bisection ends within 1 ms).  Sign changes of the
   elevation rate bracket culminations, refined by safeguarded Newton steps
   on the rate (its rate from the two-body acceleration) from the peak of
   the cubic through the bracket ends, to 1 ms.  The azimuth and elevation
   at each event come from the last Newton evaluation, not a new one.
"""

import math

import numpy as np

from .planes import screen
from .positions import Tracker
from .roots import envelope_km, index_ranges, newton_bracketed
from .sites import EARTH_MU_KM3_S2 as _MU, EARTH_ROTATION_RAD_S as _OMEGA, WGS84_A_KM

__all__ = ["PassSearch", "grid_step_s", "curvature_bound_km_s2", "speed_bounds_km_s"]

_STEPS_S = (60.0, 120.0, 180.0, 240.0, 300.0, 360.0, 420.0, 480.0, 540.0, 600.0, 720.0, 900.0, 1200.0,
            1800.0)
_SPLIT = 8
_FINEST_S = 1.0
_SAMPLES_PER_CHUNK = 32_768
# what the grid's screening reads of the look angles (see _grid_rows and _scan)
_GRID_KEYS = ("error", "elevation_deg", "elevation_rate_deg_s", "azimuth_deg", "up_km", "up_rate_km_s",
              "range_km", "range_rate_km_s")
_MAX_RELATIVE_SPEED = 12.0  # km/s, bound on d(range)/dt for any Earth orbit


def grid_step_s(elements, per_orbit=8):
    """Grid step (s) for a satellite: about 1/``per_orbit`` of its period, 60
    to 1800 s.  The step only sets the cost: the curvature bound makes the
    screening complete at any step (see the module docstring)."""
    h = elements.period_min * 60.0 / per_orbit
    return max([s for s in _STEPS_S if s <= h] or [_STEPS_S[0]])


def margin_s(elements):
    """How far before/after the window to search, to find the true rise of a
    pass in progress at the start (and the set of one cut by the end)."""
    return 1800.0 if elements.period_min < 225.0 else 6 * 3600.0


def curvature_bound_km_s2(elements):
    """Upper bound on |d2u/dt2| (km/s^2) for this orbit, with a 25% safety factor."""
    a, e = elements.semi_major_axis_km, elements.eccentricity
    rp, ra = perigee_radius_km(elements), a * (1 + e)
    vp = _perigee_speed_km_s(elements)
    return 1.25 * (_MU / rp**2 + 2 * _OMEGA * (vp + _OMEGA * ra) + _OMEGA**2 * ra)


def speed_bounds_km_s(elements):
    """Upper bounds on the satellite's speed (km/s): inertial, and relative
    to the rotating Earth; with a 10% safety factor."""
    vp = _perigee_speed_km_s(elements)
    return 1.1 * vp, 1.1 * (vp + _OMEGA * elements.semi_major_axis_km * (1 + elements.eccentricity))


def perigee_radius_km(elements):
    """Geocentric radius at perigee (km), not below 80 km above the equator."""
    return max(elements.semi_major_axis_km * (1 - elements.eccentricity), WGS84_A_KM + 80.0)


def _perigee_speed_km_s(elements):
    a = elements.semi_major_axis_km
    return math.sqrt(max(_MU * (2.0 / perigee_radius_km(elements) - 1.0 / a), 0.0))


class PassSearch:
    """All passes of ``elements`` over ``site`` touching ``[start_s, end_s]``.

    Times are POSIX seconds.  After :meth:`run`, the arrays ``sat``,
    ``rise_s``, ``culmination_s``, ``set_s``, ``rise_known``, ``set_known``
    and ``peak_el`` (deg) hold one entry per pass, ordered by satellite and
    time (a rise or set not known lies at the search's margin); so do
    ``culmination_az`` (deg) and ``rise_angles``/``set_angles`` (rows:
    azimuth, elevation in deg, elevation rate in deg/s), NaN where not
    known without another evaluation.  ``fail_s``, ``up_at_lo``, ``el_min``
    ... hold one entry per satellite.
    """

    def __init__(self, elements, site, start_s, end_s, horizon_deg=0.0, sky=None):
        self.elements = list(elements)
        self.site = site
        self.start_s, self.end_s = float(start_s), float(end_s)
        self.horizon_deg = float(horizon_deg)
        self.tracker = Tracker(self.elements, site, sky)
        n = len(self.elements)
        # Horizon 0: intervals are proved free of dips too (see _scan), so a
        # coarse grid is safe; other horizons keep a fine grid.
        per_orbit = 8 if self.horizon_deg == 0 else 45
        self.step = np.array([grid_step_s(e, per_orbit) for e in self.elements])
        self.bound = np.array([curvature_bound_km_s2(e) for e in self.elements])
        self.lo = np.array([self.start_s - margin_s(e) for e in self.elements])
        self.hi = np.array([self.end_s + margin_s(e) for e in self.elements])
        self.fail_s = np.full(n, np.inf)          # first time SGP4 fails
        self.fail_code = np.zeros(n, dtype=int)
        self.up_at_lo = np.zeros(n, dtype=bool)
        self.up_at_hi = np.zeros(n, dtype=bool)
        self.el_min = np.full(n, np.inf)          # over valid grid samples in the window
        self.el_max = np.full(n, -np.inf)
        self.az_min = np.full(n, np.inf)
        self.az_max = np.full(n, -np.inf)
        self.samples = 0
        self._crossings = []    # (sat, a, b, g_a, g_b, w_a, w_b, w'_a, w'_b) arrays
        self._peaks = []        # (sat, a, b, rate_a, rate_b, el_a, el_b): elevation rate + to -
        self._hidden = []       # (sat, a, b) arrays

    # -- evaluation helpers --------------------------------------------------
    def _pairs(self, sat, t):
        look = self.tracker.look(t, sat)
        self.samples += len(t)
        return look

    def _g(self, sat, t):
        """Height above the cone of the horizon elevation (km; same sign as
        elevation minus horizon, and nearly linear in time), its rate, and
        what the events need at the roots: azimuth, elevation and their
        rates, stacked (see :func:`_at_roots`)."""
        look = self._pairs(sat, t)
        s = math.sin(math.radians(self.horizon_deg))
        return (look["up_km"] - s * look["range_km"], look["up_rate_km_s"] - s * look["range_rate_km_s"],
                _angles(look))

    def _rate_at(self, sat, t):
        """Elevation rate (deg/s), its rate, and the angles as in :meth:`_g`."""
        look = self.tracker.look(t, sat, accel=True)
        self.samples += len(t)
        return look["elevation_rate_deg_s"], look["elevation_accel_deg_s2"], _angles(look)

    # -- step 1 and 2: grid and screening ------------------------------------
    def _scan(self, sat, t, look, valid, h):
        """Find crossings, peaks and undecided intervals in rows of samples.

        ``sat`` (rows,), ``t`` (rows, m) sample times, ``look`` arrays
        (rows, m), ``valid`` (rows, m) bool, ``h`` (rows,) sample spacing.
        """
        g = np.where(valid, look["elevation_deg"] - self.horizon_deg, -90.0)
        rate = look["elevation_rate_deg_s"]
        u = look["up_km"]
        both = valid[:, 1:] & valid[:, :-1]
        above = g >= 0
        cross = both & (above[:, 1:] != above[:, :-1])
        rows, cols = np.nonzero(cross)
        # the height above the horizon cone and its rate, for Newton's start
        sin_h = math.sin(math.radians(self.horizon_deg))
        w = u - sin_h * look["range_km"]
        w_rate = look["up_rate_km_s"] - sin_h * look["range_rate_km_s"]
        self._crossings.append((sat[rows], t[rows, cols], t[rows, cols + 1], g[rows, cols], g[rows, cols + 1],
                                w[rows, cols], w[rows, cols + 1], w_rate[rows, cols], w_rate[rows, cols + 1]))
        peak = both & (rate[:, :-1] > 0) & (rate[:, 1:] <= 0) & (above[:, :-1] | above[:, 1:])
        rows, cols = np.nonzero(peak)
        el = look["elevation_deg"]
        self._peaks.append((sat[rows], t[rows, cols], t[rows, cols + 1], rate[rows, cols], rate[rows, cols + 1],
                            el[rows, cols], el[rows, cols + 1]))
        if self.horizon_deg >= 0:
            threshold = 0.0
        else:
            reach = np.maximum(look["range_km"][:, 1:], look["range_km"][:, :-1])
            threshold = -math.sin(math.radians(-self.horizon_deg)) * (
                reach + _MAX_RELATIVE_SPEED * h[:, None])
        ceiling, floor = envelope_km(u[:, :-1], u[:, 1:], look["up_rate_km_s"][:, :-1],
                                     look["up_rate_km_s"][:, 1:], self.bound[sat][:, None], h[:, None])
        hidden = both & ~above[:, 1:] & ~above[:, :-1] & (ceiling >= threshold)
        if self.horizon_deg == 0:
            # up at both ends: could it set and rise again in between?
            hidden |= both & above[:, 1:] & above[:, :-1] & (floor < 0)
        rows, cols = np.nonzero(hidden & (h[:, None] > _FINEST_S))
        self._hidden.append((sat[rows], t[rows, cols], t[rows, cols + 1]))

    def _grid(self):
        window_s = (self.start_s, self.end_s)
        for h in np.unique(self.step):
            members = np.flatnonzero(self.step == h)
            lo, hi = self.lo[members].min(), self.hi[members].max()
            t = lo + h * np.arange(int(np.ceil((hi - lo) / h)) + 1)
            window = (t >= self.start_s) & (t <= self.end_s)
            # A few rows at once: bounds memory, and keeps the arrays in the CPU's cache.
            per_chunk = max(1, _SAMPLES_PER_CHUNK // len(t))
            for first in range(0, len(members), per_chunk):
                sats = members[first:first + per_chunk]
                inside = (t[None, :] >= self.lo[sats, None]) & (t[None, :] <= self.hi[sats, None])
                # Sample only around intervals that may hold a pass (see orbits.planes).
                possible, lowest = screen(self.tracker, sats, t, self.horizon_deg, window_s)
                need = inside & (np.pad(possible, ((0, 0), (1, 0))) | np.pad(possible, ((0, 0), (0, 1))))
                # Sampled one by one where that saves work; on the common grid the
                # rest, and those never near (so reports still give their highest).
                sparse = (need.mean(axis=1) < 0.8) & need[:, window].any(axis=1)
                k = np.flatnonzero(sparse)
                if len(k):
                    self._grid_rows(sats[k], t, self._sparse_look(sats[k], t, need[k]), h, need[k])
                    # where samples were left out, the screen's model tells how low it went
                    self.el_min[sats[k]] = np.fmin(self.el_min[sats[k]], lowest[k])
                dense = sats[~sparse]
                if len(dense):
                    sub = self.tracker.subset(dense)
                    look = sub.look(t)
                    self.tracker.sky = sub.sky
                    self.samples += look["error"].size
                    self._grid_rows(dense, t, look, h, np.ones(look["error"].shape, bool))

    def _sparse_look(self, sats, t, need):
        """What the screening reads of the look angles (:data:`_GRID_KEYS`) at
        the samples ``need`` (rows of ``sats`` by ``t``), NaN elsewhere, as
        arrays shaped like the common grid's."""
        rows, cols = np.nonzero(need)
        look = self._pairs(sats[rows], t[cols])
        out = {}
        for key in _GRID_KEYS:
            val = look[key]
            full = np.full(need.shape, 0 if key == "error" else np.nan, dtype=val.dtype)
            full[rows, cols] = val
            out[key] = full
        return out

    def _grid_rows(self, sats, t, look, h, sampled):
        """Screen rows of grid samples (``sampled``: where they were taken)."""
        n_t = len(t)
        inside = (t[None, :] >= self.lo[sats, None]) & (t[None, :] <= self.hi[sats, None])
        bad = (look["error"] != 0) & inside & sampled
        first_bad = np.where(bad.any(axis=1), bad.argmax(axis=1), n_t)
        for row, k in enumerate(sats):
            if first_bad[row] < n_t:
                self.fail_s[k] = t[first_bad[row]]
                self.fail_code[k] = look["error"][row, first_bad[row]]
        valid = inside & sampled & (np.arange(n_t)[None, :] < first_bad[:, None])
        el = look["elevation_deg"]
        # Up at the ends of the search (not where a sample was left out:
        # the satellite is certainly below the horizon there).
        first_in = inside.argmax(axis=1)
        last_in = n_t - 1 - inside[:, ::-1].argmax(axis=1)
        rows = np.arange(len(sats))
        self.up_at_lo[sats] = valid[rows, first_in] & (el[rows, first_in] >= self.horizon_deg)
        # "up at the end" only when the search reached its end (not cut by an SGP4 failure).
        self.up_at_hi[sats] = (valid[rows, last_in] & (el[rows, last_in] >= self.horizon_deg)
                               & (first_bad == n_t))
        window = valid & (t[None, :] >= self.start_s) & (t[None, :] <= self.end_s)
        self.el_min[sats] = np.where(window, el, np.inf).min(axis=1)
        self.el_max[sats] = np.where(window, el, -np.inf).max(axis=1)
        az = look["azimuth_deg"]
        self.az_min[sats] = np.where(window, az, np.inf).min(axis=1)
        self.az_max[sats] = np.where(window, az, -np.inf).max(axis=1)
        self._scan(sats, np.broadcast_to(t, el.shape), look, valid, np.full(len(sats), h))

    def _subdivide(self):
        """Split undecided intervals until each is ruled out or shows a crossing."""
        pending = self._hidden
        self._hidden = []
        while True:
            parts = [p for p in pending if len(p[0])]
            if not parts:
                return
            sat = np.concatenate([p[0] for p in parts])
            a = np.concatenate([p[1] for p in parts])
            b = np.concatenate([p[2] for p in parts])
            frac = np.linspace(0.0, 1.0, _SPLIT + 1)
            t = a[:, None] + (b - a)[:, None] * frac[None, :]
            idx = np.broadcast_to(sat[:, None], t.shape)
            look = self._pairs(idx.ravel(), t.ravel())
            look = {key: val.reshape(t.shape + val.shape[1:]) for key, val in look.items()}
            valid = (look["error"] == 0) & (t < self.fail_s[sat][:, None])
            self._scan(sat, t, look, valid, (b - a) / _SPLIT)
            pending = self._hidden
            self._hidden = []

    # -- step 3: roots and pairing -------------------------------------------
    def run(self):
        """Search; fills the pass arrays and the per-satellite summary arrays."""
        self._grid()
        self._subdivide()
        sat, a, b, ga, gb, wa, wb, ra, rb = _joined(self._crossings, 9)
        sat = sat.astype(int)
        start = hermite_root(a, b, wa, wb, ra, rb)
        if len(sat):
            roots, t_last, angles = newton_bracketed(self._g, sat, a, b, ga, gb, start=start, tol_s=1e-3,
                                                     curvature=self._cone_curvature()[sat],
                                                     last=True)
        else:
            roots, t_last, angles = a, a, np.zeros((4, 0))
        self._root_angles = _at_roots(roots, t_last, angles)
        self._pair(sat, roots, ga < 0)
        self._culminate()
        return self

    def _cone_curvature(self):
        """Per satellite, a bound (km/s^2) on |w''|, w the height above the
        horizon cone (``u - sin(h) range``): ``range'' <= v^2 / range + |u''|``
        bounded with the speed relative to the ground and the least range."""
        sin_h = abs(math.sin(math.radians(self.horizon_deg)))
        if sin_h == 0:
            return self.bound
        site_radius = float(np.linalg.norm(self.site.itrs_km()))
        v = np.array([speed_bounds_km_s(e)[1] for e in self.elements])
        least = np.array([max(perigee_radius_km(e) - site_radius, 50.0) for e in self.elements])
        return self.bound + sin_h * (v * v / least + self.bound)

    def _pair(self, sat, roots, rising):
        """Rises and sets, per satellite in time order, into passes clipped to the window."""
        order = np.lexsort((roots, sat))
        s, t, r, ix = sat[order], roots[order], rising[order], order
        first = np.r_[True, s[1:] != s[:-1]] if len(s) else np.array([], bool)
        # A rise while up, or a set while down, changes nothing: drop it.
        before = np.where(first, self.up_at_lo[s], np.r_[False, r[:-1]])
        keep = r != before
        had_events = np.zeros(len(self.elements), dtype=bool)
        had_events[s] = True
        s, t, r, ix = s[keep], t[keep], r[keep], ix[keep]
        first = np.r_[True, s[1:] != s[:-1]] if len(s) else np.array([], bool)
        last = np.r_[s[1:] != s[:-1], True] if len(s) else np.array([], bool)
        sets = np.flatnonzero(~r)
        opened = ~first[sets]  # else the satellite was up at the search start
        rise = np.where(opened, t[sets - 1], self.lo[s[sets]])
        trailing = np.flatnonzero(r & last & self.up_at_hi[s])
        # Up throughout, with only redundant events in between.
        quiet = np.ones(len(self.elements), dtype=bool)
        quiet[s] = False
        whole = np.flatnonzero(quiet & had_events & self.up_at_lo & self.up_at_hi)
        p_sat = np.concatenate([s[sets], s[trailing], whole])
        p_rise = np.concatenate([rise, t[trailing], self.lo[whole]])
        p_set = np.concatenate([t[sets], self.hi[s[trailing]], self.hi[whole]])
        p_rise_known = np.concatenate([opened, np.ones(len(trailing), bool), np.zeros(len(whole), bool)])
        p_set_known = np.concatenate([np.ones(len(sets), bool), np.zeros(len(trailing) + len(whole), bool)])
        none = np.full(len(whole), -1)
        p_rise_root = np.concatenate([np.where(opened, ix[sets - 1], -1), ix[trailing], none])
        p_set_root = np.concatenate([ix[sets], np.full(len(trailing), -1), none])
        inside = (p_set >= self.start_s) & (p_rise <= self.end_s)
        order = np.lexsort((p_rise[inside], p_sat[inside]))
        self.sat = p_sat[inside][order]
        self.rise_s = p_rise[inside][order]
        self.set_s = p_set[inside][order]
        self.rise_known = p_rise_known[inside][order]
        self.set_known = p_set_known[inside][order]
        # azimuth, elevation (deg) and elevation rate at the known rises and sets
        self.rise_angles = _pick(self._root_angles, p_rise_root[inside][order])
        self.set_angles = _pick(self._root_angles, p_set_root[inside][order])

    def _culminate(self):
        """Culmination time and elevation of every pass: the highest of the
        elevation maxima inside it (or of its ends when there is none)."""
        n = len(self.sat)
        self.culmination_s = np.full(n, np.nan)
        self.peak_el = np.full(n, np.nan)
        self.culmination_az = np.full(n, np.nan)  # NaN: not known without evaluating
        if not n:
            return
        psat, pa, pb, p_rate_a, p_rate_b, p_el_a, p_el_b = _joined(self._peaks, 7)
        psat = psat.astype(int)
        # Find the passes each peak bracket overlaps, with keys ordered by
        # satellite, then time (passes of one satellite do not overlap).
        t0 = min(self.lo.min(), pa.min() if len(pa) else np.inf)
        span = max(self.hi.max(), pb.max() if len(pb) else -np.inf) - t0 + 1.0
        rise_key = self.sat * span + (self.rise_s - t0)
        set_key = self.sat * span + (self.set_s - t0)
        first = np.searchsorted(set_key, psat * span + (pa - t0), "right")
        last = np.searchsorted(rise_key, psat * span + (pb - t0), "left") - 1
        count = np.maximum(last - first + 1, 0)
        peak = np.repeat(np.arange(len(psat)), count)
        owner = index_ranges(first, count)
        # Passes without a peak bracket: their highest point is one of their ends.
        alone = np.setdiff1d(np.arange(n), owner)
        lo = np.concatenate([np.maximum(pa[peak], self.rise_s[owner]), self.rise_s[alone]])
        hi = np.concatenate([np.minimum(pb[peak], self.set_s[owner]), self.set_s[alone]])
        owner = np.concatenate([owner, alone])
        sat = self.sat[owner]
        # Bracket ends that are grid samples have their rate and elevation
        # already; the others (cut by a rise or set, or a pass alone) are computed.
        nan = np.full(len(alone), np.nan)
        rate_lo = np.concatenate([np.where(lo[:len(peak)] == pa[peak], p_rate_a[peak], np.nan), nan])
        rate_hi = np.concatenate([np.where(hi[:len(peak)] == pb[peak], p_rate_b[peak], np.nan), nan])
        el_lo = np.concatenate([p_el_a[peak], nan])
        el_hi = np.concatenate([p_el_b[peak], nan])
        # Bracket ends at a known rise or set have their values from its Newton steps.
        az_lo, az_hi = np.full(len(owner), np.nan), np.full(len(owner), np.nan)
        for rate, el, az, at, ends, angles in ((rate_lo, el_lo, az_lo, lo, self.rise_s, self.rise_angles),
                                               (rate_hi, el_hi, az_hi, hi, self.set_s, self.set_angles)):
            k = np.flatnonzero(np.isnan(rate) & (at == ends[owner]) & np.isfinite(angles[1][owner]))
            az[k], el[k], rate[k] = angles[:, owner[k]]
            k = np.flatnonzero(np.isnan(rate))
            if len(k):
                look = self._pairs(sat[k], at[k])
                rate[k], el[k], az[k] = look["elevation_rate_deg_s"], look["elevation_deg"], look["azimuth_deg"]
        brackets = (rate_lo > 0) & (rate_hi < 0)
        lower = el_lo >= el_hi
        when, el, az = np.where(lower, lo, hi), np.where(lower, el_lo, el_hi), np.where(lower, az_lo, az_hi)
        if brackets.any():
            # Newton steps on the elevation rate, with its rate from the
            # two-body acceleration (good to ~0.2%: the steps still converge
            # fast, and the bracket holds the root whatever they do).
            # The culmination is the last point evaluated, under 1 ms from the
            # root: its angles are exact, its elevation off by ~el'' dt^2 / 2.
            k = np.flatnonzero(brackets)
            start = hermite_peak(lo[k], hi[k], el_lo[k], el_hi[k], rate_lo[k], rate_hi[k])
            _, when[k], angles = newton_bracketed(self._rate_at, sat[k], lo[k], hi[k], rate_lo[k], rate_hi[k],
                                                  tol_s=1e-3, start=start, last=True)
            az[k], el[k] = angles[0], angles[2]
        # The highest candidate of each pass (the earliest of equals).
        best = np.lexsort((np.arange(len(owner)), -el, owner))
        head = best[np.r_[True, owner[best][1:] != owner[best][:-1]]]
        self.culmination_s[owner[head]] = when[head]
        self.peak_el[owner[head]] = el[head]
        self.culmination_az[owner[head]] = az[head]


def hermite_peak(a, b, f_a, f_b, rate_a, rate_b):
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


def _angles(look):
    """Azimuth, its rate, elevation, its rate (deg, deg/s), stacked."""
    return np.stack([look["azimuth_deg"], look["azimuth_rate_deg_s"], look["elevation_deg"],
                     look["elevation_rate_deg_s"]])


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


def hermite_root(a, b, f_a, f_b, rate_a, rate_b, rounds=4):
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
            value = ((2 * x3 - 3 * x2 + 1) * f_a + (x3 - 2 * x2 + x) * m_a
                     + (-2 * x3 + 3 * x2) * f_b + (x3 - x2) * m_b)
            slope = ((6 * x2 - 6 * x) * f_a + (3 * x2 - 4 * x + 1) * m_a
                     + (-6 * x2 + 6 * x) * f_b + (3 * x2 - 2 * x) * m_b)
            step = np.where(slope != 0, value / slope, 0.0)
            x = np.clip(np.where(np.isfinite(step), x - step, x), 0.0, 1.0)
    return a + h * x


def _joined(parts, width):
    """Concatenate a list of same-width tuples of arrays, column by column."""
    if not parts:
        return tuple(np.array([]) for _ in range(width))
    return tuple(np.concatenate(column) for column in zip(*parts))
