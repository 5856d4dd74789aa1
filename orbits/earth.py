"""The Earth as drawn on maps: country outlines and daylight.

Outlines are Natural Earth's 1:110m admin-0 countries (public domain,
naturalearthdata.com), shipped as ``orbits/data/naturalearth_110m.npz``
(68 KB; see ``orbits/data/make_naturalearth.py``).  Borders are the de
facto ones Natural Earth draws.
"""

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .ephemeris import SkyTable
from .frames import subpoint
from .times import to_posix

__all__ = ["Countries", "countries", "subsolar_point_deg", "sun_elevation_grid_deg"]


@dataclass(frozen=True)
class Countries:
    """Country outlines: ``rings`` is a list of ``(lon_deg, lat_deg)`` arrays,
    ``ring_country[k]`` the index into ``name``/``iso_a3`` of ring ``k``."""

    rings: tuple
    ring_country: np.ndarray
    name: tuple
    iso_a3: tuple

    def rings_of(self, iso_a3):
        """The rings of one country by ISO 3166 alpha-3 code (e.g. ``"PAK"``)."""
        k = self.iso_a3.index(iso_a3)
        return [r for r, c in zip(self.rings, self.ring_country, strict=True) if c == k]


@lru_cache(maxsize=1)
def countries():
    """The bundled country outlines (read once, on first use)."""
    with resources.files("orbits").joinpath("data/naturalearth_110m.npz").open("rb") as f:
        data = np.load(f)
        lon, lat, start = data["lon"].astype(float), data["lat"].astype(float), data["ring_start"]
        rings = tuple((lon[a:b], lat[a:b]) for a, b in zip(start[:-1], start[1:], strict=True))
        return Countries(
            rings,
            data["ring_country"].copy(),
            tuple(str(s) for s in data["name"]),
            tuple(str(s) for s in data["iso_a3"]),
        )


def subsolar_point_deg(when):
    """Geodetic latitude and longitude (deg) of the point with the Sun at the zenith."""
    t_s = float(to_posix(when))
    sun = SkyTable(t_s - 3600.0, t_s + 3600.0).sun_earth_fixed_km(np.array([t_s]))
    lat, lon, _ = subpoint(sun[0])
    return float(lat), float(lon)


def sun_elevation_grid_deg(when, longitude_deg, latitude_deg):
    """Elevation of the Sun's centre (deg) over a lon/lat grid at ``when``.

    Geocentric directions (the Sun is 23,000 Earth radii away, so the
    parallax is < 0.003 deg; the geodetic/geocentric normal differs by up to
    0.2 deg, which is invisible on a world map).
    """
    lat_s, lon_s = np.radians(subsolar_point_deg(when))
    lon, lat = np.meshgrid(np.radians(longitude_deg), np.radians(latitude_deg))
    cos_z = np.sin(lat) * np.sin(lat_s) + np.cos(lat) * np.cos(lat_s) * np.cos(lon - lon_s)
    return np.degrees(np.arcsin(np.clip(cos_z, -1, 1)))
