"""The orbit-plane screen (orbits.planes): it may rule out time only where a
dense scan shows the satellite below the horizon, it must rule out most of
a low orbit's day (else it saves nothing), its margins for the plane's
drift and for the along-track model must hold on the real catalogues, and
its model elevation must be good to a few degrees."""

import numpy as np
import pytest

from orbits.constants import EARTH_ROTATION_RAD_S
from orbits.planes import (
    ALONG_MARGIN_DEG,
    PLANE_MARGIN_DEG,
    anchored_latitude,
    plane_normals,
    possible_intervals,
    screen,
)
from orbits.positions import Tracker
from orbits.reading import load_elements
from orbits.sites import Site
from orbits.times import to_posix


@pytest.mark.parametrize("horizon_deg", [0.0, -5.0, 10.0])
def test_screen_rules_out_only_time_below_the_horizon(mission, islamabad, epoch_day, horizon_deg):
    sets = list(mission.values())
    tracker = Tracker(sets, islamabad)
    t0 = to_posix(epoch_day)
    t = t0 + np.arange(0.0, 2 * 86400.0 + 1, 600.0)
    possible = possible_intervals(tracker, np.arange(len(sets)), t, horizon_deg)
    fine = t0 + np.arange(0.0, 2 * 86400.0, 5.0)
    look = tracker.look(fine)
    up = (look["error"] == 0) & (look["elevation_deg"] >= horizon_deg)
    interval = np.minimum(((fine - t0) // 600.0).astype(int), len(t) - 2)
    for k, e in enumerate(sets):
        hidden = up[k] & ~possible[k, interval]
        assert not hidden.any(), (
            f"{e.name}: above {horizon_deg} deg at {fine[hidden][0]:.0f} in a ruled-out interval"
        )
    low = [k for k, e in enumerate(sets) if e.period_min < 225.0]
    deep = [k for k, e in enumerate(sets) if e.period_min >= 225.0]
    assert possible[deep].all()  # GEO and other deep-space orbits are not screened
    if horizon_deg == 0.0:
        # Tiangong and the Pakistani LEO satellites: the site is far from
        # the plane for about half the day, and the satellite far from the
        # site along the plane most of the rest.
        assert 0.8 < 1 - possible[low].mean() < 0.95


def test_a_site_far_from_every_plane_is_ruled_out_all_day(mission, epoch_day):
    css = mission[48274]  # Tiangong, inclined 41.5 deg: never near the pole
    tracker = Tracker([css], Site(89.0, 0.0, 0.0, "near the pole"))
    t = to_posix(epoch_day) + np.arange(0.0, 86400.0 + 1, 720.0)
    assert not possible_intervals(tracker, [0], t, 0.0).any()


def test_plane_model_stays_within_its_margin_on_the_catalogues(shared_data, islamabad):
    """The margin rests on this measurement: over +-1.5 days around the
    newest epoch, SGP4's own orbit plane strays from the model (one state's
    plane turned at the node rate) by at most half the margin, for every
    near-Earth satellite of both catalogues."""
    for name in ("active-2026-03-19.tle", "active-2026-04-10.tle"):
        sets = load_elements(shared_data / name)
        tracker = Tracker(sets, islamabad)
        near = np.array([s.method == "n" for s in tracker.satrecs])
        sats = np.flatnonzero(near)
        t0 = max(e.epoch for e in sets).timestamp()
        t = t0 + np.arange(-1.5 * 86400, 1.5 * 86400, 1999.0)  # out of step with the orbits
        model = plane_normals(tracker, sats, t0, t)
        err, r, v = tracker.teme(np.broadcast_to(t, (len(sats), len(t))).ravel(), np.repeat(sats, len(t)))
        r_ef, v_ef = tracker.earth_fixed(np.tile(t, len(sats)), r, v)
        # The plane in the Earth-fixed frame is the plane of r and the inertial
        # velocity; v_ef lacks omega x r, which lies in the equator plane.
        inertial = v_ef + np.cross([0.0, 0.0, EARTH_ROTATION_RAD_S], r_ef)
        h = np.cross(r_ef, inertial)
        h /= np.linalg.norm(h, axis=-1)[:, None]
        angle = np.degrees(np.arccos(np.clip((h * model.reshape(-1, 3)).sum(axis=-1), -1.0, 1.0)))
        ok = (err == 0) & np.isfinite(angle)
        assert ok.mean() > 0.98
        worst = angle[ok].max()
        assert 0.05 < worst < PLANE_MARGIN_DEG / 2, f"{name}: the plane strays {worst:.3f} deg from the model"


def test_model_elevation_where_samples_are_left_out(mission, islamabad, epoch_day):
    """The lowest elevation the screen reports over the samples it leaves
    out (for the reports' elevation ranges) is SGP4's to a few degrees."""
    sets = [e for e in mission.values() if e.period_min < 225.0]
    tracker = Tracker(sets, islamabad)
    t0 = to_posix(epoch_day)
    t = t0 + np.arange(0.0, 86400.0 + 1, 600.0)
    possible, lowest = screen(tracker, np.arange(len(sets)), t, 0.0, (t0 + 3600.0, t0 + 86400.0))
    left_out = ~(np.pad(possible, ((0, 0), (1, 0))) | np.pad(possible, ((0, 0), (0, 1)))) & (t >= t0 + 3600.0)
    look = tracker.look(t)
    for k, e in enumerate(sets):
        assert left_out[k].sum() > 50
        sgp4_lowest = look["elevation_deg"][k][left_out[k]].min()
        assert sgp4_lowest < -45.0
        assert abs(lowest[k] - sgp4_lowest) < 2.0, e.name


def test_along_track_model_stays_within_its_margin_on_the_catalogues(shared_data, islamabad):
    """The along-track margin rests on this measurement: over a day and an
    hour about the newest epoch, SGP4's argument of latitude (in the model
    plane, from its turning node; derived here again) strays from the
    anchored model by at most the eccentricity term plus half the margin,
    for every near-Earth satellite of both catalogues."""
    for name in ("active-2026-03-19.tle", "active-2026-04-10.tle"):
        sets = load_elements(shared_data / name)
        tracker = Tracker(sets, islamabad)
        sats = np.flatnonzero([s.method == "n" for s in tracker.satrecs])
        t0 = max(e.epoch for e in sets).timestamp()
        t = t0 + np.arange(-45000.0, 45000.0, 997.0)  # out of step with the anchors and the orbits
        model = anchored_latitude(tracker, sats, t0, t)
        err, r, v = tracker.teme(np.full(len(sats), t0), sats)
        normal = np.cross(r, v)
        node = np.cross([0.0, 0.0, 1.0], normal)
        node /= np.linalg.norm(node, axis=-1)[:, None]
        third = np.cross(normal / np.linalg.norm(normal, axis=-1)[:, None], node)
        turn = np.array([tracker.satrecs[s].nodedot for s in sats])[:, None] / 60.0 * (t - t0)[None, :]
        c, s = np.cos(turn), np.sin(turn)
        err_t, r_t, _ = tracker.teme(np.broadcast_to(t, (len(sats), len(t))).ravel(), np.repeat(sats, len(t)))
        x, y, z = (r_t[:, k].reshape(len(sats), len(t)) for k in range(3))
        # r against the turned axes: (c x + s y) along an axis' x, (c y - s x) along its y
        along_node = (c * x + s * y) * node[:, None, 0] + (c * y - s * x) * node[:, None, 1]
        along_third = (
            (c * x + s * y) * third[:, None, 0] + (c * y - s * x) * third[:, None, 1] + z * third[:, None, 2]
        )
        truth = np.arctan2(along_third, along_node)
        off = np.degrees(np.abs((truth - model + np.pi) % (2 * np.pi) - np.pi))
        ecc = np.array([sets[k].eccentricity for k in sats])
        excess = off.max(axis=1) - np.degrees(2 * (2 * ecc + 2 * ecc**2))
        ok = (err == 0) & (err_t.reshape(len(sats), len(t)) == 0).all(axis=1) & np.isfinite(excess)
        assert ok.mean() > 0.98
        worst = excess[ok].max()
        assert 0.05 < worst < ALONG_MARGIN_DEG / 2, f"{name}: the argument of latitude strays {worst:.3f} deg"
