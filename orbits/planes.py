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
samples.

Along the plane, the satellite is likewise never closer to the site than
the angle ``delta`` between its own direction and the site's projection on
the plane (a point within ``beta`` of ``s``: the central angle is at least
``|delta|``).  The satellite's argument of latitude comes from SGP4 states
at anchors every 6 hours, linear in time between them; the site's
projection turns at most 1.4 times as fast as the Earth (while ``|beta|``
is under 45 deg), ten times slower than any near-Earth satellite, so
``delta`` only grows between two samples and an interval may hold a pass
only where the range of ``delta`` it sweeps comes within ``lambda`` of a
whole turn (:func:`screen`).

Margins (each wide, as the screen must never hide a pass):

* the plane is modelled as the SGP4 state's plane at one instant turned at
  the secular node rate (``Satrec.nodedot``).  Short-period terms, drag
  and the osculating/mean difference move the true plane from the model by
  at most 0.29 deg over +-1.5 days across both CelesTrak catalogues of
  2026 (15,000 satellites each; ``tests/test_planes.py`` keeps that
  measurement); the margin is :data:`PLANE_MARGIN_DEG`;
* the argument of latitude strays from the anchored line by the equation
  of the centre (``2e + 5e^2/4`` at most, at the sample and at each
  anchor: ``2 (2e + 2e^2)`` is allowed) plus J2's short-period terms and
  drag, at most 0.29 deg on both catalogues (the same test file); the
  margin for those is :data:`ALONG_MARGIN_DEG`;
* the highest point is taken 50 km above the mean apogee;
* elevations are geodetic, ``beta`` geocentric: they differ by under 0.2 deg.

