"""Satellite positions from SGP4, in bulk, and what a site sees of them.

:class:`Tracker` propagates many satellites with sgp4's array API
(``SatrecArray``: every satellite at every time in one C++ call) and turns
TEME vectors into look angles from a site, sub-satellite points and
sunlight.  For refinement it also evaluates arbitrary (satellite, time)
pairs, one ``sgp4_array`` call per satellite, never one per time step.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import SGP4_ERRORS, SatrecArray

from .catalog import display_name
from .constants import DECAY_RADIUS_KM, EARTH_MU_KM3_S2, EARTH_ROTATION_RAD_S, WGS84_A_KM, WGS84_F
from .ephemeris import SkyTable
from .frames import look_angles, subpoint, teme_to_earth_fixed
from .times import from_posix, sgp4_jd, to_posix

__all__ = ["Tracker", "Snapshot", "observe", "shadow_margin_km", "sun_elevation_deg", "DECAY_RADIUS_KM"]

_BLOCK = 8192  # points a block in Tracker.look

_POLAR_STRETCH = 1.0 / (1.0 - WGS84_F)


def shadow_margin_km(r_sat_km, r_sun_km, v_sat_km_s=None):
    """How far (km) the line from each satellite to the Sun's centre clears the Earth.

    Positive: sunlit; negative: in the Earth's shadow (geometric umbra of the
    Sun's centre on the WGS84 ellipsoid; z is stretched so the ellipsoid
    becomes a sphere of the equatorial radius).  Both inputs in the same
    Earth-centred frame whose z axis is the rotation axis (TEME or
    Earth-fixed).  Continuous in time, so its zero crossings can be refined.

    With the satellite's Earth-fixed velocity ``v_sat_km_s`` (positions then
    Earth-fixed too), returns ``(margin_km, rate_km_s)``: the rate counts the
    satellite's motion and the Sun's apparent turn about the axis; the Sun's
    own motion (1 deg a day) and the parallax are left out: under
    ``2.2e-7 rad/s`` times the satellite's distance from the centre, plus
    0.001 km/s (0.0025 km/s for LEO, 0.01 for GEO).
    The margin has a continuous rate, also where the satellite crosses the
    plane through the Earth's centre square to the Sun.
    """
    r = np.array(r_sat_km, dtype=float, copy=True)
    s = np.array(r_sun_km, dtype=float, copy=True)
    r[..., 2] *= _POLAR_STRETCH
    s[..., 2] *= _POLAR_STRETCH
    d = s - r
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    along = np.einsum("...i,...i->...", r, d)
    rr = np.einsum("...i,...i->...", r, r)
    night = along < 0
    closest = np.sqrt(np.maximum(rr - np.where(night, along * along, 0.0), 0.0))
    margin = closest - WGS84_A_KM
    if v_sat_km_s is None:
        return margin
    v = np.array(v_sat_km_s, dtype=float, copy=True)
    v[..., 2] *= _POLAR_STRETCH
    # A direction fixed in space turns by -omega z x d seen from the turning Earth.
    w = EARTH_ROTATION_RAD_S
    d_dot = np.stack([w * d[..., 1], -w * d[..., 0], np.zeros(d.shape[:-1])], axis=-1)
    along_dot = np.einsum("...i,...i->...", v, d) + np.einsum("...i,...i->...", r, d_dot)
    p = r - np.where(night, along, 0.0)[..., None] * d
    p_dot = v - np.where(night, 1.0, 0.0)[..., None] * (along_dot[..., None] * d + along[..., None] * d_dot)
    rate = np.einsum("...i,...i->...", p, p_dot) / np.maximum(closest, 1e-9)
    return margin, rate


def sun_elevation_deg(sun_ef_km, site):
    """Geometric elevation (deg) of the Sun's centre from ``site``; Earth-fixed input."""
    return look_angles(sun_ef_km, None, site)["elevation_deg"]


@dataclass(frozen=True)
class TemeStates:
    """One satellite's SGP4 states: ``times_s`` (POSIX seconds), ``position_km``
    and ``velocity_km_s`` (shape ``(n, 3)``, TEME frame; NaN where SGP4
    fails), ``error`` SGP4's error code at each time (0: none)."""

    norad_id: int
    times_s: np.ndarray
    position_km: np.ndarray
    velocity_km_s: np.ndarray
    error: np.ndarray


def teme_states(elements, times_s):
    """A :class:`TemeStates` per element set at ``times_s``, all in one SGP4 call."""
    elements = list(elements)
    times = np.asarray(times_s, dtype=float).ravel()
    err, r, v = Tracker(elements, None).teme(times)
    bad = (err != 0)[..., None]
    r, v = np.where(bad, np.nan, r), np.where(bad, np.nan, v)
    return [TemeStates(e.norad_id, times, r[k], v[k], err[k]) for k, e in enumerate(elements)]


