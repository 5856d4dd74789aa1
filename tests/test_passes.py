"""The pass engine: complete, exact at the edges, honest about GEO and decay."""

from datetime import timedelta

import numpy as np
import pytest
from conftest import tle_line

from orbits.bounds import grid_step_s
from orbits.passes import predict_passes
from orbits.positions import Tracker
from orbits.reading import parse_elements
from orbits.sites import Site
from orbits.times import from_posix, skyfield_time, to_posix
from orbits.visibility import visual_magnitude


def _dense_passes(e, site, start, days, step_s=5.0):
    """Reference: elevation every 5 s; each maximal run above 0 deg is a pass."""
    t0 = to_posix(start)
    t = t0 + np.arange(0, days * 86400 + step_s, step_s)
    el = Tracker([e], site).look(t)["elevation_deg"][0]
    up = el >= 0
    edges = np.flatnonzero(np.diff(up.astype(int)))
    runs, begin = [], (0 if up[0] else None)
    for k in edges:
        if up[k + 1]:
            begin = k + 1
        else:
            runs.append((t[begin], t[k], el[begin : k + 1].max()))
    return runs


@pytest.mark.parametrize("norad", [48274, 43530, 66054])
def test_same_pass_set_as_a_dense_scan(norad, mission, islamabad, epoch_day):
    e = mission[norad]
    ours = predict_passes([e], islamabad, epoch_day, days=3).passes
    dense = _dense_passes(e, islamabad, epoch_day, 3)
    assert len(dense) > 10
    # Every dense pass (peak above 0.1 deg) is one of ours, at the same time.
    for rise, set_, peak in dense:
        if peak < 0.1 or rise == to_posix(epoch_day):
            continue
        match = [
            p for p in ours if to_posix(p.rise.time) <= rise + 1e-6 and to_posix(p.set.time) >= set_ - 1e-6
        ]
        assert len(match) == 1, (rise, peak)
        assert abs(to_posix(match[0].rise.time) - rise) < 5.0
        assert match[0].culmination.elevation_deg >= peak - 1e-4  # reported to 1e-4 deg
    assert len(ours) >= len([d for d in dense if d[2] >= 0.1])


def test_events_are_ordered_and_on_the_horizon(mission, islamabad, epoch_day):
    prediction = predict_passes(list(mission.values()), islamabad, epoch_day, days=2)
    assert prediction.passes == sorted(prediction.passes, key=lambda p: (p.rise.time, p.norad_id))
    for p in prediction.passes:
        assert p.rise.time < p.culmination.time < p.set.time
        if not p.starts_before_window:
            assert abs(p.rise.elevation_deg) < 1e-3
        assert abs(p.set.elevation_deg) < 1e-3 or p.ends_after_window
        assert p.culmination.elevation_deg > 0


def _horizon_crossing(tracker, sat, below, above, iterations=30):
    """Bisect the engine's elevation of satellite ``sat`` between times ``below`` (el < 0)
    and ``above`` (el >= 0), arrays 1 s apart: the horizon crossings to 1e-9 s."""
    below, above = np.array(below, dtype=float), np.array(above, dtype=float)
    for _ in range(iterations):
        middle = (below + above) / 2
        up = tracker.look(middle, np.full(middle.shape, sat))["elevation_deg"] >= 0
        above, below = np.where(up, middle, above), np.where(up, below, middle)
    return (below + above) / 2


def _scanned_short_passes(tracker, sat, t, shorter_than_s):
    """The passes of satellite ``sat`` that rise and set within the 1-s samples ``t`` and
    last less than ``shorter_than_s``: arrays of rise, set (bisected to 1e-9 s) and peak
    elevation (the highest of 1-ms samples within a second of the highest 1-s sample)."""
    el = tracker.look(t, np.full(t.shape, sat))["elevation_deg"]
    up = el >= 0
    change = np.flatnonzero(up[1:] != up[:-1])
    rises, sets = change[up[change + 1]], change[~up[change + 1]]
    sets = sets[sets > rises[0]] if len(rises) else sets[:0]
    rises = rises[: len(sets)]
    keep = (sets - rises) < shorter_than_s + 2  # refined below; 1-s samples bracket each end
    rises, sets = rises[keep], sets[keep]
    rise = _horizon_crossing(tracker, sat, t[rises], t[rises + 1])
    set_ = _horizon_crossing(tracker, sat, t[sets + 1], t[sets])
    top = np.array([r + 1 + np.argmax(el[r + 1 : s + 1]) for r, s in zip(rises, sets)], dtype=int)
    fine = t[top][:, None] + np.linspace(-1.0, 1.0, 2001)
    peak = tracker.look(fine, np.full(fine.shape, sat))["elevation_deg"].max(axis=1)
    short = (set_ - rise) < shorter_than_s
    return rise[short], set_[short], peak[short]


