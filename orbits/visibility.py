"""When a pass can be seen with the eye, and how bright it is.

A moment of a pass is *visible* when three things hold at once:

* the satellite is at or above the minimum elevation (default 10 deg);
* it is sunlit: the line from it to the Sun's centre clears the WGS84
  ellipsoid (geometric umbra; penumbra and refraction ignored);
* the Sun's centre is at or below the sun altitude at the site (default -6
  deg, civil twilight; geometric).

How the windows are found, for all passes at once, without missing any:

1. The sky's darkness depends on time only: the Sun's altitude is sampled
   every minute over the whole window and its crossings of the threshold
   refined, giving the dark intervals.  Each pass that reaches the minimum
   elevation is cut to them.
2. Each dark stretch of a pass is sampled every 120 s.  Two margins are
   bracketed there, with their rates: ``w = u - rho sin(min_el)`` (height
   above the cone of the minimum elevation, same sign as elevation minus
   the minimum; :func:`~orbits.bounds.cone_height_km`) and the shadow
   margin (km).  Both have bounded second
   derivatives (from the orbit; for the shadow margin, while the line to
   the Sun stays well clear of the Earth's centre), so between two samples
   each lies between two parabolas (:func:`~orbits.roots.envelope_km`):
   that proves no crossing hides there, or the interval is split until it
   does.
3. Crossings are refined to a millisecond (Newton on the elevation rate,
   secant steps on the shadow margin); the state between consecutive crossings
   is tested at their midpoint, and visible stretches become windows, each
   with why it starts and ends.

Brightness uses the standard-magnitude model of McCants and Heavens-Above:
``mag = std - 15.75 + 2.5 log10(range_km^2 / f)`` with ``f = (1 + cos phase)/2``
the illuminated fraction of a diffuse sphere and ``phase`` the Sun-satellite-
observer angle.  It gives ``std`` at 1000 km and 90 deg phase, above the
atmosphere.  What the eye sees is fainter by the atmospheric extinction
``k X`` (:mod:`orbits.extinction`: ``X`` the Kasten & Young airmass at the
satellite's elevation, ``k`` :meth:`VisibilityRules.extinction_at`).  Each
window's brightest moment is the one brightest *through the air*; both
magnitudes are given there.
"""

import math
from dataclasses import dataclass

import numpy as np

from .bounds import cone_curvature_bound_km_s2, cone_height_km, curvature_bound_km_s2, speed_bounds_km_s
from .constants import EARTH_ROTATION_RAD_S, WGS84_A_KM
from .errors import OrbitsError
from .extinction import airmass, extinction_coefficient
from .positions import shadow_margin_km, sun_elevation_deg
from .roots import index_ranges, newton_bracketed, secant_bracketed, sign_brackets

__all__ = [
    "visual_magnitude",
    "Magnitudes",
    "magnitudes",
    "VisibilityRules",
    "visible_windows",
    "START_REASONS",
    "END_REASONS",
    "MAX_EXTINCTION_PER_AIRMASS",
]

_SAMPLE_S = 120.0  # samples in a pass's dark stretch (only the cost depends on it)
_SUN_SAMPLE_S = 60.0  # samples of the Sun's altitude
_BATCH_SAMPLES = 500_000  # samples evaluated at once: bounds memory for long windows
# Bound on how fast the Sun's altitude changes anywhere on Earth (deg/s):
# 360 deg per sidereal day plus the Sun's own motion, with a margin.
_SUN_RATE_DEG_S = 0.0045
_RISE, _ELEVATION, _SHADOW, _TWILIGHT = range(4)
#: Why a window starts / ends, by reason code (the ``start_reason`` and
#: ``end_reason`` columns of :func:`visible_windows`).
START_REASONS = (
    "rises",
    "climbs past the minimum elevation",
    "leaves the Earth's shadow",
    "the sky is dark enough",
)
END_REASONS = (
    "sets",
    "drops below the minimum elevation",
    "enters the Earth's shadow",
    "the sky grows too bright",
)