class Tracker:
    """Propagate a set of element sets and observe them from one site.

    ``sky`` is a :class:`~orbits.ephemeris.SkyTable` covering the times asked
    for (Sun position and UT1); it is built on demand when omitted.
    """

    def __init__(self, elements, site, sky=None, satrecs=None):
        self.elements = list(elements)
        self.site = site
        self.satrecs = list(satrecs) if satrecs is not None else [e.model for e in self.elements]
        self._array = SatrecArray(self.satrecs) if self.satrecs else None
        self.sky = sky

    def at(self, site):
        """A tracker of the same satellites seen from ``site``, sharing the
        SGP4 models and the sky table."""
        other = Tracker.__new__(Tracker)
        other.elements, other.site, other.satrecs = self.elements, site, self.satrecs
        other._array, other.sky = self._array, self.sky
        return other

    def subset(self, index):
        """A tracker of satellites ``index`` only (sharing the sky table)."""
        index = np.asarray(index, dtype=int).tolist()
        return Tracker(
            [self.elements[k] for k in index], self.site, self.sky, satrecs=[self.satrecs[k] for k in index]
        )

    def _sky_for(self, seconds):
        if self.sky is None:
            s = np.asarray(seconds, dtype=float)
            self.sky = SkyTable(float(s.min()) - 3600.0, float(s.max()) + 3600.0)
        return self.sky

    def teme(self, seconds, index=None):
        """SGP4 TEME positions (km) and velocities (km/s) with error codes.

        With ``index`` None: every satellite at every time, shapes
        ``(n_sat, n_time[, 3])``.  With ``index`` (same shape as ``seconds``):
        satellite ``index[k]`` at ``seconds[k]``, shapes ``(n[, 3])``.
        """
        seconds = np.asarray(seconds, dtype=float)
        jd, fr = sgp4_jd(seconds)
        if index is None:
            return self._array.sgp4(jd, fr)
        shape = seconds.shape
        index = np.asarray(index).ravel()
        n = index.size
        # Grouped by satellite (most callers already give them so).
        order = None if n < 2 or (index[1:] >= index[:-1]).all() else np.argsort(index, kind="stable")
        ordered = index if order is None else index[order]
        cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts = np.concatenate([[0], cuts]).tolist() if n else []
        ends = np.concatenate([cuts, [n]]).tolist() if n else []
        jd_s, fr_s = (jd.ravel(), fr.ravel()) if order is None else (jd.ravel()[order], fr.ravel()[order])
        jd_s, fr_s = np.ascontiguousarray(jd_s, dtype=float), np.ascontiguousarray(fr_s, dtype=float)
        err_s = np.empty(n, dtype=np.uint8)
        r_s, v_s = np.empty((n, 3)), np.empty((n, 3))
        # One sgp4 call per satellite, straight into slices of the output
        # (what Satrec.sgp4_array does, without its per-call allocations;
        # memoryview slices cost less than numpy ones).
        satrecs = self.satrecs
        jd_m, fr_m, err_m, r_m, v_m = map(memoryview, (jd_s, fr_s, err_s, r_s, v_s))
        for sat, lo, hi in zip(ordered[starts].tolist(), starts, ends, strict=True):
            satrecs[sat]._sgp4(jd_m[lo:hi], fr_m[lo:hi], err_m[lo:hi], r_m[lo:hi], v_m[lo:hi])
        if order is not None:
            err, r, v = np.empty_like(err_s), np.empty_like(r_s), np.empty_like(v_s)
            err[order], r[order], v[order] = err_s, r_s, v_s
            err_s, r_s, v_s = err, r, v
        return err_s.reshape(shape), r_s.reshape(shape + (3,)), v_s.reshape(shape + (3,))

    def sidereal_rad(self, seconds):
        """Greenwich mean sidereal angle (rad) and its rate (rad/s) at POSIX
        ``seconds``: TEME turns to Earth-fixed by minus this angle about z."""
        return self._sky_for(seconds).sidereal_rad(seconds)

    def earth_fixed(self, seconds, r_teme, v_teme=None):
        """Rotate TEME vectors at ``seconds`` (broadcastable) to Earth-fixed."""
        theta, theta_dot = self.sidereal_rad(seconds)
        return teme_to_earth_fixed(r_teme, v_teme, theta, theta_dot)

    def sun_earth_fixed(self, seconds):
        """Geocentric Sun position, Earth-fixed (km), at ``seconds``."""
        return self._sky_for(seconds).sun_earth_fixed_km(seconds)

    def look(self, seconds, index=None, accel=False):
        """Look angles of satellites at times (see :meth:`teme` for shapes).

        Returns a dict: everything from :func:`orbits.frames.look_angles` plus
        ``error`` (SGP4 code, 0 good; 99 = re-entered or not finite),
        ``r_ef`` and ``v_ef`` (Earth-fixed km, km/s).  With ``accel``, also
        ``elevation_accel_deg_s2`` from the two-body acceleration seen in
        the turning frame (SGP4's perturbations, J2 above all, left out: it
        is good to about 0.2%, for Newton steps on the elevation rate).
        """
        seconds = np.asarray(seconds, dtype=float)
        err, r, v = self.teme(seconds, index)
        shape = err.shape
        t = np.broadcast_to(seconds if index is not None else seconds[None, :], shape).ravel()
        err, r, v = err.ravel(), r.reshape(-1, 3), v.reshape(-1, 3)
        if t.size:
            self._sky_for(t)  # one table for all blocks
        # In blocks, so that the many temporaries stay in the CPU's cache
        # (and in memory already mapped): 40% faster on large sets.
        parts = [
            self._look(t[k : k + _BLOCK], err[k : k + _BLOCK], r[k : k + _BLOCK], v[k : k + _BLOCK], accel)
            for k in range(0, len(t), _BLOCK)
        ] or [self._look(t, err, r, v, accel)]
        if len(parts) == 1:
            return {key: val.reshape(shape + val.shape[1:]) for key, val in parts[0].items()}
        return {
            key: np.concatenate([p[key] for p in parts]).reshape(shape + parts[0][key].shape[1:])
            for key in parts[0]
        }

    def _look(self, t, err, r, v, accel):
        """:meth:`look` of flat arrays of points."""
        r_ef, v_ef = self.earth_fixed(t, r, v)
        radius = np.linalg.norm(r, axis=-1)
        a_ef = None
        if accel:
            w = EARTH_ROTATION_RAD_S
            a_ef = r_ef * (-EARTH_MU_KM3_S2 / radius**3)[..., None]
            a_ef[..., 0] += 2 * w * v_ef[..., 1] + w * w * r_ef[..., 0]
            a_ef[..., 1] += -2 * w * v_ef[..., 0] + w * w * r_ef[..., 1]
        out = look_angles(r_ef, v_ef, self.site, a_ef)
        bad = ~np.isfinite(r).all(axis=-1) | (radius < DECAY_RADIUS_KM)
        out["error"] = np.where((err == 0) & bad, 99, err)
        out["r_ef"], out["v_ef"] = r_ef, v_ef
        return out


