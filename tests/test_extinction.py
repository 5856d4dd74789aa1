"""Atmospheric extinction against the published formula and tables."""

import math

import numpy as np
import pytest

from orbits.extinction import airmass, extinction_coefficient, extinction_mag


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