Only near-Earth orbits (SGP4's ``method == "n"``, periods under 225 min)
are screened; the others are sampled everywhere.
"""

import math

import numpy as np

from .constants import EARTH_ROTATION_RAD_S

__all__ = [
    "screen",
    "possible_intervals",
    "plane_normals",
    "anchored_latitude",
    "PLANE_MARGIN_DEG",
    "ALONG_MARGIN_DEG",
]

#: How far (deg) the true orbit plane may stray from the model (measured: 0.29).
PLANE_MARGIN_DEG = 1.0
#: How far (deg) the argument of latitude may stray from the anchored line,
#: beyond the eccentricity term (measured: 0.29).
ALONG_MARGIN_DEG = 1.0
_GEODETIC_DEG = 0.2  # geodetic vs geocentric vertical (at most 0.19 deg)
_APOGEE_MARGIN_KM = 50.0  # above the mean apogee radius
_EARTH_TURN_RAD_S = EARTH_ROTATION_RAD_S * 1.01  # with 1% to spare
_ANCHOR_STEP_S = 6 * 3600.0


def _states(tracker, sats, times):
    """SGP4 TEME states of satellites ``sats`` at ``times`` (sgp4's array
    API): error codes ``(len(sats), len(times))``, positions and velocities
    (km, km/s)."""
    return tracker.subset(sats).teme(np.asarray(times, dtype=float))


def _frame(r, v, err):
    """The plane of each state (TEME; ``r``, ``v`` ``(n, 3)``): unit normal, a
    unit vector along the ascending node and the third axis of the plane,
    each ``(n, 3)``; NaN rows where SGP4 failed (``err`` not 0)."""
    normal = np.cross(r, v)
    normal /= np.linalg.norm(normal, axis=-1)[:, None]
    normal[err != 0] = np.nan
    node = np.cross([0.0, 0.0, 1.0], normal)
    size = np.linalg.norm(node, axis=-1)[:, None]
    flat = size[:, 0] < 1e-9  # an equatorial plane: any axis in it will do
    node[flat] = [1.0, 0.0, 0.0]
    node /= np.where(flat[:, None], 1.0, size)
    return normal, node, np.cross(normal, node)


def _turned(vectors, psi):
    """``vectors`` (n, 3) turned about the pole by angles ``psi`` (n, m): (n, m, 3)."""
    c, s = np.cos(psi), np.sin(psi)
    return np.stack(
        [
            c * vectors[:, None, 0] - s * vectors[:, None, 1],
            s * vectors[:, None, 0] + c * vectors[:, None, 1],
            np.broadcast_to(vectors[:, None, 2], psi.shape),
        ],
        axis=-1,
    )


def _node_rate_rad_s(tracker, sats):
    """SGP4's secular node rate of each satellite (rad/s)."""
    return np.array([tracker.satrecs[s].nodedot for s in np.asarray(sats).tolist()], dtype=float) / 60.0


def plane_normals(tracker, sats, t0, t):
    """The model of each orbit plane: unit normals (Earth-fixed) at times ``t``.

    The plane of SGP4's state at ``t0`` (TEME), turned about the pole at the
    node rate.  Returns an array ``(len(sats), len(t), 3)``; rows whose state
    at ``t0`` failed are NaN.
    """
    sats = np.asarray(sats, dtype=int)
    t = np.asarray(t, float)
    err, r, v = _states(tracker, sats, [t0])
    psi = _node_rate_rad_s(tracker, sats)[:, None] * (t - t0)[None, :]
    return tracker.earth_fixed(t[None, :], _turned(_frame(r[:, 0], v[:, 0], err[:, 0])[0], psi))[0]


def _anchors(t, t0):
    """Anchor times: ``t0`` and steps of at most 6 hours to both ends of ``t``."""
    before = max(1, int(math.ceil((t0 - t[0]) / _ANCHOR_STEP_S)))
    after = max(1, int(math.ceil((t[-1] - t0) / _ANCHOR_STEP_S)))
    return np.concatenate([np.linspace(t[0], t0, before + 1), np.linspace(t0, t[-1], after + 1)[1:]])


def anchored_latitude(tracker, sats, t0, t):
    """The model of each satellite's argument of latitude (rad, unwrapped)
    at times ``t``, measured in its model plane (see :func:`plane_normals`)
    from the turning node: SGP4's at anchors (``t0`` and every 6 hours or
    less to the ends of ``t``), linear between them.  Returns ``(len(sats),
    len(t))``; NaN rows where SGP4 failed at an anchor.
    """
    sats = np.asarray(sats, dtype=int)
    t = np.asarray(t, float)
    anchors = _anchors(t, t0)
    err, r, v = _states(tracker, sats, anchors)
    at_t0 = int(np.flatnonzero(anchors == t0)[0])
    _, node, third = _frame(r[:, at_t0], v[:, at_t0], err[:, at_t0])
    return _latitude(tracker, sats, t0, t, anchors, err, r, node, third)


def _latitude(tracker, sats, t0, t, anchors, err, r, node, third):
    """:func:`anchored_latitude` from SGP4's states at the anchors and the planes' axes at ``t0``."""
    recs = [tracker.satrecs[s] for s in sats.tolist()]
    psi = _node_rate_rad_s(tracker, sats)[:, None] * (anchors - t0)[None, :]
    u = np.arctan2((r * _turned(third, psi)).sum(-1), (r * _turned(node, psi)).sum(-1))
    u[(err != 0).any(axis=1)] = np.nan
    # Whole turns between anchors, from the mean rates (SGP4's secular rates
    # of mean anomaly and perigee): the line is off by far less than a turn.
    rate = np.array([rec.mdot + rec.argpdot for rec in recs]) / 60.0
    mean_step = rate[:, None] * np.diff(anchors)[None, :]
    step = (np.diff(u, axis=1) - mean_step + math.pi) % (2 * math.pi) - math.pi + mean_step
    u = np.concatenate([u[:, :1], u[:, :1] + np.cumsum(step, axis=1)], axis=1)
    j = np.clip(np.searchsorted(anchors, t, side="right") - 1, 0, len(anchors) - 2)
    w = (t - anchors[j]) / (anchors[j + 1] - anchors[j])
    return u[:, j] * (1 - w) + u[:, j + 1] * w


def possible_intervals(tracker, sats, t, horizon_deg):
    """Which intervals between samples may hold a time above the horizon
    (the first part of :func:`screen`)."""
    return screen(tracker, sats, t, horizon_deg)[0]


def screen(tracker, sats, t, horizon_deg, window_s=None):
    """Which intervals between samples may hold a time above the horizon,
    and how low the satellites go where they are left out.

    ``sats`` index ``tracker.elements``; ``t`` are increasing sample times
    (POSIX s).  Returns ``(possible, lowest_deg)``: a bool array
    ``(len(sats), len(t) - 1)``, False only where the satellite is
    certainly below ``horizon_deg`` throughout ``[t[k], t[k + 1]]``
    (satellites that are not screened get all True); and, per satellite,
    the lowest elevation (deg) of the model's direction at the mean orbit
    radius over the samples that touch no possible interval (within
    ``window_s``, a (start, end) pair, if given), good to a few degrees;
    NaN where there are none or the satellite is not modelled.
    """
    sats = np.asarray(sats, dtype=int)
    t = np.asarray(t, dtype=float)
    out = np.ones((len(sats), max(len(t) - 1, 0)), dtype=bool)
    lowest_deg = np.full(len(sats), np.nan)
    site = tracker.site.itrs_km()
    site_radius = float(np.linalg.norm(site))
    h = math.radians(horizon_deg - _GEODETIC_DEG)
    near = np.array([tracker.satrecs[s].method == "n" for s in sats.tolist()], dtype=bool)
    a = np.array([tracker.elements[s].semi_major_axis_km for s in sats.tolist()])
    e = np.array([tracker.elements[s].eccentricity for s in sats.tolist()])
    # the largest central angle allowing a pass (rad)
    cap = np.arccos(np.minimum(1.0, site_radius * math.cos(h) / (a * (1 + e) + _APOGEE_MARGIN_KM)))
    cap += math.radians(PLANE_MARGIN_DEG) - h
    rows = np.flatnonzero(near & (cap < math.pi / 2))
    if not len(rows) or len(t) < 2:
        return out, lowest_deg
    cap, a = cap[rows, None], a[rows, None]
    along = 2 * (2 * e[rows, None] + 2 * e[rows, None] ** 2) + math.radians(ALONG_MARGIN_DEG)
    sats_r, t0 = sats[rows], t[len(t) // 2]
    anchors = _anchors(t, t0)
    err, r, v = _states(tracker, sats_r, anchors)
    at_t0 = int(np.flatnonzero(anchors == t0)[0])
    normal, node, third = _frame(r[:, at_t0], v[:, at_t0], err[:, at_t0])
    node_rate = _node_rate_rad_s(tracker, sats_r)[:, None]
    # Each axis, turned by psi about the pole (the node's regression) and
    # seen in the Earth-fixed frame (turned back by the sidereal angle),
    # projected on the site's direction: a cos + b sin + c of psi - theta.
    # Single precision from here on (its errors, 1e-5 rad at most, are far
    # inside the margins): numpy's float32 sines and cosines are ten times faster.
    theta = tracker.sidereal_rad(t)[0]
    turn = (node_rate * (t - t0)[None, :] - theta[None, :]).astype(np.float32)
    cos, sin = np.cos(turn), np.sin(turn)
    x, y, z = site / site_radius
    sin_beta, x_node, x_third = [
        cos * (b[:, 0] * x + b[:, 1] * y)[:, None].astype(np.float32)
        + sin * (b[:, 0] * y - b[:, 1] * x)[:, None].astype(np.float32)
        + (b[:, 2] * z)[:, None].astype(np.float32)
        for b in (normal, node, third)
    ]  # NaN where the model failed
    # Across the plane: |sin beta| changes no faster than the plane turns
    # against the site.
    x = np.abs(sin_beta)
    slack = ((_EARTH_TURN_RAD_S + 1.01 * np.abs(node_rate)) * np.diff(t)[None, :] / 2).astype(np.float32)
    lowest = (x[:, 1:] + x[:, :-1]) / 2 - slack  # a lower bound of |sin beta| over each interval
    plane = ~(lowest > np.sin(cap).astype(np.float32))  # NaN compares False: kept
    # Along the plane: delta = u - phi, the satellite's argument of latitude
    # less the angle of the site's projection, grows through each interval,
    # sweeping an arc of half-width ((u_b - u_a) - (phi_b - phi_a)) / 2 about
    # the middle (u_a + u_b) / 2 - (phi_a + phi_b) / 2.  Widened by the
    # margins, the arc comes within the cap of a whole turn unless the cosine
    # of its middle is below the cosine of its half-width.
    u = _latitude(tracker, sats_r, t0, t, anchors, err, r, node, third).astype(np.float32)
    size = np.sqrt(x_node * x_node + x_third * x_third)  # cos beta
    c_phi, s_phi = x_node / size, x_third / size
    # phi's step, under a fifth of a radian: from its sine, rounded outwards
    step = c_phi[:, :-1] * s_phi[:, 1:] - s_phi[:, :-1] * c_phi[:, 1:]
    half = (np.diff(u, axis=1) - step + 0.2 * np.abs(step) * step * step) / 2 + (cap + along).astype(
        np.float32
    )
    middle = (u[:, 1:] + u[:, :-1]) / 2
    c_mid, s_mid = c_phi[:, 1:] + c_phi[:, :-1], s_phi[:, 1:] + s_phi[:, :-1]  # along the middle phi
    cos_middle = (np.cos(middle) * c_mid + np.sin(middle) * s_mid) / np.sqrt(c_mid * c_mid + s_mid * s_mid)
    track = ~(cos_middle < np.cos(np.minimum(half, np.float32(math.pi)))) | (np.abs(step) > 0.5)  # NaN: kept
    out[rows] = plane & track
    # The model's elevation where samples are left out: its direction is
    # cos u along the node plus sin u along the third axis.
    left_out = ~(np.pad(out[rows], ((0, 0), (1, 0))) | np.pad(out[rows], ((0, 0), (0, 1))))
    if window_s is not None:
        left_out &= (t >= window_s[0]) & (t <= window_s[1])
    cos_gamma = np.where(left_out, np.cos(u) * x_node + np.sin(u) * x_third, np.inf).min(axis=1).astype(float)
    cos_gamma[np.isinf(cos_gamma)] = np.nan
    rho = site_radius / a[:, 0]
    lowest_deg[rows] = np.degrees(np.arctan2(cos_gamma - rho, np.sqrt(np.maximum(1.0 - cos_gamma**2, 0.0))))
    return out, lowest_deg
