"""Finding every pass: screening on a coarse grid, then refining roots.

The search runs in two stages, each a function from named data to named data:

1. :func:`orbits.screening.find_brackets` samples every satellite on a grid
   (around the times the plane screen of :mod:`orbits.planes` allows) and
   proves, with a bound on the curvature of the height above the horizon
   plane (:mod:`orbits.bounds`), that no pass hides between samples,
   subdividing intervals it cannot decide.  It returns
   :class:`~orbits.screening.Brackets`: intervals holding one rise or set
   each, intervals holding one elevation maximum each, and per-satellite
   facts (SGP4 failures, up at the search's ends, elevation and azimuth
   ranges).
2. :func:`orbits.refinement.refine_events` refines the rises and sets
   (Newton on the height above the horizon cone, to 1 ms), pairs them into
   passes clipped to the window and refines each pass's culmination:
   :class:`~orbits.refinement.PassEvents`.

The search reaches beyond the window by
:func:`~orbits.bounds.margin_s` (:func:`~orbits.screening.search_limits_s`)
so that passes in progress at its ends have their true rise and set;
:func:`orbits.survey.survey` passes other limits for slices of a long window.

:class:`PassSearch` runs both stages over one window with the default
limits, as one object.
"""

from __future__ import annotations

from collections.abc import Iterable

from .positions import Tracker
from .refinement import PassEvents, hermite_peak, hermite_root, refine_events
from .screening import Brackets, find_brackets, search_limits_s

__all__ = ["PassSearch", "hermite_peak", "hermite_root"]


class PassSearch:
    """All passes of ``elements`` over ``site`` touching ``[start_s, end_s]``
    (POSIX s) above ``horizon_deg``: both stages with the default limits.

    After :meth:`run`, :attr:`brackets` and :attr:`events` hold the stages'
    results, and the arrays ``sat``, ``rise_s``, ``culmination_s``,
    ``set_s``, ``rise_known``, ``set_known``, ``peak_el`` (deg),
    ``culmination_az`` (deg), ``rise_angles`` and ``set_angles`` those of
    :class:`~orbits.refinement.PassEvents`.
    """

    brackets: Brackets
    events: PassEvents

    def __init__(
        self, elements: Iterable, site, start_s: float, end_s: float, horizon_deg: float = 0.0, sky=None
    ):
        self.tracker = Tracker(list(elements), site, sky)
        self.start_s, self.end_s = float(start_s), float(end_s)
        self.horizon_deg = float(horizon_deg)

    def run(self) -> PassSearch:
        """Screen, then refine; returns ``self``."""
        lo_s, hi_s = search_limits_s(self.tracker.elements, self.start_s, self.end_s)
        self.brackets = find_brackets(self.tracker, self.start_s, self.end_s, lo_s, hi_s, self.horizon_deg)
        self.events = refine_events(self.tracker, self.brackets)
        return self

    sat = property(lambda self: self.events.sat)
    rise_s = property(lambda self: self.events.rise_s)
    culmination_s = property(lambda self: self.events.culmination_s)
    set_s = property(lambda self: self.events.set_s)
    rise_known = property(lambda self: self.events.rise_known)
    set_known = property(lambda self: self.events.set_known)
    peak_el = property(lambda self: self.events.peak_el_deg)
    culmination_az = property(lambda self: self.events.culmination_az_deg)
    rise_angles = property(lambda self: self.events.rise_angles)
    set_angles = property(lambda self: self.events.set_angles)

    @property
    def samples(self) -> int:
        """(satellite, time) points evaluated by both stages."""
        return self.brackets.samples + self.events.samples
