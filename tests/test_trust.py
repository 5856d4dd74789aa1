"""Trust in what a user sees today: fresh elements by default, an honest ±
on every time, passes from elements too old to time them withheld, and
geostationary dishes pointed at the slot.

The network is a real HTTP server on 127.0.0.1 playing CelesTrak (from
``test_celestrak.py``); "today" is the real clock, so the bundled snapshot
(April 2026) is as old here as it is for a new user.
"""

import csv
import io
import json
import math
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from conftest import table_rows
from test_celestrak import FakeCelesTrak, as_json, as_tle

from orbits import celestrak, elements, freshness
from orbits.catalog import MISSION
from orbits.cli import main
from orbits.reading import parse_elements
from orbits.slots import GEO_RADIUS_KM

TIANGONG, PAKSAT_1R, PAKSAT_MM1, PRSS1 = 48274, 37779, 59915, 43530
LOW = [n for n in MISSION if n not in (PAKSAT_1R, PAKSAT_MM1)]


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def today():
    return datetime.now(timezone.utc)


@pytest.fixture()
def server(monkeypatch, mission):
    """A CelesTrak stand-in serving the mission satellites at an epoch of two hours ago."""
    fake = FakeCelesTrak()
    fake.thread.start()
    monkeypatch.setenv("ORBITS_GP_URL", fake.url)
    monkeypatch.delenv("ORBITS_OFFLINE")
    fake.epoch = (today() - timedelta(hours=2)).replace(microsecond=0)
    fake.serve_mission(mission, epoch=fake.epoch)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def look_at_slot(site, longitude_deg):
    """Azimuth and elevation (deg) of the point at the geostationary radius over
    the equator at ``longitude_deg``, from ``site``: plain WGS84 geometry."""
    a, f = 6378.137, 1 / 298.257223563
    e2 = f * (2 - f)
    lat, lon = math.radians(site.latitude_deg), math.radians(site.longitude_deg)
    n = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    h = site.elevation_m / 1000.0
    obs = (
        (n + h) * math.cos(lat) * math.cos(lon),
        (n + h) * math.cos(lat) * math.sin(lon),
        (n * (1 - e2) + h) * math.sin(lat),
    )
    sat = (
        GEO_RADIUS_KM * math.cos(math.radians(longitude_deg)),
        GEO_RADIUS_KM * math.sin(math.radians(longitude_deg)),
        0.0,
    )
    d = [s - o for s, o in zip(sat, obs)]
    east = -math.sin(lon) * d[0] + math.cos(lon) * d[1]
    north = (
        -math.sin(lat) * math.cos(lon) * d[0] - math.sin(lat) * math.sin(lon) * d[1] + math.cos(lat) * d[2]
    )
    up = math.cos(lat) * math.cos(lon) * d[0] + math.cos(lat) * math.sin(lon) * d[1] + math.sin(lat) * d[2]
    return math.degrees(math.atan2(east, north)) % 360, math.degrees(math.atan2(up, math.hypot(east, north)))


def assert_fresh_plus_minus(passes, epoch):
    """Passes from elements of ``epoch``: seconds of ± within a day of it, and
    each satellite's ± growing with time from there."""
    by_sat = {}
    for p in passes:
        by_sat.setdefault(p["norad_id"], []).append(p)
    for rows in by_sat.values():
        ages = [
            (datetime.fromisoformat(p["culmination"]["time"]) - epoch).total_seconds() / 86400 for p in rows
        ]
        bounds = [p["time_uncertainty_s"] for p in rows]
        assert all(b < 30 for a, b in zip(ages, bounds) if a < 1), (ages, bounds)
        assert bounds == sorted(bounds)


# --------------------------------------------------------------------------
# offline today: honest about the bundled snapshot
# --------------------------------------------------------------------------


