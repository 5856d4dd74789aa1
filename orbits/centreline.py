"""The centre line of a transit: where on the ground the satellite covers the body's centre.

At each instant the satellite lies on the line from the body's centre to a
ground point when that point is on the ray cast from the satellite directly
away from the body.  The ray is intersected with the WGS84 ellipsoid raised
by the site's height (the axes ``a + h`` and ``b + h``; within millimetres
of the true geodetic height for any height on Earth), so the line is at the
observer's height.  Over time the point runs across the ground at several
km/s for a low orbit (the *centre line*); the site's nearest point on it is
found by golden-section search on the distance, and the time there.

The strip from which the satellite is seen on the disc at all: at an
instant the cone of the body's apparent radius ``r`` around the ray cuts
the ground in an ellipse, ``range * tan r`` across the line of sight and
``range * tan r / sin(elevation)`` along it; the strip's half-width is the
ellipse's extent square to the line's direction (at most the issue's
``range * radius / sin(elevation)``, reached when the line runs square to
the body's azimuth).  Distances from the site are straight (chord)
distances, within 1 m of the ellipsoid's surface distance at 100 km.
"""

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from .bodies import BODIES
from .constants import WGS84_A_KM, WGS84_F
from .frames import subpoint
from .roots import golden_minimum
from .times import from_posix

#: The sky's turn seen from the Earth, rad/s: a bound on how fast the Sun's or
#: the Moon's direction moves (the Earth's rotation; the bodies' own motion is
#: against it).
SKY_TURN_RAD_S = 7.3e-5

__all__ = ["CentreLine", "CentreTrack", "centre_line", "centre_lines", "centre_track", "compass_text"]

_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")


@dataclass(frozen=True)
class CentreLine:
    """The site's nearest point on a transit's centre line: ``latitude_deg``,
    ``longitude_deg`` (geodetic, at the site's height), ``distance_km`` and
    ``bearing_deg`` from the site (from north through east), ``time`` the
    satellite is centred on the body seen from there, ``half_width_km`` of
    the strip that sees it on the disc, the satellite's ``elevation_deg``
    and ``range_km`` from there, the line's ``ground_speed_km_s``, and
    ``uncertainty_km``: how far along itself the line can be off for the
    elements' age (its speed times the time's ±; None until known)."""

    latitude_deg: float
    longitude_deg: float
    distance_km: float
    bearing_deg: float
    time: datetime
    time_s: float
    half_width_km: float
    elevation_deg: float
    range_km: float
    ground_speed_km_s: float
    uncertainty_km: float | None = None

    def with_uncertainty(self, time_uncertainty_s: float, cross_track_km: float) -> "CentreLine":
        """A copy with ``uncertainty_km``, the line's sideways shift (90%).

        A satellite early or late by ``time_uncertainty_s`` draws the same
        line with its times slid along it, moved sideways only by the body's
        motion across the sky meanwhile (at most the sky's turn, 7.3e-5
        rad/s, at the satellite's range); its position error across the
        line of sight, ``cross_track_km``, moves it too; both as seen on
        the ground, stretched by 1/sin(elevation)."""
        turn_km = self.range_km * SKY_TURN_RAD_S * time_uncertainty_s
        stretch = 1.0 / max(np.sin(np.radians(self.elevation_deg)), 0.05)
        return replace(self, uncertainty_km=float(np.hypot(turn_km, cross_track_km) * stretch))

    @property
    def direction_text(self) -> str:
        """``"4.2 km NE"``: the distance and compass point from the site."""
        return f"{self.distance_km:.1f} km {compass_text(self.bearing_deg)}"


@dataclass(frozen=True)
class CentreTrack:
    """The centre line at ``times_s`` (POSIX s): geodetic ``latitude_deg``,
    ``longitude_deg`` (NaN where the ray misses the Earth) and the strip's
    ``half_width_km`` there, its direction ``heading_deg`` on the ground."""

    times_s: np.ndarray
    latitude_deg: np.ndarray
    longitude_deg: np.ndarray
    half_width_km: np.ndarray
    heading_deg: np.ndarray


def compass_text(bearing_deg: float) -> str:
    """16-point compass name of a bearing (N = 0, E = 90)."""
    return _POINTS[int((bearing_deg % 360.0) / 22.5 + 0.5) % 16]


def _ground(tracker, table, sat, body, times, height_km):
    """Ground points of the ray from the satellite away from the body (Earth-fixed
    km, NaN where it misses) and the satellite positions, at ``times``."""
    times = np.asarray(times, dtype=float)
    look = tracker.look(times, index=np.broadcast_to(sat, times.shape))
    s = look["r_ef"]
    b = table.earth_fixed_km(body, times)
    u = s - b
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    a = WGS84_A_KM + height_km
    c = WGS84_A_KM * (1 - WGS84_F) + height_km
    scale = np.array([1.0, 1.0, a / c])
    s2, u2 = s * scale, u * scale
    qa = np.einsum("...i,...i->...", u2, u2)
    qb = 2 * np.einsum("...i,...i->...", s2, u2)
    qc = np.einsum("...i,...i->...", s2, s2) - a * a
    disc = qb * qb - 4 * qa * qc
    with np.errstate(invalid="ignore"):
        lam = (-qb - np.sqrt(disc)) / (2 * qa)
    lam = np.where((disc >= 0) & (lam > 0), lam, np.nan)
    return s + lam[..., None] * u, s


