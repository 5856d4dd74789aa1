"""The Sun and the Moon as discs in front of which a satellite can pass.

:class:`BodyTable` tabulates, over a time window, the *apparent* geocentric
position of the Sun and the Moon (light time, aberration and light bending
applied, as a camera on the ground sees them) from the bundled JPL DE421
excerpt, in SGP4's TEME frame, and interpolates between rows; Earth-fixed
positions follow with the engine's sidereal angle (:class:`~orbits.ephemeris.SkyTable`).
A site's topocentric direction is then the geocentric vector less the
site's: the Moon's parallax (up to a degree) comes out exactly.

Rows are 5 minutes apart.  Linear interpolation of a position that turns
by an angle ``a`` between rows is off by ``a^2 / 8`` of the distance: the
Moon turns 0.046 deg in 5 minutes, which is 0.02 arcsec; the Sun far less.

Apparent radii come from the topocentric distance (IAU radii below).
"""

from dataclasses import dataclass

import numpy as np

from .ephemeris import SkyTable, ephemeris
from .frames import teme_to_earth_fixed
from .times import skyfield_time

__all__ = ["BODIES", "Body", "BodyTable", "SUN_RADIUS_KM", "MOON_RADIUS_KM"]

#: The Sun's nominal radius, km (IAU 2015 Resolution B3: 695,700 km).
SUN_RADIUS_KM = 695_700.0
#: The Moon's mean radius, km (IAU WGCCRE: 1737.4 km).
MOON_RADIUS_KM = 1_737.4
#: The mean obliquity of the ecliptic at J2000, rad (IAU 2006: 84381.406 arcsec):
#: for the Moon's waxing or waning only.
_OBLIQUITY_RAD = np.radians(84381.406 / 3600.0)


@dataclass(frozen=True)
class Body:
    """A disc in the sky: ``name`` as the contract spells it (``"sun"``,
    ``"moon"``), ``label`` for people, ``radius_km``, and the ephemeris
    segment it is read from."""

    name: str
    label: str
    radius_km: float
    segment: str


BODIES = {
    "sun": Body("sun", "Sun", SUN_RADIUS_KM, "sun"),
    "moon": Body("moon", "Moon", MOON_RADIUS_KM, "moon"),
}


class BodyTable:
    """Apparent geocentric positions of the Sun and the Moon over POSIX
    seconds ``[start_s, end_s]`` (plus an hour each side), in TEME (km).

    Raises :class:`~orbits.errors.OrbitsError` for a window outside the
    bundled ephemeris (2020-2040), as :class:`~orbits.ephemeris.SkyTable` does.
    """

    def __init__(self, start_s: float, end_s: float, step_s: float = 300.0):
        from skyfield.sgp4lib import TEME

        self.sky = SkyTable(start_s - 3600.0, end_s + 3600.0)
        n = int(np.ceil((end_s - start_s + 7200.0) / step_s)) + 3
        self.grid_s = start_s - 3600.0 - step_s + step_s * np.arange(n)
        t = skyfield_time(self.grid_s)
        eph = ephemeris()
        earth = eph["earth"].at(t)
        # GCRS -> TEME changes by under 0.1 arcsec in 6 hours: every 6 h, interpolated.
        coarse_s = np.arange(self.grid_s[0], self.grid_s[-1] + 6 * 3600.0, 6 * 3600.0)
        rot = TEME.rotation_at(skyfield_time(coarse_s)).reshape(9, -1)
        rot = np.stack([np.interp(self.grid_s, coarse_s, row) for row in rot]).reshape(3, 3, -1)
        self._teme = {}
        self._gcrs = {}
        for body in BODIES.values():
            gcrs = earth.observe(eph[body.segment]).apparent(deflectors=(10,)).position.km
            self._gcrs[body.name] = gcrs
            self._teme[body.name] = np.einsum("ijn,jn->ni", rot, gcrs)

    def teme_km(self, body: str, seconds) -> np.ndarray:
        """Apparent geocentric position of ``body`` in TEME (km), shape ``seconds.shape + (3,)``."""
        s = np.asarray(seconds, dtype=float)
        rows = self._teme[body]
        return np.stack([np.interp(s, self.grid_s, rows[:, k]) for k in range(3)], axis=-1)

    def earth_fixed_km(self, body: str, seconds) -> np.ndarray:
        """Apparent geocentric position of ``body``, Earth-fixed (km)."""
        theta, theta_dot = self.sky.sidereal_rad(seconds)
        return teme_to_earth_fixed(self.teme_km(body, seconds), None, theta, theta_dot)[0]

    def moon_phase(self, seconds) -> tuple[np.ndarray, np.ndarray]:
        """The Moon's illuminated fraction (0 to 1) and whether it is waxing
        (east of the Sun in ecliptic longitude), geocentric, at ``seconds``."""
        s = np.asarray(seconds, dtype=float)
        sun = np.stack([np.interp(s, self.grid_s, self._gcrs["sun"][k]) for k in range(3)], axis=-1)
        moon = np.stack([np.interp(s, self.grid_s, self._gcrs["moon"][k]) for k in range(3)], axis=-1)
        to_sun, to_earth = sun - moon, -moon
        cos_i = np.einsum("...i,...i->...", to_sun, to_earth) / (
            np.linalg.norm(to_sun, axis=-1) * np.linalg.norm(to_earth, axis=-1)
        )
        pole = np.array([0.0, -np.sin(_OBLIQUITY_RAD), np.cos(_OBLIQUITY_RAD)])
        waxing = np.einsum("...i,i->...", np.cross(sun, moon), pole) > 0
        return (1.0 + cos_i) / 2.0, waxing
