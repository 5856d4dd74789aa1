"""Ground-station networks: sites files, horizon masks, many sites in one run."""

import json
import math

import numpy as np
import pytest

from orbits.cli import main
from orbits.errors import OrbitsError
from orbits.horizon import Horizon, parse_mask
from orbits.passes import predict_passes
from orbits.sites import Site, site_named
from orbits.sitesfile import parse_sites

START = ["--start", "2026-04-10T00:00:00Z"]
MASK = "0:8 90:15 180:10 270:20"

SITES_CSV = f"""# three stations
name,latitude,longitude,elevation_m,min_elevation,horizon_mask
Islamabad,33.6844,73.0479,540,,
Gilgit,35.9208,74.3083,1500,,{MASK}
Karachi,24.8607,67.0011,10,5,
"""


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------
# the sites file
# --------------------------------------------------------------------------


def test_sites_file_reads_every_column():
    islamabad, gilgit, karachi = parse_sites(SITES_CSV, "net.csv")
    assert (islamabad.name, islamabad.latitude_deg, islamabad.elevation_m) == ("Islamabad", 33.6844, 540.0)
    assert islamabad.horizon_deg is None and islamabad.mask is None
    assert gilgit.mask.azimuth_deg == (0.0, 90.0, 180.0, 270.0)
    assert gilgit.mask.elevation_deg == (8.0, 15.0, 10.0, 20.0)
    assert karachi.horizon_deg == 5.0
    # columns in any order, longitudes over 180 are west
    (site,) = parse_sites("longitude,name,elevation_m,latitude\n350,Far,0,-10\n")
    assert (site.name, site.longitude_deg, site.latitude_deg) == ("Far", -10.0, -10.0)