def test_passes_shorter_than_the_grid_step_are_found_exactly(mission, islamabad, epoch_day):
    """Passes that fit between two samples of the coarse grid (about 8 an orbit: 600-720 s
    for these satellites) must still be found, each once, with their true rise and set.
    Reference: the same look angles sampled every second over the window, the crossings
    bisected; it includes grazing passes of under a minute that peak below 0.1 deg."""
    days = 3
    low = [e for e in mission.values() if e.orbit_class != "GEO"]
    prediction = predict_passes(low, islamabad, epoch_day, days=days)
    tracker = Tracker(low, islamabad)
    t = to_posix(epoch_day) + np.arange(0.0, days * 86400.0 + 1.0, 1.0)
    durations, peaks = [], []
    for k, e in enumerate(low):
        step = grid_step_s(e)
        ours = [p for p in prediction.passes if p.norad_id == e.norad_id]
        found = set()
        for rise, set_, peak in zip(*_scanned_short_passes(tracker, k, t, step)):
            match = [p for p in ours if abs(to_posix(p.rise.time) - rise) < 60.0]
            assert len(match) == 1, (e.norad_id, from_posix(rise), set_ - rise)
            (p,) = match
            # times are given to the microsecond; the roots are good to about that
            assert abs(to_posix(p.rise.time) - rise) < 5e-6, (e.norad_id, from_posix(rise))
            assert abs(to_posix(p.set.time) - set_) < 5e-6, (e.norad_id, from_posix(rise))
            assert rise < to_posix(p.culmination.time) < set_
            # elevations are given to 1e-4 deg
            assert abs(p.culmination.elevation_deg - peak) <= 5e-5 + 1e-9, (e.norad_id, from_posix(rise))
            found.add(id(p))
            durations.append(set_ - rise)
            peaks.append(peak)
        # and no short pass that the scan does not see
        predicted_short = {
            id(p)
            for p in ours
            if not (p.starts_before_window or p.ends_after_window) and p.duration.total_seconds() < step
        }
        assert predicted_short == found, e.norad_id
    assert len(durations) >= 20
    assert min(durations) < 60.0 and min(peaks) < 0.1


def test_pass_in_progress_at_start_has_its_true_rise(mission, islamabad, epoch_day):
    """A window opening or closing in the middle of a pass (here the day's highest
    Tiangong pass, cut at its culmination) gives that pass's true rise or set."""
    e = mission[48274]
    day = predict_passes([e], islamabad, epoch_day, days=1).passes
    highest = max(
        (p for p in day if not p.starts_before_window and not p.ends_after_window),
        key=lambda p: p.culmination.elevation_deg,
    )
    start = highest.culmination.time
    (again,) = [p for p in predict_passes([e], islamabad, start, days=1).passes if p.starts_before_window]
    # the same roots, given to the microsecond
    assert again.rise.time < start
    assert abs((again.rise.time - highest.rise.time).total_seconds()) <= 2e-6
    assert abs((again.set.time - highest.set.time).total_seconds()) <= 2e-6
    cut = predict_passes([e], islamabad, highest.rise.time - timedelta(hours=1), end=start).passes
    (last,) = [p for p in cut if p.ends_after_window]
    assert last.set.time > start
    assert abs((last.rise.time - highest.rise.time).total_seconds()) <= 2e-6
    assert abs((last.set.time - highest.set.time).total_seconds()) <= 2e-6


