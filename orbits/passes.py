"""Pass predictions: the library API behind ``orbits passes``.

>>> from orbits import passes, sites, elements
>>> sets = elements.mission_elements()
>>> prediction = passes.predict_passes(sets, sites.site_named("islamabad"), start, days=7)
>>> [p for p in prediction.passes if p.visible]

Conventions: elevations are geometric (no refraction) from a WGS84 site;
times are timezone-aware UTC datetimes; a pass runs from rise to set at the
horizon (0 deg unless ``horizon_deg``), culmination is the highest point.
"""

import functools
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import SGP4_ERRORS

from .catalog import display_name, known_by_id
from .ephemeris import SkyTable
from .errors import OrbitsError
from .frames import subpoint
from .search import PassSearch
from .table import Event, Pass, PassTable, VisibleWindow
from .times import from_posix, to_posix
from .visibility import VisibilityRules, visible_windows

__all__ = ["Event", "VisibleWindow", "Pass", "PassTable", "SatelliteReport", "Prediction",
           "predict_passes", "display_name", "stale_warning", "STALE_DAYS"]

#: Elements further than this from the prediction window draw a warning.
STALE_DAYS = 14.0


@dataclass(frozen=True)
class SatelliteReport:
    """What the prediction found for one satellite as a whole.

    ``status`` is ``"passes"``, ``"always_above"`` (e.g. a geostationary
    satellite in view: no rises or sets), ``"never_rises"`` or ``"failed"``
    (the elements cannot be propagated over the window).  Angles are the
    ranges seen over the window, in degrees; ``longitude_deg`` is the
    sub-satellite longitude at the window start (a GEO satellite's slot).
    ``source`` says where the elements came from (file, bundled snapshot or
    cache query with its fetch time).
    """

    norad_id: int
    name: str
    orbit_class: str
    tle_epoch: datetime
    status: str
    pass_count: int = 0
    visible_count: int = 0
    azimuth_deg: tuple = ()
    elevation_deg: tuple = ()
    longitude_deg: float | None = None
    usable_until: datetime | None = None
    message: str = ""
    source: str = ""


@dataclass
class Prediction:
    """Everything ``predict_passes`` found, with the settings used.

    ``table`` holds the passes as columns (a :class:`~orbits.table.PassTable`
    in time order, its ``sat`` column indexing ``elements``); ``passes``
    gives them as :class:`Pass` objects, built on first use.
    """

    site: object
    start: datetime
    end: datetime
    horizon_deg: float
    min_elevation_deg: float
    sun_altitude_deg: float
    table: PassTable = field(default_factory=PassTable.empty)
    elements: list = field(default_factory=list)
    satellites: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @functools.cached_property
    def passes(self):
        """Every pass, in time order (a list of :class:`Pass`)."""
        return self.table.to_passes(self.elements)

    @property
    def visible_passes(self):
        """The passes with at least one visible window."""
        return [p for p in self.passes if p.visible]

    def brighter_than(self, magnitude):
        """A copy keeping the visible passes at least this bright (visual
        magnitude <= ``magnitude``).  Satellites with no known standard
        magnitude cannot be judged: their passes are left out and a warning
        says how many."""
        visible = self.table.window_count() > 0
        mag = self.table.magnitude()
        unknown = int((visible & np.isnan(mag)).sum())
        note = (f"{unknown} visible pass{'es' if unknown != 1 else ''} of satellites with no known standard "
                f"magnitude left out by the brightness limit {magnitude:g}") if unknown else None
        with np.errstate(invalid="ignore"):
            keep = visible & (mag <= magnitude)
        return replace(self, table=self.table.take(keep), warnings=self.warnings + ([note] if note else []))


def _standard_magnitude(elements):
    known = known_by_id(elements.norad_id)
    return known.standard_magnitude if known is not None else None


