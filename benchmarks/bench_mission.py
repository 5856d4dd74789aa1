"""Benchmark: the pass engine against a per-satellite Skyfield find_events loop.

The mission set (Tiangong and Pakistan's satellites, bundled elements) over
Islamabad for 30 days, horizon 0 deg, both run in this same process.  Prints
the pass counts (which must agree) and the speed ratio.  Run:

    python benchmarks/bench_mission.py [--repeat 3]
"""

import argparse
import time
from datetime import datetime, timezone

from skyfield.api import EarthSatellite, wgs84

from orbits.elements import mission_elements
from orbits.passes import predict_passes
from orbits.sites import site_named
from orbits.times import skyfield_time, to_posix

DAYS = 30


def skyfield_loop(sets, site, start):
    """The baseline: one find_events call per satellite, as Skyfield's docs show."""
    t0 = skyfield_time(to_posix(start))
    t1 = skyfield_time(to_posix(start) + DAYS * 86400)
    top = wgs84.latlon(site.latitude_deg, site.longitude_deg, elevation_m=site.elevation_m)
    rises = 0
    for e in sets:
        sat = EarthSatellite(e.line1, e.line2, e.name)
        _, events = sat.find_events(top, t0, t1, altitude_degrees=0.0)
        rises += int((events == 0).sum())
    return rises


def engine(sets, site, start):
    prediction = predict_passes(sets, site, start, days=DAYS, workers=1)
    return sum(not p.starts_before_window for p in prediction.passes)


def engine_search_only(sets, site, start):
    """The like-for-like job: rises, culminations and sets only (no visibility)."""
    from orbits.ephemeris import SkyTable
    from orbits.positions import Tracker
    from orbits.refinement import refine_events
    from orbits.screening import find_brackets, search_limits_s

    t0 = to_posix(start)
    t1 = t0 + DAYS * 86400
    tracker = Tracker(sets, site, SkyTable(t0 - 7 * 3600, t1 + 7 * 3600))
    lo_s, hi_s = search_limits_s(sets, t0, t1)
    events = refine_events(tracker, find_brackets(tracker, t0, t1, lo_s, hi_s, 0.0))
    return int((events.rise_known & (events.rise_s >= t0)).sum())


def best_of(fn, repeat, *args):
    times, result = [], None
    for _ in range(repeat):
        tic = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - tic)
    return min(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sets = mission_elements()
    site = site_named("islamabad")
    start = datetime(2026, 4, 10, tzinfo=timezone.utc)
    engine(sets[:1], site, start)  # warm up imports and the ephemeris
    t_sky, n_sky = best_of(skyfield_loop, args.repeat, sets, site, start)
    t_eng, n_eng = best_of(engine, args.repeat, sets, site, start)
    t_srch, n_srch = best_of(engine_search_only, args.repeat, sets, site, start)
    print(f"mission set: {len(sets)} satellites, {DAYS} days over Islamabad")
    print(f"skyfield find_events loop: {t_sky:7.3f} s  {n_sky} rises")
    print(f"orbits engine (1 worker):  {t_eng:7.3f} s  {n_eng} passes with a rise in the window")
    print(f"orbits search only:        {t_srch:7.3f} s  {n_srch} rises (same job as the loop)")
    print(f"ratio, same job (search only): {t_sky / t_srch:.1f}x")
    print(f"ratio, whole prediction (adds visibility, magnitudes): {t_sky / t_eng:.1f}x")


if __name__ == "__main__":
    main()
