"""Orbit planes: when can a low satellite be above the site's horizon at all?

A satellite stays in its orbit plane, which turns slowly in space (the node
regresses under J2) while the site turns with the Earth once a day.  Seen
from the Earth's centre, the satellite is then never closer to the site's
direction than the angle ``beta`` between that direction and the plane, and
it can be above a horizon of elevation ``h`` only within the central angle
``lambda = arccos(R cos h / r) - h`` of the site (``R`` the site's radius,
``r`` the satellite's).  So while ``|beta|`` exceeds ``lambda`` at the
orbit's highest point, no pass can happen, and the search need not sample
there.  For low orbits the site is near the plane about half the day.

``sin(beta) = n . s``, with ``n`` the plane's unit normal and ``s`` the
site's direction, changes no faster than the angle between them turns
(the Earth's rotation plus the node's regression), which bounds it between
samples (:func:`possible_intervals`).

Margins (each wide, as the screen must never hide a pass):

* the plane is modelled as the SGP4 state's plane at one instant turned at
  the secular node rate (``Satrec.nodedot``).  Short-period terms, drag
  and the osculating/mean difference move the true plane from the model by
  at most 0.29 deg over +-1.5 days across both CelesTrak catalogues of
  2026 (15,000 satellites each; ``tests/test_planes.py`` keeps that
  measurement); the margin is :data:`PLANE_MARGIN_DEG`;
* the highest point is taken 50 km above the mean apogee;
* elevations are geodetic, ``beta`` geocentric: they differ by under 0.2 deg.

Only near-Earth orbits (SGP4's ``method == "n"``, periods under 225 min)
are screened; the others are sampled everywhere.
"""

import math

import numpy as np

from .sites import EARTH_ROTATION_RAD_S

__all__ = ["possible_intervals", "plane_normals", "PLANE_MARGIN_DEG"]

#: How far (deg) the true orbit plane may stray from the model (measured: 0.29).
PLANE_MARGIN_DEG = 1.0
_GEODETIC_DEG = 0.2       # geodetic vs geocentric vertical (at most 0.19 deg)
_APOGEE_MARGIN_KM = 50.0  # above the mean apogee radius
_EARTH_TURN_RAD_S = EARTH_ROTATION_RAD_S * 1.01  # with 1% to spare


def plane_normals(tracker, sats, t0, t):
    """The model of each orbit plane: unit normals (Earth-fixed) at times ``t``.

    The plane of SGP4's state at ``t0`` (TEME), turned about the pole at the
    node rate.  Returns an array ``(len(sats), len(t), 3)``; rows whose state
    at ``t0`` failed are NaN.
    """
    sats = np.asarray(sats, dtype=int)
    err, r, v = tracker.teme(np.full(len(sats), float(t0)), sats)
    h = np.cross(r, v)
    n0 = h / np.linalg.norm(h, axis=-1)[:, None]
    n0[err != 0] = np.nan
    psi = _node_rate_rad_s(tracker, sats)[:, None] * (np.asarray(t, float) - t0)[None, :]
    c, s = np.cos(psi), np.sin(psi)
    turned = np.stack([c * n0[:, None, 0] - s * n0[:, None, 1], s * n0[:, None, 0] + c * n0[:, None, 1],
                       np.broadcast_to(n0[:, None, 2], psi.shape)], axis=-1)
    return tracker.earth_fixed(np.asarray(t, float)[None, :], turned)[0]


def _node_rate_rad_s(tracker, sats):
    """SGP4's secular node rate of each satellite (rad/s)."""
    return np.array([tracker.satrecs[s].nodedot for s in np.asarray(sats).tolist()], dtype=float) / 60.0


def possible_intervals(tracker, sats, t, horizon_deg):
    """Which intervals between samples may hold a time above the horizon.

    ``sats`` index ``tracker.elements``; ``t`` are increasing sample times
    (POSIX s).  Returns a bool array ``(len(sats), len(t) - 1)``: False
    only where the satellite is certainly below ``horizon_deg`` throughout
    ``[t[k], t[k + 1]]``.  Satellites that are not screened get all True.
    """
    sats = np.asarray(sats, dtype=int)
    t = np.asarray(t, dtype=float)
    out = np.ones((len(sats), max(len(t) - 1, 0)), dtype=bool)
    site = tracker.site.itrs_km()
    site_radius = float(np.linalg.norm(site))
    h = math.radians(horizon_deg - _GEODETIC_DEG)
    limit = np.full(len(sats), np.inf)  # sin of the largest |beta| allowing a pass
    for row, s in enumerate(sats.tolist()):
        e, rec = tracker.elements[s], tracker.satrecs[s]
        if rec.method != "n":
            continue
        r_max = e.semi_major_axis_km * (1 + e.eccentricity) + _APOGEE_MARGIN_KM
        cap = math.acos(min(1.0, site_radius * math.cos(h) / r_max)) - h + math.radians(PLANE_MARGIN_DEG)
        if cap < math.pi / 2:
            limit[row] = math.sin(cap)
    rows = np.flatnonzero(np.isfinite(limit))
    if not len(rows) or len(t) < 2:
        return out
    normals = plane_normals(tracker, sats[rows], t[len(t) // 2], t)
    x = np.abs(normals @ (site / site_radius))  # |sin beta|, NaN where the model failed
    node_rate = np.abs(_node_rate_rad_s(tracker, sats[rows]))
    slack = (_EARTH_TURN_RAD_S + 1.01 * node_rate)[:, None] * np.diff(t)[None, :] / 2
    lowest = (x[:, 1:] + x[:, :-1]) / 2 - slack  # a lower bound of |sin beta| over each interval
    out[rows] = ~(lowest > limit[rows, None])     # NaN compares False: kept
    return out