def test_offline_today_withholds_low_orbit_passes_with_one_clear_line(capsys, mission):
    code, out, err = run(capsys, "passes", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [p for p in data["passes"] if p["norad_id"] in LOW] == []
    satellites = {s["norad_id"]: s for s in data["satellites"]}
    for n in LOW:
        s = satellites[n]
        assert s["status"] == "elements_too_old" and s["passes"] == 0
        assert s["age_days"] > 200 and s["time_uncertainty_s"] > freshness.LOW_ORBIT_LIMIT_S
    lines = [line for line in err.splitlines() if "withheld" in line]
    assert len(lines) == 1
    line = lines[0]
    assert "Tiangong (CSS)" in line and "orbits tle update" in line and "orbits tle import FILE" in line
    assert "--start 2026-04-10" in line and "--stale" in line
    assert "celestrak.org/NORAD/elements/gp.php?CATNR=" in line


def test_offline_table_says_what_it_can_and_what_it_withholds(capsys):
    code, out, err = run(capsys, "passes")
    assert code == 0
    assert "Withheld: elements too old to time the passes" in out
    assert "PAKSAT-1R" in out and "on its nominal slot 38.00°E" in out
    # no low-orbit pass row: every line naming Tiangong is in the withheld or elements sections
    rows = [line for line in table_rows(out) if "Tiangong" in line]
    assert rows == []


def test_stale_lists_them_anyway_each_with_its_plus_minus(capsys):
    code, out, _ = run(capsys, "passes", "tiangong", "--stale", "--all", "--days", "2", "--format", "json")
    assert code == 0
    passes = json.loads(out)["passes"]
    assert passes and all(p["time_uncertainty_s"] > freshness.LOW_ORBIT_LIMIT_S for p in passes)
    code, out, _ = run(capsys, "passes", "tiangong", "--stale", "--all", "--days", "2")
    row = next(line for line in table_rows(out) if "Tiangong (CSS)" in line)
    assert any(f"±{n} " in row or f"±{n}" in row.split() for n in ("h", "d")) or " h " in row or " d " in row


def test_now_points_dishes_at_the_slot_and_hides_lost_satellites(capsys, islamabad):
    code, out, err = run(capsys, "now", "--format", "json")
    assert code == 0
    rows = {r["norad_id"]: r for r in json.loads(out)["now"]}
    for norad, slot in ((PAKSAT_1R, 38.0), (PAKSAT_MM1, 38.2)):
        r = rows[norad]
        az, el = look_at_slot(islamabad, slot)
        assert r["on_nominal_slot"] and r["status"] == "ok"
        assert abs(r["longitude"] - slot) < 0.05
        assert abs(r["azimuth"] - az) < 0.1 and abs(r["elevation"] - el) < 0.1
        assert 50 < r["position_uncertainty_km"] < 100  # the station-keeping box
    for n in LOW:
        assert rows[n]["status"] == "elements_too_old" and rows[n]["azimuth"] is None
    assert "positions withheld" in err
    _, table, _ = run(capsys, "now", "paksat-1r")
    az, el = look_at_slot(islamabad, 38.0)
    assert f"dish: az {az:.1f}°, el {el:.1f}° (slot 38.0°E)" in table


def test_fresh_geo_elements_are_used_as_they_are_with_the_slot_beside(capsys):
    code, out, _ = run(capsys, "now", "paksat-1r", "--at", "2026-04-10T20:00:00Z", "--format", "json")
    (r,) = json.loads(out)["now"]
    assert not r["on_nominal_slot"] and r["elements_source"] == "bundled snapshot 2026-04-10"
    assert abs(r["longitude"] - 38.0) < 0.2
    _, table, _ = run(capsys, "now", "paksat-1r", "--at", "2026-04-10T20:00:00Z")
    assert "nominal slot 38.0°E" in table


def test_age_is_measured_against_the_window(capsys, mission):
    code, out, err = run(capsys, "passes", "--start", "2026-04-10", "--days", "2", "--format", "json")
    data = json.loads(out)
    assert "withheld" not in err
    assert {s["status"] for s in data["satellites"]} <= {"passes", "always_above", "never_rises"}
    assert all(p["time_uncertainty_s"] <= 15 for p in data["passes"])  # a day or two from the epoch
    # A window in the past is not refreshed either: the elements at hand are the ones for it.
    assert not freshness.near_now(
        datetime(2026, 4, 10, tzinfo=timezone.utc), datetime(2026, 4, 12, tzinfo=timezone.utc), today()
    )


def test_plus_minus_grows_with_the_age_and_decides_withholding(mission, islamabad):
    from orbits.passes import predict_passes

    start = mission[TIANGONG].epoch
    bounds = []
    for days in (0, 3, 10):
        p = predict_passes(
            [mission[TIANGONG]], islamabad, start + timedelta(days=days), days=1, withhold=False
        )
        bounds.append(min(x.time_uncertainty_s for x in p.passes))
    assert bounds[0] < bounds[1] < bounds[2]
    # withholding is exactly "the bound exceeds the limit"
    late = start + timedelta(days=60)
    t = freshness.trust(mission[TIANGONG], late, late + timedelta(days=1))
    p = predict_passes([mission[TIANGONG]], islamabad, late, days=1)
    assert (p.satellites[0].status == "elements_too_old") == (
        t.time_uncertainty_s > freshness.LOW_ORBIT_LIMIT_S
    )


# --------------------------------------------------------------------------
# the ± in every format
# --------------------------------------------------------------------------


def test_every_format_carries_the_plus_minus(capsys, tmp_path):
    args = ["passes", "tiangong", "--start", "2026-04-12", "--days", "3"]
    _, out, _ = run(capsys, *args, "--format", "json")
    passes = json.loads(out)["passes"]
    assert passes
    for p in passes:
        assert 1.0 <= p["time_uncertainty_s"] < 120.0
    _, out, _ = run(capsys, *args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["time_uncertainty_s"]) for r in rows] == [p["time_uncertainty_s"] for p in passes]
    _, out, _ = run(capsys, *args)
    head = next(line for line in out.splitlines() if line.startswith("#  "))
    assert "±" in head.split()
    body = [line for line in table_rows(out) if "Tiangong" in line]
    assert len(body) == len(passes) and all(" ±" in line for line in body)
    _, out, _ = run(capsys, *args, "--format", "ics")
    unfolded = out.replace("\r\n ", "")
    assert unfolded.count("uncertain by ±") == len(passes)
    code, _, _ = run(capsys, "sky", "tiangong", "--start", "2026-04-12", "--out", str(tmp_path / "s.png"))
    assert code == 0


