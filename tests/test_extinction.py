"""Atmospheric extinction against the published formula and tables."""

import math

import numpy as np
import pytest

from orbits.catalog import standard_magnitude
from orbits.errors import OrbitsError
from orbits.extinction import airmass, extinction_coefficient, extinction_mag
from orbits.passes import predict_passes
from orbits.sites import site_named
from orbits.times import skyfield_time, to_posix
from orbits.visibility import VisibilityRules


def kasten_young(elevation_deg):
    z = 90.0 - elevation_deg
    return 1.0 / (math.cos(math.radians(z)) + 0.50572 * (96.07995 - z) ** -1.6364)


@pytest.mark.parametrize("elevation", [90.0, 60.0, 30.0, 10.0, 8.0, 5.0, 1.0, 0.0])
def test_airmass_is_kasten_and_young(elevation):
    assert airmass(elevation) == pytest.approx(kasten_young(elevation), rel=1e-12)


def test_airmass_is_one_overhead_sec_z_high_up_and_38_at_the_horizon():
    assert float(airmass(90.0)) == pytest.approx(1.0, abs=1e-3)
    for z in (10.0, 30.0, 45.0):  # the plane-parallel atmosphere holds high in the sky
        assert float(airmass(90.0 - z)) == pytest.approx(1.0 / math.cos(math.radians(z)), rel=2e-3)
    assert float(airmass(0.0)) == pytest.approx(37.92, abs=0.01)  # Kasten & Young's horizon value
    assert float(airmass(-3.0)) == float(airmass(0.0))
    assert np.all(np.diff(airmass(np.linspace(0, 90, 91))) < 0)


def test_extinction_falls_with_height_and_grows_toward_the_horizon():
    assert extinction_coefficient(0) == pytest.approx(0.2)
    assert extinction_coefficient(540) == pytest.approx(0.2 * math.exp(-540 / 8000))
    assert extinction_coefficient(5000) < extinction_coefficient(1500) < extinction_coefficient(0)
    low, high = extinction_mag(8.0, 540), extinction_mag(60.0, 540)
    assert 1.0 < low < 1.5 and 0.2 < high < 0.25  # an 8-deg pass loses over a magnitude
    assert extinction_mag(30.0, 0, sea_level_mag=0.0) == 0.0


# --------------------------------------------------------------------------
# the default coefficient, and the rules that carry it
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected", [("karachi", 0.20), ("islamabad", 0.19), ("gilgit", 0.17), ("skardu", 0.15)]
)
def test_default_extinction_falls_with_the_sites_height(name, expected):
    site = site_named(name)
    k = VisibilityRules().extinction_at(site)
    assert k == expected == round(0.2 * math.exp(-site.elevation_m / 8000.0), 2)
    assert VisibilityRules(extinction_per_airmass=0).extinction_at(site) == 0.0
    assert VisibilityRules(extinction_per_airmass=0.45).extinction_at(site) == 0.45


@pytest.mark.parametrize("bad", [-0.1, 2.5, float("nan"), float("inf"), "0.2", True])
def test_extinction_out_of_range_is_refused(bad):
    with pytest.raises(OrbitsError, match="extinction"):
        VisibilityRules(extinction_per_airmass=bad)


# --------------------------------------------------------------------------
# pass magnitudes against an independent computation (Skyfield)
# --------------------------------------------------------------------------


def _skyfield_magnitudes(e, site, window, standard_magnitude, k):
    """Through the air and above it, every second over ``window``, from
    Skyfield's positions, the standard-magnitude model and the airmass above."""
    from skyfield.api import EarthSatellite, wgs84

    from orbits.ephemeris import ephemeris

    eph = ephemeris()
    start_s, end_s = to_posix(window.start.time), to_posix(window.end.time)
    t = skyfield_time(np.append(np.arange(start_s, end_s, 1.0), end_s))
    top = wgs84.latlon(site.latitude_deg, site.longitude_deg, elevation_m=site.elevation_m)
    sat = EarthSatellite(e.line1, e.line2)
    altitude, _, distance = (sat - top).at(t).altaz()
    sat_km, site_km = sat.at(t).position.km, top.at(t).position.km
    sun_km = (eph["sun"] - eph["earth"]).at(t).position.km
    to_sun, to_site = sun_km - sat_km, site_km - sat_km
    norms = np.linalg.norm(to_sun, axis=0) * np.linalg.norm(to_site, axis=0)
    cos_phase = (to_sun * to_site).sum(axis=0) / norms
    lit = (1.0 + cos_phase) / 2.0
    above = standard_magnitude - 15.75 + 2.5 * np.log10(distance.km**2 / lit)
    seen = above + k * np.array([kasten_young(a) for a in altitude.degrees])
    return seen, above


