"""Pass predictions: the library API behind ``orbits passes``.

>>> from orbits import passes, sites, elements
>>> sets = elements.mission_elements()
>>> prediction = passes.predict_passes(sets, sites.site_named("islamabad"), start, days=7)
>>> [p for p in prediction.passes if p.visible]

Conventions: elevations are geometric (no refraction) from a WGS84 site;
times are timezone-aware UTC datetimes; a pass runs from rise to set at the
horizon (0 deg unless ``horizon_deg``), culmination is the highest point.

A prediction is computed by three parts that :class:`PassStream` composes:

* :class:`Plan`: the time slices, the chunks of satellites and the jobs
  (a chunk over a slice, see :mod:`orbits.survey`) in the order needed;
* :class:`Executor`: runs the jobs here or in worker processes and delivers
  their results slice by slice;
* :class:`Tally`: adds the results up as they arrive (pass counts, passes
  withheld, each satellite's report once its last job is in).

What is shown is decided by :class:`PassFilter` (the uncertainty and
brightness limits).  Presentation may run where the passes are computed
through an *encoder* (see :meth:`PassStream.parts`); the engine knows
nothing else of it.
"""

import functools
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

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

__all__ = [
    "Event",
    "VisibleWindow",
    "Pass",
    "PassTable",
    "PassStream",
    "SatelliteReport",
    "Prediction",
    "predict_passes",
    "display_name",
    "Encoder",
    "Plan",
    "PlannedJob",
    "Outcome",
    "Executor",
    "Tally",
    "PassFilter",
]


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
    cache query with its fetch time).  ``site`` names the site the report
    is for (a prediction over several sites has one report per site and
    satellite).
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
    site: str = ""


@dataclass
class Prediction:
    """Everything ``predict_passes`` found, with the settings used.

    ``table`` holds the passes as columns (a :class:`~orbits.table.PassTable`
    site by site, each in time order, its ``sat`` column indexing
    ``elements``, its ``site`` column ``sites``); ``passes`` gives them as
    :class:`Pass` objects, built on first use.  ``site`` is the first of
    ``sites``; ``satellites`` has a report per site and satellite, site
    after site; ``extinctions`` the extinction at each site.
    ``extinction_per_airmass`` is the atmospheric extinction the magnitudes
    include (mag per airmass at the site; 0 when switched off: see
    :class:`~orbits.visibility.VisibilityRules`).
    """

    site: object
    start: datetime
    end: datetime
    horizon_deg: float
    min_elevation_deg: float
    sun_altitude_deg: float
    extinction_per_airmass: float
    table: PassTable = field(default_factory=PassTable.empty)
    elements: list = field(default_factory=list)
    satellites: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    extinctions: list = field(default_factory=list)

    def __post_init__(self):
        if not self.sites:
            self.sites = [self.site]
        if not self.extinctions:
            self.extinctions = [self.extinction_per_airmass] * len(self.sites)

    @functools.cached_property
    def passes(self) -> list[Pass]:
        """Every pass, site by site in time order (a list of :class:`Pass`)."""
        return self.table.to_passes(self.elements, self.sites)

    @functools.cached_property
    def visible_passes(self) -> list[Pass]:
        """The passes with at least one visible window (built without the others)."""
        return self.table.take(self.table.window_count() > 0).to_passes(self.elements, self.sites)

    def for_site(self, index: int) -> "Prediction":
        """The part of this prediction seen from ``sites[index]`` alone."""
        n = len(self.elements)
        reports = self.satellites
        if len(reports) > n:
            reports = reports[index * n : (index + 1) * n]
        table = self.table.take(self.table.passes["site"] == index)
        table.passes["site"] = np.zeros(len(table), dtype=int)
        site, k = self.sites[index], self.extinctions[index]
        return replace(
            self,
            site=site,
            sites=[site],
            extinctions=[k],
            extinction_per_airmass=k,
            table=table,
            satellites=reports,
        )

    def brighter_than(self, magnitude: float) -> "Prediction":
        """A copy keeping the visible passes at least this bright (visual
        magnitude <= ``magnitude``).  Satellites with no known standard
        magnitude cannot be judged: their passes are left out and a warning
        says how many."""
        table, unknown = self.table.brighter_than(magnitude)
        note = _brightness_note(unknown, magnitude)
        return replace(self, table=table, warnings=self.warnings + ([note] if note else []))