def test_geostationary_satellites_are_always_above_with_their_slot(mission, islamabad, epoch_day):
    prediction = predict_passes([mission[37779], mission[59915]], islamabad, epoch_day, days=1)
    assert prediction.passes == []
    assert [r.norad_id for r in prediction.satellites] == [37779, 59915]
    from skyfield.api import EarthSatellite, wgs84

    top = wgs84.latlon(islamabad.latitude_deg, islamabad.longitude_deg, elevation_m=islamabad.elevation_m)
    for report, slot in zip(prediction.satellites, (38.0, 38.2)):
        assert report.status == "always_above"
        assert abs(report.longitude_deg - slot) < 0.2
        e = mission[report.norad_id]
        alt, az, _ = (EarthSatellite(e.line1, e.line2) - top).at(skyfield_time(to_posix(epoch_day))).altaz()
        assert report.elevation_deg[0] - 0.01 <= alt.degrees <= report.elevation_deg[1] + 0.01
        assert report.azimuth_deg[0] - 0.01 <= az.degrees <= report.azimuth_deg[1] + 0.01


def test_satellite_that_never_rises_says_so(mission, epoch_day):
    north = Site(80.0, 0.0, 0.0, "high Arctic")
    (report,) = predict_passes([mission[65055]], north, epoch_day, days=2).satellites
    assert report.status == "never_rises" and report.pass_count == 0
    assert report.elevation_deg[1] < 0


def test_decay_stops_one_satellite_and_the_others_go_on(mission, islamabad, epoch_day):
    css = mission[48274]
    # Tiangong's elements with an enormous drag term: SGP4 gives up within days.
    line1 = tle_line(css.line1[:2] + "99001" + css.line1[7:53] + "+50000+0" + css.line1[61:68])
    line2 = tle_line(css.line2[:2] + "99001" + css.line2[7:68])
    (heavy,) = parse_elements(f"DOOMED\n{line1}\n{line2}\n", "doomed.tle")
    prediction = predict_passes([heavy, mission[43530]], islamabad, epoch_day, days=7)
    doomed = next(r for r in prediction.satellites if r.name == "DOOMED")
    other = next(r for r in prediction.satellites if r.norad_id == 43530)
    assert doomed.usable_until is not None and epoch_day < doomed.usable_until < epoch_day + timedelta(days=7)
    assert "after" in doomed.message and "no predictions after that" in doomed.message
    # it still has the passes it makes before then, none after
    before = [p for p in prediction.passes if p.name == "DOOMED"]
    assert before and all(p.set.time <= doomed.usable_until for p in before)
    assert other.status == "passes" and other.pass_count > 20
    assert any("DOOMED" in w for w in prediction.warnings)


def test_visible_windows_hold_and_end_where_skyfield_says(mission, islamabad, epoch_day):
    """Check window edges with Skyfield's own sunlight and Sun altitude (not ours).

    Skyfield's shadow is a sphere of the equatorial radius, ours the WGS84
    ellipsoid, so shadow edges differ by a few seconds: compare 10 s inside.
    """
    from skyfield.api import EarthSatellite, wgs84

    from orbits.ephemeris import ephemeris

    eph = ephemeris()
    top = wgs84.latlon(islamabad.latitude_deg, islamabad.longitude_deg, elevation_m=islamabad.elevation_m)
    observer = eph["earth"] + top
    e = mission[48274]
    sat = EarthSatellite(e.line1, e.line2)
    prediction = predict_passes([e], islamabad, epoch_day, days=7)
    windows = [w for p in prediction.visible_passes for w in p.windows]
    assert len(windows) >= 5
    shadow_ends = climbs = 0
    for w in windows:
        inside = np.linspace(to_posix(w.start.time) + 10, to_posix(w.end.time) - 10, 7)
        t = skyfield_time(inside)
        assert sat.at(t).is_sunlit(eph).all()
        assert ((sat - top).at(t).altaz()[0].degrees >= 10 - 1e-6).all()
        sun = observer.at(t).observe(eph["sun"]).apparent(deflectors=())
        assert (sun.altaz()[0].degrees <= -6 + 0.02).all()
        if w.end_reason == "enters the Earth's shadow":
            shadow_ends += 1
            after = skyfield_time(to_posix(w.end.time) + np.array([10.0, 30.0]))
            assert not sat.at(after).is_sunlit(eph).any()
        if w.start_reason == "climbs past the minimum elevation":
            climbs += 1
            assert abs(w.start.elevation_deg - 10) < 1e-3
    assert shadow_ends >= 1 and climbs >= 1