def predict_passes(elements, site, start, end=None, *, days=7.0, horizon_deg=0.0,
                   min_elevation_deg=10.0, sun_altitude_deg=-6.0, workers=None, progress=None):
    """Predict every pass of ``elements`` over ``site`` between ``start`` and ``end``.

    ``start``/``end`` are aware datetimes (``end`` defaults to ``start +
    days``).  ``workers`` processes share the satellites (default: up to 2
    when there are many satellites).  ``progress(done, total)`` is called as
    satellite chunks finish.  Returns a :class:`Prediction`.
    """
    elements = list(elements)
    start_s = to_posix(start)
    end_s = to_posix(end) if end is not None else start_s + float(days) * 86400.0
    if not end_s > start_s:
        raise OrbitsError("the prediction window is empty: the end must come after the start")
    if not -5.0 <= horizon_deg < 90.0:
        raise OrbitsError(f"horizon {horizon_deg} deg is out of range (-5 to 90)")
    rules = VisibilityRules(min_elevation_deg, sun_altitude_deg)
    # The Sun and UT1 table, once for every worker (margins as in the search).
    sky = SkyTable(start_s - 7 * 3600.0, end_s + 7 * 3600.0) if elements else None
    settings = (site, start_s, end_s, float(horizon_deg), rules, sky)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(elements) >= 200 else 1
    chunks = _split(elements, max(1, workers) * 4 if workers > 1 else 1)
    tables, reports = [None] * len(chunks), [None] * len(chunks)

    def collect(k, result):
        tables[k], reports[k] = result
        if progress:
            progress(sum(t is not None for t in tables), len(chunks))

    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_predict_chunk, [elements[i] for i in chunk], settings) for chunk in chunks]
            for k, future in enumerate(futures):
                collect(k, future.result())
    else:
        for k, chunk in enumerate(chunks):
            collect(k, _predict_chunk([elements[i] for i in chunk], settings))
    table = PassTable.join(tables, chunks).in_time_order()
    order = np.argsort(np.concatenate(chunks)) if chunks else []
    reports = [r for part in reports for r in part]
    prediction = Prediction(site, from_posix(start_s), from_posix(end_s), float(horizon_deg),
                            rules.min_elevation_deg, rules.sun_altitude_deg, table, elements,
                            [reports[k] for k in order])
    prediction.warnings = _warnings(elements, prediction)
    return prediction


def _split(elements, parts):
    """Split the indices of ``elements`` into ``parts`` chunks of similar work
    (dealt out in order of mean motion)."""
    if not elements:
        return []
    if parts <= 1:
        return [np.arange(len(elements))]
    order = np.argsort([e.mean_motion_rev_per_day for e in elements], kind="stable")
    return [c for c in (order[k::parts] for k in range(parts)) if len(c)]


def stale_warning(elements, start, end):
    """One line about element sets further than ``STALE_DAYS`` from ``[start, end]``, or None."""
    stale = []
    for e in elements:
        age = max(abs(e.age_days(start)), abs(e.age_days(end)))
        if age > STALE_DAYS:
            stale.append((age, e))
    if not stale:
        return None
    ages = sorted(age for age, _ in stale)
    span = f"{ages[0]:.0f}" if ages[-1] - ages[0] < 1 else f"{ages[0]:.0f} to {ages[-1]:.0f}"
    names = ", ".join(display_name(e) for _, e in stale[:6]) + (" ..." if len(stale) > 6 else "")
    geo = any(e.orbit_class == "GEO" for _, e in stale)
    return (f"elements of {len(stale)} satellite{'s' if len(stale) > 1 else ''} ({names}) are "
            f"{span} days from the prediction window (more than {STALE_DAYS:g}): expect errors of "
            f"minutes for low orbits{' and a drifting slot for GEO (station-keeping is not in old elements)' if geo else ''}; "
            "run 'orbits tle update'")


def _warnings(elements, prediction):
    stale = stale_warning(elements, prediction.start, prediction.end)
    out = [stale] if stale else []
    for r in prediction.satellites:
        if r.status == "failed" or r.usable_until is not None:
            out.append(f"{r.name} ({r.norad_id}): {r.message}")
    return out


