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
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from sgp4.api import SGP4_ERRORS

from .catalog import display_name
from .ephemeris import SkyTable
from .errors import OrbitsError
from .freshness import nominal_slot, too_old_line, trusts
from .survey import Job, Summary, pass_duration_bound_s, survey
from .table import Event, Pass, PassTable, VisibleWindow
from .times import check_covered, format_duration, from_posix, to_posix
from .visibility import VisibilityRules

__all__ = ["Event", "VisibleWindow", "Pass", "PassTable", "PassStream", "SatelliteReport", "Prediction",
           "predict_passes", "display_name"]


@dataclass(frozen=True)
class SatelliteReport:
    """What the prediction found for one satellite as a whole.

    ``status`` is ``"passes"``, ``"always_above"`` (e.g. a geostationary
    satellite in view: no rises or sets), ``"never_rises"``, ``"failed"``
    (the elements cannot be propagated over the window) or
    ``"elements_too_old"`` (its time uncertainty over the window exceeds
    :func:`~orbits.freshness.meaningful_limit_s`: no passes are given).
    ``slot_longitude_deg`` is a station-kept geostationary satellite's
    nominal slot, ``on_nominal_slot`` true when the satellite was placed on
    it (its elements being too old: see :func:`~orbits.freshness.on_slots`).
    ``time_uncertainty_s`` and ``position_uncertainty_km`` are the 90%
    bounds at the window's instant nearest the epoch (see
    :class:`~orbits.freshness.Trust`).  Angles are the
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
    age_days: float = 0.0
    time_uncertainty_s: float = 0.0
    position_uncertainty_km: float = 0.0
    slot_longitude_deg: float | None = None
    on_nominal_slot: bool = False


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

    @functools.cached_property
    def visible_passes(self):
        """The passes with at least one visible window (built without the others)."""
        return self.table.take(self.table.window_count() > 0).to_passes(self.elements)

    def brighter_than(self, magnitude):
        """A copy keeping the visible passes at least this bright (visual
        magnitude <= ``magnitude``).  Satellites with no known standard
        magnitude cannot be judged: their passes are left out and a warning
        says how many."""
        table, unknown = self.table.brighter_than(magnitude)
        note = _brightness_note(unknown, magnitude)
        return replace(self, table=table, warnings=self.warnings + ([note] if note else []))


def _brightness_note(unknown, magnitude):
    if not unknown:
        return None
    return (f"{unknown} visible pass{'es' if unknown != 1 else ''} of satellites with no known standard "
            f"magnitude left out by the brightness limit {magnitude:g}")


#: Long windows are predicted slice by slice, so memory stays bounded and
#: output can be written while later slices are computed.  A slice holds
#: about this many satellite-days of work (a day of a 15,000-satellite
#: catalogue; a single slice for a few satellites, whose slices would only
#: add overhead), and lasts at least a day.
SLICE_SATELLITE_DAYS = 15_000.0
#: Orbits whose passes may last longer than this (s) are not sliced: they
#: are surveyed over the whole window at once (MEO, GEO, HEO).
LONGEST_SLICED_PASS_S = 6 * 3600.0


class PassStream:
    """A prediction computed one time slice after another (see :mod:`orbits.survey`).

    Iterating gives one :class:`~orbits.table.PassTable` per slice, in time
    order (its ``sat`` column indexes ``elements``); then :meth:`finish`
    gives the :class:`Prediction` with the satellites' reports and the
    warnings (its table is the one passed in, empty by default).  Arguments
    as for :func:`predict_passes`; ``slice_s`` overrides the slice length
    (see :data:`SLICE_SATELLITE_DAYS`), ``brighter_than`` keeps only visible
    passes at least that bright (see :meth:`Prediction.brighter_than`).
    ``withhold`` (default True) leaves out passes whose time uncertainty
    exceeds :func:`~orbits.freshness.meaningful_limit_s`, and does not
    search at all for satellites whose elements are already too old at the
    window (their report says ``"elements_too_old"``).
    """

    def __init__(self, elements, site, start, end=None, *, days=7.0, horizon_deg=0.0,
                 min_elevation_deg=10.0, sun_altitude_deg=-6.0, workers=None, progress=None,
                 slice_s=None, brighter_than=None, withhold=True):
        self.elements = list(elements)
        self.site = site
        self.start_s = to_posix(start)
        self.end_s = to_posix(end) if end is not None else self.start_s + float(days) * 86400.0
        if not self.end_s > self.start_s:
            raise OrbitsError("the prediction window is empty: the end must come after the start")
        check_covered(from_posix(self.start_s), from_posix(self.end_s))
        if not -5.0 <= horizon_deg < 90.0:
            raise OrbitsError(f"horizon {horizon_deg} deg is out of range (-5 to 90)")
        self.horizon_deg = float(horizon_deg)
        self.rules = VisibilityRules(min_elevation_deg, sun_altitude_deg)
        self.progress = progress
        self.brighter_than = brighter_than
        self._unjudged = 0  # visible passes left out by brighter_than for want of a magnitude
        n = len(self.elements)
        self.trusts = trusts(self.elements, from_posix(self.start_s), from_posix(self.end_s))
        self.withhold = withhold
        self.too_old = np.array([withhold and t.too_old for t in self.trusts], dtype=bool)
        self.limit_s = np.array([t.limit_s if withhold else np.inf for t in self.trusts])
        self.withheld = np.zeros(n, dtype=int)  # passes left out by their uncertainty
        self.workers = workers if workers is not None else (min(2, os.cpu_count() or 1) if n >= 200 else 1)
        if slice_s is None:
            slice_s = 86400.0 * max(1.0, SLICE_SATELLITE_DAYS / max(n, 1))
        edges = list(np.arange(self.start_s, self.end_s, float(slice_s))) + [self.end_s]
        self.slices = list(zip(edges[:-1], edges[1:]))
        # One slice: every satellite is "sliced" (its slice is the window).
        sliced = np.array([len(self.slices) == 1 or pass_duration_bound_s(e, horizon_deg) <= LONGEST_SLICED_PASS_S
                           for e in self.elements], dtype=bool)
        parts = max(1, self.workers) * 4 if self.workers > 1 else 1
        self._whole = _split(self.elements, np.flatnonzero(~sliced & ~self.too_old), parts)
        self._sliced = _split(self.elements, np.flatnonzero(sliced & ~self.too_old), parts)
        self.counts = np.zeros(n, dtype=int)
        self.visible_counts = np.zeros(n, dtype=int)
        self.peak_el = np.full(n, -np.inf)  # the highest culmination of each satellite
        self._jobs_left = np.zeros(n, dtype=int)
        self._reports = [None] * n  # each built as the satellite's last job comes in
        self._fresh = []            # (index, report) built since finished_reports() last ran
        self._finished = None
        self._done = self._total = 0

    def _jobs(self):
        """(slice index, chunk, satellite indices, Job) in the order they are needed."""
        sky = SkyTable(self.start_s - 7 * 3600.0, self.end_s + 7 * 3600.0)

        def job(lo, hi):
            return Job(self.site, self.start_s, self.end_s, lo, hi, self.horizon_deg, self.rules, sky)
        whole = [(-1, c, rows, job(self.start_s, self.end_s)) for c, rows in enumerate(self._whole)]
        return whole + [(k, len(self._whole) + c, rows, job(lo, hi))
                        for k, (lo, hi) in enumerate(self.slices) for c, rows in enumerate(self._sliced)]

    def __iter__(self):
        """One table per slice, in time order."""
        tables = []
        for part in self.parts():
            if part is not None:
                tables.append(part)
                continue
            yield PassTable.join(tables).in_time_order()
            tables = []

    def parts(self, present=None):
        """The passes as they are computed: a table per finished chunk of a
        slice (in no particular order), then None when the slice is complete.
        Consumers that can work on parts (formatting, say) need not wait.

        ``present(table, elements)``, if given (a picklable function, e.g. a
        module-level one), is run on each part where it was computed, in the
        worker processes, so presentation shares the cores; parts then come
        as ``(table, present(table, elements))`` pairs.
        """
        jobs = self._jobs()
        self._total = len(jobs)
        for job in jobs:
            self._jobs_left[job[2]] += 1
        if not jobs:
            return
        keep = _Keep(self.limit_s, self.brighter_than)
        if self.workers > 1 and len(jobs) > 1:
            # Each worker gets the element sets once, at its start.
            pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_start_worker,
                                       initargs=(self.elements,))
            try:
                yield from self._parts(jobs, lambda rows, job: pool.submit(_survey_rows, rows, job, keep, present),
                                       lambda f: f.result(), keep, present)
            except BaseException:  # an error, Ctrl-C, a signal, or the consumer stopped: stop the workers now
                workers = list((getattr(pool, "_processes", None) or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for process in workers:
                    process.terminate()
                for process in workers:
                    process.join(5)
                raise
            pool.shutdown(wait=False, cancel_futures=True)  # the workers wind down while the caller goes on
        else:
            yield from self._parts(jobs, lambda rows, job: (rows, job),
                                   lambda a: _survey(self.elements, a[0], a[1], keep, present), keep, present)

    def _parts(self, jobs, start, result, keep, present):
        """Start jobs two slices ahead of the one being delivered; yield parts as they finish."""
        pending, summaries = {}, {}
        queue = list(jobs)

        def launch(until):
            while queue and queue[0][0] <= until:
                k, chunk, rows, job = queue.pop(0)
                pending.setdefault(k, []).append((chunk, rows, start(rows, job)))

        def collect(k):
            for chunk, rows, handle in pending.pop(k, []):
                table, summary, shown = result(handle)
                self._done += 1
                if self.progress:
                    self.progress(self._done, self._total)
                earlier = summaries.get(chunk)
                summary = Summary.merge(earlier[1], summary) if earlier else summary
                summaries[chunk] = (rows, summary)
                table, withheld = keep.trusted(table)
                np.add.at(self.withheld, withheld, 1)
                self._count(table)
                self._jobs_left[rows] -= 1  # a chunk's satellites share all their jobs
                if not self._jobs_left[rows].any():
                    self._report(rows, summary)
                yield table, shown

        def part(table, shown=None):
            table, unknown = keep.bright(table)
            self._unjudged += unknown
            if present is None:
                return table
            return table, (shown if shown is not None else present(table, self.elements))

        launch(1)
        # Satellites surveyed over the whole window at once: their passes
        # are held and handed out with the slice they rise in.
        held = PassTable.join([table for table, _ in collect(-1)])
        for k in range(len(self.slices)):
            launch(k + 2)
            last = k == len(self.slices) - 1
            due = np.ones(len(held), bool) if last else held.passes["rise_s"] < self.slices[k][1]
            yield part(held.take(due))
            for table, shown in collect(k):
                yield part(table, shown)
            held = held.take(~due)
            yield None

    def _count(self, table):
        """Count a part's passes per satellite (before the brightness limit)."""
        sat = table.passes["sat"].astype(int)
        np.add.at(self.counts, sat, 1)
        np.add.at(self.visible_counts, sat, table.window_count() > 0)
        np.maximum.at(self.peak_el, sat, table.passes["culmination_el"])

    def _report(self, rows, summary):
        """Reports of satellites ``rows`` whose jobs are all done (``summary``: theirs, merged)."""
        for i, r in zip(rows.tolist(), _reports(self.elements, rows, summary, self.counts,
                                                self.visible_counts, self.peak_el, self.start_s, self.horizon_deg,
                                                self.trusts, self.too_old | ((self.counts == 0) & (self.withheld > 0)))):
            self._reports[i] = r
            self._fresh.append((i, r))

    def finished_reports(self):
        """``(index, SatelliteReport)`` pairs completed since the last call
        (reports are built as each satellite's last job comes in), so a
        consumer can present them while the rest is computed."""
        fresh, self._fresh = self._fresh, []
        return fresh

    def settings(self):
        """A :class:`Prediction` with the settings only (no passes or reports yet)."""
        return Prediction(self.site, from_posix(self.start_s), from_posix(self.end_s), self.horizon_deg,
                          self.rules.min_elevation_deg, self.rules.sun_altitude_deg, elements=self.elements)

    def finish(self, table=None):
        """The :class:`Prediction` (after iterating), holding ``table`` if given."""
        if self._finished is not None and table is None:
            return self._finished
        missing = np.array([r is None for r in self._reports], dtype=bool)
        if missing.any():  # not computed (an empty window, or not iterated)
            rows = np.flatnonzero(missing)
            self._report(rows, Summary.join([], [], len(rows)))
        prediction = Prediction(self.site, from_posix(self.start_s), from_posix(self.end_s), self.horizon_deg,
                                self.rules.min_elevation_deg, self.rules.sun_altitude_deg,
                                table if table is not None else PassTable.empty(), self.elements,
                                list(self._reports))
        note = _brightness_note(self._unjudged, self.brighter_than)
        prediction.warnings = _warnings(self, prediction) + ([note] if note else [])
        self._finished = prediction
        return prediction


