"""The engine at catalogue scale: a sample of the real CelesTrak catalogue
against a dense reference scan.  Skipped when ../shared/data is absent.
(Speed is measured in benchmarks/bench_catalogue.py, not here.)"""

from datetime import datetime, timezone

import numpy as np
import pytest

from orbits.passes import predict_passes
from orbits.positions import Tracker
from orbits.reading import load_elements
from orbits.times import to_posix

START = datetime(2026, 4, 10, tzinfo=timezone.utc)
STEP_S = 5.0


@pytest.fixture(scope="module")
def sample(shared_data):
    sets = load_elements(shared_data / "active-2026-04-10.tle")
    return sets[::50]  # 301 satellites of every kind: Starlink, SSO, MEO, GEO, HEO, decaying


def dense_runs(sets, site, t0, t1):
    """Every interval above 0 deg on a 5-s grid: {sat index: [(start_s, end_s, peak_deg)]}."""
    t = np.arange(t0, t1 + STEP_S / 2, STEP_S)
    look = Tracker(sets, site).look(t)
    el = np.where(look["error"] == 0, look["elevation_deg"], -90.0)
    runs = {}
    for k in range(len(sets)):
        up = el[k] > 0
        edges = np.flatnonzero(np.diff(up.astype(int))) + 1
        bounds = np.concatenate([[0] if up[0] else [], edges, [len(t)] if up[-1] else []]).astype(int)
        runs[k] = [(t[a], t[b - 1], el[k, a:b].max()) for a, b in zip(bounds[::2], bounds[1::2])]
    return runs


def test_no_pass_missed_against_a_dense_scan(sample, islamabad):
    prediction = predict_passes(sample, islamabad, START, days=1, workers=2)
    t0 = to_posix(START)
    runs = dense_runs(sample, islamabad, t0, t0 + 86400)
    by_id = {}
    for p in prediction.passes:
        by_id.setdefault(p.norad_id, []).append(
            (to_posix(p.rise.time), to_posix(p.set.time), p.culmination.elevation_deg)
        )
    found = total = 0
    for k, e in enumerate(sample):
        status = {r.norad_id: r.status for r in prediction.satellites}[e.norad_id]
        if status == "failed":
            continue
        if status == "always_above":  # GEO in view: up the whole window, no rise or set
            assert runs[k] == [(t0, t0 + 86400, runs[k][0][2])]
            continue
        ours = by_id.get(e.norad_id, [])
        for a, b, peak in runs[k]:
            total += 1
            match = [p for p in ours if p[0] <= b + STEP_S and p[1] >= a - STEP_S]
            assert match, (
                f"{e.name} ({e.norad_id}): dense scan sees a pass {a:.0f}-{b:.0f} peak {peak:.2f} deg"
            )
            assert max(p[2] for p in match) >= peak - 1e-3  # the refined peak is at least the sampled one
            found += 1
        # and every pass we list that peaks at 0.5 deg or more is in the dense scan
        for rise, set_, peak in ours:
            if peak >= 0.5 and set_ - rise > 2 * STEP_S:
                assert any(a <= set_ and b >= rise for a, b, _ in runs[k]), (e.name, rise, peak)
    assert total > 1000 and found == total
