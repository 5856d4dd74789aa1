"""Pass predictions: the library API behind ``orbits passes``.

>>> from orbits import passes, sites, elements
>>> sets = elements.mission_elements()
>>> prediction = passes.predict_passes(sets, sites.site_named("islamabad"), start, days=7)
>>> [p for p in prediction.passes if p.visible]

Conventions: elevations are geometric (no refraction) from a WGS84 site;
times are timezone-aware UTC datetimes; a pass runs from rise to set at the
horizon (0 deg unless ``horizon_deg``), culmination is the highest point.
"""

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
from .times import from_posix, to_posix
from .visibility import VisibilityRules, visible_windows

__all__ = ["Event", "VisibleWindow", "Pass", "SatelliteReport", "Prediction",
           "predict_passes", "display_name", "stale_warning", "STALE_DAYS"]

#: Elements further than this from the prediction window draw a warning.
STALE_DAYS = 14.0


@dataclass(frozen=True)
class Event:
    """A moment of a pass: aware UTC ``time``, azimuth and elevation in degrees."""

    time: datetime
    azimuth_deg: float
    elevation_deg: float


@dataclass(frozen=True)
class VisibleWindow:
    """A stretch of a pass when the satellite can be seen.

    ``peak`` is its highest point; ``magnitude`` the brightest visual
    magnitude in it (None when the satellite has no standard magnitude).
    """

    start: Event
    peak: Event
    end: Event
    start_reason: str
    end_reason: str
    magnitude: float | None


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite over the site, from rise to set.

    ``starts_before_window``: the satellite was already up at the window
    start (``rise`` is its true rise if found within the search margin, else
    the window start).  ``ends_after_window``: likewise for the end.
    """

    norad_id: int
    name: str
    tle_epoch: datetime
    rise: Event
    culmination: Event
    set: Event
    windows: tuple = ()
    starts_before_window: bool = False
    ends_after_window: bool = False

    @property
    def visible(self):
        """True when some part of the pass can be seen (see :mod:`orbits.visibility`)."""
        return bool(self.windows)

    @property
    def visible_window(self):
        """The longest visible window, or None."""
        if not self.windows:
            return None
        return max(self.windows, key=lambda w: (w.end.time - w.start.time))

    @property
    def magnitude(self):
        """The brightest magnitude over the visible windows, or None."""
        values = [w.magnitude for w in self.windows if w.magnitude is not None]
        return min(values) if values else None

    @property
    def duration(self):
        """Rise to set, a :class:`datetime.timedelta`."""
        return self.set.time - self.rise.time


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
    """Everything ``predict_passes`` found, with the settings used."""

    site: object
    start: datetime
    end: datetime
    horizon_deg: float
    min_elevation_deg: float
    sun_altitude_deg: float
    passes: list = field(default_factory=list)
    satellites: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def visible_passes(self):
        """The passes with at least one visible window."""
        return [p for p in self.passes if p.visible]

    def brighter_than(self, magnitude):
        """A copy keeping the visible passes at least this bright (visual
        magnitude <= ``magnitude``).  Satellites with no known standard
        magnitude cannot be judged: their passes are left out and a warning
        says how many."""
        keep = [p for p in self.passes if p.visible and p.magnitude is not None and p.magnitude <= magnitude]
        unknown = sum(1 for p in self.passes if p.visible and p.magnitude is None)
        note = (f"{unknown} visible pass{'es' if unknown != 1 else ''} of satellites with no known standard "
                f"magnitude left out by the brightness limit {magnitude:g}") if unknown else None
        return replace(self, passes=keep, warnings=self.warnings + ([note] if note else []))


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
    settings = (site, start_s, end_s, float(horizon_deg), rules)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(elements) >= 200 else 1
    chunks = _split(elements, max(1, workers) * 4 if workers > 1 else 1)
    passes, reports = [], []
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_predict_chunk, chunk, settings) for chunk in chunks]
            for done, future in enumerate(futures, 1):
                p, r = future.result()
                passes += p
                reports += r
                if progress:
                    progress(done, len(chunks))
    else:
        for done, chunk in enumerate(chunks, 1):
            p, r = _predict_chunk(chunk, settings)
            passes += p
            reports += r
            if progress:
                progress(done, len(chunks))
    passes.sort(key=lambda p: (p.rise.time, p.norad_id))
    prediction = Prediction(site, from_posix(start_s), from_posix(end_s), float(horizon_deg),
                            rules.min_elevation_deg, rules.sun_altitude_deg, passes, reports)
    prediction.warnings = _warnings(elements, prediction)
    return prediction


def _split(elements, parts):
    """Split into ``parts`` chunks of similar work (sorted by grid cost)."""
    if parts <= 1:
        return [elements] if elements else []
    order = sorted(elements, key=lambda e: e.mean_motion_rev_per_day)
    return [c for c in (order[k::parts] for k in range(parts)) if c]


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
    """Search, refine and judge visibility for one chunk of satellites."""
    site, start_s, end_s, horizon_deg, rules = settings
    if not elements:
        return [], []
    sky = SkyTable(start_s - 7 * 3600.0, end_s + 7 * 3600.0)
    search = PassSearch(elements, site, start_s, end_s, horizon_deg, sky).run()
    tracker = search.tracker
    keep = [k for k, p in enumerate(search.passes) if p[2] is not None]
    raw = [search.passes[k] for k in keep]
    sat = np.array([p[0] for p in raw], dtype=int)
    rise = np.array([p[1] if p[4] else max(p[1], start_s) for p in raw], dtype=float)
    culm = np.array([p[2] for p in raw], dtype=float)
    set_ = np.array([p[3] if p[5] else min(p[3], end_s) for p in raw], dtype=float)
    std = [_standard_magnitude(e) for e in elements]
    windows = visible_windows(tracker, rules, sat, rise, set_, std, search.peak_el[keep])
    # Rise, culmination, set and every visible-window edge, in one evaluation.
    n = len(raw)
    edge_sat = [s for k, (s, *_) in enumerate(raw) for w in windows[k] for _ in (0, 1)]
    edge_t = [w[key] for k in range(n) for w in windows[k] for key in ("start_s", "end_s")]
    times = np.concatenate([rise, culm, set_, np.array(edge_t, float)])
    look = tracker.look(times, np.concatenate([sat, sat, sat, np.array(edge_sat, int)])) if n else None

    def event(k):
        return Event(from_posix(times[k]), round(float(look["azimuth_deg"][k]), 3),
                     round(float(look["elevation_deg"][k]), 4) + 0.0)  # no -0.0

    passes = []
    j = 3 * n  # index of the next window edge in ``times``
    for k, (s, _, _, _, rise_known, set_known) in enumerate(raw):
        e = elements[s]
        culmination = event(n + k)
        found = []
        for w in windows[k]:
            inside = w["start_s"] <= culm[k] <= w["end_s"]
            start_ev, end_ev = event(j), event(j + 1)
            j += 2
            peak = culmination if inside else max(start_ev, end_ev, key=lambda x: x.elevation_deg)
            found.append(VisibleWindow(start_ev, peak, end_ev, w["start_reason"], w["end_reason"],
                                       w["magnitude"]))
        passes.append(Pass(e.norad_id, display_name(e), e.epoch, event(k), culmination,
                           event(2 * n + k), tuple(found),
                           starts_before_window=bool(rise[k] < start_s or not rise_known),
                           ends_after_window=bool(set_[k] > end_s or not set_known)))
    return passes, _reports(search, passes)


def _reports(search, passes):
    reports = []
    start = np.array([search.start_s])
    first = search.tracker.look(start)  # every satellite at the window start
    lat, lon, _ = subpoint(first["r_ef"])
    by_id = {}
    for p in passes:
        by_id.setdefault(p.norad_id, []).append(p)
    for k, e in enumerate(search.elements):
        mine = by_id.get(e.norad_id, [])
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
        elif mine:
            status = "passes"
        elif search.up_at_lo[k] and search.el_min[k] >= search.horizon_deg:
            status = "always_above"
        else:
            status = "never_rises"
        has_range = np.isfinite(search.el_min[k])
        reports.append(SatelliteReport(
            e.norad_id, display_name(e), e.orbit_class, e.epoch, status, len(mine),
            sum(p.visible for p in mine),
            (round(float(search.az_min[k]), 3), round(float(search.az_max[k]), 3)) if has_range else (),
            (round(float(search.el_min[k]), 3), round(float(search.el_max[k]), 3)) if has_range else (),
            round(float(lon[k, 0]), 3) if first["error"][k, 0] == 0 else None,
            usable_until, message, e.source))
    return reports