# Worker processes keep the element sets they were started with (set once,
# by the pool's initializer, in the worker only), so jobs send indices.
_worker_elements = []


def _start_worker(elements):
    # A worker ends at once on a termination signal (the parent, which also
    # gets one, cleans up); it inherits the command line's handlers under fork.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _worker_elements[:] = elements


def _survey_rows(rows, job, keep, present):
    return _survey(_worker_elements, rows, job, keep, present)


def _survey(elements, rows, job, keep, present):
    """Survey ``elements[rows]``: the (whole) table, its sat column indexing
    ``elements``, the summary, and ``present`` of the table that ``keep``
    keeps (None without ``present``)."""
    table, summary = survey([elements[i] for i in rows], job)
    table = PassTable.join([table], [rows])
    shown = present(keep(table), elements) if present is not None else None
    return table, summary, shown


@dataclass(frozen=True)
class _Keep:
    """Which passes a prediction shows: those whose time uncertainty is
    within their satellite's limit (``limit_s``, indexed by the table's
    ``sat``), and with ``brighter_than``, the visible ones at least that
    bright.  Called on a table, it returns the passes kept;
    :meth:`trusted` and :meth:`bright` apply one rule each and say what
    they left out.

    The uncertainty limit applies before passes are counted, the brightness
    limit after (satellites' reports count every pass that can be timed)."""

    limit_s: np.ndarray
    brighter_than: float | None = None

    def __call__(self, table):
        return self.bright(self.trusted(table)[0])[0]

    def trusted(self, table):
        """(the passes within their uncertainty limit, ``sat`` of each one withheld)."""
        over = table.passes["time_unc_s"] > self.limit_s[table.passes["sat"].astype(int)]
        return (table.take(~over) if over.any() else table), table.passes["sat"][over].astype(int)

    def bright(self, table):
        """(the passes the brightness limit keeps, visible passes it could not judge)."""
        if self.brighter_than is None:
            return table, 0
        return table.brighter_than(self.brighter_than)