def _brightness_note(unknown, magnitude):
    """The warning for ``unknown`` visible passes the brightness limit could not judge, or None."""
    if not unknown:
        return None
    return (
        f"{unknown} visible pass{'es' if unknown != 1 else ''} of satellites with no known standard "
        f"magnitude left out by the brightness limit {magnitude:g}"
    )


class Encoder(Protocol):
    """What :meth:`PassStream.parts` accepts to present the passes where they
    are computed (e.g. :class:`orbits.records.PassEncoder`, JSON texts).

    It must be picklable (a module-level class with plain attributes): it is
    sent to the worker processes with the jobs.  ``encode`` gets the passes
    of one part, after the filters, and the element sets its ``sat`` column
    indexes; what it returns must pickle too and is handed back with the
    part.  It also runs in this process, on the passes of orbits surveyed
    over the whole window (held back until the slice they rise in).
    """

    def encode(self, table: PassTable, elements: list) -> object: ...


#: Long windows are predicted slice by slice, so memory stays bounded and
#: output can be written while later slices are computed.  A slice holds
#: about this many satellite-days of work (a day of a 15,000-satellite
#: catalogue; a single slice for a few satellites, whose slices would only
#: add overhead), and lasts at least a day.
SLICE_SATELLITE_DAYS = 15_000.0
#: Orbits whose passes may last longer than this (s) are not sliced: they
#: are surveyed over the whole window at once (MEO, GEO, HEO).
LONGEST_SLICED_PASS_S = 6 * 3600.0
#: Over several sites, a job holds at least this many satellites when there
#: are that many (about 0.05 s of work a site): see :class:`Plan`.
NETWORK_CHUNK = 500
#: The slice index of jobs over the whole window (orbits not sliced).
WHOLE_WINDOW = -1


@dataclass(frozen=True)
class PlannedJob:
    """One job of a :class:`Plan`: satellites ``rows`` (indices into the
    element sets; chunk number ``chunk``) over slice ``slice_index``
    (:data:`WHOLE_WINDOW` for the whole window), seen from site number
    ``site``; ``unit`` numbers the (site, slice) it is delivered with."""

    slice_index: int
    chunk: int
    rows: np.ndarray
    job: Job
    site: int = 0
    unit: int = 0

    @property
    def keys(self) -> np.ndarray:
        """The (site, satellite) rows of the job in a :class:`Tally`: ``site * n + rows``."""
        return self._n * self.site + self.rows

    _n: int = 0


