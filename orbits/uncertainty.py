"""How far to trust a prediction: 90% bounds on pass-time and position errors.

An element set (TLE) is a fit to tracking data around its epoch; propagated
away from it, SGP4 drifts from the truth, mostly along the track (the drag
and manoeuvres it does not know about change the speed), so the error is
mostly a timing error: the satellite is on its predicted path, early or late.

:func:`time_uncertainty_s` gives a bound that contains the true event-time
error 90% of the time, :func:`position_uncertainty_km` one on the position
error, from the elements' own fields and their age.  The model and how its
coefficients were fitted to real catalogues are in ``docs/uncertainty.md``;
``benchmarks/calibrate_uncertainty.py`` regenerates the constants below and
prints the held-out coverage tables.

Pure numpy, nothing computed at import.
"""

import math

import numpy as np

from .constants import WGS72_MU_KM3_S2

__all__ = [
    "FLOOR_KM",
    "FLOOR_S",
    "POSITION_SCALE",
    "TIME_COEFFICIENTS",
    "model_features",
    "position_bound_km",
    "position_uncertainty_km",
    "time_bound_s",
    "time_uncertainty_s",
]

_DAY_S = 86400.0

#: Event-time error of fresh elements (age 0), s, per orbit class: the raw
#: TLE error, not measurable from catalogues 22 days apart.  Of order 1 km
#: along-track for LEO (Levit & Marshall 2011; Flohrer et al. 2008), i.e.
#: 0.15 s, widened to 1 s to cover the rise/set-time effect of a 1-2 km
#: cross-track error in low passes; a few km for GEO and HEO.
FLOOR_S = {"LEO": 1.0, "SSO": 1.0, "MEO": 1.0, "GEO": 2.0, "HEO": 2.0}

#: Position error of fresh elements (age 0), km, per orbit class (same sources).
FLOOR_KM = {"LEO": 1.5, "SSO": 1.5, "MEO": 3.0, "GEO": 5.0, "HEO": 5.0}

#: Growth coefficients of the timing bound per orbit class (see
#: :func:`time_bound_s`): ``linear`` s/day, ``drag`` (dimensionless, a
#: fraction of the phase the TLE's own decay term predicts: Molczan's %D/100),
#: ``quadratic`` s/day^2.  Fitted as a 90% quantile to the training split of
#: the CelesTrak active catalogues of 2026-03-19 and 2026-04-10 by
#: ``benchmarks/calibrate_uncertainty.py`` (which prints this table).
TIME_COEFFICIENTS = {
    "LEO": {"linear": 0.9205, "drag": 2.203, "quadratic": 0.0},
    "SSO": {"linear": 1.144, "drag": 0.799, "quadratic": 0.04252},
    "MEO": {"linear": 0.0, "drag": 0.1883, "quadratic": 0.009458},
    "GEO": {"linear": 4.972, "drag": 1.176, "quadratic": 0.0},
    "HEO": {"linear": 8.106, "drag": 0.5659, "quadratic": 0.04828},
}

#: The coefficients the calibration fits (the others keep their values).
FREE_COEFFICIENTS = ("linear", "drag", "quadratic")

#: Position bound = sqrt(FLOOR_KM^2 + (POSITION_SCALE * speed * growth of the timing bound)^2),
#: per class: the along-track error dominates; the scale (fitted likewise)
#: absorbs cross-track and radial errors.
POSITION_SCALE = {"LEO": 0.9018, "SSO": 0.9577, "MEO": 1.012, "GEO": 1.002, "HEO": 1.227}