def predict_passes(elements, site, start, end=None, *, days=7.0, horizon_deg=0.0,
                   min_elevation_deg=10.0, sun_altitude_deg=-6.0, workers=None, progress=None, withhold=True):
    """Predict every pass of ``elements`` over ``site`` between ``start`` and ``end``.

    ``start``/``end`` are aware datetimes (``end`` defaults to ``start +
    days``).  ``workers`` processes share the satellites (default: up to 2
    when there are many satellites).  ``progress(done, total)`` is called as
    chunks of work finish.  ``withhold`` (default True) leaves out passes
    whose elements are too old to time them (see :class:`PassStream`).
    Returns a :class:`Prediction`; for very large outputs,
    :class:`PassStream` gives the passes slice by slice.
    """
    stream = PassStream(elements, site, start, end, days=days, horizon_deg=horizon_deg,
                        min_elevation_deg=min_elevation_deg, sun_altitude_deg=sun_altitude_deg,
                        workers=workers, progress=progress, withhold=withhold)
    return stream.finish(PassTable.join(stream))


def _split(elements, index, parts):
    """Split ``index`` (positions in ``elements``) into ``parts`` chunks of
    similar work (dealt out in order of mean motion)."""
    if not len(index):
        return []
    order = np.argsort([elements[i].mean_motion_rev_per_day for i in index], kind="stable")
    return [index[c] for c in (order[k::parts] for k in range(parts)) if len(c)]


