"""Stars, the Moon and the Sun for sky charts, against PyEphem (an
independent implementation: its own star catalogue and lunar theory)."""

import math
from datetime import datetime, timedelta, timezone

import pytest

from orbits.sites import site_named
from orbits.stars import bright_stars, sky_at

ephem = pytest.importorskip("ephem", reason="PyEphem is in the test extras")

WHEN = [
    datetime(2026, 4, 10, 15, tzinfo=timezone.utc),
    datetime(2031, 1, 5, 20, tzinfo=timezone.utc),
    datetime(2039, 7, 21, 2, 30, tzinfo=timezone.utc),
]


def observer(site, when):
    o = ephem.Observer()
    o.lat, o.lon, o.elevation = str(site.latitude_deg), str(site.longitude_deg), site.elevation_m
    o.pressure = 0  # geometric: no refraction
    o.date = when.strftime("%Y/%m/%d %H:%M:%S")
    return o


def degrees(angle):
    return math.degrees(float(angle))


def test_the_table_holds_the_bright_stars_with_names_and_constellations():
    table = bright_stars()
    assert 900 < len(table["hip"]) < 1200 and table["vmag"].max() <= 4.5
    named = dict(zip(table["name"], table["constellation"]))
    assert named["Sirius"] == "CMa" and named["Vega"] == "Lyr" and named["Polaris"] == "UMi"
    assert named["Rigil Kentaurus"] == "Cen" and named["Canopus"] == "Car"


@pytest.mark.parametrize("when", WHEN, ids=str)
@pytest.mark.parametrize("name", ["islamabad", "karachi"])
def test_star_and_moon_positions_agree_with_pyephem(when, name):
    site = site_named(name)
    sky = sky_at(site, when)
    o = observer(site, when)
    checked = 0
    for star_name in ("Sirius", "Vega", "Arcturus", "Capella", "Rigel", "Procyon", "Altair", "Deneb"):
        if star_name not in sky.star_name:
            continue
        k = list(sky.star_name).index(star_name)
        star = ephem.star(star_name)
        star.compute(o)
        assert abs(sky.star_elevation_deg[k] - degrees(star.alt)) < 0.02
        # azimuth differences grow toward the zenith as 1/cos(elevation)
        slack = 0.02 / max(0.05, math.cos(math.radians(degrees(star.alt))))
        assert abs((sky.star_azimuth_deg[k] - degrees(star.az) + 180) % 360 - 180) < slack
        checked += 1
    assert checked >= 2
    moon = ephem.Moon(o)
    assert abs(sky.moon_elevation_deg - degrees(moon.alt)) < 0.01
    assert abs((sky.moon_azimuth_deg - degrees(moon.az) + 180) % 360 - 180) < 0.02
    assert abs(sky.moon_illuminated - moon.phase / 100.0) < 0.01
    sun = ephem.Sun(o)
    assert abs(sky.sun_elevation_deg - degrees(sun.alt)) < 0.01
    assert all(sky.star_elevation_deg > 0)


def test_the_moon_waxes_after_new_moon():
    new = ephem.next_new_moon("2026/4/10").datetime().replace(tzinfo=timezone.utc)
    site = site_named("islamabad")
    assert sky_at(site, new + timedelta(days=3)).moon_waxing
    assert not sky_at(site, new - timedelta(days=3)).moon_waxing
