"""Observing sites: a WGS84 geodetic position and its local frame.

Named sites cover Pakistan's major cities; any other site is
``Site(latitude_deg, longitude_deg, elevation_m)``.
"""

import difflib
import math
from dataclasses import dataclass

import numpy as np

from .constants import EARTH_MU_KM3_S2, EARTH_ROTATION_RAD_S, WGS84_A_KM, WGS84_F
from .errors import OrbitsError
from .horizon import HIGHEST_DEG, LOWEST_DEG, Horizon, HorizonMask

# The constants are defined in orbits.constants; this module has always
# offered them, and still does.
__all__ = ["Site", "SITES", "site_named", "WGS84_A_KM", "WGS84_F", "EARTH_MU_KM3_S2", "EARTH_ROTATION_RAD_S"]


@dataclass(frozen=True)
class Site:
    """A place on the WGS84 ellipsoid: geodetic latitude/longitude in degrees
    (north and east positive) and height above the ellipsoid in metres.

    A ground station may carry its own horizon: ``horizon_deg`` (a flat
    limit replacing the prediction's) and a ``mask``
    (:class:`~orbits.horizon.HorizonMask`); see :meth:`horizon`.
    """

    latitude_deg: float
    longitude_deg: float
    elevation_m: float = 0.0
    name: str = ""
    horizon_deg: float | None = None
    mask: HorizonMask | None = None

    def __post_init__(self):
        for value, what in (
            (self.latitude_deg, "latitude"),
            (self.longitude_deg, "longitude"),
            (self.elevation_m, "elevation"),
        ):
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise OrbitsError(f"{what} {value!r} is not a finite number")
        if not -90.0 <= self.latitude_deg <= 90.0:
            raise OrbitsError(f"latitude {self.latitude_deg} is out of range (-90 to 90 degrees)")
        if not -180.0 <= self.longitude_deg <= 360.0:
            raise OrbitsError(f"longitude {self.longitude_deg} is out of range (-180 to 180 degrees)")
        if not -500.0 <= self.elevation_m <= 9000.0:
            raise OrbitsError(
                f"elevation {self.elevation_m} m is not on the Earth's surface (-500 to 9000 m)"
            )
        if self.horizon_deg is not None and not (
            isinstance(self.horizon_deg, (int, float)) and LOWEST_DEG <= self.horizon_deg <= HIGHEST_DEG
        ):
            raise OrbitsError(
                f"horizon {self.horizon_deg!r} is out of range ({LOWEST_DEG:g} to {HIGHEST_DEG:g} deg)"
            )

    def horizon(self, default_deg: float = 0.0) -> Horizon:
        """What a satellite must clear here: the site's own flat horizon (else
        ``default_deg``) and its mask."""
        flat = self.horizon_deg if self.horizon_deg is not None else default_deg
        return Horizon(float(flat), self.mask)

    @property
    def label(self):
        """The name, or the coordinates when the site has no name."""
        if self.name:
            return self.name
        ns = "N" if self.latitude_deg >= 0 else "S"
        ew = "E" if self.longitude_deg >= 0 else "W"
        return f"{abs(self.latitude_deg):.4f}{ns} {abs(self.longitude_deg):.4f}{ew}"

    def itrs_km(self):
        """Earth-fixed (ITRS) position of the site in km, shape (3,)."""
        lat, lon = math.radians(self.latitude_deg), math.radians(self.longitude_deg)
        e2 = WGS84_F * (2 - WGS84_F)
        n = WGS84_A_KM / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        h = self.elevation_m / 1000.0
        return np.array(
            [
                (n + h) * math.cos(lat) * math.cos(lon),
                (n + h) * math.cos(lat) * math.sin(lon),
                (n * (1 - e2) + h) * math.sin(lat),
            ]
        )

    def enu_matrix(self):
        """Rows are the local East, North and Up unit vectors in ITRS, shape (3, 3)."""
        lat, lon = math.radians(self.latitude_deg), math.radians(self.longitude_deg)
        sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
        return np.array([[-so, co, 0.0], [-sl * co, -sl * so, cl], [cl * co, cl * so, sl]])


SITES = {
    "islamabad": Site(33.6844, 73.0479, 540, "Islamabad"),
    "rawalpindi": Site(33.5651, 73.0169, 508, "Rawalpindi"),
    "karachi": Site(24.8607, 67.0011, 10, "Karachi"),
    "lahore": Site(31.5204, 74.3587, 217, "Lahore"),
    "peshawar": Site(34.0151, 71.5249, 331, "Peshawar"),
    "quetta": Site(30.1798, 66.9750, 1680, "Quetta"),
    "gilgit": Site(35.9208, 74.3083, 1500, "Gilgit"),
    "skardu": Site(35.2971, 75.6333, 2228, "Skardu"),
    "multan": Site(30.1575, 71.5249, 122, "Multan"),
    "faisalabad": Site(31.4504, 73.1350, 184, "Faisalabad"),
    "hyderabad": Site(25.3960, 68.3578, 13, "Hyderabad"),
    "sialkot": Site(32.4945, 74.5229, 256, "Sialkot"),
    "gujranwala": Site(32.1877, 74.1945, 226, "Gujranwala"),
    "bahawalpur": Site(29.3956, 71.6836, 117, "Bahawalpur"),
    "sukkur": Site(27.7052, 68.8574, 67, "Sukkur"),
    "abbottabad": Site(34.1688, 73.2215, 1256, "Abbottabad"),
    "muzaffarabad": Site(34.3700, 73.4711, 737, "Muzaffarabad"),
    "gwadar": Site(25.1216, 62.3254, 5, "Gwadar"),
    "chitral": Site(35.8518, 71.7864, 1500, "Chitral"),
}


def site_named(name):
    """The named :class:`Site` (case-insensitive); suggests near names if unknown."""
    key = " ".join(str(name).lower().split())
    if key in SITES:
        return SITES[key]
    close = difflib.get_close_matches(key, list(SITES), n=2, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise OrbitsError(
        f"unknown site {name!r}{hint} (known: {', '.join(sorted(SITES))}; or give --lat and --lon)"
    )