def model_features(elements):
    """What the model reads from an ElementSet: a dict of ``orbit_class``,
    ``drag_rate_s_day2`` (86400 |ndot/2| / n: the timing drift rate the TLE's
    own decay term implies, s/day^2; ndot/2 in rev/day^2, n in rev/day) and
    ``speed_km_s`` (mean orbital speed)."""
    n_rev_day = float(elements.mean_motion_rev_per_day)
    n_rad_s = n_rev_day * 2 * math.pi / _DAY_S
    a_km = (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
    ndot = float(elements.ndot) if math.isfinite(float(elements.ndot)) else 0.0
    return {
        "orbit_class": elements.orbit_class,
        "drag_rate_s_day2": _DAY_S * abs(ndot) / n_rev_day,
        "speed_km_s": n_rad_s * a_km,
    }


def features_of(sets):
    """:func:`model_features` of many element sets at once: the same keys, each
    an array with one entry per set (so that bounds for a whole catalogue cost
    a few array operations, not a Python call per satellite)."""
    sets = list(sets)
    n_rev_day = np.array([e.mean_motion_rev_per_day for e in sets], dtype=float)
    ndot = np.array([e.ndot for e in sets], dtype=float)
    ndot = np.where(np.isfinite(ndot), ndot, 0.0)
    n_rad_s = n_rev_day * 2 * math.pi / _DAY_S
    with np.errstate(divide="ignore", invalid="ignore"):
        a_km = (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
        drag = _DAY_S * np.abs(ndot) / n_rev_day
    return {
        "orbit_class": np.array([e.orbit_class for e in sets], dtype=object),
        "drag_rate_s_day2": drag,
        "speed_km_s": n_rad_s * a_km,
    }


def take_features(feat, index):
    """The features of ``feat`` (from :func:`features_of`) at ``index``."""
    return {k: np.asarray(v)[index] for k, v in feat.items()}


def _per_sample(coefficients, cls, name, shape):
    """Coefficient ``name`` for each sample: ``coefficients`` is one dict or a dict per class."""
    if name in coefficients:
        return np.broadcast_to(float(coefficients[name]), shape)
    cls = np.broadcast_to(np.asarray(cls), shape)
    out = np.empty(shape)
    for c, values in coefficients.items():
        out[cls == c] = values[name]
    return out


def _growth_s(age_days, feat, coefficients):
    """The age-dependent part of the timing bound (s), without the floor."""
    age = np.abs(np.asarray(age_days, dtype=float))
    shape = np.broadcast_shapes(age.shape, np.shape(feat["drag_rate_s_day2"]))
    cls = feat["orbit_class"]
    linear = _per_sample(coefficients, cls, "linear", shape) * age
    quad = (
        (
            _per_sample(coefficients, cls, "drag", shape) * np.asarray(feat["drag_rate_s_day2"])
            + _per_sample(coefficients, cls, "quadratic", shape)
        )
        * age
        * age
    )
    return np.hypot(linear, quad)


def time_bound_s(age_days, feat, coefficients=None, floor_s=None):
    """The timing bound for features ``feat`` (from :func:`model_features`, or arrays of them):

        sigma(age) = sqrt(floor^2 + (linear * age)^2 + ((drag * D + quadratic) * age^2)^2)

    with ``D`` the drag rate (s/day^2) and ``age`` in days.  ``coefficients``:
    one dict of ``linear``/``drag``/``quadratic`` or one per class
    (default :data:`TIME_COEFFICIENTS`); ``floor_s`` default per class :data:`FLOOR_S`.
    """
    coefficients = TIME_COEFFICIENTS if coefficients is None else coefficients
    growth = _growth_s(age_days, feat, coefficients)
    if floor_s is None:
        floor_s = _floor(FLOOR_S, feat["orbit_class"], growth.shape)
    return np.hypot(floor_s, growth)


def _floor(table, cls, shape):
    cls = np.broadcast_to(np.asarray(cls), shape)
    out = np.empty(shape)
    for c, v in table.items():
        out[cls == c] = v
    return out


def position_bound_km(age_days, feat, coefficients=None, scale=None):
    """The position bound (km) for features ``feat``: sqrt(floor^2 + (scale * speed * growth)^2)."""
    coefficients = TIME_COEFFICIENTS if coefficients is None else coefficients
    growth = _growth_s(age_days, feat, coefficients)
    scale = _floor(POSITION_SCALE if scale is None else scale, feat["orbit_class"], growth.shape)
    return np.hypot(
        _floor(FLOOR_KM, feat["orbit_class"], growth.shape), scale * np.asarray(feat["speed_km_s"]) * growth
    )


def _like(age_days, values):
    return float(values) if np.ndim(age_days) == 0 else values


def time_uncertainty_s(elements, age_days: float | np.ndarray) -> float | np.ndarray:
    """90% bound (s) on an event-time error for ElementSet ``elements`` propagated |age_days| from its epoch.

    ``age_days``: float or numpy array (the sign is ignored).  Returns a float
    or an array shaped like ``age_days``.
    """
    return _like(age_days, time_bound_s(age_days, model_features(elements)))


def position_uncertainty_km(elements, age_days: float | np.ndarray) -> float | np.ndarray:
    """90% bound (km) on the position error (along-track dominated) likewise."""
    return _like(age_days, position_bound_km(age_days, model_features(elements)))