def visual_magnitude(standard_magnitude, range_km, phase_angle_rad):
    """Visual magnitude from the standard magnitude (1000 km, 90 deg phase)."""
    fraction = np.maximum((1.0 + np.cos(phase_angle_rad)) / 2.0, 1e-9)
    return standard_magnitude - 15.75 + 2.5 * np.log10(np.asarray(range_km) ** 2 / fraction)


@dataclass(frozen=True)
class Magnitudes:
    """Visual magnitudes of a satellite (arrays or floats): ``magnitude`` as
    seen through the air (what the eye sees) and
    ``magnitude_above_atmosphere`` (the standard-magnitude model alone)."""

    magnitude: np.ndarray
    magnitude_above_atmosphere: np.ndarray


def magnitudes(standard_magnitude, range_km, phase_angle_rad, elevation_deg, extinction_per_airmass):
    """:class:`Magnitudes` from the standard magnitude, the range, the phase
    angle and the satellite's geometric elevation, with ``extinction_per_airmass``
    (mag; 0 for none) times the Kasten & Young airmass (:mod:`orbits.extinction`)."""
    above = visual_magnitude(standard_magnitude, range_km, phase_angle_rad)
    if not extinction_per_airmass:
        return Magnitudes(above, above)
    return Magnitudes(above + extinction_per_airmass * airmass(elevation_deg), above)


#: The largest extinction coefficient accepted (mag per airmass): a very
#: hazy or dusty sky is about 1.
MAX_EXTINCTION_PER_AIRMASS = 2.0


class VisibilityRules:
    """The three thresholds that make a moment visible (degrees), and the
    atmospheric extinction that dims what is seen.

    ``extinction_per_airmass`` (mag per airmass): None for the site's
    default (:meth:`extinction_at`), 0 for none (magnitudes above the
    atmosphere), or a measured or guessed value up to
    :data:`MAX_EXTINCTION_PER_AIRMASS`.
    """

    def __init__(self, min_elevation_deg=10.0, sun_altitude_deg=-6.0, extinction_per_airmass=None):
        self.min_elevation_deg = float(min_elevation_deg)
        self.sun_altitude_deg = float(sun_altitude_deg)
        if extinction_per_airmass is not None:
            k = extinction_per_airmass
            if isinstance(k, bool) or not isinstance(k, (int, float)) or not math.isfinite(k):
                raise OrbitsError(f"extinction {k!r} is not a finite number (mag per airmass)")
            if not 0.0 <= k <= MAX_EXTINCTION_PER_AIRMASS:
                raise OrbitsError(
                    f"extinction {k:g} mag per airmass is out of range (0 to {MAX_EXTINCTION_PER_AIRMASS:g})"
                )
            extinction_per_airmass = float(k)
        self.extinction_per_airmass = extinction_per_airmass

    def extinction_at(self, site):
        """The extinction coefficient (mag per airmass) used at ``site``: the
        one given, else the clear-sky default for the site's height (0.2 at
        sea level falling as ``exp(-h / 8 km)``, rounded to 0.01: 0.19 at
        Islamabad's 540 m; see :mod:`orbits.extinction`)."""
        if self.extinction_per_airmass is not None:
            return self.extinction_per_airmass
        return round(extinction_coefficient(site.elevation_m), 2)


def phase_angle_rad(r_ef, sun_ef, site):
    """Sun-satellite-observer angle (radians) for Earth-fixed positions."""
    to_sun = sun_ef - r_ef
    to_obs = site.itrs_km() - r_ef
    cos = np.einsum("...i,...i->...", to_sun, to_obs) / (
        np.linalg.norm(to_sun, axis=-1) * np.linalg.norm(to_obs, axis=-1)
    )
    return np.arccos(np.clip(cos, -1.0, 1.0))