def _predict_chunk(elements, settings):
    """Search, refine and judge visibility for one chunk of satellites.

    Returns a :class:`PassTable` (``sat`` indexes ``elements``) and the
    list of :class:`SatelliteReport`.
    """
    site, start_s, end_s, horizon_deg, rules, sky = settings
    if not elements:
        return PassTable.empty(), []
    search = PassSearch(elements, site, start_s, end_s, horizon_deg, sky).run()
    tracker = search.tracker
    sat, culm, rise_known, set_known = search.sat, search.culmination_s, search.rise_known, search.set_known
    rise = np.where(rise_known, search.rise_s, np.maximum(search.rise_s, start_s))
    set_ = np.where(set_known, search.set_s, np.minimum(search.set_s, end_s))
    std = [_standard_magnitude(e) for e in elements]
    w = visible_windows(tracker, rules, sat, rise, set_, std, search.peak_el)
    # A window's peak is the culmination when it holds it, else its higher end
    # (elevation has one maximum per pass between rise and set).
    owner = w["pass"]
    holds = (w["start_s"] <= culm[owner]) & (culm[owner] <= w["end_s"])
    # Rise, culmination, set and every window edge, in one evaluation.
    n, m = len(sat), len(owner)
    times = np.concatenate([rise, culm, set_, w["start_s"], w["end_s"]])
    look = tracker.look(times, np.concatenate([sat, sat, sat, sat[owner], sat[owner]])) \
        if n else {"azimuth_deg": times, "elevation_deg": times}
    az = np.round(look["azimuth_deg"], 3)
    el = np.round(look["elevation_deg"], 4) + 0.0  # no -0.0
    passes = {"sat": sat, "norad_id": np.array([elements[s].norad_id for s in sat.tolist()], dtype=int),
              "starts_before": (rise < start_s) | ~rise_known, "ends_after": (set_ > end_s) | ~set_known}
    for k, name in enumerate(("rise", "culmination", "set")):
        part = slice(k * n, (k + 1) * n)
        passes.update({f"{name}_s": times[part], f"{name}_az": az[part], f"{name}_el": el[part]})
    windows = {"pass": owner, "start_reason": w["start_reason"], "end_reason": w["end_reason"],
               "magnitude": w["magnitude"]}
    for k, name in enumerate(("start", "end")):
        part = slice(3 * n + k * m, 3 * n + (k + 1) * m)
        windows.update({f"{name}_s": times[part], f"{name}_az": az[part], f"{name}_el": el[part]})
    higher_end = np.where(windows["end_el"] > windows["start_el"], "end", "start")
    for col in ("s", "az", "el"):
        ends = np.where(higher_end == "end", windows[f"end_{col}"], windows[f"start_{col}"])
        windows[f"peak_{col}"] = np.where(holds, passes[f"culmination_{col}"][owner], ends)
    table = PassTable(passes, windows)
    return table, _reports(search, table)


def _reports(search, table):
    reports = []
    start = np.array([search.start_s])
    first = search.tracker.look(start)  # every satellite at the window start
    lat, lon, _ = subpoint(first["r_ef"])
    count = np.bincount(table.passes["sat"].astype(int), minlength=len(search.elements))
    visible = np.bincount(table.passes["sat"].astype(int), weights=table.window_count() > 0,
                          minlength=len(search.elements))
    for k, e in enumerate(search.elements):
        usable_until, message = None, ""
        code = int(search.fail_code[k])
        if np.isfinite(search.fail_s[k]):
            usable_until = from_posix(search.fail_s[k])
            why = SGP4_ERRORS.get(code, "the computed orbit is below 80 km: it has re-entered")
            decayed = code in (6, 99)
            message = (f"{'the satellite has decayed' if decayed else 'the elements are unusable'} "
                       f"after {usable_until:%Y-%m-%d %H:%M} UTC (SGP4: {why}); no predictions after that")
        if np.isfinite(search.fail_s[k]) and search.fail_s[k] <= search.start_s:
            status = "failed"
        elif count[k]:
            status = "passes"
        elif search.up_at_lo[k] and search.el_min[k] >= search.horizon_deg:
            status = "always_above"
        else:
            status = "never_rises"
        has_range = np.isfinite(search.el_min[k])
        reports.append(SatelliteReport(
            e.norad_id, display_name(e), e.orbit_class, e.epoch, status, int(count[k]), int(visible[k]),
            (round(float(search.az_min[k]), 3), round(float(search.az_max[k]), 3)) if has_range else (),
            (round(float(search.el_min[k]), 3), round(float(search.el_max[k]), 3)) if has_range else (),
            round(float(lon[k, 0]), 3) if first["error"][k, 0] == 0 else None,
            usable_until, message, e.source))
    return reports