def test_sky_chart_title_carries_the_plus_minus(mission, islamabad):
    import matplotlib.pyplot as plt

    from orbits import plot
    from orbits.passes import predict_passes

    p = predict_passes([mission[TIANGONG]], islamabad, datetime(2026, 4, 12, tzinfo=timezone.utc), days=3)
    fig = plot.sky_figure(mission[TIANGONG], islamabad, p.visible_passes[0])
    title = fig.axes[0].get_title()
    plt.close(fig)
    assert f"times ±{p.visible_passes[0].time_uncertainty_s:.0f} s" in title


# --------------------------------------------------------------------------
# fresh by default: refresh, import, library and CLI read the same elements
# --------------------------------------------------------------------------


def test_plain_passes_refreshes_stale_elements_and_predicts_from_them(capsys, server):
    code, out, err = run(capsys, "passes", "--format", "json")
    assert code == 0, err
    asked = sorted(int(q["CATNR"]) for q, _ in server.requests)
    assert asked == sorted(MISSION)
    (line,) = [x for x in err.splitlines() if "refreshed" in x]
    assert line.startswith("orbits: refreshed the elements of Tiangong (CSS)")
    data = json.loads(out)
    for s in data["satellites"]:
        assert datetime.fromisoformat(s["tle_epoch"]) == server.epoch or s["on_nominal_slot"] is False
        assert s["elements_source"].startswith(f"cache: CelesTrak CATNR={s['norad_id']}")
        assert s["status"] != "elements_too_old"
    assert_fresh_plus_minus(data["passes"], server.epoch)
    # A second run within the politeness interval sends nothing.
    n = len(server.requests)
    code, _, err = run(capsys, "passes")
    assert code == 0 and len(server.requests) == n and "refresh" not in err


def test_the_library_reads_the_same_elements_as_the_cli(capsys, server):
    assert elements.select(["tiangong"])[0].source == "bundled snapshot 2026-04-10"
    assert main(["now", "tiangong"]) == 0
    capsys.readouterr()
    fresh = elements.select(["tiangong"])[0]
    assert fresh.epoch == server.epoch and fresh.source.startswith("cache: CelesTrak CATNR=48274")
    assert elements.select(["tiangong"], cache=False)[0].source == "bundled snapshot 2026-04-10"


def test_offline_means_no_request_at_all(capsys, server, monkeypatch):
    code, _, err = run(capsys, "passes", "--offline")
    assert code == 0 and server.requests == [] and "refresh" not in err
    monkeypatch.setenv("ORBITS_OFFLINE", "1")
    for args in (["passes"], ["now"], ["sky", "tiangong", "--stale", "--out", "/dev/null.png"]):
        run(capsys, *args)
    assert server.requests == []


def test_windows_far_from_now_keep_their_elements(capsys, server):
    code, _, _ = run(capsys, "passes", "--start", "2026-04-10", "--days", "1")
    assert code == 0 and server.requests == []
    later = (today() + timedelta(days=60)).strftime("%Y-%m-%d")
    code, _, _ = run(capsys, "passes", "--start", later, "--stale")
    assert code == 0 and server.requests == []


