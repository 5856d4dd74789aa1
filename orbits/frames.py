"""Reference frames: SGP4's TEME to Earth-fixed, and look angles from a site.

Everything is vectorised: vectors have shape ``(..., 3)`` and the leading
axes broadcast against time arrays of shape ``(...)``.

TEME -> Earth-fixed is the AIAA 2006-6753 rotation by GMST (IAU 1982)
evaluated at UT1; polar motion (under 15 m) is neglected, so "Earth-fixed"
here is the pseudo-Earth-fixed frame, within metres of ITRS.
"""

import numpy as np

from .constants import WGS84_A_KM, WGS84_F

__all__ = ["gmst82", "teme_to_earth_fixed", "look_angles", "subpoint"]

_J2000_JD = 2451545.0
_DAY_S = 86400.0


def gmst82(jd_ut1_whole, jd_ut1_fraction):
    """Greenwich mean sidereal angle (IAU 1982) in radians and its rate in rad/s."""
    t = (jd_ut1_whole - _J2000_JD + jd_ut1_fraction) / 36525.0
    g = 67310.54841 + (8640184.812866 + (0.093104 + -6.2e-6 * t) * t) * t
    dg = 8640184.812866 + (0.093104 * 2.0 + (-6.2e-6 * 3.0) * t) * t
    theta = (jd_ut1_whole % 1.0 + jd_ut1_fraction + g / _DAY_S % 1.0) % 1.0 * 2 * np.pi
    theta_dot = (1.0 + dg / (_DAY_S * 36525.0)) * 2 * np.pi / _DAY_S
    return theta, theta_dot


def teme_to_earth_fixed(r_teme_km, v_teme_km_s, theta, theta_dot):
    """Rotate TEME position/velocity to Earth-fixed (km, km/s); ``theta`` from :func:`gmst82`."""
    c, s = np.cos(theta), np.sin(theta)
    x, y = r_teme_km[..., 0], r_teme_km[..., 1]
    shape = np.broadcast_shapes(np.shape(x), np.shape(c)) + (3,)
    r = np.empty(shape)
    r[..., 0] = c * x + s * y
    r[..., 1] = c * y - s * x
    r[..., 2] = r_teme_km[..., 2]
    if v_teme_km_s is None:
        return r, None
    vx, vy = v_teme_km_s[..., 0], v_teme_km_s[..., 1]
    w = np.asarray(theta_dot)
    v = np.empty(shape)
    v[..., 0] = c * vx + s * vy + w * r[..., 1]
    v[..., 1] = c * vy - s * vx - w * r[..., 0]
    v[..., 2] = v_teme_km_s[..., 2]
    return r, v


def _components(vectors, axes):
    """The components of ``vectors`` (..., 3) along each row of ``axes`` (3, 3).

    Written out rather than as a matrix product: OpenBLAS runs large
    products on threads that keep spinning after each call, and with one
    worker process per core they take the other worker's time (0.5-0.7 s
    of CPU over a whole catalogue day).
    """
    x, y, z = vectors[..., 0], vectors[..., 1], vectors[..., 2]
    return tuple(x * a + y * b + z * c for a, b, c in axes.tolist())


def look_angles(r_km, v_km_s, site, a_km_s2=None):
    """Topocentric geometry of Earth-fixed positions seen from ``site``.

    Returns a dict of arrays: ``azimuth_deg`` (from north through east),
    ``elevation_deg`` (geometric, no refraction), ``range_km``,
    ``range_rate_km_s`` and, when velocities are given,
    ``elevation_rate_deg_s`` and ``azimuth_rate_deg_s``.  Also ``up_km``:
    the height of the satellite above the site's horizon plane (km), smooth
    and fast to screen on, and with velocities its rate ``up_rate_km_s``.
    With Earth-fixed accelerations ``a_km_s2`` too, ``elevation_accel_deg_s2``.
    """
    enu = site.enu_matrix()
    rho = r_km - site.itrs_km()
    e, n, u = _components(rho, enu)
    rng = np.sqrt(e * e + n * n + u * u)
    sin_el = np.clip(u / rng, -1.0, 1.0)
    out = {
        "azimuth_deg": np.degrees(np.arctan2(e, n)) % 360.0,
        "elevation_deg": np.degrees(np.arcsin(sin_el)),
        "range_km": rng,
        "up_km": u,
    }
    if v_km_s is not None:
        de, dn, du = _components(v_km_s, enu)
        drng = (e * de + n * dn + u * du) / rng
        cos_el = np.sqrt(np.maximum(1.0 - sin_el * sin_el, 1e-30))
        out["range_rate_km_s"] = drng
        out["up_rate_km_s"] = du
        el_rate = (du * rng - u * drng) / (rng * rng) / cos_el  # rad/s
        out["elevation_rate_deg_s"] = np.degrees(el_rate)
        flat2 = np.maximum(e * e + n * n, 1e-30)
        out["azimuth_rate_deg_s"] = np.degrees((de * n - e * dn) / flat2)
        if a_km_s2 is not None:
            # el = atan2(u, h), h the horizontal distance: differentiate twice.
            ae, an, au = _components(a_km_s2, enu)
            h = np.sqrt(flat2)
            dh = (e * de + n * dn) / h
            ddh = (de * de + dn * dn + e * ae + n * an) / h - dh * dh / h
            rng2 = rng * rng
            out["elevation_accel_deg_s2"] = np.degrees(
                (au * h - u * ddh) / rng2 - 2.0 * el_rate * (rng * drng) / rng2
            )
    return out


def subpoint(r_km):
    """Geodetic latitude, longitude (deg) and height (km) on WGS84 of Earth-fixed positions."""
    x, y, z = r_km[..., 0], r_km[..., 1], r_km[..., 2]
    e2 = WGS84_F * (2 - WGS84_F)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(4):  # converges to < 1e-12 rad for satellites
        n = WGS84_A_KM / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(z, p * (1 - e2 * n / (n + h)))
    n = WGS84_A_KM / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    h = p / np.cos(lat) - n
    return np.degrees(lat), np.degrees(np.arctan2(y, x)), h