def test_magnitude_model():
    # The model's constant 15.75 is 2.5 log10(2e6) rounded: std + 0.0026 at 1000 km, 90 deg.
    assert visual_magnitude(-1.8, 1000.0, np.pi / 2) == pytest.approx(-1.8, abs=0.003)
    # Half the range: 5 log10(2) = 1.505 mag brighter.
    assert visual_magnitude(-1.8, 500.0, np.pi / 2) == pytest.approx(-1.8 - 1.505, abs=0.003)
    # Full phase (Sun behind the observer): twice as lit as at 90 deg.
    assert visual_magnitude(0.0, 1000.0, 0.0) == pytest.approx(-0.75, abs=1e-9)
    # Thin crescent (phase 170 deg): much fainter.
    assert visual_magnitude(0.0, 1000.0, np.radians(170)) > 4


def test_magnitudes_only_where_a_standard_magnitude_is_known(mission, islamabad, epoch_day):
    prediction = predict_passes([mission[48274], mission[43530]], islamabad, epoch_day, days=7)
    css = [p for p in prediction.visible_passes if p.norad_id == 48274]
    prss = [p for p in prediction.visible_passes if p.norad_id == 43530]
    assert css and prss
    assert all(-5 < p.magnitude < 4 for p in css)
    assert all(p.magnitude is None for p in prss)


def test_passes_past_the_uncertainty_limit_are_withheld_with_a_warning(mission, islamabad, epoch_day):
    from orbits.freshness import LOW_ORBIT_LIMIT_S

    start = epoch_day + timedelta(days=15)
    every = predict_passes([mission[48274]], islamabad, start, days=3, withhold=False)
    shown = predict_passes([mission[48274]], islamabad, start, days=3)
    kept = [p for p in every.passes if p.time_uncertainty_s <= LOW_ORBIT_LIMIT_S]
    assert 0 < len(kept) < len(every.passes)
    assert [p.rise.time for p in shown.passes] == [p.rise.time for p in kept]
    assert shown.satellites[0].pass_count == len(kept)
    (line,) = shown.warnings
    assert line.startswith(f"{len(every.passes) - len(kept)} later passes withheld")
    assert "Tiangong (CSS)" in line
    assert every.warnings == []
    assert predict_passes([mission[48274]], islamabad, epoch_day, days=1).warnings == []


def test_parallel_workers_give_the_same_answer(mission, islamabad, epoch_day):
    sets = list(mission.values())
    one = predict_passes(sets, islamabad, epoch_day, days=1, workers=1)
    two = predict_passes(sets, islamabad, epoch_day, days=1, workers=2)
    assert len(one.passes) > 30
    key = lambda p: (p.norad_id, p.rise.time, p.set.time, p.culmination.elevation_deg, p.windows)
    assert sorted(map(key, one.passes)) == sorted(map(key, two.passes))