def dark_intervals(tracker, rules, start_s, end_s):
    """Where the Sun is at or below ``rules.sun_altitude_deg`` at the site:
    arrays ``(lo, hi)`` of POSIX seconds within ``[start_s, end_s]``."""
    n = max(int(math.ceil((end_s - start_s) / _SUN_SAMPLE_S)), 1) + 1
    t = np.linspace(start_s, end_s, n)

    def twilight(_, x):
        return (rules.sun_altitude_deg - sun_elevation_deg(tracker.sun_earth_fixed(x), tracker.site))[None]

    zeros = np.zeros(n, dtype=int)
    f = twilight(zeros, t)
    ((_, a, b, fa, fb),) = sign_brackets(
        twilight, zeros, zeros, t, f, lambda _, h, fa, fb: np.full_like(fa, _SUN_RATE_DEG_S)
    )
    cross = np.sort(
        secant_bracketed(lambda _, x: twilight(_, x)[0], np.zeros(len(a), int), a, b, fa, fb, tol_s=1e-3)
    )
    edges = np.concatenate([[start_s], cross, [end_s]])
    dark_first = f[0, 0] >= 0
    lo, hi = edges[:-1], edges[1:]
    keep = (np.arange(len(lo)) % 2 == 0) == dark_first
    return lo[keep], hi[keep]


def visible_windows(tracker, rules, sat, rise_s, set_s, standard_magnitudes, peak_el=None):
    """Visible windows of many passes at once.

    ``sat``, ``rise_s``, ``set_s``: arrays, one entry per pass (``sat``
    indexes ``tracker.elements``); ``peak_el`` (optional) each pass's
    highest elevation in degrees, to skip at once the passes that never
    reach the minimum elevation; ``standard_magnitudes`` one per satellite
    (None when unknown).

    Returns a dict of arrays, one entry per window, sorted by pass and time:
    ``pass`` (index into the inputs), ``start_s``, ``end_s``,
    ``start_reason``/``end_reason`` (codes into :data:`START_REASONS` /
    :data:`END_REASONS`), ``magnitude`` (at the window's brightest moment
    through the air, with ``rules``' extinction at the tracker's site; NaN
    when the satellite has no standard magnitude) and
    ``magnitude_above_atmosphere`` (at that same moment, without it).
    """
    sat = np.asarray(sat, dtype=int)
    rise_s, set_s = np.asarray(rise_s, float), np.asarray(set_s, float)
    maybe = (
        np.ones(len(sat), dtype=bool) if peak_el is None else ~(np.asarray(peak_el) < rules.min_elevation_deg)
    )
    todo = np.flatnonzero(maybe & (set_s > rise_s))
    empty = _columns([], [], [], [], [])
    if not len(todo):
        return empty
    dark_lo, dark_hi = dark_intervals(tracker, rules, rise_s[todo].min(), set_s[todo].max())
    # Cut each pass to the dark intervals it overlaps (usually none or one).
    first = np.searchsorted(dark_hi, rise_s[todo], "right")
    last = np.searchsorted(dark_lo, set_s[todo], "left")
    count = np.maximum(last - first, 0)
    owner = np.repeat(todo, count)
    j = index_ranges(first, count)
    lo = np.maximum(rise_s[owner], dark_lo[j])
    hi = np.minimum(set_s[owner], dark_hi[j])
    lo_why = np.where(lo > rise_s[owner], _TWILIGHT, _RISE)
    hi_why = np.where(hi < set_s[owner], _TWILIGHT, _RISE)
    keep = hi > lo
    segments = (owner[keep], lo[keep], hi[keep], lo_why[keep], hi_why[keep])
    counts = np.ceil((segments[2] - segments[1]) / _SAMPLE_S).astype(int) + 1
    batch = np.cumsum(counts) // _BATCH_SAMPLES
    parts = [
        _windows_of(tracker, rules, sat, counts[batch == b], *(col[batch == b] for col in segments))
        for b in np.unique(batch)
    ]
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return empty
    out = _columns(*(np.concatenate(col) for col in zip(*parts, strict=True)))
    mags = _brightest(
        tracker,
        sat[out["pass"]],
        out["start_s"],
        out["end_s"],
        standard_magnitudes,
        rules.extinction_at(tracker.site),
    )
    out["magnitude"], out["magnitude_above_atmosphere"] = mags.magnitude, mags.magnitude_above_atmosphere
    return out


