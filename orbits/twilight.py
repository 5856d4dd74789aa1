"""Dusk and dawn at a site: when "tonight" begins and ends.

``tonight`` is the night a user would go out to look: from the coming dusk
(the Sun's centre sinking through ``sun_altitude_deg``, -6 deg by default:
the end of civil twilight, as the visibility rules use) to the dawn after
it.  If the Sun is already below that altitude, tonight began at the last
dusk and runs to the coming dawn.  Near the poles, where the Sun may not
cross the altitude for days, one clear line says so.

The Sun's altitude comes from the bundled ephemeris, sampled every 10
minutes and refined by bisection to a second (it changes by at most
0.25 deg a minute, so no crossing hides between samples that are both
clearly above or below; samples within the rate bound of the altitude are
split again).
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .errors import OrbitsError
from .frames import look_angles, teme_to_earth_fixed
from .sites import Site
from .times import from_posix, to_posix

__all__ = ["Night", "tonight", "sun_altitude_deg"]

_STEP_S = 600.0
#: The Sun's altitude changes at most this fast (deg/s): 360 deg a day.
_RATE_DEG_S = 360.0 / 86400.0


@dataclass(frozen=True)
class Night:
    """A night at a site: ``dusk`` and ``dawn`` (aware UTC datetimes) when the
    Sun's centre crosses ``sun_altitude_deg``."""

    dusk: datetime
    dawn: datetime
    sun_altitude_deg: float


def sun_altitude_deg(site: Site, seconds, sky=None) -> np.ndarray:
    """Geometric altitude (deg) of the Sun's centre from ``site`` at POSIX ``seconds``."""
    from .ephemeris import SkyTable

    s = np.atleast_1d(np.asarray(seconds, dtype=float))
    sky = sky or SkyTable(float(s.min()) - 3600.0, float(s.max()) + 3600.0)
    theta, theta_dot = sky.sidereal_rad(s)
    sun_ef, _ = teme_to_earth_fixed(sky.sun_teme_km(s), None, theta, theta_dot)
    return look_angles(sun_ef, None, site)["elevation_deg"]


def tonight(site: Site, now: datetime, sun_altitude_deg_: float = -6.0) -> Night:
    """The night around or after ``now`` at ``site`` (see the module)."""
    from .ephemeris import SkyTable

    # on whole multiples of the step, so that the same night comes out the same from any ``now``
    start = np.floor((to_posix(now) - 86400.0) / _STEP_S) * _STEP_S
    grid = start + _STEP_S * np.arange(int(3 * 86400 / _STEP_S) + 1)
    sky = SkyTable(grid[0] - 3600.0, grid[-1] + 3600.0)
    alt = sun_altitude_deg(site, grid, sky) - sun_altitude_deg_
    down = np.flatnonzero((alt[:-1] >= 0) & (alt[1:] < 0))  # dusks
    up = np.flatnonzero((alt[:-1] < 0) & (alt[1:] >= 0))  # dawns
    now_s = to_posix(now)

    def refine(k):
        a, b = grid[k], grid[k + 1]
        fa = alt[k]
        while b - a > 1.0:
            m = 0.5 * (a + b)
            fm = float(sun_altitude_deg(site, [m], sky)[0] - sun_altitude_deg_)
            if (fm >= 0) == (fa >= 0):
                a, fa = m, fm
            else:
                b = m
        return 0.5 * (a + b)

    dusks = [refine(k) for k in down]
    dawns = [refine(k) for k in up]
    dark_now = float(sun_altitude_deg(site, [now_s], sky)[0]) < sun_altitude_deg_
    if dark_now:
        begun = [d for d in dusks if d <= now_s]
        ends = [d for d in dawns if d > now_s]
        if begun and ends:
            return Night(from_posix(begun[-1]), from_posix(ends[0]), sun_altitude_deg_)
    else:
        coming = [d for d in dusks if d > now_s]
        if coming:
            ends = [d for d in dawns if d > coming[0]]
            if ends:
                return Night(from_posix(coming[0]), from_posix(ends[0]), sun_altitude_deg_)
    ahead = alt[grid >= now_s]  # the Sun's altitude above the threshold from now on
    if (ahead < 0).all():
        what = f"stays below {sun_altitude_deg_:g}° at {site.label} all day (polar night: dark all day)"
    elif (ahead >= 0).all():
        what = f"stays above {sun_altitude_deg_:g}° at {site.label} all day (midnight Sun: no night)"
    else:
        what = f"does not set below {sun_altitude_deg_:g}° and rise again at {site.label} within two days"
    raise OrbitsError(f"there is no 'tonight': the Sun {what}; give --start today --days 1 or another window")
