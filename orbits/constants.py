"""Physical and Earth constants, in one place, with their units and sources.

Every module imports these under these names.  Two figures of the Earth are
in use, on purpose:

* **WGS84** for the observer (sites, sub-satellite points, the Earth's
  shadow) and for the bounds on orbital motion that prove the pass search
  complete (:mod:`orbits.bounds`);
* **WGS72** inside SGP4, which the element sets are fitted with: the mean
  motion of a TLE turns into a semi-major axis with WGS72's gravitational
  parameter (:mod:`orbits.elementset`, :mod:`orbits.uncertainty`).

Nothing here is computed from data; a derived value says how it is derived.
"""

__all__ = [
    "WGS84_A_KM",
    "WGS84_F",
    "WGS84_POLAR_RADIUS_KM",
    "EARTH_MU_KM3_S2",
    "EARTH_ROTATION_RAD_S",
    "WGS72_A_KM",
    "WGS72_MU_KM3_S2",
    "WGS72_J2",
    "DECAY_RADIUS_KM",
]

#: WGS84 semi-major (equatorial) axis, km (NIMA TR8350.2, 3rd ed., table 3.1: a = 6378137.0 m).
WGS84_A_KM = 6378.137
#: WGS84 flattening, dimensionless (NIMA TR8350.2, table 3.1: 1/f = 298.257223563).
WGS84_F = 1.0 / 298.257223563
#: WGS84 semi-minor (polar) radius, km: ``a (1 - f)``, 6356.752 km.
WGS84_POLAR_RADIUS_KM = WGS84_A_KM * (1 - WGS84_F)
#: The Earth's gravitational parameter GM, km^3/s^2 (WGS84 / EGM96, NIMA TR8350.2
#: table 3.1: 3986004.418e8 m^3/s^2).  For bounds on orbital motion; SGP4 uses WGS72's.
EARTH_MU_KM3_S2 = 398600.4418
#: The Earth's rotation rate relative to the stars, rad/s (Vallado, *Fundamentals of
#: Astrodynamics and Applications*: 7.2921158553e-5, to 8 digits; WGS84's defining
#: value is 7.292115e-5).  For bounds on motion seen from the turning Earth.
EARTH_ROTATION_RAD_S = 7.2921159e-5

#: WGS72 equatorial radius, km, as SGP4 uses (Hoots & Roehrich, Spacetrack Report
#: No. 3, 1980; Vallado et al., AIAA 2006-6753).
WGS72_A_KM = 6378.135
#: WGS72 gravitational parameter, km^3/s^2, as SGP4 uses (same sources): turns a
#: TLE's mean motion into its semi-major axis consistently with the propagator.
WGS72_MU_KM3_S2 = 398600.8
#: WGS72 second zonal harmonic J2, dimensionless, as SGP4 uses (same sources):
#: the nodal precession that makes an orbit sun-synchronous.
WGS72_J2 = 0.001082616

#: Geocentric radius (km) below which a propagated satellite counts as
#: re-entered even when SGP4 reports no error (SGP4 flags only < 1 Earth
#: radius): 80 km above the WGS84 equator, this package's convention.
DECAY_RADIUS_KM = WGS84_A_KM + 80.0