def _warnings(stream, prediction):
    out = []
    line = too_old_line([t for t, old in zip(stream.trusts, stream.too_old.tolist()) if old])
    if line:
        out.append(line)
    late = [(n, e) for n, e in zip(stream.withheld.tolist(), stream.elements) if n]
    if late:
        names = ", ".join(f"{display_name(e)} ({n})" for n, e in late[:6]) + (" ..." if len(late) > 6 else "")
        out.append(f"{sum(n for n, _ in late)} later passes withheld, their elements too old by then to time "
                   f"them: {names}; 'orbits tle update' fetches fresh ones, '--stale' lists them anyway")
    for r in prediction.satellites:
        if r.status == "failed" or r.usable_until is not None:
            out.append(f"{r.name} ({r.norad_id}): {r.message}")
    return out


def _reports(elements, rows, summary, counts, visible_counts, peak_el, start_s, horizon_deg, trusts, too_old):
    """A :class:`SatelliteReport` for each satellite ``elements[rows]`` from
    their merged slice ``summary``, their entries in the pass counts and
    highest culminations (elevation ranges from the search grid, topped by
    the refined culminations), their :class:`~orbits.freshness.Trust` and
    whether they are too old to search."""
    counts, visible_counts, peak_el = counts[rows], visible_counts[rows], peak_el[rows]
    has_range = np.isfinite(summary.el_min).tolist()

    def rounded(values):  # Python's correctly rounded round(), as elsewhere in the output
        return [round(x, 3) if x == x else None for x in values.tolist()]
    az_min, az_max = rounded(summary.az_min), rounded(summary.az_max)
    el_min, el_max = rounded(summary.el_min), rounded(np.maximum(summary.el_max, peak_el))
    lon = rounded(summary.longitude_deg)
    failed = np.isfinite(summary.fail_s)
    status = np.where(too_old[rows], "elements_too_old",
                      np.where(failed & (summary.fail_s <= start_s), "failed",
                               np.where(counts > 0, "passes",
                                        np.where(summary.up_at_start & (summary.el_min >= horizon_deg),
                                                 "always_above", "never_rises")))).tolist()
    reports = []
    for k, i in enumerate(rows.tolist()):
        e, t = elements[i], trusts[i]
        usable_until, message = None, ""
        if status[k] == "elements_too_old":
            message = (f"elements {t.age_days:.0f} days from the window: times uncertain by "
                       f"±{format_duration(t.time_uncertainty_s)} (limit ±{format_duration(t.limit_s)}); "
                       f"no passes given")
        if failed[k]:
            usable_until = from_posix(summary.fail_s[k])
            code = int(summary.fail_code[k])
            why = SGP4_ERRORS.get(code, "the computed orbit is below 80 km: it has re-entered")
            decayed = code in (6, 99)
            message = (f"{'the satellite has decayed' if decayed else 'the elements are unusable'} "
                       f"after {usable_until:%Y-%m-%d %H:%M} UTC (SGP4: {why}); no predictions after that")
        reports.append(SatelliteReport(
            e.norad_id, display_name(e), e.orbit_class, e.epoch, status[k], int(counts[k]), int(visible_counts[k]),
            (az_min[k], az_max[k]) if has_range[k] else (), (el_min[k], el_max[k]) if has_range[k] else (),
            lon[k], usable_until, message, e.source, round(t.age_days, 3), round(t.time_uncertainty_s, 1),
            round(t.position_uncertainty_km, 1), nominal_slot(e), t.on_slot))
    return reports
