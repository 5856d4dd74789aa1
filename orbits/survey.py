"""One unit of work: a chunk of satellites over one slice of time.

:func:`survey` runs the whole pipeline for it (search, culminations,
visibility, the look angles of every event) and returns the passes that
*rise* in the slice as a :class:`~orbits.table.PassTable`, with a
:class:`Summary` of each satellite over the slice.  Long windows are cut
into slices so that memory stays bounded and results can be written while
later slices are computed (see :mod:`orbits.passes`).

A pass rising near a slice's end is followed past it until it sets: the
search reaches beyond the slice by a bound on how long a pass of that orbit
can last.  Orbits whose passes may last for hours (high or near-synchronous
ones) are not sliced: they are surveyed over the whole window at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bounds import margin_s, pass_duration_bound_s
from .catalog import known_by_id
from .frames import subpoint
from .positions import Tracker
from .refinement import PassEvents, refine_events
from .screening import find_brackets, search_limits_s
from .table import PassTable
from .uncertainty import features_of, take_features, time_bound_s
from .visibility import visible_windows

# pass_duration_bound_s lives in orbits.bounds; orbits.passes takes it from here.
__all__ = ["Job", "survey", "Summary", "pass_duration_bound_s", "event_uncertainty_s"]


@dataclass(frozen=True)
class Job:
    """What :func:`survey` needs besides the satellites (times in POSIX s).

    ``sites``: the sites surveyed (each with its own horizon, see
    :meth:`~orbits.sites.Site.horizon`; ``horizon_deg`` is the default),
    ``site_index`` their numbers in the prediction's list of sites.
    Passes rising in ``[slice_start_s, slice_end_s)`` are kept (in the first
    slice also those in progress at its start; in the last, those rising at
    its end).  ``start_s``/``end_s`` is the whole prediction window, which
    decides the "in progress" flags and where unknown ends are cut.
    """

    sites: tuple
    start_s: float
    end_s: float
    slice_start_s: float
    slice_end_s: float
    horizon_deg: float
    rules: object
    sky: object
    site_index: tuple = (0,)

    @property
    def first(self):
        return self.slice_start_s <= self.start_s

    @property
    def last(self):
        return self.slice_end_s >= self.end_s


@dataclass
class Summary:
    """Per-satellite facts over a slice (arrays, one entry per satellite).

    ``fail_s``/``fail_code``: first time SGP4 failed (inf/0 if never);
    ``up_at_start``: above the horizon at the slice start; ``el_min`` ...
    ``az_max``: ranges over the grid samples in the slice (inf/-inf when
    none); ``longitude_deg``: sub-satellite longitude at the window start,
    in the first slice only (NaN otherwise, or when it cannot be propagated).
    """

    fail_s: np.ndarray
    fail_code: np.ndarray
    up_at_start: np.ndarray
    el_min: np.ndarray
    el_max: np.ndarray
    az_min: np.ndarray
    az_max: np.ndarray
    longitude_deg: np.ndarray

    @classmethod
    def merge(cls, earlier, later):
        """The summary of two consecutive slices of the same satellites."""
        fail = later.fail_s < earlier.fail_s
        return cls(
            np.where(fail, later.fail_s, earlier.fail_s),
            np.where(fail, later.fail_code, earlier.fail_code),
            earlier.up_at_start,
            np.minimum(earlier.el_min, later.el_min),
            np.maximum(earlier.el_max, later.el_max),
            np.minimum(earlier.az_min, later.az_min),
            np.maximum(earlier.az_max, later.az_max),
            earlier.longitude_deg,
        )

    @classmethod
    def concatenate(cls, parts):
        """One summary of the satellites of ``parts``, one after the other."""
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__))

    @classmethod
    def join(cls, parts, sat_maps, n):
        """One summary of ``n`` satellites from parts covering ``sat_maps``."""
        out = cls(
            np.full(n, np.inf),
            np.zeros(n, int),
            np.zeros(n, bool),
            np.full(n, np.inf),
            np.full(n, -np.inf),
            np.full(n, np.inf),
            np.full(n, -np.inf),
            np.full(n, np.nan),
        )
        for part, rows in zip(parts, sat_maps, strict=True):
            for f in cls.__dataclass_fields__:
                getattr(out, f)[rows] = getattr(part, f)
        return out


def event_uncertainty_s(elements, sat, seconds):
    """The time uncertainty (s, see :mod:`orbits.uncertainty`) of events of
    satellites ``elements[sat]`` at POSIX ``seconds``, rounded up to 0.1 s."""
    if not len(sat):
        return np.zeros(0)
    sat = np.asarray(sat, dtype=int)
    epoch_s = np.array([e.epoch.timestamp() for e in elements])[sat]
    bound = time_bound_s((np.asarray(seconds) - epoch_s) / 86400.0, take_features(features_of(elements), sat))
    return np.ceil(bound * 10.0) / 10.0


def _standard_magnitude(elements):
    known = known_by_id(elements.norad_id)
    return known.standard_magnitude if known is not None else None


def survey(elements: list, job: Job) -> tuple[PassTable, Summary]:
    """Passes of ``elements`` rising in ``job``'s slice over each of its
    sites, and their :class:`Summary`.

    The table's ``sat`` column indexes ``elements``, its ``site`` column
    holds ``job.site_index``'s entries; the summary has one entry per site
    and satellite, site after site (``len(job.sites) * len(elements)``).
    The satellites are propagated by one set of SGP4 models for all sites.  The search covers the
    slice widened by :func:`~orbits.bounds.margin_s`, except that it starts
    at the slice's start after the first slice (passes in progress there
    belong to the slice before), and before the last slice it reaches
    forward by the longest a pass can last if that is more
    (:func:`~orbits.bounds.pass_duration_bound_s`: a pass rising before the
    slice's end is followed until it sets).
    """
    if not elements:
        return PassTable.empty(), Summary.join([], [], 0)
    shared = Tracker(elements, None, job.sky)
    lon = np.full(len(elements), np.nan)
    if job.first:  # the slot longitude is reported at the window start only
        first = shared.teme(np.array([job.slice_start_s]))
        r_ef, _ = shared.earth_fixed(np.array([job.slice_start_s]), first[1])
        lon = np.where(first[0][:, 0] == 0, subpoint(r_ef)[1][:, 0], np.nan)
    tables, summaries = [], []
    for index, site in zip(job.site_index, job.sites, strict=True):
        table, summary = _survey_site(elements, job, shared.at(site), site.horizon(job.horizon_deg), lon)
        table.passes["site"] = np.full(len(table), index, dtype=int)
        tables.append(table)
        summaries.append(summary)
    if len(tables) == 1:
        return tables[0], summaries[0]
    return PassTable.join(tables), Summary.concatenate(summaries)


def _survey_site(elements, job, tracker, horizon, lon):
    """:func:`survey` at one site (``tracker``'s), with its ``horizon``."""
    lo_s, hi_s = search_limits_s(elements, job.slice_start_s, job.slice_end_s)
    if not job.first:
        lo_s = np.full(len(elements), job.slice_start_s)
    if not job.last:
        reach = [max(margin_s(e), pass_duration_bound_s(e, horizon.lowest_deg)) for e in elements]
        hi_s = job.slice_end_s + np.array(reach)
    brackets = find_brackets(tracker, job.slice_start_s, job.slice_end_s, lo_s, hi_s, horizon=horizon)
    events = refine_events(tracker, brackets)
    keep = events.rise_s < job.slice_end_s if not job.last else np.ones(len(events.sat), bool)
    if not job.first:
        keep &= events.rise_known & (events.rise_s >= job.slice_start_s)
    table = _table(elements, job, tracker, events, np.flatnonzero(keep))
    summary = Summary(
        brackets.fail_s,
        brackets.fail_code,
        brackets.up_at_lo,
        brackets.el_min_deg,
        brackets.el_max_deg,
        brackets.az_min_deg,
        brackets.az_max_deg,
        lon,
    )
    return table, summary


def _table(elements, job, tracker, events: PassEvents, rows):
    """The kept passes ``rows`` of ``events`` with their visible windows, as a table."""
    sat, culm = events.sat[rows], events.culmination_s[rows]
    rise_known, set_known = events.rise_known[rows], events.set_known[rows]
    rise = np.where(rise_known, events.rise_s[rows], np.maximum(events.rise_s[rows], job.start_s))
    set_ = np.where(set_known, events.set_s[rows], np.minimum(events.set_s[rows], job.end_s))
    std = [_standard_magnitude(e) for e in elements]
    w = visible_windows(tracker, job.rules, sat, rise, set_, std, events.peak_el_deg[rows])
    # A window's peak is the culmination when it holds it, else its higher end
    # (elevation has one maximum per pass between rise and set).
    owner = w["pass"]
    holds = (w["start_s"] <= culm[owner]) & (culm[owner] <= w["end_s"])
    # Rise, culmination, set and every window edge.  The search has the
    # angles of known rises, sets and most culminations from its last Newton
    # steps; the rest are evaluated here, at once.
    n, m = len(sat), len(owner)
    times = np.concatenate([rise, culm, set_, w["start_s"], w["end_s"]])
    unknown = np.full(2 * m, np.nan)
    az = np.concatenate(
        [events.rise_angles[0][rows], events.culmination_az_deg[rows], events.set_angles[0][rows], unknown]
    )
    el = np.concatenate(
        [events.rise_angles[1][rows], events.peak_el_deg[rows], events.set_angles[1][rows], unknown]
    )
    need = np.flatnonzero(np.isnan(az))
    if len(need):
        look = tracker.look(times[need], np.concatenate([sat, sat, sat, sat[owner], sat[owner]])[need])
        az[need], el[need] = look["azimuth_deg"], look["elevation_deg"]
    az = np.round(az, 3)
    el = np.round(el, 4) + 0.0  # no -0.0
    passes = {
        "sat": sat,
        "norad_id": np.array([elements[s].norad_id for s in sat.tolist()], dtype=int),
        "starts_before": (rise < job.start_s) | ~rise_known,
        "ends_after": (set_ > job.end_s) | ~set_known,
        "time_unc_s": event_uncertainty_s(elements, sat, culm),
    }
    for k, name in enumerate(("rise", "culmination", "set")):
        part = slice(k * n, (k + 1) * n)
        passes.update({f"{name}_s": times[part], f"{name}_az": az[part], f"{name}_el": el[part]})
    windows = {
        "pass": owner,
        "start_reason": w["start_reason"],
        "end_reason": w["end_reason"],
        "magnitude": w["magnitude"],
        "magnitude_above_atmosphere": w["magnitude_above_atmosphere"],
    }
    for k, name in enumerate(("start", "end")):
        part = slice(3 * n + k * m, 3 * n + (k + 1) * m)
        windows.update({f"{name}_s": times[part], f"{name}_az": az[part], f"{name}_el": el[part]})
    higher_end = windows["end_el"] > windows["start_el"]
    for col in ("s", "az", "el"):
        ends = np.where(higher_end, windows[f"end_{col}"], windows[f"start_{col}"])
        windows[f"peak_{col}"] = np.where(holds, passes[f"culmination_{col}"][owner], ends)
    return PassTable(passes, windows)