@dataclass(frozen=True)
class Snapshot:
    """Where one satellite is at one instant, as seen from a site.

    Angles in degrees; ``longitude_deg`` east-positive in (-180, 180].  For a
    failed propagation every number is NaN and ``error`` says why.
    """

    norad_id: int
    name: str
    time: datetime
    azimuth_deg: float
    elevation_deg: float
    range_km: float
    range_rate_km_s: float
    latitude_deg: float
    longitude_deg: float
    altitude_km: float
    sunlit: bool | None
    tle_epoch: datetime
    orbit_class: str
    error: str | None = None


def observe(elements, when, site, sky=None):
    """A :class:`Snapshot` of each element set at the aware datetime ``when``."""
    elements = list(elements)
    if not elements:
        return []
    s = np.array([to_posix(when)])
    tracker = Tracker(elements, site, sky)
    look = tracker.look(s)
    lat, lon, alt = subpoint(look["r_ef"])
    sun = tracker.sun_earth_fixed(s)
    margin = shadow_margin_km(look["r_ef"], sun[None, :, :])
    at = from_posix(s[0])
    shots = []
    for k, e in enumerate(elements):
        code = int(look["error"][k, 0])
        ok = code == 0
        why = None if ok else SGP4_ERRORS.get(code, "the satellite has re-entered (below 80 km)")

        def val(a, k=k, ok=ok):
            return float(a[k, 0]) if ok else float("nan")

        shots.append(
            Snapshot(
                e.norad_id,
                display_name(e),
                at,
                val(look["azimuth_deg"]),
                val(look["elevation_deg"]),
                val(look["range_km"]),
                val(look["range_rate_km_s"]),
                val(lat),
                val(lon),
                val(alt),
                bool(margin[k, 0] > 0) if ok else None,
                e.epoch,
                e.orbit_class,
                why,
            )
        )
    return shots