def _half_width_km(ground, sat_pos, heading_vec, radius_rad):
    """The strip's half-width at ground points (see the module's docstring)."""
    lat, lon, _ = subpoint(ground)
    la, lo = np.radians(lat), np.radians(lon)
    up = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    view = sat_pos - ground
    rng = np.linalg.norm(view, axis=-1)
    view_u = view / rng[..., None]
    sin_el = np.clip(np.einsum("...i,...i->...", view_u, up), 1e-3, 1.0)
    horiz = view_u - sin_el[..., None] * up
    horiz /= np.maximum(np.linalg.norm(horiz, axis=-1, keepdims=True), 1e-12)
    across = np.cross(up, horiz)
    track = heading_vec - np.einsum("...i,...i->...", heading_vec, up)[..., None] * up
    track /= np.maximum(np.linalg.norm(track, axis=-1, keepdims=True), 1e-12)
    normal = np.cross(up, track)
    along_axis = rng * np.tan(radius_rad) / sin_el
    across_axis = rng * np.tan(radius_rad)
    return (
        np.hypot(
            along_axis * np.einsum("...i,...i->...", normal, horiz),
            across_axis * np.einsum("...i,...i->...", normal, across),
        ),
        np.degrees(np.arcsin(sin_el)),
        rng,
    )


def centre_track(tracker, table, sat, body, times_s, site) -> CentreTrack:
    """The centre line of satellite ``sat`` (index into ``tracker``) across
    ``body`` (``"sun"``/``"moon"``) at ``times_s``, at ``site``'s height."""
    times = np.asarray(times_s, dtype=float)
    h = site.elevation_m / 1000.0
    g, s = _ground(tracker, table, sat, body, times, h)
    g2, _ = _ground(tracker, table, sat, body, times + 0.05, h)
    heading = g2 - g
    radius = np.arcsin(
        BODIES[body].radius_km / np.linalg.norm(s - table.earth_fixed_km(body, times), axis=-1)
    )
    with np.errstate(invalid="ignore"):
        half, _, _ = _half_width_km(g, s, heading, radius)
        lat, lon, _ = subpoint(g)
        enu = site.enu_matrix()
        de, dn = heading @ enu[0], heading @ enu[1]
    return CentreTrack(times, lat, lon, half, np.degrees(np.arctan2(de, dn)) % 360.0)


def centre_line(tracker, table, sat, body, t0_s, site, span_s=None) -> CentreLine | None:
    """The site's nearest point on the centre line of satellite ``sat`` across
    ``body`` near POSIX ``t0_s`` (its closest approach seen from the site),
    searched over ``t0_s +- span_s`` (default 120 s; 2 h for high orbits).
    None when the ray misses the Earth throughout."""
    return centre_lines(tracker, table, [sat], body, [t0_s], site, span_s)[0]


def centre_lines(tracker, table, sats, body, t0_s, site, span_s=None) -> list:
    """:func:`centre_line` of many (satellite index, closest approach) pairs
    at once: one grouped SGP4 call a step for all of them."""
    sats = np.asarray(sats, dtype=int)
    t0 = np.asarray(t0_s, dtype=float)
    if not sats.size:
        return []
    high = np.array([tracker.elements[k].period_min >= 225.0 for k in sats.tolist()])
    span = np.where(high, 7200.0, 120.0) if span_s is None else np.full(sats.shape, float(span_s))
    h = site.elevation_m / 1000.0
    here = site.itrs_km()
    order = np.argsort(sats, kind="stable")  # grouped by satellite, as Tracker.look likes
    sats, t0, span = sats[order], t0[order], span[order]

    def distance(t, which=sats):
        g, _ = _ground(tracker, table, which, body, t, h)
        d = np.linalg.norm(g - here, axis=-1)
        return np.where(np.isfinite(d), d, 1e9)

    n = 481
    grid = t0[:, None] + span[:, None] * np.linspace(-1.0, 1.0, n)[None, :]
    d = distance(grid, np.broadcast_to(sats[:, None], grid.shape))
    k = np.argmin(d, axis=1)
    rows = np.arange(sats.size)
    missed = d[rows, k] >= 1e9
    lo, hi = grid[rows, np.maximum(k - 1, 0)], grid[rows, np.minimum(k + 1, n - 1)]
    t = golden_minimum(distance, lo, hi, steps=40)
    times = np.stack([t, t + 0.05], axis=1)
    g, s = _ground(tracker, table, np.broadcast_to(sats[:, None], times.shape), body, times, h)
    radius = np.arcsin(
        BODIES[body].radius_km / np.linalg.norm(s[:, 0] - table.earth_fixed_km(body, times[:, 0]), axis=-1)
    )
    heading = g[:, 1] - g[:, 0]
    with np.errstate(invalid="ignore"):
        half, el, rng = _half_width_km(g[:, 0], s[:, 0], heading, radius)
        lat, lon, _ = subpoint(g[:, 0])
    enu = site.enu_matrix()
    offset = g[:, 0] - here
    east, north = offset @ enu[0], offset @ enu[1]
    out = [None] * sats.size
    for i, j in enumerate(order.tolist()):
        if missed[i] or not np.isfinite(lat[i]):
            continue
        out[j] = CentreLine(
            float(lat[i]),
            float(lon[i]),
            float(np.linalg.norm(offset[i])),
            float(np.degrees(np.arctan2(east[i], north[i])) % 360.0),
            from_posix(float(t[i])),
            float(t[i]),
            float(half[i]),
            float(el[i]),
            float(rng[i]),
            float(np.linalg.norm(heading[i]) / 0.05),
        )
    return out