def test_a_hanging_server_costs_at_most_the_budget_once(capsys, server):
    hang = threading.Event()

    def hanging(handler):
        hang.wait(30)

    for n in MISSION:
        server.replies[("CATNR", str(n))] = hanging
    began = time.monotonic()
    code, out, err = run(capsys, "passes")
    took = time.monotonic() - began
    hang.set()
    assert code == 0
    assert took < celestrak.REFRESH_BUDGET_S + 2.5, took
    (line,) = [x for x in err.splitlines() if "could not refresh" in x]
    assert "predicting from the elements at hand" in line and "orbits tle import FILE" in line
    assert "gp.php?CATNR=48274&FORMAT=tle" in line
    assert "Withheld" in out
    # The failure is remembered: the next run sends nothing and says why.
    n = len(server.requests)
    began = time.monotonic()
    code, _, err = run(capsys, "passes")
    assert code == 0 and len(server.requests) == n and time.monotonic() - began < 3
    assert "not tried again: the last refresh failed" in err


def test_a_hanging_dns_lookup_is_bounded_too(capsys, server, monkeypatch):
    def slow_dns(*args, **kwargs):
        time.sleep(20)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setenv("ORBITS_GP_URL", "https://celestrak.invalid/NORAD/elements/gp.php")
    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)
    began = time.monotonic()
    code, _, err = run(capsys, "passes")
    assert code == 0 and time.monotonic() - began < celestrak.REFRESH_BUDGET_S + 2.5
    assert "could not refresh elements (no complete reply from celestrak.invalid within 5 s)" in err


def test_a_refusal_keeps_predictions_away_for_two_hours(capsys, server, private_cache):
    from orbits.cache import ElementCache

    server.replies[("CATNR", str(TIANGONG))] = (403, {"Content-Type": "text/plain"}, b"rate limited")
    code, _, err = run(capsys, "passes")
    assert code == 0 and "refused the request (HTTP 403" in err
    assert len(server.requests) == 1  # no further query after a fault
    when, message, wait = ElementCache(private_cache).last_failure()
    assert wait == celestrak.MIN_INTERVAL and "403" in message


def test_refresh_keeps_what_arrived_before_a_fault(capsys, server, mission):
    server.replies[("CATNR", str(PAKSAT_MM1))] = (500, {"Content-Type": "text/plain"}, b"oops")
    code, out, err = run(capsys, "passes", "--format", "json")
    assert code == 0
    satellites = {s["norad_id"]: s for s in json.loads(out)["satellites"]}
    order = list(MISSION)
    before = order[: order.index(PAKSAT_MM1)]
    assert all(satellites[n]["elements_source"].startswith("cache:") for n in before)
    assert "could not refresh" in err and "HTTP 500" in err


def test_update_refuses_elements_from_the_future(capsys, server, mission, private_cache):
    server.replies[("CATNR", str(TIANGONG))] = server.good(
        [mission[TIANGONG]], epoch=today() + timedelta(days=3)
    )
    code, _, err = run(capsys, "tle", "update", "tiangong")
    assert code == 1 and "more than a day in the future; refused" in err
    assert not (private_cache / "gp" / "index.json").exists()


# --------------------------------------------------------------------------
# tle import: a way forward without a network
# --------------------------------------------------------------------------


def test_import_adds_files_to_the_cache_and_predictions_use_them(capsys, tmp_path, mission):
    epoch = (today() - timedelta(hours=5)).replace(microsecond=0)
    tle = tmp_path / "stations.tle"
    tle.write_bytes(as_tle([mission[TIANGONG]], epoch))
    omm = tmp_path / "paksat.json"
    omm.write_bytes(as_json([mission[PRSS1]], epoch))
    code, out, err = run(capsys, "tle", "import", str(tle), str(omm))
    assert code == 0, err
    assert f"{tle}: Tiangong (CSS)" in out and f"{omm}: PRSS-1" in out
    code, out, _ = run(capsys, "tle", "status", "--format", "json")
    rows = {r["norad_id"]: r for r in json.loads(out)}
    assert rows[TIANGONG]["query"] == f"IMPORT={tle.resolve()}" and rows[TIANGONG]["source"] == "cache"
    code, out, err = run(capsys, "passes", "tiangong", "prss-1", "--all", "--format", "json")
    data = json.loads(out)
    assert {s["status"] for s in data["satellites"]} <= {"passes", "never_rises"}
    assert all(
        s["elements_source"].startswith(f"cache: imported from {tmp_path}") for s in data["satellites"]
    )
    assert data["passes"]
    assert_fresh_plus_minus(data["passes"], epoch)
    assert abs(elements.select(["prss-1"])[0].epoch - epoch) < timedelta(milliseconds=1)


