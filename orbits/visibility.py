"""When a pass can be seen with the eye, and how bright it is.

A moment of a pass is *visible* when three things hold at once:

* the satellite is at or above the minimum elevation (default 10 deg);
* it is sunlit: the line from it to the Sun's centre clears the WGS84
  ellipsoid (geometric umbra; penumbra and refraction ignored);
* the Sun's centre is at or below the sun altitude at the site (default -6
  deg, civil twilight; geometric).

Each condition is a continuous margin (degrees or km) sampled every few
seconds over the whole pass, not only at culmination; every sign change is
refined to a millisecond, and the pass splits into visible windows where
the satellite enters or leaves the Earth's shadow.

Brightness uses the standard-magnitude model of McCants and Heavens-Above:
``mag = std - 15.75 + 2.5 log10(range_km^2 / f)`` with ``f = (1 + cos phase)/2``
the illuminated fraction of a diffuse sphere and ``phase`` the Sun-satellite-
observer angle.  It gives ``std`` at 1000 km and 90 deg phase.
"""

import math

import numpy as np

from .positions import shadow_margin_km, sun_elevation_deg
from .roots import illinois, newton_bracketed

__all__ = ["visual_magnitude", "VisibilityRules", "visible_windows"]

_SAMPLE_S = 5.0
_MAX_SAMPLES = 2000
_BATCH_SAMPLES = 1_000_000  # samples evaluated at once: bounds memory for long windows
# Bound on how fast the Sun's altitude changes anywhere on Earth (deg/s):
# 360 deg per sidereal day plus the Sun's own motion, with a margin.
_SUN_RATE_DEG_S = 0.0045
# Why a window starts / ends, by condition index.
_START = ("climbs past the minimum elevation", "leaves the Earth's shadow", "the sky is dark enough")
_END = ("drops below the minimum elevation", "enters the Earth's shadow", "the sky grows too bright")


def visual_magnitude(standard_magnitude, range_km, phase_angle_rad):
    """Visual magnitude from the standard magnitude (1000 km, 90 deg phase)."""
    fraction = np.maximum((1.0 + np.cos(phase_angle_rad)) / 2.0, 1e-9)
    return standard_magnitude - 15.75 + 2.5 * np.log10(np.asarray(range_km) ** 2 / fraction)


class VisibilityRules:
    """The three thresholds that make a moment visible (degrees)."""

    def __init__(self, min_elevation_deg=10.0, sun_altitude_deg=-6.0):
        self.min_elevation_deg = float(min_elevation_deg)
        self.sun_altitude_deg = float(sun_altitude_deg)

    def margins(self, tracker, sat, t):
        """Margins (rows: elevation deg, shadow km, twilight deg) and the look dict."""
        look = tracker.look(t, sat)
        sun = tracker.sun_earth_fixed(t)
        shadow = shadow_margin_km(look["r_ef"], sun)
        twilight = self.sun_altitude_deg - sun_elevation_deg(sun, tracker.site)
        return np.stack([look["elevation_deg"] - self.min_elevation_deg, shadow, twilight]), look, sun


def phase_angle_rad(r_ef, sun_ef, site):
    """Sun-satellite-observer angle (radians) for Earth-fixed positions."""
    to_sun = sun_ef - r_ef
    to_obs = site.itrs_km() - r_ef
    cos = np.einsum("...i,...i->...", to_sun, to_obs) / (
        np.linalg.norm(to_sun, axis=-1) * np.linalg.norm(to_obs, axis=-1))
    return np.arccos(np.clip(cos, -1.0, 1.0))


def visible_windows(tracker, rules, sat, rise_s, set_s, standard_magnitudes, peak_el=None):
    """Visible windows of many passes at once.

    ``sat``, ``rise_s``, ``set_s``: arrays, one entry per pass; ``peak_el``
    (optional) each pass's highest elevation in degrees, to skip at once the
    passes that never reach the minimum elevation.  Returns a
    list (one per pass) of lists of dicts with ``start_s``, ``end_s``,
    ``start_reason``, ``end_reason`` and ``magnitude`` (brightest in the
    window, or None when the satellite has no standard magnitude).
    """
    n = len(sat)
    result = [[] for _ in range(n)]
    if n == 0:
        return result
    sat = np.asarray(sat, dtype=int)
    rise_s, set_s = np.asarray(rise_s, float), np.asarray(set_s, float)
    maybe = np.ones(n, dtype=bool) if peak_el is None else ~(np.asarray(peak_el) < rules.min_elevation_deg)
    # Passes in daylight throughout are out, judged from the Sun's altitude at
    # their two ends: it cannot dip lower in between than the bound allows.
    ends = sun_elevation_deg(tracker.sun_earth_fixed(np.concatenate([rise_s, set_s])), tracker.site)
    lowest = (ends[:n] + ends[n:]) / 2 - _SUN_RATE_DEG_S * (set_s - rise_s) / 2
    maybe &= lowest <= rules.sun_altitude_deg
    todo = np.flatnonzero(maybe)
    counts = np.clip(np.ceil((set_s[todo] - rise_s[todo]) / _SAMPLE_S).astype(int), 4, _MAX_SAMPLES) + 1
    batch = np.cumsum(counts) // _BATCH_SAMPLES
    for b in np.unique(batch):
        mine = batch == b
        _visible_batch(tracker, rules, sat, rise_s, set_s, todo[mine], counts[mine], result)
    _magnitudes(tracker, sat, result, standard_magnitudes)
    return result