@pytest.mark.parametrize(
    "text, line, field",
    [
        ("name,latitude,longitude\nA,1,2\n", 1, "elevation_m"),
        ("name,latitude,longitude,elevation_m\nA,95,2,3\n", 2, "latitude"),
        ("name,latitude,longitude,elevation_m\nA,1,abc,3\n", 2, "longitude"),
        ("name,latitude,longitude,elevation_m\nA,1,2,\n", 2, "elevation_m"),
        ("name,latitude,longitude,elevation_m,horizon_mask\nA,1,2,3,0:5 90:12 80:3\n", 2, "horizon_mask"),
        ("name,latitude,longitude,elevation_m,horizon_mask\nA,1,2,3,0:5 90\n", 2, "horizon_mask"),
        ("name,latitude,longitude,elevation_m,horizon_mask\nA,1,2,3,0:95\n", 2, "horizon_mask"),
        ("name,latitude,longitude,elevation_m,min_elevation\nA,1,2,3,91\n", 2, "min_elevation"),
        ("name,latitude,longitude,elevation_m\nA,1,2,3\n\nA,4,5,6\n", 4, "name"),
        ("name,latitude,longitude,elevation_m,colour\nA,1,2,3,red\n", 1, "'colour'"),
    ],
)
def test_a_bad_row_is_one_line_with_file_line_and_field(tmp_path, capsys, text, line, field):
    path = tmp_path / "net.csv"
    path.write_text(text)
    code, out, err = run(capsys, "passes", *START, "--sites", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"orbits: {path}:{line}: {field}: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_missing_or_empty_sites_file(tmp_path, capsys):
    code, _, err = run(capsys, "passes", *START, "--sites", str(tmp_path / "none.csv"))
    assert code == 2 and err.count("\n") == 1 and "no such file" in err
    (tmp_path / "empty.csv").write_text("")
    code, _, err = run(capsys, "passes", *START, "--sites", str(tmp_path / "empty.csv"))
    assert code == 2 and err.count("\n") == 1 and "empty" in err


def test_mask_interpolates_linearly_and_wraps():
    mask = parse_mask(MASK)
    az = np.array([0.0, 45.0, 90.0, 135.0, 300.0, 315.0, 359.0])
    # by hand: halfway between points, and from 270 (20) back to 360 = 0 (8)
    expected = [8.0, 11.5, 15.0, 12.5, 16.0, 14.0, 20.0 - 12.0 * 89.0 / 90.0]
    assert np.allclose(mask.elevation_at(az), expected)
    assert str(mask) == MASK
    horizon = Horizon(12.0, mask)
    assert horizon.lowest_deg == 12.0 and horizon.highest_deg == 20.0
    assert np.allclose(horizon.limit_deg(np.array([0.0, 270.0])), [12.0, 20.0])
    with pytest.raises(OrbitsError, match="increase strictly"):
        parse_mask("0:5 0:6")


# --------------------------------------------------------------------------
# horizon masks: rise and set on the mask, nothing missed
# --------------------------------------------------------------------------


def _skyfield_scan(element_set, site, t0_s, seconds):
    """Azimuth and elevation (deg) from Skyfield at POSIX times t0_s + seconds."""
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    sat = EarthSatellite(element_set.line1, element_set.line2, ts=ts)
    top = wgs84.latlon(site.latitude_deg, site.longitude_deg, elevation_m=site.elevation_m)
    from datetime import datetime, timezone

    base = ts.from_datetime(datetime.fromtimestamp(t0_s, timezone.utc))  # no leap-second drift
    t = ts.tt_jd(base.tt + np.asarray(seconds) / 86400.0)
    alt, az, _ = (sat - top).at(t).altaz()
    return az.degrees, alt.degrees


def _mask_limit(mask, az):
    """The mask's limit, interpolated here on its own (periodic, linear)."""
    a = np.array(mask.azimuth_deg + (mask.azimuth_deg[0] + 360.0,))
    e = np.array(mask.elevation_deg + (mask.elevation_deg[0],))
    az = np.mod(az, 360.0)
    shifted = np.where(az < a[0], az + 360.0, az)
    return np.interp(shifted, a, e)


def test_mask_rise_and_set_match_a_dense_skyfield_scan(mission, epoch_day):
    """Every pass above a mask over a day, and no other: each stretch above
    the mask in a 2 s Skyfield scan is one pass, and each rise and set lies
    on the mask within 0.1 s (a 0.01 s scan around it)."""
    mask = parse_mask(MASK)
    site = Site(35.9208, 74.3083, 1500.0, "Gilgit", mask=mask)
    css = mission[48274]
    prediction = predict_passes([css], [site], epoch_day, days=1, withhold=False)
    passes = prediction.passes
    assert len(passes) >= 4
    t0 = epoch_day.timestamp()
    grid = np.arange(0.0, 86400.0, 2.0)
    az, el = _skyfield_scan(css, site, t0, grid)
    up = el - _mask_limit(mask, az) > 0
    starts = np.flatnonzero(up[1:] & ~up[:-1]) + 1
    assert len(starts) == len(passes)  # one pass per interval above the mask
    for p, k in zip(passes, starts, strict=True):
        assert abs(p.rise.time.timestamp() - (t0 + grid[k])) < 2.0
        assert p.site == "Gilgit"
        for event, sign in ((p.rise, 1), (p.set, -1)):
            s = event.time.timestamp()
            fine = np.arange(-0.5, 0.5, 0.01)
            a, e = _skyfield_scan(css, site, s, fine)
            f = e - _mask_limit(mask, a)
            cross = np.flatnonzero(np.diff(np.sign(f)) == 2 * sign)
            assert len(cross) == 1, (event, f.min(), f.max())
            assert abs(fine[cross[0]]) <= 0.1
            assert abs(event.elevation_deg - _mask_limit(mask, np.array([event.azimuth_deg]))[0]) < 0.01


def test_a_flat_mask_is_the_same_as_a_horizon(mission, epoch_day):
    sets = [mission[48274], mission[43530]]
    flat = predict_passes(sets, Site(33.6844, 73.0479, 540.0, "A"), epoch_day, days=2, horizon_deg=10.0)
    masked = predict_passes(
        sets, Site(33.6844, 73.0479, 540.0, "A", mask=parse_mask("0:10 180:10")), epoch_day, days=2
    )
    assert len(flat.passes) == len(masked.passes) > 5
    for a, b in zip(flat.passes, masked.passes, strict=True):
        assert abs((a.rise.time - b.rise.time).total_seconds()) < 2e-3
        assert abs((a.set.time - b.set.time).total_seconds()) < 2e-3


def test_site_horizon_replaces_the_default(mission, epoch_day):
    sets = [mission[48274]]
    own = predict_passes(sets, [Site(24.8607, 67.0011, 10.0, "K", horizon_deg=5.0)], epoch_day, days=2)
    given = predict_passes(sets, Site(24.8607, 67.0011, 10.0, "K"), epoch_day, days=2, horizon_deg=5.0)
    assert [p.rise for p in own.passes] == [p.rise for p in given.passes]
    assert all(math.isclose(p.rise.elevation_deg, 5.0, abs_tol=1e-3) for p in own.passes)


# --------------------------------------------------------------------------
# many sites in one run
# --------------------------------------------------------------------------


def _columns(table):
    return {k: v.tolist() for k, v in table.passes.items() if k != "site"}


def test_n_sites_in_one_run_give_the_passes_of_n_runs(mission, epoch_day):
    sites = parse_sites(SITES_CSV) + [site_named("gwadar")]
    sets = list(mission.values())
    network = predict_passes(sets, sites, epoch_day, days=3, withhold=False)
    assert network.sites == sites
    n = len(sets)
    assert len(network.satellites) == n * len(sites)
    for k, site in enumerate(sites):
        alone = predict_passes(sets, site, epoch_day, days=3, withhold=False)
        part = network.for_site(k)
        assert len(alone.table) > 20
        assert _columns(part.table) == _columns(alone.table)
        assert [r.pass_count for r in part.satellites] == [r.pass_count for r in alone.satellites]
        assert [r.status for r in part.satellites] == [r.status for r in alone.satellites]
        assert {r.site for r in part.satellites} == {site.label}
        assert {p.site for p in network.passes[: len(network.passes)] if p.site == site.label}
    # site after site, each in time order
    where = network.table.passes["site"]
    assert (np.diff(where) >= 0).all()


def test_json_and_csv_carry_each_pass_site(tmp_path, capsys):
    path = tmp_path / "net.csv"
    path.write_text(SITES_CSV)
    code, out, err = run(
        capsys,
        "passes",
        *START,
        "--days",
        "1",
        "--all",
        "--site",
        "lahore",
        "--sites",
        str(path),
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert [s["name"] for s in data["sites"]] == ["Lahore", "Islamabad", "Gilgit", "Karachi"]
    assert data["sites"][2]["horizon_mask"] == MASK and data["sites"][3]["min_elevation"] == 5.0
    names = [p["site"] for p in data["passes"]]
    assert names[0] == "Lahore" and set(names) == {"Lahore", "Islamabad", "Gilgit", "Karachi"}
    # grouped by site in the file's order; numbers run on across sites
    order = {"Lahore": 0, "Islamabad": 1, "Gilgit": 2, "Karachi": 3}
    assert [order[n] for n in names] == sorted(order[n] for n in names)
    assert [p["number"] for p in data["passes"]] == list(range(1, len(names) + 1))
    assert {s["site"] for s in data["satellites"]} == set(order)
    code, out, _ = run(
        capsys, "passes", *START, "--days", "1", "--all", "--sites", str(path), "--format", "csv"
    )
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split(",")[:4] == ["number", "norad_id", "name", "site"]
    assert {r.split(",")[3] for r in rows} == {"Islamabad", "Gilgit", "Karachi"}


def test_the_table_groups_passes_by_site(tmp_path, capsys):
    path = tmp_path / "net.csv"
    path.write_text(SITES_CSV)
    code, out, _ = run(capsys, "passes", *START, "--days", "2", "--all", "--sites", str(path))
    assert code == 0
    heads = [line for line in out.splitlines() if line.startswith("Passes over")]
    assert [h.split(" (")[0] for h in heads] == [
        "Passes over Islamabad",
        "Passes over Gilgit",
        "Passes over Karachi",
    ]
    assert f"horizon mask {MASK}" in out and "horizon 5°" in out


def test_several_sites_are_for_passes_only(capsys):
    code, _, err = run(capsys, "now", "--site", "lahore", "--site", "karachi")
    assert code == 2 and "one site" in err and err.count("\n") == 1
    code, _, err = run(capsys, "passes", *START, "--site", "lahore", "--site", "lahore")
    assert code == 2 and "twice" in err


def test_library_takes_a_list_of_sites():
    import orbits

    passes = orbits.predict_passes(
        "tiangong", ["islamabad", "karachi"], "2026-04-10T00:00Z", days=2, visible_only=False
    )
    assert {p.site for p in passes} == {"Islamabad", "Karachi"}
    assert {r["site"] for r in passes.to_records()} == {"Islamabad", "Karachi"}


def test_a_calendar_of_several_sites_places_each_event_at_its_site(capsys):
    code, out, _ = run(
        capsys, "passes", *START, "--days", "3", "--site", "lahore", "--site", "karachi", "--format", "ics"
    )
    assert code == 0
    events = out.split("BEGIN:VEVENT")[1:]
    places = [e.split("LOCATION:")[1].split(" (")[0] for e in events]
    assert set(places) == {"Lahore", "Karachi"}
    uids = [e.split("UID:")[1].split("\r\n")[0] for e in events]
    assert len(set(uids)) == len(uids) > 2
    for place, event in zip(places, events, strict=True):
        assert f"Over {place}." in event.replace("\r\n ", "")


def test_jupyter_shows_a_table_per_site():
    import orbits

    passes = orbits.predict_passes(
        "tiangong", ["lahore", "quetta"], "2026-04-10T00:00Z", days=2, visible_only=False
    )
    html = passes._repr_html_()
    assert html.count("<table") == 2
    assert "over Lahore" in html and "over Quetta" in html
    assert "over 2 sites" in repr(passes)


def test_worker_processes_give_the_same_network(mission, epoch_day):
    """Jobs of several sites and slices through the local pool (2 workers)
    come back in order: the passes are those of one process."""
    from orbits.passes import NETWORK_CHUNK, PassStream
    from orbits.table import PassTable

    sites = [site_named(n) for n in ("lahore", "gilgit", "gwadar")]
    sets = list(mission.values())

    def tables(workers):
        stream = PassStream(sets, sites, epoch_day, days=3, slice_s=86400.0, workers=workers, withhold=False)
        assert len(stream.plan.units) == 3 * 4
        if workers > 1:  # a chunk per unit: fewer satellites than NETWORK_CHUNK
            assert len(sets) < NETWORK_CHUNK and len(stream.plan.sliced_chunks) == 1
        return list(stream), stream.finish()

    one, one_done = tables(1)
    two, two_done = tables(2)
    assert len(one) == len(two) == 9  # a table per (site, slice)
    for a, b in zip(one, two, strict=True):
        assert {k: v.tolist() for k, v in a.passes.items()} == {k: v.tolist() for k, v in b.passes.items()}
    assert one_done.satellites == two_done.satellites
    assert sum(len(t) for t in one) == len(PassTable.join(one)) > 50
