"""The public API in ``orbits/__init__.py``: what notebooks and the README
use, giving exactly what the command line gives."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import orbits
from orbits.cli import main

START = "2026-04-10T00:00:00Z"


def cli_json(capsys, *args):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_api_is_what_dir_shows_and_importing_loads_nothing():
    names = {
        "load_elements",
        "site",
        "predict_passes",
        "where",
        "sky_chart",
        "ground_track",
        "map_figure",
        "sky_figure",
        "Passes",
        "Positions",
    }
    assert names <= set(dir(orbits)) and names <= set(orbits.__all__)
    code = (
        "import sys, orbits; heavy = [m for m in ('numpy', 'sgp4', 'skyfield', 'matplotlib') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "[]"
    with pytest.raises(AttributeError):
        orbits.no_such_name  # noqa: B018


@pytest.mark.parametrize("visible_only", [True, False])
def test_predict_passes_gives_the_rows_of_the_command_line(capsys, visible_only):
    passes = orbits.predict_passes("tiangong", "islamabad", START, days=3, visible_only=visible_only)
    args = ["passes", "tiangong", "--start", START, "--days", "3", "--format", "json"]
    rows = cli_json(capsys, *args, *([] if visible_only else ["--all"]))["passes"]
    assert passes.to_records() == rows and len(rows) > 2
    assert [p.rise.time.isoformat(timespec="milliseconds") for p in passes] == [
        datetime.fromisoformat(r["rise"]["time"]).astimezone(timezone.utc).isoformat(timespec="milliseconds")
        for r in rows
    ]


def test_from_a_fresh_kernel_it_agrees_with_the_cli_to_the_millisecond(capsys):
    code = (
        "import json, orbits; p = orbits.predict_passes('tiangong', 'islamabad', days=3, "
        f"start='{START}', visible_only=False); print(json.dumps(p.to_records()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "ORBITS_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr
    api_rows = json.loads(out.stdout)
    cli_rows = cli_json(
        capsys, "passes", "tiangong", "--days", "3", "--start", START, "--all", "--format", "json"
    )["passes"]
    assert len(api_rows) == len(cli_rows) > 5
    for a, c in zip(api_rows, cli_rows):
        for event in ("rise", "culmination", "set"):
            ta, tc = (datetime.fromisoformat(x[event]["time"]) for x in (a, c))
            assert abs((ta - tc).total_seconds()) < 0.001


def test_satellites_sites_and_times_in_every_form(mission):
    by_name = orbits.predict_passes("tiangong", "karachi", START, days=2, visible_only=False)
    by_number = orbits.predict_passes(
        48274, orbits.site("karachi"), datetime(2026, 4, 10, tzinfo=timezone.utc), days=2, visible_only=False
    )
    by_set = orbits.predict_passes(
        [mission[48274]],
        orbits.site(24.8607, 67.0011, 10.0),
        "2026-04-10T05:00+05:00",
        days=2,
        visible_only=False,
    )
    assert by_name.to_records() == by_number.to_records()
    assert len(by_set) == len(by_name) and all(
        abs((a.rise.time - b.rise.time).total_seconds()) < 30 for a, b in zip(by_set, by_name)
    )
    with pytest.raises(orbits.OrbitsError, match="timezone-aware"):
        orbits.predict_passes("tiangong", start=datetime(2026, 4, 10))
    assert orbits.site("lahore", elevation_m=1000).elevation_m == 1000
    assert [e.norad_id for e in orbits.load_elements(["tiangong", "prss-1"])] == [48274, 43530]


def test_jupyter_shows_a_table_with_the_plus_minus():
    passes = orbits.predict_passes("tiangong", "islamabad", START, days=3)
    html = passes._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == len(passes) + 1
    assert all(f"±{p.time_uncertainty_s:.0f} s" in html for p in passes)
    assert "Tiangong (CSS)" in html and "<script" not in html
    assert repr(passes).startswith(f"<Passes: {len(passes)} visible passes of 1 satellite over Islamabad")


def test_withheld_satellites_are_said_in_the_table():
    today = orbits.predict_passes("tiangong", "islamabad")
    assert len(today) == 0 and today.satellites[0].status == "elements_too_old"
    assert "elements" in today._repr_html_() and "no passes given" in today._repr_html_()
    stale = orbits.predict_passes("tiangong", "islamabad", days=1, stale=True, visible_only=False)
    assert len(stale) > 0 and all(p.time_uncertainty_s > 900 for p in stale)


def test_where_gives_the_rows_of_orbits_now(capsys):
    at = "2026-04-10T15:00:00Z"
    here = orbits.where(["paksat-1r", "tiangong"], "lahore", at)
    rows = cli_json(
        capsys, "now", "paksat-1r", "tiangong", "--site", "lahore", "--at", at, "--format", "json"
    )
    assert here.to_records() == rows["now"]
    assert len(here) == 2 and here[0].norad_id == 37779
    assert "<table>" in here._repr_html_() and "PAKSAT-1R" in here._repr_html_()


def test_to_dataframe_has_the_record_columns():
    pandas = pytest.importorskip("pandas", reason="pandas is optional")
    passes = orbits.predict_passes("tiangong", "islamabad", START, days=3)
    frame = passes.to_dataframe()
    assert isinstance(frame, pandas.DataFrame) and len(frame) == len(passes)
    assert {"name", "time_uncertainty_s", "rise.time", "culmination.elevation"} <= set(frame.columns)


def test_teme_states_are_sgp4s_own(mission):
    """The states are what python-sgp4's Satrec gives at the Julian dates
    of the same UTC instants (``sgp4.api.jday``), to 1 mm and 1 um/s."""
    from sgp4.api import jday

    tiangong = mission[48274]
    t = tiangong.epoch.timestamp() + np.linspace(0.0, 86400.0, 7)
    (states,) = orbits.teme_states(tiangong, t)
    for k, seconds in enumerate(t):
        u = datetime.fromtimestamp(seconds, timezone.utc)
        jd, fr = jday(u.year, u.month, u.day, u.hour, u.minute, u.second + u.microsecond / 1e6)
        error, r, v = tiangong.model.sgp4(jd, fr)
        assert error == 0 and states.error[k] == 0
        assert np.linalg.norm(states.position_km[k] - r) < 1e-6
        assert np.linalg.norm(states.velocity_km_s[k] - v) < 1e-9


def test_trust_is_the_uncertainty_model_at_the_age(mission):
    tiangong = mission[48274]
    (t,) = orbits.trust(tiangong, tiangong.epoch + timedelta(days=10))
    assert t.age_days == pytest.approx(10.0, abs=1e-9)
    assert t.time_uncertainty_s == pytest.approx(orbits.time_uncertainty_s(tiangong, 10.0))
    assert t.position_uncertainty_km == pytest.approx(orbits.position_uncertainty_km(tiangong, 10.0))
    (fresh,) = orbits.trust(tiangong, tiangong.epoch)
    assert fresh.age_days == 0.0 and fresh.time_uncertainty_s < t.time_uncertainty_s


def test_stale_geostationary_satellites_go_on_their_slot_unless_asked(mission):
    """A year after its epoch PakSat-1R is placed on its 38.0 E slot, as the
    command line does; ``on_slots=False`` gives where its elements put it."""
    paksat = mission[37779]
    later = paksat.epoch + timedelta(days=365)
    (on,) = orbits.where(paksat, "karachi", at=later)
    (raw,) = orbits.where(paksat, "karachi", at=later, on_slots=False)
    assert on.longitude_deg == pytest.approx(38.0, abs=0.05)
    assert abs(raw.longitude_deg - on.longitude_deg) > 0.05 or abs(raw.latitude_deg) > 0.05
    (t_on,) = orbits.trust(paksat, later)
    (t_raw,) = orbits.trust(paksat, later, on_slots=False)
    assert t_on.on_slot and not t_raw.on_slot and t_raw.age_days == pytest.approx(365.0, abs=1e-6)


def test_ground_tracks_start_where_the_satellite_is(mission):
    tiangong = mission[48274]
    (track,) = orbits.ground_tracks(tiangong, tiangong.epoch, hours=1.5, step_s=60)
    (now,) = orbits.where(tiangong, "islamabad", at=tiangong.epoch)
    assert track.times_s[0] == tiangong.epoch.timestamp() and track.times_s[-1] - track.times_s[0] == 5400
    assert track.latitude_deg[0] == pytest.approx(now.latitude_deg, abs=1e-6)
    assert track.longitude_deg[0] == pytest.approx(now.longitude_deg, abs=1e-6)
    assert abs(track.latitude_deg).max() == pytest.approx(tiangong.inclination_deg, abs=0.3)


def test_pakistans_outline_holds_its_cities_and_not_delhi():
    from matplotlib.path import Path

    rings = orbits.country_outline("PAK")
    inside = [Path(np.column_stack(r)) for r in rings]
    for name in ("islamabad", "karachi", "quetta", "gilgit"):
        s = orbits.site(name)
        assert any(p.contains_point((s.longitude_deg, s.latitude_deg)) for p in inside), name
    assert not any(p.contains_point((77.21, 28.61)) for p in inside)  # New Delhi
    with pytest.raises(orbits.OrbitsError, match="no country 'XXX'"):
        orbits.country_outline("XXX")


def test_one_colour_per_satellite_everywhere():
    named = [48274, 25544, 37779, 59915, 43529, 43530, 62725, 65055, 66054, 67748]
    colours = [orbits.satellite_colour(n) for n in named]
    assert len(set(colours)) == len(named) and colours[0] == "#d62728"
    assert (
        orbits.satellite_colour(99999)
        == orbits.satellite_colour(99999)
        in __import__("orbits.palette").palette.OTHER_COLOURS
    )