def _columns(owner, start, end, start_why, end_why):
    return {
        "pass": np.asarray(owner, dtype=int),
        "start_s": np.asarray(start, float),
        "end_s": np.asarray(end, float),
        "start_reason": np.asarray(start_why, dtype=int),
        "end_reason": np.asarray(end_why, dtype=int),
        "magnitude": np.full(len(owner), np.nan),
        "magnitude_above_atmosphere": np.full(len(owner), np.nan),
    }


def _windows_of(tracker, rules, sat, counts, owner, lo, hi, lo_why, hi_why):
    """Windows inside the dark stretches ``[lo, hi]`` of passes ``owner``,
    each sampled ``counts`` times."""
    n_seg = len(owner)
    seg = np.repeat(np.arange(n_seg), counts)
    step = index_ranges(0, counts)
    t = lo[seg] + (hi - lo)[seg] * step / (counts - 1)[seg]
    elements = tracker.elements
    sats = np.unique(sat[owner])
    # Per satellite: the curvature bound of the cone height w (km/s^2); for
    # the shadow margin, its speed and acceleration bounds and how well its
    # rate is known (see positions.shadow_margin_km).
    curvature = np.zeros(len(elements))
    speed, accel, rate_error = np.zeros(len(elements)), np.zeros(len(elements)), np.zeros(len(elements))
    site_radius = np.linalg.norm(tracker.site.itrs_km())
    omega = EARTH_ROTATION_RAD_S
    plane_curvature, ground_speed = [], []
    for s in sats.tolist():
        e = elements[s]
        _, v_rotating = speed_bounds_km_s(e)
        m = curvature_bound_km_s2(e)
        plane_curvature.append(m)
        ground_speed.append(v_rotating)
        r_apogee = e.semi_major_axis_km * (1 + e.eccentricity)
        # the margin is measured with z stretched by 1/(1 - f): 1.01 covers it
        speed[s] = 1.01 * v_rotating + 2 * omega * r_apogee
        accel[s] = 1.01 * m + 2 * omega * speed[s] + 3 * omega**2 * r_apogee
        rate_error[s] = 2.2e-7 * r_apogee + 0.001
    curvature[sats] = cone_curvature_bound_km_s2(
        [elements[s] for s in sats.tolist()],
        site_radius,
        rules.min_elevation_deg,
        np.array(plane_curvature),
        np.array(ground_speed),
    )
    seg_sat = sat[owner]

    def margins(segment, x):
        look = tracker.look(x, seg_sat[segment])
        shadow, shadow_rate = shadow_margin_km(look["r_ef"], tracker.sun_earth_fixed(x), look["v_ef"])
        w, w_rate = cone_height_km(look, rules.min_elevation_deg)
        return np.stack([w, shadow]), np.stack([w_rate, shadow_rate])

    def elevation(segment, x):
        look = tracker.look(x, seg_sat[segment])
        return look["elevation_deg"] - rules.min_elevation_deg, look["elevation_rate_deg_s"]

    def bound(segment, h, fa, fb):
        """Curvature bounds (km/s^2): the cone height's, and the shadow
        margin's (|p|'' <= |p'|^2 / |p| + |p''|, with |p| = margin + R kept
        above its lower bound over the interval)."""
        s = seg_sat[segment]
        low = WGS84_A_KM + np.minimum(fa[1], fb[1]) - speed[s] * h / 2
        shadow = np.where(low > 0.3 * WGS84_A_KM, speed[s] ** 2 / np.maximum(low, 1.0) + accel[s], np.inf)
        return np.stack([curvature[s], shadow])

    (f, rates) = margins(seg, t)
    (e_seg, e_a, e_b, e_fa, e_fb), (s_seg, s_a, s_b, s_fa, s_fb) = sign_brackets(
        margins,
        seg,
        seg,
        t,
        f,
        bound,
        rates=rates,
        rate_error=lambda segment: np.stack([np.zeros(len(segment)), rate_error[seg_sat[segment]]]),
    )
    e_x = newton_bracketed(elevation, e_seg, e_a, e_b, e_fa, e_fb, tol_s=1e-3) if len(e_seg) else e_a
    s_x = (
        secant_bracketed(lambda i, y: margins(i, y)[0][1], s_seg, s_a, s_b, s_fa, s_fb, tol_s=1e-3)
        if len(s_seg)
        else s_a
    )
    # Breakpoints per segment: its two ends and every crossing, in time order.
    b_seg = np.concatenate([np.arange(n_seg), np.arange(n_seg), e_seg, s_seg])
    b_t = np.clip(np.concatenate([lo, hi, e_x, s_x]), lo[b_seg], hi[b_seg])
    b_why = np.concatenate([lo_why, hi_why, np.full(len(e_x), _ELEVATION), np.full(len(s_x), _SHADOW)])
    order = np.lexsort((b_t, b_seg))
    b_seg, b_t, b_why = b_seg[order], b_t[order], b_why[order]
    # State of each piece between consecutive breakpoints, from its midpoint.
    piece = np.flatnonzero((b_seg[1:] == b_seg[:-1]) & (b_t[1:] > b_t[:-1]))
    mid = 0.5 * (b_t[piece] + b_t[piece + 1])
    good = piece[(margins(b_seg[piece], mid)[0] >= 0).all(axis=0)]
    if not len(good):
        return [np.array([], int), np.array([]), np.array([]), np.array([], int), np.array([], int)]
    # Runs of touching visible pieces make a window.
    joined = np.r_[False, (b_seg[good[1:]] == b_seg[good[:-1]]) & (b_t[good[1:]] == b_t[good[:-1] + 1])]
    starts = good[~joined]
    ends = good[np.r_[~joined[1:], True]] + 1
    return [
        owner[b_seg[starts]],
        b_t[starts],
        b_t[ends],
        b_why[starts],
        b_why[ends],
    ]


