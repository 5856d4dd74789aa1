"""The bright stars, the Moon and the Sun as a sky chart shows them.

The stars are the 1,030 to visual magnitude 4.5 of the Hipparcos new
reduction (``orbits/data/bright_stars.npz``, made by
``orbits/data/make_stars.py``; van Leeuwen 2007, ESA), with their
constellations and the proper names of the brightest.  Positions are
apparent (precession, nutation, aberration; no refraction, as the
satellite's elevations are geometric), computed by Skyfield from the
bundled ephemeris, for one instant and one site at a time.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import numpy as np

from .sites import Site

__all__ = ["SkyObjects", "bright_stars", "sky_at", "STAR_FILE"]

STAR_FILE = "bright_stars.npz"


@functools.cache
def bright_stars():
    """The star table: a dict of arrays ``hip``, ``ra_deg``, ``dec_deg`` (ICRS,
    J2000), ``vmag``, ``bv``, ``constellation`` (IAU abbreviation), ``name``."""
    with resources.as_file(resources.files("orbits") / "data" / STAR_FILE) as path:
        with np.load(path) as data:
            return {key: data[key] for key in data.files}


@dataclass(frozen=True)
class SkyObjects:
    """What is above ``site`` at ``time``: stars (arrays, those above the
    horizon only: ``star_azimuth_deg``, ``star_elevation_deg``, ``star_vmag``,
    ``star_name``, ``star_constellation``), the Moon and the Sun (azimuth,
    elevation; the Moon's illuminated fraction, 0 to 1, and whether it is
    waxing), all in degrees."""

    time: datetime
    star_azimuth_deg: np.ndarray
    star_elevation_deg: np.ndarray
    star_vmag: np.ndarray
    star_name: np.ndarray
    star_constellation: np.ndarray
    moon_azimuth_deg: float
    moon_elevation_deg: float
    moon_illuminated: float
    moon_waxing: bool
    sun_azimuth_deg: float
    sun_elevation_deg: float


def sky_at(site: Site, when: datetime, faintest_vmag: float = 4.5) -> SkyObjects:
    """The stars to ``faintest_vmag``, the Moon and the Sun seen from ``site`` at ``when``."""
    from skyfield.api import Star, wgs84
    from skyfield.framelib import ecliptic_frame

    from .ephemeris import ephemeris
    from .times import timescale

    eph = ephemeris()
    t = timescale().from_datetime(when)
    observer = eph["earth"] + wgs84.latlon(
        site.latitude_deg, site.longitude_deg, elevation_m=site.elevation_m
    )
    at = observer.at(t)
    table = bright_stars()
    keep = table["vmag"] <= faintest_vmag
    stars = Star(ra_hours=table["ra_deg"][keep] / 15.0, dec_degrees=table["dec_deg"][keep])
    alt, az, _ = at.observe(stars).apparent(deflectors=(10,)).altaz()
    up = alt.degrees > 0.0
    moon_alt, moon_az, _ = at.observe(eph["moon"]).apparent(deflectors=(10,)).altaz()
    sun_alt, sun_az, _ = at.observe(eph["sun"]).apparent(deflectors=(10,)).altaz()
    centre = eph["earth"].at(t)
    moon_lon = centre.observe(eph["moon"]).apparent(deflectors=(10,)).frame_latlon(ecliptic_frame)[1].degrees
    sun_lon = centre.observe(eph["sun"]).apparent(deflectors=(10,)).frame_latlon(ecliptic_frame)[1].degrees
    elongation = (moon_lon - sun_lon) % 360.0
    illuminated = float(at.observe(eph["moon"]).apparent(deflectors=(10,)).fraction_illuminated(eph["sun"]))
    return SkyObjects(
        when,
        az.degrees[up],
        alt.degrees[up],
        table["vmag"][keep][up],
        table["name"][keep][up],
        table["constellation"][keep][up],
        float(moon_az.degrees),
        float(moon_alt.degrees),
        illuminated,
        bool(elongation < 180.0),
        float(sun_az.degrees),
        float(sun_alt.degrees),
    )
