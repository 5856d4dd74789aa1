"""Tonight: from the coming dusk to the next dawn, the Sun at --sun-altitude."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from orbits.errors import OrbitsError
from orbits.sites import Site, site_named
from orbits.twilight import sun_altitude_deg, tonight

NOON = datetime(2026, 4, 10, 7, 0, tzinfo=timezone.utc)  # midday in Pakistan


@pytest.mark.parametrize("name", ["islamabad", "karachi", "gilgit"])
@pytest.mark.parametrize("altitude", [-6.0, -12.0, -0.833])
def test_tonight_starts_and_ends_where_the_sun_crosses_the_altitude(name, altitude):
    site = site_named(name)
    night = tonight(site, NOON, altitude)
    assert NOON < night.dusk < night.dawn < night.dusk + timedelta(hours=14)
    for edge, sign in ((night.dusk, -1), (night.dawn, 1)):
        s = edge.timestamp()
        before, at, after = sun_altitude_deg(site, [s - 30, s, s + 30])
        assert abs(at - altitude) < 0.01  # the refined crossing, to a second
        assert sign * (after - before) > 0  # sinking at dusk, rising at dawn


def test_tonight_agrees_with_skyfields_almanac():
    from skyfield import almanac
    from skyfield.api import wgs84

    from orbits.ephemeris import ephemeris
    from orbits.times import timescale

    eph, ts = ephemeris(), timescale()
    site = site_named("islamabad")
    observer = eph["earth"] + wgs84.latlon(
        site.latitude_deg, site.longitude_deg, elevation_m=site.elevation_m
    )
    night = tonight(site, NOON)
    t0, t1 = ts.from_datetime(NOON), ts.from_datetime(NOON + timedelta(days=1))
    dusk = almanac.find_settings(observer, eph["sun"], t0, t1, horizon_degrees=-6.0)[0][0].utc_datetime()
    dawn = almanac.find_risings(observer, eph["sun"], t0, t1, horizon_degrees=-6.0)[0][0].utc_datetime()
    # Skyfield uses the apparent Sun (aberration: 20 arcsec), orbits the geometric one: a few seconds
    assert abs((night.dusk - dusk).total_seconds()) < 10
    assert abs((night.dawn - dawn).total_seconds()) < 10


def test_in_the_dark_tonight_is_the_night_already_begun():
    site = site_named("islamabad")
    evening = tonight(site, NOON)
    later = tonight(site, evening.dusk + timedelta(hours=2))
    assert later == evening


@pytest.mark.parametrize(
    "lat, month, says",
    [
        (78.2, 6, "midnight Sun"),
        (78.2, 12, "polar night"),
        (-78.0, 6, "polar night"),
        (-78.0, 12, "midnight Sun"),
    ],
)
def test_a_polar_summer_has_no_night_and_a_polar_winter_no_dusk(lat, month, says):
    """The message says which: a student at Svalbard in June is told the Sun never sets far enough."""
    when = datetime(2026, month, 21, tzinfo=timezone.utc)
    site = Site(lat, 15.6, 0.0, "Longyearbyen")
    with pytest.raises(OrbitsError, match=says) as caught:
        tonight(site, when)
    # checked against the Sun itself: its altitude over the next two days stays on one side of -6 deg
    seconds = when.timestamp() + np.arange(0, 2 * 86400, 600.0)
    alt = sun_altitude_deg(site, seconds)
    assert (alt > -6).all() if says == "midnight Sun" else (alt < -6).all()
    assert "\n" not in str(caught.value) and "--start today" in str(caught.value)


def test_tonight_at_a_polar_site_is_one_line_from_the_cli(capsys, tmp_path, monkeypatch):
    from orbits.cli import main

    monkeypatch.chdir(tmp_path)
    for command in (
        ["passes"],
        ["sky", "tiangong", "--out", "never.png"],
        ["map", "tiangong", "--pass", "1"],
    ):
        extra = ["--out", "never.png"] if command[0] == "map" else []
        code = main(
            [*command, *extra, "--start", "tonight", "--lat", "89.9", "--lon", "0", "--stale", "--offline"]
        )
        err = capsys.readouterr().err
        # at 89.9N the Sun stays within 0.1 deg of its declination all day: never both sides of -6
        assert code == 2 and err.count("\n") == 1 and "no 'tonight'" in err, err
    assert not Path("never.png").exists()


def test_passes_tonight_spans_the_night_and_until_sets_the_end(capsys):
    import json

    from orbits.cli import main

    assert main(["passes", "--start", "tonight", "--stale", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    night = tonight(site_named("islamabad"), datetime.now(timezone.utc))
    start, end = (datetime.fromisoformat(data[k]) for k in ("start", "end"))
    assert abs((start - night.dusk).total_seconds()) < 0.01 and abs((end - night.dawn).total_seconds()) < 0.01
    assert (
        main(["passes", "--start", "2026-04-10T00:00Z", "--until", "2026-04-10T12:00Z", "--format", "json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["end"].startswith("2026-04-10T17:00:00.000+05:00")
    assert main(["passes", "--days", "2", "--until", "18:00"]) == 2
    assert "give --days or --until, not both" in capsys.readouterr().err