#: Samples of each window for its brightest moment: a first pass over the
#: whole window, then a second between the neighbours of the brightest
#: sample (for a 10-minute window, 3 s apart: well under 0.01 mag).
_MAGNITUDE_SAMPLES = 21


def _brightest(tracker, sat, start_s, end_s, standard_magnitudes, extinction_per_airmass):
    """:class:`Magnitudes` (rounded to 0.01) at each window's brightest moment
    through the air; NaN for satellites without a standard magnitude."""
    std = np.array(
        [np.nan if standard_magnitudes[s] is None else standard_magnitudes[s] for s in sat], dtype=float
    )
    out = Magnitudes(np.full(len(sat), np.nan), np.full(len(sat), np.nan))
    rows = np.flatnonzero(np.isfinite(std))
    if not len(rows):
        return out
    n = _MAGNITUDE_SAMPLES
    frac = np.linspace(0.0, 1.0, n)

    def sampled(lo, hi):
        t = (lo[:, None] + (hi - lo)[:, None] * frac).ravel()
        look = tracker.look(t, np.repeat(sat[rows], n))
        phase = phase_angle_rad(look["r_ef"], tracker.sun_earth_fixed(t), tracker.site)
        mags = magnitudes(
            np.repeat(std[rows], n), look["range_km"], phase, look["elevation_deg"], extinction_per_airmass
        )
        return mags.magnitude.reshape(-1, n), mags.magnitude_above_atmosphere.reshape(-1, n)

    lo, hi = start_s[rows], end_s[rows]
    seen, _ = sampled(lo, hi)
    best = np.argmin(np.where(np.isfinite(seen), seen, np.inf), axis=1)
    step = (hi - lo) / (n - 1)
    seen, above = sampled(np.maximum(lo + (best - 1) * step, lo), np.minimum(lo + (best + 1) * step, hi))
    best = np.argmin(np.where(np.isfinite(seen), seen, np.inf), axis=1)
    pick = np.arange(len(rows))
    seen, above = seen[pick, best], above[pick, best]
    ok = np.isfinite(seen) & np.isfinite(above)
    out.magnitude[rows] = np.where(ok, np.round(seen, 2), np.nan)
    out.magnitude_above_atmosphere[rows] = np.where(ok, np.round(above, 2), np.nan)
    return out