class Plan:
    """What a prediction computes, and in which order.

    ``slices``: ``(start_s, end_s)`` POSIX-second pairs covering the window
    (``slice_s`` long; by default sized by :data:`SLICE_SATELLITE_DAYS`).
    Satellites are dealt into chunks of similar work, several per worker so
    that the workers finish together; those whose passes may outlast
    :data:`LONGEST_SLICED_PASS_S` are surveyed over the whole window at once.
    Satellites marked in ``skip`` (elements too old) are not searched at all.

    Over several ``sites`` (a list), each site's jobs come one site after
    another: results are delivered by *unit*, a (site, slice) pair, the
    units in :attr:`units` order, so memory stays bounded by one site's
    slice however many sites there are.
    """

    def __init__(
        self,
        elements: list,
        sites,
        start_s: float,
        end_s: float,
        horizon_deg: float,
        rules: VisibilityRules,
        skip: np.ndarray,
        workers: int,
        slice_s: float | None = None,
    ):
        self.sites = list(sites) if isinstance(sites, (list, tuple)) else [sites]
        self.site = self.sites[0]
        self.start_s, self.end_s = start_s, end_s
        self.horizon_deg, self.rules = horizon_deg, rules
        self.n = n = len(elements)
        lowest = min(site.horizon(horizon_deg).lowest_deg for site in self.sites)
        if slice_s is None:
            slice_s = 86400.0 * max(1.0, SLICE_SATELLITE_DAYS / max(n, 1))
        edges = list(np.arange(start_s, end_s, float(slice_s))) + [end_s]
        self.slices = list(zip(edges[:-1], edges[1:], strict=True))
        # One slice: every satellite is "sliced" (its slice is the window).
        sliced = np.array(
            [
                len(self.slices) == 1 or pass_duration_bound_s(e, lowest) <= LONGEST_SLICED_PASS_S
                for e in elements
            ],
            dtype=bool,
        )
        parts = workers * 4 if workers > 1 else 1
        whole, cut = np.flatnonzero(~sliced & ~skip), np.flatnonzero(sliced & ~skip)
        if len(self.sites) > 1:
            # Over many sites the workers share out the (site, slice) units, so
            # a unit need not be cut finer than NETWORK_CHUNK satellites a job:
            # fewer, larger jobs cost a cluster's scheduler less.
            parts = min(parts, max(1, -(-max(len(whole), len(cut)) // NETWORK_CHUNK)))
        self.whole_chunks = _split(elements, whole, parts)
        self.sliced_chunks = _split(elements, cut, parts)

    @property
    def slice_indices(self) -> list[int]:
        """The slices in the order results are delivered: the whole window first."""
        return [WHOLE_WINDOW, *range(len(self.slices))]

    @property
    def units(self) -> list[tuple[int, int]]:
        """``(site, slice_index)`` in the order results are delivered: site
        after site, each as :attr:`slice_indices`; their positions in this
        list are the jobs' ``unit``."""
        return [(s, k) for s in range(len(self.sites)) for k in self.slice_indices]

    def jobs(self) -> list[PlannedJob]:
        """Every job, in the order needed: site after site, the whole-window
        ones, then slice by slice."""
        sky = SkyTable(self.start_s - 7 * 3600.0, self.end_s + 7 * 3600.0)
        per_site = len(self.slices) + 1
        out = []
        for s, site in enumerate(self.sites):

            def job(lo, hi, site=site, s=s):
                return Job((site,), self.start_s, self.end_s, lo, hi, self.horizon_deg, self.rules, sky, (s,))

            out += [
                PlannedJob(WHOLE_WINDOW, c, rows, job(self.start_s, self.end_s), s, s * per_site, self.n)
                for c, rows in enumerate(self.whole_chunks)
            ]
            first = len(self.whole_chunks)
            out += [
                PlannedJob(k, first + c, rows, job(lo, hi), s, s * per_site + k + 1, self.n)
                for k, (lo, hi) in enumerate(self.slices)
                for c, rows in enumerate(self.sliced_chunks)
            ]
        return out


@dataclass(frozen=True)
class Outcome:
    """A job's result: its passes (``sat`` indexing all the element sets),
    the :class:`~orbits.survey.Summary` of its satellites, and what the
    encoder made of the passes the filter keeps (None without one)."""

    table: PassTable
    summary: Summary
    encoded: object = None


class Executor:
    """Runs a plan's jobs, in this process or in ``workers`` processes, and
    delivers their results slice by slice in plan order.

    Jobs are started :attr:`AHEAD` slices ahead of the one being delivered,
    so the workers stay busy while the consumer writes.  Used as a context
    manager: leaving it by any exception (an error, Ctrl-C, a signal made an
    exception, or ``GeneratorExit`` when the consumer stops early) terminates
    the worker processes at once; a normal exit lets them wind down while
    the caller goes on.  Workers get the element sets once, at their start,
    and each job as a call of a module-level function with picklable
    arguments, so any start method (fork, spawn) works.
    """

    #: How many slices ahead of the one delivered jobs are started.
    AHEAD = 2

    def __init__(
        self,
        elements: list,
        jobs: list[PlannedJob],
        workers: int,
        keep: "PassFilter",
        encoder: Encoder | None = None,
    ):
        self.elements, self.jobs, self.keep, self.encoder = elements, jobs, keep, encoder
        self.pool = None
        if workers > 1 and len(jobs) > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=workers, initializer=_start_worker, initargs=(elements,)
            )

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, kind, value, traceback):
        if self.pool is None:
            return
        if kind is None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            return
        workers = list((getattr(self.pool, "_processes", None) or {}).values())
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(3)
            if process.is_alive():  # still starting up, or deaf to SIGTERM
                process.kill()
                process.join(1)
        # With the workers gone the pool's manager thread ends at once; it is
        # joined here (for a bounded time: its own clean-up can block on a pipe
        # no worker reads) so that the interpreter's exit does not trip over it.
        self.pool.shutdown(wait=False, cancel_futures=True)
        manager = getattr(self.pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(5)

    def deliver(self, units: int):
        """For each unit (a (site, slice), see :attr:`Plan.units`) in turn,
        ``(unit, results)``: ``results`` yields ``(PlannedJob, Outcome)``
        for that unit's jobs, in plan order."""
        queue, pending = deque(self.jobs), {}
        for u in range(units):
            while queue and queue[0].unit <= u + self.AHEAD:
                planned = queue.popleft()
                pending.setdefault(planned.unit, []).append((planned, self._start(planned)))
            yield u, self._results(pending.pop(u, []))

    def _start(self, planned):
        # Whole-window passes are encoded after they are held (see PassStream.parts), not here.
        encoder = self.encoder if planned.slice_index != WHOLE_WINDOW else None
        if self.pool is None:
            return planned, encoder
        return self.pool.submit(_run_job, planned.rows, planned.job, self.keep, encoder)

    def _results(self, started):
        for planned, handle in started:
            if self.pool is None:
                yield planned, compute_job(self.elements, planned.rows, planned.job, self.keep, handle[1])
            else:
                yield planned, handle.result()


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


def _run_job(rows, job, keep, encoder):
    """A job in a worker process (see :func:`compute_job`)."""
    return compute_job(_worker_elements, rows, job, keep, encoder)


def compute_job(elements, rows, job, keep, encoder):
    """Survey ``elements[rows]`` over ``job``: an :class:`Outcome` whose
    table's ``sat`` column indexes ``elements``, with ``encoder``'s
    encoding of the passes ``keep`` keeps."""
    table, summary = survey([elements[i] for i in rows], job)
    table = PassTable.join([table], [rows])
    return Outcome(table, summary, encoder.encode(keep(table), elements) if encoder is not None else None)


@dataclass(frozen=True)
class PassFilter:
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

    def __call__(self, table: PassTable) -> PassTable:
        return self.bright(self.trusted(table)[0])[0]

    def trusted(self, table: PassTable) -> tuple[PassTable, np.ndarray]:
        """(the passes within their uncertainty limit, ``sat`` of each one withheld)."""
        over = table.passes["time_unc_s"] > self.limit_s[table.passes["sat"].astype(int)]
        return (table.take(~over) if over.any() else table), table.passes["sat"][over].astype(int)

    def bright(self, table: PassTable) -> tuple[PassTable, int]:
        """(the passes the brightness limit keeps, visible passes it could not judge)."""
        if self.brighter_than is None:
            return table, 0
        return table.brighter_than(self.brighter_than)


class Tally:
    """What the results add up to, as they arrive.

    Per site and satellite (arrays indexed ``site * n + satellite``, ``n``
    the element sets; over one site, like the element sets): ``counts`` and
    ``visible_counts`` of the passes that can be timed, ``peak_el_deg`` the
    highest culmination, ``withheld`` the passes left out by their
    uncertainty; ``unjudged`` counts the visible passes the brightness limit
    could not judge.  Each chunk's summaries are merged slice after slice,
    and a satellite's :class:`SatelliteReport` is built as its last job
    comes in.  ``progress(done, total)`` is called after each job.
    """

    def __init__(
        self,
        elements: list,
        trusts: list,
        too_old: np.ndarray,
        start_s: float,
        horizon_deg: float,
        progress=None,
        sites=None,
    ):
        self.sites = list(sites) if sites is not None else [None]
        self.n = len(elements)
        n = self.n * len(self.sites)
        self.elements, self.trusts, self.too_old = elements, trusts, too_old
        self.start_s, self.horizon_deg, self.progress = start_s, horizon_deg, progress
        # the lowest limit of each site's horizon, for "always above"
        self.lowest_deg = [
            site.horizon(horizon_deg).lowest_deg if site is not None else horizon_deg for site in self.sites
        ]
        self.counts = np.zeros(n, dtype=int)
        self.visible_counts = np.zeros(n, dtype=int)
        self.peak_el_deg = np.full(n, -np.inf)
        self.withheld = np.zeros(n, dtype=int)
        self.unjudged = 0
        self._jobs_left = np.zeros(n, dtype=int)
        self._summaries = {}  # chunk -> its summary, merged over the slices so far
        self._reports = [None] * n
        self._known = {}  # per satellite, what its reports say at every site
        self._fresh = []  # (index, report) built since finished_reports() last ran
        self._done = self._total = 0

    def expect(self, jobs: list[PlannedJob]) -> None:
        """Count the jobs each satellite waits for."""
        self._total = len(jobs)
        for planned in jobs:
            self._jobs_left[planned.keys] += 1

    def add(self, planned: PlannedJob, table: PassTable, summary: Summary, withheld: np.ndarray) -> None:
        """A job's result: ``table`` the passes that can be timed, ``withheld``
        the ``sat`` of each pass left out by its uncertainty."""
        self._done += 1
        if self.progress:
            self.progress(self._done, self._total)
        key = (planned.site, planned.chunk)
        earlier = self._summaries.get(key)
        summary = Summary.merge(earlier, summary) if earlier is not None else summary
        self._summaries[key] = summary
        offset = self.n * planned.site
        np.add.at(self.withheld, offset + withheld, 1)
        sat = offset + table.passes["sat"].astype(int)
        np.add.at(self.counts, sat, 1)
        np.add.at(self.visible_counts, sat, table.window_count() > 0)
        np.maximum.at(self.peak_el_deg, sat, table.passes["culmination_el"])
        keys = planned.keys
        self._jobs_left[keys] -= 1  # a chunk's satellites share all their jobs
        if not self._jobs_left[keys].any():
            self._report(keys, summary)

    def _report(self, keys, summary):
        """Reports of (site, satellite) ``keys`` whose jobs are all done
        (``summary``: theirs, merged)."""
        too_old = self._too_old_keys(keys)
        reports = _reports(
            self.elements,
            keys,
            summary,
            self.counts,
            self.visible_counts,
            self.peak_el_deg,
            self.start_s,
            self.lowest_deg,
            self.trusts,
            too_old,
            self.sites,
            self._known,
        )
        for i, r in zip(keys.tolist(), reports, strict=True):
            self._reports[i] = r
            self._fresh.append((i, r))

    def _too_old_keys(self, keys):
        """Too old to time, per (site, satellite) key: a full-length array
        with ``keys`` filled in (the elements too old at the window, or every
        pass withheld)."""
        out = np.zeros(len(self.counts), dtype=bool)
        out[keys] = self.too_old[keys % max(self.n, 1)] | (
            (self.counts[keys] == 0) & (self.withheld[keys] > 0)
        )
        return out

    def finished_reports(self) -> list[tuple[int, SatelliteReport]]:
        """``(index, SatelliteReport)`` pairs completed since the last call."""
        fresh, self._fresh = self._fresh, []
        return fresh

    def reports(self) -> list[SatelliteReport]:
        """Every satellite's report; those never computed (an empty window, or
        a stream not read) as from a survey that found nothing."""
        missing = np.array([r is None for r in self._reports], dtype=bool)
        if missing.any():
            rows = np.flatnonzero(missing)
            self._report(rows, Summary.join([], [], len(rows)))
        return list(self._reports)

    def warnings(self, reports: list[SatelliteReport]) -> list[str]:
        """Elements too old for the window, passes withheld, and satellites
        whose elements failed or decayed."""
        out = []
        line = too_old_line([t for t, old in zip(self.trusts, self.too_old.tolist(), strict=True) if old])
        if line:
            out.append(line)
        withheld = self.withheld.reshape(len(self.sites), self.n).sum(axis=0)
        late = [(n, e) for n, e in zip(withheld.tolist(), self.elements, strict=True) if n]
        if late:
            names = ", ".join(f"{display_name(e)} ({n})" for n, e in late[:6])
            names += " ..." if len(late) > 6 else ""
            out.append(
                f"{sum(n for n, _ in late)} later passes withheld, their elements too old by then to "
                f"time them: {names}; 'orbits tle update' fetches fresh ones, '--stale' lists them "
                f"anyway"
            )
        told = set()
        for r in reports:
            if r.status == "failed" or r.usable_until is not None:
                line = f"{r.name} ({r.norad_id}): {r.message}"
                if line not in told:  # once, not once per site
                    told.add(line)
                    out.append(line)
        return out


class PassStream:
    """A prediction computed one time slice after another.

    Iterating gives one :class:`~orbits.table.PassTable` per slice, in time
    order (its ``sat`` column indexes ``elements``); :meth:`parts` gives the
    passes as they are computed, optionally encoded in the workers; then
    :meth:`finish` gives the :class:`Prediction` with the satellites'
    reports and the warnings (its table is the one passed in, empty by
    default).  Arguments as for :func:`predict_passes`; ``slice_s``
    overrides the slice length (see :data:`SLICE_SATELLITE_DAYS`),
    ``brighter_than`` keeps only visible passes at least that bright (see
    :meth:`Prediction.brighter_than`).  ``extinction_per_airmass``: the
    atmospheric extinction in the magnitudes (None: the site's clear-sky
    default, 0: none; see :class:`~orbits.visibility.VisibilityRules`).
    ``withhold`` (default True) leaves
    out passes whose time uncertainty exceeds
    :func:`~orbits.freshness.meaningful_limit_s`, and does not search at all
    for satellites whose elements are already too old at the window (their
    report says ``"elements_too_old"``).

    ``site`` is one site or a list of them (a network: each pass carries its
    site, the passes come site after site).  ``executor``, if given, runs
    the jobs instead of the local :class:`Executor`: called as
    ``executor(elements, jobs, keep, encoder)``, it returns a context
    manager with :meth:`Executor.deliver` (e.g.
    :class:`orbits.cluster.DaskExecutor`).
    """

    def __init__(
        self,
        elements: list,
        site,
        start: datetime,
        end: datetime | None = None,
        *,
        days: float = 7.0,
        horizon_deg: float = 0.0,
        min_elevation_deg: float = 10.0,
        sun_altitude_deg: float = -6.0,
        workers: int | None = None,
        progress=None,
        slice_s: float | None = None,
        brighter_than: float | None = None,
        withhold: bool = True,
        executor=None,
        extinction_per_airmass: float | None = None,
    ):
        self.executor = executor
        self.elements = list(elements)
        self.sites = _site_list(site)
        self.site = self.sites[0]
        self.start_s = to_posix(start)
        self.end_s = to_posix(end) if end is not None else self.start_s + float(days) * 86400.0
        if not self.end_s > self.start_s:
            raise OrbitsError("the prediction window is empty: the end must come after the start")
        check_covered(from_posix(self.start_s), from_posix(self.end_s))
        if not -5.0 <= horizon_deg < 90.0:
            raise OrbitsError(f"horizon {horizon_deg} deg is out of range (-5 to 90)")
        self.horizon_deg = float(horizon_deg)
        self.rules = VisibilityRules(min_elevation_deg, sun_altitude_deg, extinction_per_airmass)
        self.brighter_than = brighter_than
        n = len(self.elements)
        self.trusts = trusts(self.elements, from_posix(self.start_s), from_posix(self.end_s))
        self.withhold = withhold
        self.too_old = np.array([withhold and t.too_old for t in self.trusts], dtype=bool)
        limit_s = np.array([t.limit_s if withhold else np.inf for t in self.trusts])
        self.filter = PassFilter(limit_s, brighter_than)
        work = n * len(self.sites)
        self.workers = workers if workers is not None else (min(2, os.cpu_count() or 1) if work >= 200 else 1)
        if executor is not None and workers is None:
            self.workers = getattr(executor, "cores", self.workers)  # chunks for the cluster's cores
        self.plan = Plan(
            self.elements,
            self.sites,
            self.start_s,
            self.end_s,
            self.horizon_deg,
            self.rules,
            self.too_old,
            max(1, self.workers),
            slice_s,
        )
        self.tally = Tally(
            self.elements, self.trusts, self.too_old, self.start_s, self.horizon_deg, progress, self.sites
        )
        self._finished = None

    @property
    def slices(self) -> list[tuple[float, float]]:
        """The time slices, ``(start_s, end_s)`` in POSIX seconds."""
        return self.plan.slices

    def __iter__(self):
        """One table per slice, in time order."""
        tables = []
        for part in self.parts():
            if part is not None:
                tables.append(part)
                continue
            yield PassTable.join(tables).in_time_order()
            tables = []

    def parts(self, encoder: Encoder | None = None):
        """The passes as they are computed: a table per finished chunk of a
        slice (in no particular order), then None when the slice is complete.
        Consumers that can work on parts (formatting, say) need not wait.

        With an ``encoder`` (see :class:`Encoder`), each part is encoded
        where it was computed, in the worker processes, so presentation
        shares the cores; parts then come as ``(table, encoder.encode(table,
        elements))`` pairs.
        """
        jobs = self.plan.jobs()
        self.tally.expect(jobs)
        if not jobs:
            return
        with self._executor(jobs, encoder) as executor:
            held = PassTable.empty()
            units = self.plan.units
            for u, results in executor.deliver(len(units)):
                k = units[u][1]
                if k == WHOLE_WINDOW:
                    # Satellites surveyed over the whole window at once: their passes
                    # are held and handed out with the slice they rise in.
                    held = PassTable.join([self._timed(planned, outcome) for planned, outcome in results])
                    continue
                last = k == len(self.plan.slices) - 1
                due = np.ones(len(held), bool) if last else held.passes["rise_s"] < self.plan.slices[k][1]
                yield self._shown(held.take(due), None, encoder)
                for planned, outcome in results:
                    yield self._shown(self._timed(planned, outcome), outcome.encoded, encoder)
                held = held.take(~due)
                yield None

    def _executor(self, jobs, encoder):
        """The :class:`Executor` that runs ``jobs`` (see :attr:`executor`)."""
        if self.executor is not None:
            return self.executor(self.elements, jobs, self.filter, encoder)
        return Executor(self.elements, jobs, self.workers, self.filter, encoder)

    def _timed(self, planned, outcome):
        """A job's passes that can be timed, added to the tally."""
        table, withheld = self.filter.trusted(outcome.table)
        self.tally.add(planned, table, outcome.summary, withheld)
        return table

    def _shown(self, table, encoded, encoder):
        """A part as :meth:`parts` gives it, after the brightness limit."""
        table, unknown = self.filter.bright(table)
        self.tally.unjudged += unknown
        if encoder is None:
            return table
        return table, (encoded if encoded is not None else encoder.encode(table, self.elements))

    def finished_reports(self) -> list[tuple[int, SatelliteReport]]:
        """``(index, SatelliteReport)`` pairs completed since the last call
        (reports are built as each satellite's last job comes in), so a
        consumer can present them while the rest is computed."""
        return self.tally.finished_reports()

    def settings(self) -> Prediction:
        """A :class:`Prediction` with the settings only (no passes or reports yet)."""
        return self._prediction()

    def finish(self, table: PassTable | None = None) -> Prediction:
        """The :class:`Prediction` (after iterating), holding ``table`` if given."""
        if self._finished is not None and table is None:
            return self._finished
        reports = self.tally.reports()
        note = _brightness_note(self.tally.unjudged, self.brighter_than)
        self._finished = self._prediction(
            table if table is not None else PassTable.empty(),
            reports,
            self.tally.warnings(reports) + ([note] if note else []),
        )
        return self._finished

    def _prediction(self, table=None, satellites=(), warnings=()):
        """The one place a :class:`Prediction` is made: this stream's settings
        with ``table``, the satellites' reports and the warnings."""
        return Prediction(
            self.site,
            from_posix(self.start_s),
            from_posix(self.end_s),
            self.horizon_deg,
            self.rules.min_elevation_deg,
            self.rules.sun_altitude_deg,
            self.rules.extinction_at(self.site),
            table if table is not None else PassTable.empty(),
            self.elements,
            list(satellites),
            list(warnings),
            list(self.sites),
            [self.rules.extinction_at(site) for site in self.sites],
        )


def predict_passes(
    elements: list,
    site,
    start: datetime,
    end: datetime | None = None,
    *,
    days: float = 7.0,
    horizon_deg: float = 0.0,
    min_elevation_deg: float = 10.0,
    sun_altitude_deg: float = -6.0,
    workers: int | None = None,
    progress=None,
    withhold: bool = True,
    executor=None,
    extinction_per_airmass: float | None = None,
) -> Prediction:
    """Predict every pass of ``elements`` over ``site`` (one, or a list of
    sites) between ``start`` and ``end``.

    ``start``/``end`` are aware datetimes (``end`` defaults to ``start +
    days``).  ``workers`` processes share the satellites (default: up to 2
    when there are many satellites).  ``progress(done, total)`` is called as
    jobs finish.  ``withhold`` (default True) leaves out passes whose
    elements are too old to time them (see :class:`PassStream`).
    ``extinction_per_airmass``: the atmospheric extinction in the magnitudes
    (mag per airmass; None for the site's default, 0 for none).
    Returns a :class:`Prediction`; for very large outputs,
    :class:`PassStream` gives the passes slice by slice.
    """
    stream = PassStream(
        elements,
        site,
        start,
        end,
        days=days,
        horizon_deg=horizon_deg,
        min_elevation_deg=min_elevation_deg,
        sun_altitude_deg=sun_altitude_deg,
        workers=workers,
        progress=progress,
        withhold=withhold,
        executor=executor,
        extinction_per_airmass=extinction_per_airmass,
    )
    return stream.finish(PassTable.join(stream))


def _site_list(site) -> list:
    """A list of sites from one site or a sequence of them (not empty)."""
    sites = list(site) if isinstance(site, (list, tuple)) else [site]
    if not sites:
        raise OrbitsError("no sites to predict for")
    return sites


def _split(elements, index, parts):
    """Split ``index`` (positions in ``elements``) into ``parts`` chunks of
    similar work (dealt out in order of mean motion)."""
    if not len(index):
        return []
    order = np.argsort([elements[i].mean_motion_rev_per_day for i in index], kind="stable")
    return [index[c] for c in (order[k::parts] for k in range(parts)) if len(c)]


def _reports(
    elements,
    keys,
    summary,
    counts,
    visible_counts,
    peak_el,
    start_s,
    lowest_deg,
    trusts,
    too_old,
    sites,
    known=None,
):
    """A :class:`SatelliteReport` for each (site, satellite) of ``keys``
    (``site * len(elements) + satellite``) from their merged slice
    ``summary``, their entries in the pass counts and highest culminations
    (elevation ranges from the search grid, topped by the refined
    culminations), their :class:`~orbits.freshness.Trust` and whether they
    are too old to search; ``lowest_deg[site]`` is the lowest of the site's
    horizon.  ``known`` (a dict, kept by the caller) holds what a report says
    of a satellite whatever the site, so that it is worked out once."""
    n = len(elements)
    site_of = keys // max(n, 1)
    rows = keys % max(n, 1)
    horizon_deg = np.asarray(lowest_deg, dtype=float)[site_of]
    counts, visible_counts, peak_el = counts[keys], visible_counts[keys], peak_el[keys]
    # ranges only where the grid sampled the window (the plane screen may have
    # left only its model's lowest elevation, with no azimuth)
    has_range = (
        np.isfinite(summary.el_min)
        & np.isfinite(summary.el_max)
        & np.isfinite(summary.az_min)
        & np.isfinite(summary.az_max)
    ).tolist()

    def rounded(values):  # Python's correctly rounded round(), as elsewhere in the output
        return [round(x, 3) if x == x else None for x in values.tolist()]

    az_min, az_max = rounded(summary.az_min), rounded(summary.az_max)
    el_min, el_max = rounded(summary.el_min), rounded(np.maximum(summary.el_max, peak_el))
    lon = rounded(summary.longitude_deg)
    failed = np.isfinite(summary.fail_s)
    status = np.where(
        too_old[keys],
        "elements_too_old",
        np.where(
            failed & (summary.fail_s <= start_s),
            "failed",
            np.where(
                counts > 0,
                "passes",
                np.where(
                    summary.up_at_start & (summary.el_min >= horizon_deg), "always_above", "never_rises"
                ),
            ),
        ),
    ).tolist()
    reports = []
    known = {} if known is None else known
    labels = [site.label if site is not None else "" for site in sites]
    for k, i in enumerate(rows.tolist()):
        e, t = elements[i], trusts[i]
        fixed = known.get(i)
        if fixed is None:
            fixed = known[i] = (
                display_name(e),
                e.orbit_class,
                round(t.age_days, 3),
                round(t.time_uncertainty_s, 1),
                round(t.position_uncertainty_km, 1),
                nominal_slot(e),
                t.on_slot,
            )
        name, orbit_class, age, time_unc, position_unc, slot, on_slot = fixed
        usable_until, message = None, ""
        if status[k] == "elements_too_old":
            message = (
                f"elements {t.age_days:.0f} days from the window: times uncertain by "
                f"±{format_duration(t.time_uncertainty_s)} (limit ±{format_duration(t.limit_s)}); "
                f"no passes given"
            )
        if failed[k]:
            usable_until = from_posix(summary.fail_s[k])
            code = int(summary.fail_code[k])
            why = SGP4_ERRORS.get(code, "the computed orbit is below 80 km: it has re-entered")
            decayed = code in (6, 99)
            message = (
                f"{'the satellite has decayed' if decayed else 'the elements are unusable'} "
                f"after {usable_until:%Y-%m-%d %H:%M} UTC (SGP4: {why}); no predictions after that"
            )
        reports.append(
            SatelliteReport(
                e.norad_id,
                name,
                orbit_class,
                e.epoch,
                status[k],
                int(counts[k]),
                int(visible_counts[k]),
                (az_min[k], az_max[k]) if has_range[k] else (),
                (el_min[k], el_max[k]) if has_range[k] else (),
                lon[k],
                usable_until,
                message,
                e.source,
                age,
                time_unc,
                position_unc,
                slot,
                on_slot,
                labels[site_of[k]],
            )
        )
    return reports