def _visible_batch(tracker, rules, sat, rise_s, set_s, passes, counts, result):
    """Visible windows of the passes ``passes`` (indices), sampled ``counts``
    times each; fills ``result[p]``."""
    n = len(sat)
    owner = np.repeat(passes, counts)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    t = rise_s[owner] + (set_s - rise_s)[owner] * offset / (np.repeat(counts, counts) - 1)

    # Cheap test first: the Sun's altitude needs no SGP4.  Passes whose every
    # sample is in daylight, or never reaches the minimum elevation, are out.
    twilight = rules.sun_altitude_deg - sun_elevation_deg(tracker.sun_earth_fixed(t), tracker.site)
    dark = np.zeros(n, dtype=bool)
    np.logical_or.at(dark, owner, twilight >= 0)
    keep = dark[owner]
    if not keep.any():
        return
    owner, t = owner[keep], t[keep]
    m, _, _ = rules.margins(tracker, sat[owner], t)

    # Refine every sign change of every margin inside a pass.
    same = owner[1:] == owner[:-1]
    cuts = []  # (pass, time, condition)
    for c in range(3):
        ok = m[c] >= 0
        k = np.flatnonzero(same & (ok[1:] != ok[:-1]))
        if not len(k):
            continue
        a, b, fa, fb = t[k], t[k + 1], m[c][k], m[c][k + 1]
        s = sat[owner[k]]
        if c == 0:
            def fun(i, x):
                look = tracker.look(x, i)
                return look["elevation_deg"] - rules.min_elevation_deg, look["elevation_rate_deg_s"]
            x = newton_bracketed(fun, s, a, b, fa, fb, tol_s=1e-3)
        else:
            def fun(i, x, c=c):
                return rules.margins(tracker, i, x)[0][c]
            x = illinois(fun, s, a, b, fa, fb, tol_s=1e-3)
        cuts.extend(zip(owner[k].tolist(), x.tolist(), [c] * len(k)))

    # Between consecutive cut times the state is constant: test the midpoints
    # of every pass's segments in one evaluation.
    bounds = {}
    for p, x, c in cuts:
        bounds.setdefault(p, []).append((x, c))
    all_ok = (m >= 0).all(axis=0)
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])  # owner is grouped by pass
    whole = dict(zip(owner[first].tolist(), np.logical_and.reduceat(all_ok, first).tolist()))
    plans = []
    for p, ok_throughout in whole.items():
        if p not in bounds:
            if ok_throughout:
                result[p] = [dict(start_s=rise_s[p], end_s=set_s[p], start_reason="rises",
                                  end_reason="sets")]
            continue
        edges = sorted(bounds[p])
        times = [rise_s[p]] + [e[0] for e in edges] + [set_s[p]]
        plans.append((p, edges, times))
    if plans:
        mids = np.concatenate([[(a + b) / 2 for a, b in zip(t[:-1], t[1:])] for _, _, t in plans])
        whose = np.concatenate([[sat[p]] * (len(t) - 1) for p, _, t in plans])
        states = (rules.margins(tracker, whose, mids)[0] >= 0).all(axis=0)
        first = 0
        for p, edges, times in plans:
            ok = states[first:first + len(times) - 1]
            first += len(times) - 1
            result[p] = _windows(ok, edges, times, set_s[p])


def _windows(ok, edges, times, set_s):
    """Merge visible segments into windows, each with why it starts and ends."""
    windows, window = [], None
    for j, good in enumerate(ok):  # segment j runs from times[j] to times[j + 1]
        if good and window is None:
            why = "rises" if j == 0 else _START[edges[j - 1][1]]
            window = dict(start_s=times[j], start_reason=why)
        elif not good and window is not None:
            window.update(end_s=times[j], end_reason=_END[edges[j - 1][1]])
            windows.append(window)
            window = None
    if window is not None:
        window.update(end_s=set_s, end_reason="sets")
        windows.append(window)
    return windows


def _magnitudes(tracker, sat, result, standard_magnitudes):
    """Brightest magnitude in each window (21 samples), or None without a std mag."""
    rows = [(p, w) for p, windows in enumerate(result) for w in windows]
    for p, w in rows:
        w["magnitude"] = None
    rows = [(p, w) for p, w in rows if standard_magnitudes[sat[p]] is not None]
    if not rows:
        return
    frac = np.linspace(0.0, 1.0, 21)
    t = np.concatenate([w["start_s"] + (w["end_s"] - w["start_s"]) * frac for _, w in rows])
    s = np.repeat([sat[p] for p, _ in rows], len(frac))
    look = tracker.look(t, s)
    sun = tracker.sun_earth_fixed(t)
    phase = phase_angle_rad(look["r_ef"], sun, tracker.site)
    std = np.array([standard_magnitudes[k] for k in s], dtype=float)
    mag = visual_magnitude(std, look["range_km"], phase).reshape(len(rows), len(frac))
    for (p, w), value in zip(rows, mag.min(axis=1)):
        w["magnitude"] = round(float(value), 1) if math.isfinite(value) else None
