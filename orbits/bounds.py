"""Bounds on a satellite's motion seen from a site: what makes the searches complete.

The pass search (:mod:`orbits.screening`, :mod:`orbits.refinement`) and the
visibility search (:mod:`orbits.visibility`) sample smooth functions of
time and prove that nothing happens between samples.  The proofs need, per
orbit, bounds that hold for any SGP4 orbit of that shape; they live here:

* the height above the site's horizon plane, ``u`` (km), has
  ``|u''| <= M`` (:func:`curvature_bound_km_s2`): gravity at perigee plus
  the Coriolis and centrifugal terms of the turning Earth, with 25% to
  spare for SGP4's perturbations;
* the height above the cone of elevation ``h``, ``w = u - sin(h) range``
  (:func:`cone_height_km`), has ``|w''| <= M + |sin h| (v^2 / range_min +
  M)`` (:func:`cone_curvature_bound_km_s2`), from ``range'' <= v^2 / range
  + |u''|`` with ``v`` the speed relative to the ground
  (:func:`speed_bounds_km_s`) and the least range from the perigee
  (:func:`perigee_radius_km`);
* the range changes no faster than :data:`MAX_RANGE_RATE_KM_S`, so below
  the horizon plane the cone of a negative elevation stays above
  :func:`cone_floor_km`;
* one pass lasts at most :func:`pass_duration_bound_s`.

:func:`grid_step_s` and :func:`margin_s` are choices, not proofs: how
finely the search samples (only the cost depends on it) and how far beyond
the window it looks for the rise of a pass in progress.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .constants import DECAY_RADIUS_KM, EARTH_MU_KM3_S2, EARTH_ROTATION_RAD_S, WGS84_POLAR_RADIUS_KM

if TYPE_CHECKING:
    from .elementset import ElementSet

__all__ = [
    "GRID_STEPS_S",
    "MAX_RANGE_RATE_KM_S",
    "grid_step_s",
    "margin_s",
    "pass_duration_bound_s",
    "curvature_bound_km_s2",
    "speed_bounds_km_s",
    "perigee_radius_km",
    "cone_height_km",
    "cone_floor_km",
    "cone_curvature_bound_km_s2",
]

#: The grid steps (s) the search may use; :func:`grid_step_s` picks one per orbit.
GRID_STEPS_S = (
    60.0,
    120.0,
    180.0,
    240.0,
    300.0,
    360.0,
    420.0,
    480.0,
    540.0,
    600.0,
    720.0,
    900.0,
    1200.0,
    1800.0,
)
#: Bound on d(range)/dt (km/s) for any Earth orbit seen from the ground.
MAX_RANGE_RATE_KM_S = 12.0


def grid_step_s(elements: ElementSet, per_orbit: int = 8) -> float:
    """Grid step (s) for a satellite: about 1/``per_orbit`` of its period, 60
    to 1800 s.  The step only sets the cost: the curvature bound makes the
    screening complete at any step (see :mod:`orbits.screening`)."""
    h = elements.period_min * 60.0 / per_orbit
    return max([s for s in GRID_STEPS_S if s <= h] or [GRID_STEPS_S[0]])


def margin_s(elements: ElementSet) -> float:
    """How far (s) before/after the window to search, to find the true rise of
    a pass in progress at the start (and the set of one cut by the end):
    30 minutes for periods under 225 min, 6 hours above."""
    return 1800.0 if elements.period_min < 225.0 else 6 * 3600.0


def pass_duration_bound_s(elements: ElementSet, horizon_deg: float = 0.0) -> float:
    """An upper bound (s) on how long one pass of this orbit can last, or
    ``inf`` when the orbit is too slow for a useful bound.

    The satellite's direction, seen from the turning Earth, moves at least
    at its angular rate at apogee minus the Earth's; a pass stays inside a
    cap of angular radius ``arccos(R / r_apogee)`` (widened by a negative
    horizon) around the site.  Twice the time to cross that cap.
    """
    a, e = elements.semi_major_axis_km, elements.eccentricity
    ra = a * (1 + e)
    n_apogee = math.sqrt(EARTH_MU_KM3_S2 * a * (1 - e * e)) / ra**2
    if n_apogee < 2 * EARTH_ROTATION_RAD_S or ra <= WGS84_POLAR_RADIUS_KM:
        return math.inf
    cap = math.acos(WGS84_POLAR_RADIUS_KM / ra) + math.radians(max(-horizon_deg, 0.0))
    return 2 * 2 * cap / (n_apogee - EARTH_ROTATION_RAD_S)


def curvature_bound_km_s2(elements: ElementSet) -> float:
    """Upper bound on |d2u/dt2| (km/s^2) for this orbit, ``u`` the height above
    the site's horizon plane: the acceleration in the rotating frame (gravity
    at perigee, Coriolis at the perigee speed plus the frame's speed at
    apogee, centrifugal at apogee), with a 25% safety factor."""
    a, e = elements.semi_major_axis_km, elements.eccentricity
    rp, ra = perigee_radius_km(elements), a * (1 + e)
    vp = _perigee_speed_km_s(elements)
    omega = EARTH_ROTATION_RAD_S
    return 1.25 * (EARTH_MU_KM3_S2 / rp**2 + 2 * omega * (vp + omega * ra) + omega**2 * ra)


def speed_bounds_km_s(elements: ElementSet) -> tuple[float, float]:
    """Upper bounds on the satellite's speed (km/s): inertial, and relative
    to the rotating Earth; with a 10% safety factor."""
    vp = _perigee_speed_km_s(elements)
    omega_a = EARTH_ROTATION_RAD_S * elements.semi_major_axis_km  # times (1 + e): the frame's speed at apogee
    return 1.1 * vp, 1.1 * (vp + omega_a * (1 + elements.eccentricity))


def perigee_radius_km(elements: ElementSet) -> float:
    """Geocentric radius at perigee (km), not below the decay radius (80 km above the equator)."""
    return max(elements.semi_major_axis_km * (1 - elements.eccentricity), DECAY_RADIUS_KM)


def _perigee_speed_km_s(elements: ElementSet) -> float:
    """Speed at perigee (km/s, vis-viva at :func:`perigee_radius_km`)."""
    a = elements.semi_major_axis_km
    return math.sqrt(max(EARTH_MU_KM3_S2 * (2.0 / perigee_radius_km(elements) - 1.0 / a), 0.0))


def cone_height_km(look: Mapping[str, np.ndarray], horizon_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Height (km) above the cone of elevation ``horizon_deg`` around the
    site, ``w = u - sin(h) range``, and its rate (km/s), from look angles
    (:meth:`orbits.positions.Tracker.look`).  Same sign as elevation minus
    ``horizon_deg``, and nearly linear in time: what the root finders refine."""
    sin_h = math.sin(math.radians(horizon_deg))
    return (look["up_km"] - sin_h * look["range_km"], look["up_rate_km_s"] - sin_h * look["range_rate_km_s"])