@pytest.mark.parametrize("slice_hours", [5, 24])
def test_slicing_the_window_changes_nothing(mission, islamabad, epoch_day, slice_hours):
    """Long windows are predicted slice by slice (bounded memory, streamed
    output); passes crossing a slice boundary, GEO satellites surveyed whole
    and the per-satellite reports come out as from one search.  The window
    opens one slice before the culmination of Tiangong's highest pass on the
    day after the epoch, so that a boundary cuts at least that pass in two."""
    from orbits.passes import PassStream
    from orbits.table import PassTable

    slice_s = slice_hours * 3600.0
    next_day = predict_passes([mission[48274]], islamabad, epoch_day + timedelta(days=1), days=1).passes
    target = max(
        (p for p in next_day if not p.starts_before_window and not p.ends_after_window),
        key=lambda p: p.culmination.elevation_deg,
    )
    start = target.culmination.time - timedelta(seconds=slice_s)

    def run(slice_s):
        stream = PassStream(list(mission.values()), islamabad, start, days=3, slice_s=slice_s)
        tables = list(stream)
        return tables, stream.finish(PassTable.join(tables))

    sliced_tables, sliced = run(slice_s)
    _, whole = run(1e9)
    slices = -(-72 // slice_hours)
    assert len(sliced_tables) == slices
    a, b = sliced.table, whole.table
    assert len(a) == len(b) > 100
    assert (a.passes["norad_id"] == b.passes["norad_id"]).all()
    # Rises and sets are roots to the microsecond; culminations are refined to 1 ms, so
    # two searches from different grids may differ by up to 2 ms.
    for col, tol in (("rise_s", 1e-6), ("set_s", 1e-6), ("culmination_s", 2e-3)):
        assert np.abs(a.passes[col] - b.passes[col]).max() <= tol, col
    for col in ("starts_before", "ends_after"):
        assert (a.passes[col] == b.passes[col]).all()
    assert (a.window_count() == b.window_count()).all() and len(a.windows["start_s"]) > 0
    for col in ("start_s", "end_s"):  # roots, like rises and sets
        assert np.abs(a.windows[col] - b.windows[col]).max() <= 1e-6, col
    assert (a.windows["end_reason"] == b.windows["end_reason"]).all()
    # Each pass up across an inner slice boundary is found once, in the slice it rises in,
    # with the times of the search over the whole window.
    start_s = to_posix(start)
    boundaries = start_s + slice_s * np.arange(1, slices)
    up = (b.passes["rise_s"][:, None] < boundaries) & (boundaries < b.passes["set_s"][:, None])
    crossing = np.flatnonzero(up.any(axis=1))
    assert any(
        b.passes["norad_id"][i] == target.norad_id
        and abs(b.passes["rise_s"][i] - to_posix(target.rise.time)) < 1e-3
        for i in crossing
    )
    for i in crossing:
        rises_in = int(np.searchsorted(boundaries, b.passes["rise_s"][i]))
        copies = [
            (k, j)
            for k, table in enumerate(sliced_tables)
            for j in range(len(table))
            if table.passes["norad_id"][j] == b.passes["norad_id"][i]
            and abs(table.passes["rise_s"][j] - b.passes["rise_s"][i]) < 60.0
        ]
        assert len(copies) == 1 and copies[0][0] == rises_in, (b.passes["norad_id"][i], copies)
        ((k, j),) = copies
        table = sliced_tables[k]
        assert abs(table.passes["rise_s"][j] - b.passes["rise_s"][i]) <= 1e-6
        assert abs(table.passes["set_s"][j] - b.passes["set_s"][i]) <= 1e-6
        assert abs(table.passes["culmination_s"][j] - b.passes["culmination_s"][i]) <= 2e-3
        assert not table.passes["ends_after"][j]
    assert len(sliced.satellites) == len(whole.satellites) == len(mission)
    for x, y in zip(sliced.satellites, whole.satellites):
        assert (x.norad_id, x.status, x.pass_count, x.visible_count, x.longitude_deg) == (
            y.norad_id,
            y.status,
            y.pass_count,
            y.visible_count,
            y.longitude_deg,
        )
        assert x.elevation_deg[1] == pytest.approx(y.elevation_deg[1], abs=0.01)  # refined peaks
        assert x.elevation_deg[0] == pytest.approx(y.elevation_deg[0], abs=3.0)  # grid-sampled lows


def test_envelope_bounds_every_curve_with_bounded_curvature():
    """The screening's proof: any u(t) with |u''| <= M stays between the
    envelope's floor and ceiling, given u and u' at the two ends.  Random
    piecewise-constant accelerations at the bound (the worst cases)."""
    from orbits.roots import envelope_km

    rng = np.random.default_rng(1)
    closest = np.inf
    for _ in range(3000):
        m, h = rng.uniform(0.001, 0.02), rng.uniform(10.0, 1500.0)
        t = np.linspace(0.0, h, 2001)
        edges = np.sort(rng.uniform(0.0, h, rng.integers(1, 6)))
        accel = rng.choice([-m, m], len(edges) + 1)[np.searchsorted(edges, t)]
        dt = t[1] - t[0]
        v = rng.uniform(-8, 8) + np.concatenate([[0.0], np.cumsum((accel[1:] + accel[:-1]) / 2 * dt)])
        u = rng.uniform(-3000, 500) + np.concatenate([[0.0], np.cumsum((v[1:] + v[:-1]) / 2 * dt)])
        bound = m * (1 + 1e-6)  # the integration above is not exact to the last digit
        ceiling, floor = envelope_km(u[0], u[-1], v[0], v[-1], bound, h)
        assert floor - 1e-6 <= u.min() and u.max() <= ceiling + 1e-6
        assert ceiling <= max(u[0], u[-1]) + bound * h * h / 8 + 1e-6  # never looser than the chord bound
        closest = min(closest, ceiling - u.max())
    assert closest < 1.0  # and tight: some curve comes within 1 km of the ceiling


def test_shadow_margin_rate_matches_its_numerical_derivative(mission, islamabad, epoch_day):
    """The visibility proof takes the shadow margin's rate to within
    2.2e-7/s times the distance from the centre plus 0.001 km/s."""
    from orbits.positions import shadow_margin_km

    sats = [mission[48274], mission[43530], mission[37779]]  # Tiangong, PRSS-1, PakSat-1R (GEO)
    tracker = Tracker(sats, islamabad)
    t = to_posix(epoch_day) + np.arange(0.0, 86400.0, 41.0)
    dt = 0.05
    for k in range(len(sats)):
        index = np.full(len(t), k)
        look = tracker.look(t, index)
        margin, rate = shadow_margin_km(look["r_ef"], tracker.sun_earth_fixed(t), look["v_ef"])
        ahead, behind = (
            shadow_margin_km(tracker.look(t + s, index)["r_ef"], tracker.sun_earth_fixed(t + s))
            for s in (dt, -dt)
        )
        numeric = (ahead - behind) / (2 * dt)
        allowed = 2.2e-7 * np.linalg.norm(look["r_ef"], axis=-1) + 0.001
        assert (np.abs(rate - numeric) <= allowed).all()
        if k < 2:  # LEO: in and out of the shadow, the margin changing fast
            assert (margin < 0).any() and (margin > 0).any() and np.abs(rate).max() > 1.0


def test_azimuth_rate_and_elevation_acceleration_match_numerical_derivatives(mission, islamabad, epoch_day):
    """Culminations are refined by Newton steps on the elevation rate, using
    the two-body elevation acceleration: it must be close to the real one
    (about 0.2%; SGP4's J2 is what it leaves out)."""
    sats = [mission[48274], mission[43530], mission[25544]]
    tracker = Tracker(sats, islamabad)
    t = to_posix(epoch_day) + np.arange(0.0, 86400.0, 7.0)
    dt = 0.1
    checked = 0
    for k in range(len(sats)):
        index = np.full(len(t), k)
        look = tracker.look(t, index, accel=True)
        ahead, behind = tracker.look(t + dt, index), tracker.look(t - dt, index)
        up = (look["elevation_deg"] > 0) & (look["elevation_deg"] < 85)
        accel = (ahead["elevation_rate_deg_s"] - behind["elevation_rate_deg_s"]) / (2 * dt)
        turn = (ahead["azimuth_deg"] - behind["azimuth_deg"] + 180.0) % 360.0 - 180.0
        assert np.abs(look["azimuth_rate_deg_s"] - turn / (2 * dt))[up].max() < 1e-4
        error = np.abs(look["elevation_accel_deg_s2"] - accel)[up]
        assert (error <= 0.01 * np.abs(accel[up]) + 1e-6).all()
        checked += up.sum()
    assert checked > 100


def test_cubic_peak_start_finds_the_maximum_of_the_cubic():
    from orbits.refinement import hermite_peak

    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(200):
        # a cubic with its maximum at p, inside [0, 10]
        p, c3 = rng.uniform(1.0, 9.0), rng.uniform(-0.02, 0.02)
        f = lambda t, p=p, c3=c3: -((t - p) ** 2) + c3 * (t - p) ** 3
        df = lambda t, p=p, c3=c3: -2 * (t - p) + 3 * c3 * (t - p) ** 2
        if not (df(0.0) > 0 > df(10.0)):
            continue
        x = hermite_peak(np.array([0.0]), np.array([10.0]), f(0.0), f(10.0), df(0.0), df(10.0))[0]
        assert abs(x - p) < 1e-9
        checked += 1
    assert checked > 150


def test_event_angles_from_the_last_newton_steps_are_exact(mission, islamabad, epoch_day):
    """Rise, set and culmination angles come from the root finder's last
    evaluation, not a fresh one: they must equal the angles at those times."""
    from orbits.search import PassSearch

    sats = list(mission.values())
    start = to_posix(epoch_day)
    search = PassSearch(sats, islamabad, start, start + 2 * 86400.0).run()
    tracker = Tracker(sats, islamabad)
    rows = np.flatnonzero(search.rise_known & search.set_known)
    assert len(rows) > 20
    for when, az, el in (
        (search.rise_s, search.rise_angles[0], search.rise_angles[1]),
        (search.set_s, search.set_angles[0], search.set_angles[1]),
        (search.culmination_s, search.culmination_az, search.peak_el),
    ):
        known = rows[np.isfinite(az[rows])]
        assert len(known) > 0.9 * len(rows)
        look = tracker.look(when[known], search.sat[known])
        assert np.abs(look["elevation_deg"] - el[known]).max() < 1e-6
        turn = (look["azimuth_deg"] - az[known] + 180.0) % 360.0 - 180.0
        assert np.abs(turn).max() < 1e-5
    # and the culmination is the highest point, to the millisecond
    k = rows[np.isfinite(search.culmination_az[rows])]
    t = search.culmination_s[k]
    near = [tracker.look(t + d, search.sat[k])["elevation_deg"] for d in (-1e-3, 1e-3)]
    assert (search.peak_el[k] >= np.maximum(*near) - 1e-6).all()


def test_index_ranges_spreads_each_start_over_its_count():
    from orbits.roots import index_ranges

    assert index_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist() == [5, 6, 9, 10, 11]
    assert index_ranges(0, np.array([3, 1, 2])).tolist() == [0, 1, 2, 0, 0, 1]
    assert index_ranges(np.array([], int), np.array([], int)).tolist() == []


def test_newton_stops_where_the_curvature_bound_proves_the_root_near():
    """With a bound on |f''|, a Newton step that provably lands within
    ``near_s`` of the root ends the search without another evaluation:
    the roots stay within 1e-6 s of the exact ones, with fewer evaluations."""
    from orbits.roots import newton_bracketed

    rng = np.random.default_rng(7)
    n = 2000
    amp, omega = rng.uniform(5.0, 10.0, n), rng.uniform(5e-3, 2e-2, n)  # |f''| <= amp omega^2
    phase = rng.uniform(0.2, 1.2, n)
    exact = (5 * np.pi / 6 - phase) / omega  # sin(omega t + phase) falls through 1/2
    a, b = exact - rng.uniform(3.0, 30.0, n), exact + rng.uniform(3.0, 30.0, n)
    counts = []

    def fun(i, t):
        counts[-1] += len(t)
        x = omega[i] * t + phase[i]
        return amp[i] * (np.sin(x) - 0.5), amp[i] * omega[i] * np.cos(x)

    idx = np.arange(n)
    f_a = amp * (np.sin(omega * a + phase) - 0.5)
    start = exact + rng.uniform(-1.0, 1.0, n)  # as good as the search's cubic start
    found = {}
    for name, curvature in (("plain", None), ("bounded", amp * omega**2)):
        counts.append(0)
        found[name] = newton_bracketed(fun, idx, a, b, f_a, tol_s=1e-3, start=start, curvature=curvature)
    assert np.abs(found["plain"] - exact).max() < 1e-6
    assert np.abs(found["bounded"] - exact).max() < 1e-6
    assert counts[1] < 0.85 * counts[0], counts  # one evaluation less for most roots
