"""The Sun and the Earth's orientation, offline, tabulated over a time window.

The package ships an excerpt of JPL's DE421 (Sun, Earth-Moon barycentre and
Earth segments, 2020-2040, under 1 MB) made with ``python -m jplephem
excerpt``; Skyfield reads it and its built-in UT1 tables.  Nothing is
downloaded.  :class:`SkyTable` samples the Sun's geocentric position in
SGP4's TEME frame and UT1-UTC every 10 minutes and interpolates between
(the Sun moves 0.007 deg in that time; the interpolation error is below
1e-8 of its distance).
"""

import functools
from importlib import resources

import numpy as np

from .errors import OrbitsError
from .frames import gmst82, teme_to_earth_fixed
from .times import check_covered, from_posix, sgp4_jd, skyfield_time

__all__ = ["EPHEMERIS_FILE", "ephemeris", "SkyTable"]

EPHEMERIS_FILE = "de421-sun-earth-moon-2020-2040.bsp"
_FIRST, _LAST = 1577836800.0, 2240524800.0  # 2020-01-01, 2040-12-31 (POSIX s)


@functools.cache
def ephemeris():
    """The bundled Skyfield ephemeris (a read-only SpiceKernel)."""
    from skyfield.api import load_file

    path = resources.files("orbits") / "data" / EPHEMERIS_FILE
    with resources.as_file(path) as real:
        return load_file(str(real))


class SkyTable:
    """Sun position (TEME, km) and UT1-UTC (s) over ``[start, end]`` POSIX seconds."""

    def __init__(self, start_s, end_s, step_s=600.0):
        if start_s < _FIRST or end_s > _LAST:
            check_covered(from_posix(max(start_s, 0.0)), from_posix(min(end_s, 4e9)))
            raise OrbitsError(
                "the window reaches outside the bundled Sun ephemeris (2020-01-01 to 2040-12-31)"
            )
        from skyfield.sgp4lib import TEME

        n = int(np.ceil((end_s - start_s) / step_s)) + 3
        self.grid_s = start_s - step_s + step_s * np.arange(n)
        t = skyfield_time(self.grid_s)
        eph = ephemeris()
        gcrs = (eph["sun"] - eph["earth"]).at(t).position.km
        # Precession-nutation (GCRS -> TEME) changes by under 0.1 arcsec in
        # 6 hours: compute it every 6 h (IAU 2000A is costly), interpolate.
        coarse_s = np.arange(self.grid_s[0], self.grid_s[-1] + 6 * 3600.0, 6 * 3600.0)
        rot = TEME.rotation_at(skyfield_time(coarse_s)).reshape(9, -1)
        rot = np.stack([np.interp(self.grid_s, coarse_s, row) for row in rot]).reshape(3, 3, -1)
        self.sun_teme = np.einsum("ijn,jn->ni", rot, gcrs)
        self.dut1 = np.asarray(t.dut1, dtype=float)
        # Greenwich sidereal angle at the rows, unwrapped: linear between
        # rows (UT1-UTC is interpolated linearly; GMST's T^2 term bends it
        # by 1e-15 s in 10 minutes), so interpolating it is exact.
        jd, fr = sgp4_jd(self.grid_s)
        theta, theta_dot = gmst82(jd, fr + self.dut1 / 86400.0)
        self.theta = np.unwrap(theta)
        self.theta_dot = float(np.mean(theta_dot))

    def sun_teme_km(self, seconds):
        """Geocentric Sun position in TEME (km), shape ``seconds.shape + (3,)``."""
        s = np.asarray(seconds, dtype=float)
        return np.stack([np.interp(s, self.grid_s, self.sun_teme[:, k]) for k in range(3)], axis=-1)

    def sun_earth_fixed_km(self, seconds: np.ndarray) -> np.ndarray:
        """Geocentric Sun position, Earth-fixed (km), shape ``seconds.shape + (3,)``."""
        theta, theta_dot = self.sidereal_rad(seconds)
        return teme_to_earth_fixed(self.sun_teme_km(seconds), None, theta, theta_dot)[0]

    def dut1_s(self, seconds):
        """UT1 - UTC in seconds."""
        return np.interp(np.asarray(seconds, dtype=float), self.grid_s, self.dut1)

    def sidereal_rad(self, seconds):
        """Greenwich mean sidereal angle (IAU 1982, at UT1; radians, not
        reduced to a turn) and its rate (rad/s) at POSIX ``seconds``."""
        s = np.asarray(seconds, dtype=float)
        if s.size and self.grid_s[0] <= s.min() and s.max() <= self.grid_s[-1]:
            return np.interp(s, self.grid_s, self.theta), self.theta_dot
        jd, fr = sgp4_jd(s)  # outside the table: the formula itself
        return gmst82(jd, fr + self.dut1_s(s) / 86400.0)