@pytest.mark.parametrize("site_name", ["islamabad", "gilgit"])  # 540 m and 1500 m
@pytest.mark.parametrize("k", [0.0, 0.5])
def test_pass_magnitudes_agree_with_skyfield_and_the_formula(mission, epoch_day, site_name, k):
    site = site_named(site_name)
    sets = [mission[48274], mission[25544]]  # Tiangong and the ISS: both have standard magnitudes
    prediction = predict_passes(sets, site, epoch_day, days=7, extinction_per_airmass=k)
    assert prediction.extinction_per_airmass == k
    checked = moved = 0
    for x in prediction.visible_passes:
        e = next(s for s in sets if s.norad_id == x.norad_id)
        std = standard_magnitude(e.norad_id)
        for w in x.windows:
            seen, above = _skyfield_magnitudes(e, site, w, std, k)
            best = int(np.argmin(seen))
            assert w.magnitude == pytest.approx(seen[best], abs=0.05)
            assert w.magnitude_above_atmosphere == pytest.approx(above[best], abs=0.05)
            # the brightest moment is chosen through the air: where the moment
            # brightest above the air is another, choosing it would miss by > 0.05
            moved += above.min() < above[best] - 0.05
            checked += 1
        assert x.magnitude == min(w.magnitude for w in x.windows)
    assert checked >= 8
    if k:
        assert moved >= 1  # some windows are brightest above the air at another moment


def test_extinction_dims_low_passes_more_than_high_ones(mission, epoch_day, islamabad):
    sets = [mission[48274], mission[25544]]
    off = predict_passes(sets, islamabad, epoch_day, days=7, extinction_per_airmass=0)
    default = predict_passes(sets, islamabad, epoch_day, days=7)
    assert default.extinction_per_airmass == 0.19 and off.extinction_per_airmass == 0.0
    loss = []
    for a, b in zip(off.visible_passes, default.visible_passes, strict=True):
        assert a.magnitude == a.magnitude_above_atmosphere
        # without extinction the brightest moment is the one brightest above the air
        assert b.magnitude_above_atmosphere >= a.magnitude_above_atmosphere - 0.01
        assert b.magnitude > b.magnitude_above_atmosphere
        loss.append((b.visible_window.peak.elevation_deg, b.magnitude - b.magnitude_above_atmosphere))
    loss.sort()
    # at least the zenith's 0.19; more for low passes than for high ones
    assert all(d >= 0.19 - 0.01 for _, d in loss)
    assert loss[0][1] > loss[-1][1]


def test_the_public_api_takes_and_reports_the_extinction(epoch_day):
    import orbits

    passes = orbits.predict_passes("tiangong", "gilgit", epoch_day, days=3)
    assert passes.prediction.extinction_per_airmass == 0.17  # Gilgit, 1,500 m
    assert passes and all(p.magnitude > p.magnitude_above_atmosphere for p in passes)
    assert "k=0.17 mag/airmass" in passes._repr_html_()
    records = passes.to_records()
    assert [r["magnitude_above_atmosphere"] for r in records] == [
        round(p.magnitude_above_atmosphere, 1) for p in passes
    ]
    off = orbits.predict_passes("tiangong", "gilgit", epoch_day, days=3, extinction_per_airmass=0)
    assert all(p.magnitude == p.magnitude_above_atmosphere for p in off)
    assert "without atmospheric extinction" in off._repr_html_()
    with pytest.raises(OrbitsError, match="out of range"):
        orbits.predict_passes("tiangong", "gilgit", epoch_day, days=3, extinction_per_airmass=5)


def test_sky_paths_dim_as_the_pass_table_does(mission, islamabad, epoch_day):
    """A sky chart's magnitudes along the path include the same extinction,
    so its brightest visible point is the table's."""
    from orbits.tracks import sky_path

    e = mission[48274]
    prediction = predict_passes([e], islamabad, epoch_day, days=7)
    w = prediction.visible_passes[0].visible_window
    path = sky_path(e, islamabad, w.start.time, w.end.time, step_s=1.0)
    lit = np.isfinite(path.magnitude)
    assert lit.all()
    k = 0.19
    assert path.magnitude == pytest.approx(
        path.magnitude_above_atmosphere + k * np.array([kasten_young(a) for a in path.elevation_deg]),
        abs=1e-9,
    )
    assert path.magnitude.min() == pytest.approx(w.magnitude, abs=0.05)
    plain = sky_path(e, islamabad, w.start.time, w.end.time, step_s=1.0, extinction_per_airmass=0)
    assert plain.magnitude == pytest.approx(path.magnitude_above_atmosphere, abs=1e-12)