@pytest.mark.parametrize("case", ["future epoch", "bad checksum", "missing file", "html"])
def test_import_refuses_bad_files_and_leaves_the_cache_alone(capsys, tmp_path, mission, private_cache, case):
    good = tmp_path / "good.tle"
    good.write_bytes(as_tle([mission[PRSS1]], today() - timedelta(hours=1)))
    assert main(["tle", "import", str(good)]) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in (private_cache / "gp").iterdir()}
    bad = tmp_path / "bad.tle"
    if case == "future epoch":
        bad.write_bytes(as_tle([mission[TIANGONG]], today() + timedelta(days=2)))
        expect = f"{bad}:2: EPOCH: "
    elif case == "bad checksum":
        text = as_tle([mission[TIANGONG]], today()).decode()
        lines = text.split("\r\n")
        lines[1] = lines[1][:68] + str((int(lines[1][68]) + 1) % 10)
        bad.write_text("\r\n".join(lines))
        expect = f"{bad}:2: checksum"
    elif case == "missing file":
        expect = f"{bad}: no such file"
    else:
        bad.write_text("<html><body>Login</body></html>")
        expect = f"{bad}:1: this is an HTML"
    code, _, err = run(capsys, "tle", "import", str(good), str(bad))
    assert code == 2 and err.startswith(f"orbits: {expect}") and err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in (private_cache / "gp").iterdir()} == before


def test_elements_select_reads_the_cache_by_default(tmp_path, mission):
    epoch = (today() - timedelta(hours=3)).replace(microsecond=0)
    path = tmp_path / "iss.tle"
    path.write_bytes(as_tle([mission[25544]], epoch))
    elements.import_files([path])
    assert abs(elements.select(["iss"])[0].epoch - epoch) < timedelta(milliseconds=1)
    assert elements.select(["iss"], cache=None)[0].epoch == mission[25544].epoch
    (parsed,) = parse_elements(path.read_text(), "x")
    assert abs(parsed.epoch - epoch) < timedelta(milliseconds=1)


def test_max_age_sets_what_counts_as_fresh(capsys, server):
    code, _, err = run(capsys, "passes", "--max-age", "400", "--stale")
    assert code == 0 and server.requests == []  # 235-day-old elements are "fresh" for a 400-day limit
    code, _, err = run(capsys, "passes", "tiangong", "--max-age", "0.5")
    assert code == 0 and [q["CATNR"] for q, _ in server.requests] == [str(TIANGONG)]


def test_maps_and_sky_charts_follow_the_same_rules(capsys, tmp_path):
    code, _, err = run(capsys, "map", "--out", str(tmp_path / "m.png"))
    assert code == 0 and "tracks not drawn for 7 satellites" in err
    code, _, err = run(capsys, "map", "tiangong", "--out", str(tmp_path / "t.png"))
    assert code == 2 and err.startswith("orbits: nothing to draw for 1 satellite") and err.count("\n") == 1
    assert not (tmp_path / "t.png").exists()
    code, _, err = run(capsys, "map", "tiangong", "--stale", "--out", str(tmp_path / "t.png"))
    assert code == 0 and (tmp_path / "t.png").stat().st_size > 10_000
    code, _, err = run(capsys, "sky", "tiangong", "--out", str(tmp_path / "s.png"))
    assert code == 2 and "Tiangong (CSS): elements 2" in err and "--start 2026-04-10" in err
    assert not (tmp_path / "s.png").exists()


def test_slot_elements_hold_the_slot_for_a_week(mission, islamabad):
    import numpy as np

    from orbits.frames import subpoint
    from orbits.positions import Tracker
    from orbits.slots import slot_elements

    at = today()
    for norad, slot in ((PAKSAT_1R, 38.0), (PAKSAT_MM1, 38.2)):
        held = slot_elements(mission[norad], slot, at)
        seconds = at.timestamp() + np.arange(-7, 8) * 86400.0
        look = Tracker([held], islamabad).look(seconds)
        lat, lon, alt = subpoint(look["r_ef"])
        assert np.abs(lon - slot).max() < 0.05 and np.abs(lat).max() < 0.05
        assert np.abs(alt - (GEO_RADIUS_KM - 6378.137)).max() < 30
