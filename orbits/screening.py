"""The pass search, stage 1: bracket every rise, set and culmination, missing none.

For all satellites at once (:func:`find_brackets`):

1. Sample each satellite on a grid (about 8 steps an orbit: 720 s for most
   LEO, up to 1800 s for GEO; 45 an orbit for horizons other than 0;
   :func:`~orbits.bounds.grid_step_s`) with sgp4's array API: elevation
   ``el``, its rate, and ``u``, the satellite's height above the site's
   horizon plane (km).  Low orbits are sampled only around the times the
   site is near the orbit plane and the satellite near the site along it
   (:func:`orbits.planes.screen`); elsewhere no pass can happen.  A
   satellite needing few samples is evaluated at those (satellite, time)
   pairs only; the others on the whole common grid, in one array call.
2. ``u`` has a bounded second derivative (``|u''| <= M``,
   :func:`~orbits.bounds.curvature_bound_km_s2`).  With the rates at both
   samples, ``u`` stays under two parabolas
   (:func:`~orbits.roots.envelope_km`; never above ``max(u_a, u_b) + M
   h^2 / 8``), so an interval whose bound stays below the horizon plane
   certainly holds no pass.  Intervals that cannot be ruled out, yet show
   no crossing at their ends, are subdivided (8 parts, down to one second),
   so short grazing passes between samples are not missed.  Likewise ``u >=
   min(u_a, u_b) - M h^2 / 8`` proves a satellite up at both ends stayed up
   (horizon 0); intervals where it cannot be proved are subdivided.  For
   horizons below 0 the threshold is the lowest the cone of that elevation
   can reach over the interval (:func:`~orbits.bounds.cone_floor_km`).

The result is a :class:`Brackets`: sign changes of ``el - horizon`` (each
holds one rise or set) with the height above the horizon cone and its rate
at both ends, for Newton's start; sign changes of the elevation rate from
+ to - while up (each holds a culmination) with the rate and elevation at
both ends; and, per satellite, what the samples tell on their own (first
SGP4 failure, up at the search's ends, elevation and azimuth ranges).
:mod:`orbits.refinement` turns them into passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from .bounds import cone_floor_km, cone_height_km, curvature_bound_km_s2, grid_step_s, margin_s
from .planes import screen
from .roots import envelope_km

if TYPE_CHECKING:
    from .elementset import ElementSet
    from .positions import Tracker

__all__ = ["Brackets", "CrossingBrackets", "PeakBrackets", "find_brackets", "search_limits_s"]

_SPLIT = 8  # parts an undecided interval is split into
_FINEST_S = 1.0  # intervals this short are not split further
_SAMPLES_PER_CHUNK = 32_768
# what the grid's screening reads of the look angles (see _Screening._grid_rows and _scan)
_GRID_KEYS = (
    "error",
    "elevation_deg",
    "elevation_rate_deg_s",
    "azimuth_deg",
    "up_km",
    "up_rate_km_s",
    "range_km",
    "range_rate_km_s",
)


def _joined(cls, parts):
    """One ``cls`` (a dataclass of same-length arrays) from ``parts``, column by
    column; empty float columns (an int ``sat``) when there are no parts."""
    if not parts:
        return cls(*(np.array([], dtype=int if f.name == "sat" else float) for f in fields(cls)))
    return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


@dataclass(frozen=True, slots=True)
class CrossingBrackets:
    """Intervals ``[a_s, b_s]`` (POSIX s) of satellite ``sat`` holding a sign
    change of elevation minus the horizon: one rise or set each.

    ``above_a_deg``/``above_b_deg``: elevation minus the horizon (deg) at the
    ends; ``cone_a_km``/``cone_b_km`` and ``cone_rate_a_km_s``/
    ``cone_rate_b_km_s``: the height above the horizon cone and its rate there
    (:func:`~orbits.bounds.cone_height_km`).
    """

    sat: np.ndarray
    a_s: np.ndarray
    b_s: np.ndarray
    above_a_deg: np.ndarray
    above_b_deg: np.ndarray
    cone_a_km: np.ndarray
    cone_b_km: np.ndarray
    cone_rate_a_km_s: np.ndarray
    cone_rate_b_km_s: np.ndarray

    def __len__(self) -> int:
        return len(self.sat)


@dataclass(frozen=True, slots=True)
class PeakBrackets:
    """Intervals ``[a_s, b_s]`` of satellite ``sat`` where the elevation rate
    turns from + to - with the satellite up at an end: each holds one
    elevation maximum.  The rate (deg/s) and elevation (deg) at both ends."""

    sat: np.ndarray
    a_s: np.ndarray
    b_s: np.ndarray
    el_rate_a_deg_s: np.ndarray
    el_rate_b_deg_s: np.ndarray
    el_a_deg: np.ndarray
    el_b_deg: np.ndarray

    def __len__(self) -> int:
        return len(self.sat)


@dataclass(frozen=True, slots=True)
class Brackets:
    """What screening found: the brackets of every event, and per-satellite facts.

    The search: passes touching ``[start_s, end_s]`` (POSIX s) above
    ``horizon_deg``, each satellite searched over ``[lo_s[k], hi_s[k]]``;
    ``curvature_km_s2[k]`` is its bound on ``|u''|``.  Per satellite (arrays,
    one entry each): ``fail_s``/``fail_code`` the first time SGP4 failed
    (inf/0 if never), ``up_at_lo``/``up_at_hi`` above the horizon at the
    search's ends (``up_at_hi`` only when no failure cut the search),
    ``el_min_deg`` ... ``az_max_deg`` the ranges over the valid grid samples
    in the window (inf/-inf when none; where samples were left out,
    ``el_min_deg`` comes from the plane screen's model).  ``samples``: how
    many (satellite, time) points were evaluated.  ``mask``: the site's
    :class:`~orbits.horizon.Horizon` when it is not flat (``horizon_deg``
    is then its lowest; crossings are of elevation minus its limit).
    """

    start_s: float
    end_s: float
    horizon_deg: float
    lo_s: np.ndarray
    hi_s: np.ndarray
    curvature_km_s2: np.ndarray
    crossings: CrossingBrackets
    peaks: PeakBrackets
    fail_s: np.ndarray
    fail_code: np.ndarray
    up_at_lo: np.ndarray
    up_at_hi: np.ndarray
    el_min_deg: np.ndarray
    el_max_deg: np.ndarray
    az_min_deg: np.ndarray
    az_max_deg: np.ndarray
    samples: int
    mask: object = None


def search_limits_s(
    elements: Sequence[ElementSet], start_s: float, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per satellite, how far the search for passes touching ``[start_s,
    end_s]`` reaches: ``start_s`` and ``end_s`` widened by
    :func:`~orbits.bounds.margin_s`, so passes in progress at either end are
    found with their true rise and set."""
    start_s, end_s = float(start_s), float(end_s)
    return (
        np.array([start_s - margin_s(e) for e in elements]),
        np.array([end_s + margin_s(e) for e in elements]),
    )


def find_brackets(
    tracker: Tracker,
    start_s: float,
    end_s: float,
    lo_s: np.ndarray,
    hi_s: np.ndarray,
    horizon_deg: float = 0.0,
    horizon=None,
) -> Brackets:
    """Screen the satellites of ``tracker`` for passes above ``horizon_deg``
    touching ``[start_s, end_s]`` (POSIX s), satellite ``k`` searched over
    ``[lo_s[k], hi_s[k]]`` (see :func:`search_limits_s`).

    ``horizon`` (a :class:`~orbits.horizon.Horizon`) replaces ``horizon_deg``
    when given: a masked one is screened against its lowest elevation (so
    the proof holds) and its crossings are those of elevation minus the mask.

    Complete: every rise, set and culmination in the search lies in one of
    the returned brackets (see the module docstring).  ``tracker`` adopts
    the sky table it builds if it had none.
    """
    mask = None
    if horizon is not None:
        horizon_deg = horizon.lowest_deg
        mask = None if horizon.flat else horizon
    s = _Screening(tracker, start_s, end_s, lo_s, hi_s, horizon_deg, mask)
    s.grid()
    s.subdivide()
    return Brackets(
        s.start_s,
        s.end_s,
        s.horizon_deg,
        s.lo,
        s.hi,
        s.bound,
        _joined(CrossingBrackets, s.crossings),
        _joined(PeakBrackets, s.peaks),
        s.fail_s,
        s.fail_code,
        s.up_at_lo,
        s.up_at_hi,
        s.el_min,
        s.el_max,
        s.az_min,
        s.az_max,
        s.samples,
        mask,
    )


class _Screening:
    """The screening's working state: the per-satellite facts, filled as rows
    of samples are screened, and the brackets found so far."""

    def __init__(self, tracker, start_s, end_s, lo_s, hi_s, horizon_deg, mask=None):
        self.tracker = tracker
        elements = tracker.elements
        self.start_s, self.end_s = float(start_s), float(end_s)
        self.horizon_deg = float(horizon_deg)
        self.mask = mask
        n = len(elements)
        # Horizon 0: intervals are proved free of dips too (see _scan), so a
        # coarse grid is safe; other horizons (and masks) keep a fine grid.
        per_orbit = 8 if self.horizon_deg == 0 and mask is None else 45
        self.step = np.array([grid_step_s(e, per_orbit) for e in elements])
        self.bound = np.array([curvature_bound_km_s2(e) for e in elements])
        self.lo, self.hi = np.asarray(lo_s), np.asarray(hi_s)
        self.fail_s = np.full(n, np.inf)  # first time SGP4 fails
        self.fail_code = np.zeros(n, dtype=int)
        self.up_at_lo = np.zeros(n, dtype=bool)
        self.up_at_hi = np.zeros(n, dtype=bool)
        self.el_min = np.full(n, np.inf)  # over valid grid samples in the window
        self.el_max = np.full(n, -np.inf)
        self.az_min = np.full(n, np.inf)
        self.az_max = np.full(n, -np.inf)
        self.samples = 0
        self.crossings: list[CrossingBrackets] = []
        self.peaks: list[PeakBrackets] = []
        self.hidden = []  # (sat, a, b) arrays: intervals still undecided

    def _above(self, look):
        """Elevation minus the horizon (or the mask's limit at the azimuth), deg."""
        if self.mask is None:
            return look["elevation_deg"] - self.horizon_deg
        return self.mask.above_deg(look)

    def _look(self, sat, t):
        look = self.tracker.look(t, sat)
        self.samples += len(t)
        return look

    def _scan(self, sat, t, look, valid, h):
        """Find crossings, peaks and undecided intervals in rows of samples.

        ``sat`` (rows,), ``t`` (rows, m) sample times, ``look`` arrays
        (rows, m), ``valid`` (rows, m) bool, ``h`` (rows,) sample spacing.
        """
        g = np.where(valid, self._above(look), -90.0)
        rate = look["elevation_rate_deg_s"]
        u = look["up_km"]
        both = valid[:, 1:] & valid[:, :-1]
        above = g >= 0
        cross = both & (above[:, 1:] != above[:, :-1])
        rows, cols = np.nonzero(cross)
        # the height above the horizon cone and its rate, for Newton's start
        w, w_rate = cone_height_km(look, self.horizon_deg)
        self.crossings.append(
            CrossingBrackets(
                sat[rows],
                t[rows, cols],
                t[rows, cols + 1],
                g[rows, cols],
                g[rows, cols + 1],
                w[rows, cols],
                w[rows, cols + 1],
                w_rate[rows, cols],
                w_rate[rows, cols + 1],
            )
        )
        peak = both & (rate[:, :-1] > 0) & (rate[:, 1:] <= 0) & (above[:, :-1] | above[:, 1:])
        rows, cols = np.nonzero(peak)
        el = look["elevation_deg"]
        self.peaks.append(
            PeakBrackets(
                sat[rows],
                t[rows, cols],
                t[rows, cols + 1],
                rate[rows, cols],
                rate[rows, cols + 1],
                el[rows, cols],
                el[rows, cols + 1],
            )
        )
        if self.horizon_deg >= 0:
            threshold = 0.0
        else:
            threshold = cone_floor_km(
                look["range_km"][:, :-1], look["range_km"][:, 1:], h[:, None], self.horizon_deg
            )
        ceiling, floor = envelope_km(
            u[:, :-1],
            u[:, 1:],
            look["up_rate_km_s"][:, :-1],
            look["up_rate_km_s"][:, 1:],
            self.bound[sat][:, None],
            h[:, None],
        )
        hidden = both & ~above[:, 1:] & ~above[:, :-1] & (ceiling >= threshold)
        if self.horizon_deg == 0 and self.mask is None:
            # up at both ends: could it set and rise again in between?
            hidden |= both & above[:, 1:] & above[:, :-1] & (floor < 0)
        rows, cols = np.nonzero(hidden & (h[:, None] > _FINEST_S))
        self.hidden.append((sat[rows], t[rows, cols], t[rows, cols + 1]))

    def grid(self):
        """Step 1: sample every satellite on its grid and screen the rows."""
        window_s = (self.start_s, self.end_s)
        for h in np.unique(self.step):
            members = np.flatnonzero(self.step == h)
            lo, hi = self.lo[members].min(), self.hi[members].max()
            t = lo + h * np.arange(int(np.ceil((hi - lo) / h)) + 1)
            window = (t >= self.start_s) & (t <= self.end_s)
            # A few rows at once: bounds memory, and keeps the arrays in the CPU's cache.
            per_chunk = max(1, _SAMPLES_PER_CHUNK // len(t))
            for first in range(0, len(members), per_chunk):
                sats = members[first : first + per_chunk]
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
        look = self._look(sats[rows], t[cols])
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
        up = self._above(look) >= 0
        self.up_at_lo[sats] = valid[rows, first_in] & up[rows, first_in]
        # "up at the end" only when the search reached its end (not cut by an SGP4 failure).
        self.up_at_hi[sats] = valid[rows, last_in] & up[rows, last_in] & (first_bad == n_t)
        window = valid & (t[None, :] >= self.start_s) & (t[None, :] <= self.end_s)
        self.el_min[sats] = np.where(window, el, np.inf).min(axis=1)
        self.el_max[sats] = np.where(window, el, -np.inf).max(axis=1)
        az = look["azimuth_deg"]
        self.az_min[sats] = np.where(window, az, np.inf).min(axis=1)
        self.az_max[sats] = np.where(window, az, -np.inf).max(axis=1)
        self._scan(sats, np.broadcast_to(t, el.shape), look, valid, np.full(len(sats), h))

    def subdivide(self):
        """Step 2: split undecided intervals until each is ruled out or shows a crossing."""
        pending = self.hidden
        self.hidden = []
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
            look = self._look(idx.ravel(), t.ravel())
            look = {key: val.reshape(t.shape + val.shape[1:]) for key, val in look.items()}
            valid = (look["error"] == 0) & (t < self.fail_s[sat][:, None])
            self._scan(sat, t, look, valid, (b - a) / _SPLIT)
            pending = self.hidden
            self.hidden = []
