"""Passes as records: numpy columns in bulk, :class:`Pass` objects on demand.

The engine produces a :class:`PassTable`: one row per pass and one row per
visible window, each field a numpy array.  Tables from many workers join
cheaply, and whole catalogues are formatted from the columns without a
Python object per pass.  :meth:`PassTable.to_passes` builds the friendly
:class:`Pass` objects that notebooks and small outputs use.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .catalog import display_name
from .times import from_posix
from .visibility import END_REASONS, START_REASONS

__all__ = [
    "Event",
    "VisibleWindow",
    "Pass",
    "PassTable",
    "PASS_EVENTS",
    "WINDOW_EVENTS",
    "shown_magnitudes",
]

#: The events of a pass and of a visible window; each has ``<name>_s``,
#: ``<name>_az`` and ``<name>_el`` columns.
PASS_EVENTS = ("rise", "culmination", "set")
WINDOW_EVENTS = ("start", "peak", "end")


def shown_magnitudes(values) -> list:
    """Magnitudes as every output shows them: to 0.1 (Python's correctly
    rounded ``round``, as ``f"{m:.1f}"`` writes them), NaN where unknown."""
    values = np.asarray(values, dtype=float)
    out = values.tolist()
    for i in np.flatnonzero(np.isfinite(values)).tolist():  # few: most satellites have no magnitude
        out[i] = round(out[i], 1)
    return out


@dataclass(frozen=True)
class Event:
    """A moment of a pass: aware UTC ``time``, azimuth and elevation in degrees."""

    time: datetime
    azimuth_deg: float
    elevation_deg: float


@dataclass(frozen=True)
class VisibleWindow:
    """A stretch of a pass when the satellite can be seen.

    ``peak`` is its highest point; ``magnitude`` the visual magnitude at
    its brightest moment as seen through the air (with atmospheric
    extinction: what the eye sees), ``magnitude_above_atmosphere`` the
    magnitude at that moment without it (both None when the satellite has
    no standard magnitude).
    """

    start: Event
    peak: Event
    end: Event
    start_reason: str
    end_reason: str
    magnitude: float | None
    magnitude_above_atmosphere: float | None = None


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite over the site, from rise to set.

    ``starts_before_window``: the satellite was already up at the window
    start (``rise`` is its true rise if found within the search margin, else
    the window start).  ``ends_after_window``: likewise for the end.
    ``time_uncertainty_s`` bounds (90%) how far every time of the pass can
    be off for its elements' age (see :mod:`orbits.uncertainty`).  ``site``
    names the site it is seen from.
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
    time_uncertainty_s: float = 0.0
    site: str = ""

    @property
    def visible(self):
        """True when some part of the pass can be seen (see :mod:`orbits.visibility`)."""
        return bool(self.windows)

    @property
    def visible_window(self):
        """The longest visible window, or None."""
        if not self.windows:
            return None
        return max(self.windows, key=lambda w: w.end.time - w.start.time)

    @property
    def magnitude(self):
        """The brightest magnitude through the air over the visible windows, or None."""
        brightest = self._brightest_window()
        return brightest.magnitude if brightest is not None else None

    @property
    def magnitude_above_atmosphere(self):
        """The magnitude above the atmosphere at the brightest moment of
        :attr:`magnitude` (the same moment, without extinction), or None."""
        brightest = self._brightest_window()
        return brightest.magnitude_above_atmosphere if brightest is not None else None

    def _brightest_window(self):
        known = [w for w in self.windows if w.magnitude is not None]
        return min(known, key=lambda w: w.magnitude) if known else None

    @property
    def duration(self):
        """Rise to set, a :class:`datetime.timedelta`."""
        return self.set.time - self.rise.time


def _event_columns(names):
    return [f"{e}_{k}" for e in names for k in ("s", "az", "el")]


PASS_COLUMNS = (
    "sat",
    "norad_id",
    *_event_columns(PASS_EVENTS),
    "starts_before",
    "ends_after",
    "time_unc_s",
    "site",
)
WINDOW_COLUMNS = (
    "pass",
    *_event_columns(WINDOW_EVENTS),
    "start_reason",
    "end_reason",
    "magnitude",
    "magnitude_above_atmosphere",
)


class PassTable:
    """Passes and their visible windows as columns.

    ``passes``: a dict of equal-length arrays (:data:`PASS_COLUMNS`): ``sat``
    (index into the element sets predicted), ``norad_id``, then for each of
    rise, culmination and set its POSIX time ``<event>_s``, azimuth
    ``<event>_az`` and elevation ``<event>_el`` (degrees), and the flags
    ``starts_before`` / ``ends_after`` (in progress at the window start,
    continuing after its end), and ``time_unc_s``, the pass's time
    uncertainty for its elements' age (s; see :mod:`orbits.uncertainty`),
    and ``site``, the index of the pass's site in the prediction's sites
    (0 when omitted).
    ``windows`` (:data:`WINDOW_COLUMNS`): ``pass``
    (row in ``passes``), start, peak and end events likewise, the reason
    codes (into :data:`orbits.visibility.START_REASONS` / ``END_REASONS``),
    ``magnitude`` (through the air) and ``magnitude_above_atmosphere`` at
    the window's brightest moment (NaN when unknown; see
    :mod:`orbits.visibility`).  Windows are ordered by pass, then time.
    """

    def __init__(self, passes, windows):
        if "site" not in passes:
            passes = {**passes, "site": np.zeros(len(passes["sat"]), dtype=int)}
        self.passes = {k: np.asarray(passes[k]) for k in PASS_COLUMNS}
        self.windows = {k: np.asarray(windows[k]) for k in WINDOW_COLUMNS}

    @classmethod
    def empty(cls):
        """A table with no passes."""
        ints = ("sat", "norad_id", "pass", "start_reason", "end_reason", "site")
        flags = ("starts_before", "ends_after")

        def column(k):
            return np.array([], dtype=int if k in ints else bool if k in flags else float)

        return cls({k: column(k) for k in PASS_COLUMNS}, {k: column(k) for k in WINDOW_COLUMNS})

    def __len__(self):
        return len(self.passes["sat"])

    @classmethod
    def join(cls, tables, sat_maps=None):
        """One table from several.  ``sat_maps[k]`` maps table k's ``sat`` to
        the joint index; without it the tables already share one."""
        tables = list(tables)
        if not tables:
            return cls.empty()
        passes = {k: np.concatenate([t.passes[k] for t in tables]) for k in PASS_COLUMNS}
        if sat_maps is not None:
            passes["sat"] = np.concatenate(
                [np.asarray(m, int)[t.passes["sat"].astype(int)] for t, m in zip(tables, sat_maps)]
            )
        offsets = np.cumsum([0] + [len(t) for t in tables[:-1]])
        windows = {k: np.concatenate([t.windows[k] for t in tables]) for k in WINDOW_COLUMNS}
        windows["pass"] = np.concatenate([t.windows["pass"].astype(int) + o for t, o in zip(tables, offsets)])
        return cls(passes, windows)

    def take(self, rows):
        """The passes ``rows`` (indices, in the order given, or a boolean mask) with their windows."""
        rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=int)
        new_row = np.full(len(self), -1)
        new_row[rows] = np.arange(len(rows))
        mapped = new_row[self.windows["pass"].astype(int)] if len(self.windows["pass"]) else np.array([], int)
        keep = np.flatnonzero(mapped >= 0)
        keep = keep[np.argsort(mapped[keep], kind="stable")]
        windows = {k: v[keep] for k, v in self.windows.items()}
        windows["pass"] = mapped[keep]
        return PassTable({k: v[rows] for k, v in self.passes.items()}, windows)

    def in_time_order(self):
        """Sorted by rise time, then NORAD number, then site."""
        return self.take(np.lexsort((self.passes["site"], self.passes["norad_id"], self.passes["rise_s"])))

    def window_count(self):
        """Visible windows per pass (array)."""
        return np.bincount(self.windows["pass"].astype(int), minlength=len(self))

    def magnitude(self):
        """Brightest window magnitude (through the air) per pass (NaN when none is known)."""
        return self._of_brightest("magnitude")

    def magnitude_above_atmosphere(self):
        """Per pass, the magnitude above the atmosphere at the moment of
        :meth:`magnitude` (NaN when none is known)."""
        return self._of_brightest("magnitude_above_atmosphere")

    def _of_brightest(self, column):
        """A window column's value, per pass, in its brightest window (NaN without)."""
        w = self.windows
        out = np.full(len(self), np.nan)
        mag = np.where(np.isnan(w["magnitude"]), np.inf, w["magnitude"])
        order = np.lexsort((np.arange(len(mag)), mag, w["pass"]))
        owner = w["pass"][order].astype(int)
        first = order[np.r_[True, owner[1:] != owner[:-1]]] if len(order) else order
        out[w["pass"][first].astype(int)] = np.where(np.isinf(mag[first]), np.nan, w[column][first])
        return out

    def within(self, limit_s):
        """The passes whose time uncertainty is at most ``limit_s`` (an array
        indexed by ``sat``), and how many were left out."""
        keep = self.passes["time_unc_s"] <= np.asarray(limit_s)[self.passes["sat"].astype(int)]
        return self.take(keep), int((~keep).sum())

    def brighter_than(self, magnitude):
        """The visible passes at least this bright (magnitude <= ``magnitude``),
        and how many visible passes had no known magnitude to judge."""
        visible = self.window_count() > 0
        mag = np.array(shown_magnitudes(self.magnitude()), dtype=float)
        with np.errstate(invalid="ignore"):
            keep = visible & (mag <= magnitude)
        return self.take(keep), int((visible & np.isnan(mag)).sum())

    def longest_window(self):
        """Row in ``windows`` of each pass's longest window (the first of equals), -1 without."""
        w = self.windows
        out = np.full(len(self), -1)
        if len(w["pass"]):
            order = np.lexsort((np.arange(len(w["pass"])), -(w["end_s"] - w["start_s"]), w["pass"]))
            owner = w["pass"][order].astype(int)
            first = np.r_[True, owner[1:] != owner[:-1]]
            out[owner[first]] = order[first]
        return out

    def to_passes(self, elements, sites=None):
        """:class:`Pass` objects; ``elements`` is indexed by the ``sat`` column,
        ``sites`` (if given) by the ``site`` column."""
        p, w = self.passes, self.windows

        def events(cols, names):
            out = {}
            for e in names:
                times = [from_posix(x) for x in cols[f"{e}_s"].tolist()]
                out[e] = [
                    Event(t, az, el)
                    for t, az, el in zip(times, cols[f"{e}_az"].tolist(), cols[f"{e}_el"].tolist())
                ]
            return out

        pe, we = events(p, PASS_EVENTS), events(w, WINDOW_EVENTS)
        windows = [[] for _ in range(len(self))]
        for k, (row, a, b, mag, above) in enumerate(
            zip(
                w["pass"].tolist(),
                w["start_reason"].tolist(),
                w["end_reason"].tolist(),
                w["magnitude"].tolist(),
                w["magnitude_above_atmosphere"].tolist(),
            )
        ):
            windows[row].append(
                VisibleWindow(
                    we["start"][k],
                    we["peak"][k],
                    we["end"][k],
                    START_REASONS[a],
                    END_REASONS[b],
                    None if mag != mag else mag,
                    None if above != above else above,
                )
            )
        out = []
        names = [getattr(site, "label", "") for site in sites] if sites is not None else None
        for k, (s, before, after, unc, where) in enumerate(
            zip(
                p["sat"].tolist(),
                p["starts_before"].tolist(),
                p["ends_after"].tolist(),
                p["time_unc_s"].tolist(),
                p["site"].tolist(),
            )
        ):
            e = elements[s]
            out.append(
                Pass(
                    e.norad_id,
                    display_name(e),
                    e.epoch,
                    pe["rise"][k],
                    pe["culmination"][k],
                    pe["set"][k],
                    tuple(windows[k]),
                    bool(before),
                    bool(after),
                    unc,
                    names[where] if names is not None else "",
                )
            )
        return out
