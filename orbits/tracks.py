"""Where satellites go over time: ground tracks, visibility footprints and
paths across a site's sky.  The numbers behind the pictures in
:mod:`orbits.plot`; times are POSIX seconds (UTC) in arrays.
"""

from dataclasses import dataclass

import numpy as np

from .catalog import display_name, standard_magnitude
from .frames import subpoint
from .positions import Tracker, shadow_margin_km, sun_elevation_deg
from .times import to_posix
from .visibility import VisibilityRules, magnitudes, phase_angle_rad

__all__ = [
    "GroundTrack",
    "SkyPath",
    "ground_tracks",
    "sky_path",
    "footprint_deg",
    "unwrap_segments",
    "wrap_longitude",
]

_MEAN_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class GroundTrack:
    """One satellite's sub-satellite points: ``times_s`` (POSIX), geodetic
    ``latitude_deg``/``longitude_deg`` (east positive, -180..180),
    ``altitude_km`` and ``sunlit``.  Samples where SGP4 fails are NaN."""

    norad_id: int
    name: str
    times_s: np.ndarray
    latitude_deg: np.ndarray
    longitude_deg: np.ndarray
    altitude_km: np.ndarray
    sunlit: np.ndarray


def ground_tracks(elements, start, end, step_s=20.0):
    """A :class:`GroundTrack` per element set from ``start`` to ``end`` (aware datetimes)."""
    elements = list(elements)
    t0, t1 = to_posix(start), to_posix(end)
    times = np.append(np.arange(t0, t1, step_s), t1)
    tracker = Tracker(elements, None)
    err, r, v = tracker.teme(times)
    r_ef, _ = tracker.earth_fixed(times[None, :], r, v)
    lat, lon, alt = subpoint(r_ef)
    sun = tracker.sun_earth_fixed(times)
    lit = shadow_margin_km(r_ef, sun[None, :, :]) > 0
    bad = (err != 0) | ~np.isfinite(lat)
    lat, lon, alt = (np.where(bad, np.nan, a) for a in (lat, lon, alt))
    return [
        GroundTrack(e.norad_id, display_name(e), times, lat[k], lon[k], alt[k], lit[k] & ~bad[k])
        for k, e in enumerate(elements)
    ]


def footprint_deg(latitude_deg, longitude_deg, altitude_km, min_elevation_deg=0.0, points=181):
    """The circle on the ground from which a satellite is at or above
    ``min_elevation_deg``: ``(latitude_deg, longitude_deg)`` arrays (spherical
    Earth of mean radius; good to a few km for drawing)."""
    el = np.radians(min_elevation_deg)
    ratio = _MEAN_RADIUS_KM / (_MEAN_RADIUS_KM + altitude_km)
    reach = np.arccos(np.clip(ratio * np.cos(el), -1, 1)) - el  # Earth central angle, radians
    lat0, lon0 = np.radians(latitude_deg), np.radians(longitude_deg)
    bearing = np.linspace(0.0, 2 * np.pi, points)
    lat = np.arcsin(np.sin(lat0) * np.cos(reach) + np.cos(lat0) * np.sin(reach) * np.cos(bearing))
    lon = lon0 + np.arctan2(
        np.sin(bearing) * np.sin(reach) * np.cos(lat0), np.cos(reach) - np.sin(lat0) * np.sin(lat)
    )
    return np.degrees(lat), (np.degrees(lon) + 180.0) % 360.0 - 180.0


def wrap_longitude(longitude_deg, centre_deg=0.0):
    """Longitudes moved by whole turns into ``[centre - 180, centre + 180)``:
    a map centred on the antimeridian (``centre_deg=180``) draws 170E at 170
    and 170W at 190."""
    return (np.asarray(longitude_deg, float) - centre_deg + 180.0) % 360.0 + centre_deg - 180.0


def unwrap_segments(longitude_deg, latitude_deg, centre_deg=None):
    """Split a line at the antimeridian: returns ``(lon, lat)`` with NaN breaks,
    and the points where it leaves one edge and enters the other added (by
    linear interpolation), so no segment crosses the map.  With
    ``centre_deg`` the longitudes are first wrapped around it
    (:func:`wrap_longitude`) and the line is cut at ``centre_deg ± 180``
    instead (for a map centred there)."""
    lon = np.asarray(longitude_deg, float)
    lat = np.asarray(latitude_deg, float)
    centre = 0.0 if centre_deg is None else float(centre_deg)
    if centre_deg is not None:
        lon = wrap_longitude(lon, centre)
    out_lon, out_lat = [], []
    for k in range(len(lon)):
        if k and np.isfinite(lon[k]) and np.isfinite(lon[k - 1]) and abs(lon[k] - lon[k - 1]) > 180.0:
            a, b = lon[k - 1], lon[k]
            b_un = b + 360.0 if b < a else b - 360.0  # b on a's side of the wrap
            edge = centre + 180.0 if b_un > centre + 180.0 else centre - 180.0
            f = (edge - a) / (b_un - a)
            cut = lat[k - 1] + f * (lat[k] - lat[k - 1])
            out_lon += [edge, np.nan, 2 * centre - edge]
            out_lat += [cut, np.nan, cut]
        out_lon.append(lon[k])
        out_lat.append(lat[k])
    return np.array(out_lon), np.array(out_lat)


@dataclass(frozen=True)
class SkyPath:
    """A satellite's path across a site's sky, sampled in time.

    ``azimuth_deg`` (N = 0, E = 90), geometric ``elevation_deg``,
    ``range_km``, ``sunlit`` (the satellite), ``sun_elevation_deg`` (at the
    site), ``magnitude`` (as seen through the air, with the atmospheric
    extinction of :class:`~orbits.visibility.VisibilityRules`; NaN without a
    standard magnitude or in shadow) and ``magnitude_above_atmosphere``
    (likewise, without extinction).
    """

    norad_id: int
    name: str
    times_s: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    range_km: np.ndarray
    sunlit: np.ndarray
    sun_elevation_deg: np.ndarray
    magnitude: np.ndarray
    magnitude_above_atmosphere: np.ndarray


def sky_path(elements, site, start, end, step_s=5.0, extinction_per_airmass=None):
    """The :class:`SkyPath` of one element set seen from ``site`` between two
    aware datetimes (e.g. a pass's rise and set).  ``extinction_per_airmass``
    as for :func:`orbits.passes.predict_passes` (None: the site's default,
    the one the pass table uses)."""
    t0, t1 = to_posix(start), to_posix(end)
    times = np.append(np.arange(t0, t1, step_s), t1)
    tracker = Tracker([elements], site)
    look = tracker.look(times)
    sun = tracker.sun_earth_fixed(times)
    r_ef = look["r_ef"][0]
    lit = shadow_margin_km(r_ef, sun) > 0
    std = standard_magnitude(elements.norad_id)
    mag, above = np.full(len(times), np.nan), np.full(len(times), np.nan)
    if std is not None:
        k = VisibilityRules(extinction_per_airmass=extinction_per_airmass).extinction_at(site)
        mags = magnitudes(
            std, look["range_km"][0], phase_angle_rad(r_ef, sun, site), look["elevation_deg"][0], k
        )
        mag = np.where(lit, mags.magnitude, np.nan)
        above = np.where(lit, mags.magnitude_above_atmosphere, np.nan)
    return SkyPath(
        elements.norad_id,
        display_name(elements),
        times,
        look["azimuth_deg"][0],
        look["elevation_deg"][0],
        look["range_km"][0],
        lit,
        sun_elevation_deg(sun, site),
        mag,
        above,
    )