def cone_floor_km(
    range_a_km: np.ndarray, range_b_km: np.ndarray, h_s: np.ndarray, horizon_deg: float
) -> np.ndarray:
    """For a negative ``horizon_deg``, how low (km, negative) the cone of that
    elevation can reach below the horizon plane over an interval ``h_s`` long
    whose ends are ``range_a_km`` and ``range_b_km`` from the site: the range
    grows by at most :data:`MAX_RANGE_RATE_KM_S` per second.  A satellite
    whose height ``u`` stays under this all along stays below the cone."""
    reach = np.maximum(range_a_km, range_b_km)
    return -math.sin(math.radians(-horizon_deg)) * (reach + MAX_RANGE_RATE_KM_S * h_s)


def cone_curvature_bound_km_s2(
    elements: Sequence[ElementSet],
    site_radius_km: float,
    horizon_deg: float,
    curvature_km_s2: np.ndarray | None = None,
    ground_speed_km_s: np.ndarray | None = None,
) -> np.ndarray:
    """Per element set, a bound (km/s^2) on ``|w''|``, ``w`` the height above
    the cone of elevation ``horizon_deg`` (:func:`cone_height_km`):
    ``range'' <= v^2 / range + |u''|``, bounded with the speed relative to
    the ground and the least range (perigee radius less the site's
    geocentric radius ``site_radius_km``, at least 50 km).

    ``curvature_km_s2`` and ``ground_speed_km_s``: the sets'
    :func:`curvature_bound_km_s2` (the bound for horizon 0, returned as it
    is then) and speeds relative to the ground (:func:`speed_bounds_km_s`),
    if the caller has them already.
    """
    if curvature_km_s2 is None:
        curvature_km_s2 = np.array([curvature_bound_km_s2(e) for e in elements])
    sin_h = abs(math.sin(math.radians(horizon_deg)))
    if sin_h == 0:
        return curvature_km_s2
    v = (
        np.array([speed_bounds_km_s(e)[1] for e in elements])
        if ground_speed_km_s is None
        else np.asarray(ground_speed_km_s, float)
    )
    least = np.array([max(perigee_radius_km(e) - site_radius_km, 50.0) for e in elements])
    return curvature_km_s2 + sin_h * (v * v / least + curvature_km_s2)
