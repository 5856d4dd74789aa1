"""The pass search's stages and the modules they stand on.

Screening and refinement are functions from named data to named data; the
bounds and constants have one home each, and data flows one way (the
bounds know nothing of the search; visibility does not import it)."""

import ast
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from orbits import bounds, constants
from orbits.positions import Tracker
from orbits.refinement import PassEvents, refine_events
from orbits.screening import Brackets, find_brackets, search_limits_s
from orbits.times import to_posix

ORBITS = Path(__file__).resolve().parents[1] / "orbits"


def _imports(module):
    tree = ast.parse((ORBITS / f"{module}.py").read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}


@pytest.mark.parametrize("module", ["bounds", "screening", "refinement", "visibility", "planes", "survey"])
def test_no_module_below_the_search_imports_it(module):
    assert "search" not in _imports(module)


def test_constants_have_one_home():
    """No module but constants.py spells a WGS84 or Earth constant's value,
    nor renames one on import."""
    values = (
        "6378.137",
        "6378.135",
        "298.257223563",
        "398600.4418",
        "7.2921159e-5",
        "398600.8",
        "0.001082616",
    )
    for path in ORBITS.glob("*.py"):
        if path.name == "constants.py":
            continue
        text = path.read_text()
        assert not any(v in text for v in values), path.name
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("constants", "sites"):
                assert all(alias.asname is None for alias in node.names), path.name


def test_derived_constants():
    assert constants.WGS84_POLAR_RADIUS_KM == pytest.approx(6356.752314, abs=1e-6)
    assert constants.DECAY_RADIUS_KM == constants.WGS84_A_KM + 80.0


def test_stages_give_named_frozen_data(mission, islamabad, epoch_day):
    sats = list(mission.values())
    start = to_posix(epoch_day)
    end = start + 86400.0
    tracker = Tracker(sats, islamabad)
    lo_s, hi_s = search_limits_s(sats, start, end)
    assert (lo_s < start).all() and (hi_s > end).all()
    found = find_brackets(tracker, start, end, lo_s, hi_s)
    assert isinstance(found, Brackets) and len(found.crossings) > 20 and len(found.peaks) > 10
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.samples = 0
    c = found.crossings
    assert ((c.above_a_deg < 0) != (c.above_b_deg < 0)).all()  # one sign change each
    assert ((c.cone_a_km < 0) == (c.above_a_deg < 0)).all()  # the cone height has elevation's sign
    events = refine_events(tracker, found)
    assert isinstance(events, PassEvents) and len(events) > 10
    assert (events.rise_s <= events.culmination_s).all() and (events.culmination_s <= events.set_s).all()
    # a narrower search, given as limits (as survey.py does for slices), finds a subset
    narrow = refine_events(tracker, find_brackets(tracker, start, end, np.full(len(sats), start), hi_s))
    assert 0 < len(narrow) <= len(events)
    for sat, set_s in zip(narrow.sat.tolist(), narrow.set_s.tolist(), strict=True):
        assert np.abs(events.set_s[events.sat == sat] - set_s).min() < 0.01


def test_cone_curvature_bound_reduces_to_the_plane_bound_at_horizon_0(mission):
    sats = list(mission.values())
    plane = np.array([bounds.curvature_bound_km_s2(e) for e in sats])
    assert (bounds.cone_curvature_bound_km_s2(sats, 6371.0, 0.0) == plane).all()
    assert (bounds.cone_curvature_bound_km_s2(sats, 6371.0, 10.0) > plane).all()
    look = {
        "up_km": np.array([100.0]),
        "range_km": np.array([1000.0]),
        "up_rate_km_s": np.array([1.0]),
        "range_rate_km_s": np.array([-2.0]),
    }
    w, rate = bounds.cone_height_km(look, 30.0)
    assert w[0] == pytest.approx(100.0 - 500.0) and rate[0] == pytest.approx(1.0 + 1.0)
    assert bounds.cone_floor_km(np.array([1000.0]), np.array([900.0]), np.array([10.0]), -30.0)[
        0
    ] == pytest.approx(-math.sin(math.radians(30.0)) * 1120.0)
