"""How old elements may be: when to refresh them, when to stop trusting them.

Three rules, each measured against the prediction *window*, not the clock:
elements of April are fresh for a window in April.

* **Fresh** (:func:`freshness_limit_days`): elements whose epoch is within
  a day of the window (low orbits) or three days (everything higher) need
  no refresh.  Low orbits are dragged and stations reboost: CelesTrak
  publishes new elements for them several times a day, and a day-old set
  is already seconds off.  Higher orbits change slowly.  ``--max-age``
  replaces both limits.
* **Meaningful** (:func:`meaningful_limit_s`): a pass time is worth showing
  while its uncertainty (:mod:`orbits.uncertainty`) is at most 15 minutes
  for a low orbit (beyond that the user cannot tell which pass it is, and
  whether it happens in darkness at all), or a quarter of the period for
  higher orbits (the satellite could be anywhere in a quarter of its orbit).
  Satellites past it are *too old*: their passes are withheld unless asked
  for (``--stale``).
* **On the slot** (:func:`on_slots`): a station-kept geostationary satellite
  whose elements are not fresh is placed on its nominal slot
  (:mod:`orbits.slots`), which is where a dish should point.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .catalog import display_name, known_by_id
from .elementset import ElementSet
from .slots import GEO_RADIUS_KM, SLOT_BOX_DEG, slot_elements, slot_text
from .times import format_duration
from .uncertainty import features_of, position_bound_km, time_bound_s

__all__ = [
    "FRESH_DAYS",
    "LOW_ORBIT_LIMIT_S",
    "NEAR_NOW",
    "freshness_limit_days",
    "window_age_days",
    "is_fresh",
    "near_now",
    "meaningful_limit_s",
    "Trust",
    "trust",
    "trusts",
    "on_slots",
    "on_slot",
    "nominal_slot",
    "celestrak_url",
    "too_old_line",
]

_SLOT_SOURCE = "nominal slot"

#: Elements younger than this (days, by orbit class) are not refreshed.
FRESH_DAYS = {"LEO": 1.0, "SSO": 1.0, "MEO": 3.0, "HEO": 3.0, "GEO": 3.0}
#: Pass times of low orbits are withheld past this uncertainty (s).
LOW_ORBIT_LIMIT_S = 15 * 60.0
#: Orbits with periods under this (min) count as low (SGP4's near-Earth branch).
LOW_ORBIT_PERIOD_MIN = 225.0
#: A refresh is tried only for windows that reach into this span around now:
#: fresh elements say nothing new about the past, and little about the
#: weeks ahead that the elements at hand do not (their +- says how much).
NEAR_NOW = (timedelta(days=-1), timedelta(days=14))


def freshness_limit_days(elements: ElementSet, max_age_days: float | None = None) -> float:
    """Days from the window within which ``elements`` count as fresh."""
    if max_age_days is not None:
        return float(max_age_days)
    return FRESH_DAYS.get(elements.orbit_class, 3.0)


def window_age_days(elements: ElementSet, start: datetime, end: datetime) -> float:
    """Days from the elements' epoch to the nearest instant of ``[start, end]``
    (0 when the epoch lies inside the window)."""
    if elements.epoch < start:
        return (start - elements.epoch).total_seconds() / 86400.0
    if elements.epoch > end:
        return (elements.epoch - end).total_seconds() / 86400.0
    return 0.0


def is_fresh(elements: ElementSet, start: datetime, end: datetime, max_age_days: float | None = None) -> bool:
    """True when ``elements`` need no refresh for the window ``[start, end]``."""
    return window_age_days(elements, start, end) <= freshness_limit_days(elements, max_age_days)


def near_now(start: datetime, end: datetime, now: datetime) -> bool:
    """True when the window reaches into :data:`NEAR_NOW` around ``now``: only
    then can fresh elements from a server improve it."""
    return start <= now + NEAR_NOW[1] and end >= now + NEAR_NOW[0]


def meaningful_limit_s(elements: ElementSet) -> float:
    """The largest time uncertainty (s) at which ``elements``' passes are shown."""
    if elements.period_min < LOW_ORBIT_PERIOD_MIN:
        return LOW_ORBIT_LIMIT_S
    return elements.period_min * 60.0 / 4.0


@dataclass(frozen=True)
class Trust:
    """How far one satellite's elements can be trusted over a window.

    ``age_days`` from the epoch to the window (see :func:`window_age_days`);
    ``time_uncertainty_s`` and ``position_uncertainty_km`` are the 90%
    bounds at that age; ``too_old`` when the time uncertainty exceeds
    :func:`meaningful_limit_s` already at the window's nearest instant.
    """

    elements: ElementSet
    age_days: float
    time_uncertainty_s: float
    position_uncertainty_km: float
    limit_s: float

    @property
    def too_old(self) -> bool:
        return self.time_uncertainty_s > self.limit_s

    @property
    def on_slot(self) -> bool:
        """True when the satellite was placed on its nominal slot (see :func:`on_slots`)."""
        return on_slot(self.elements)

    def advice(self) -> str:
        """What a user can do about elements too old to use."""
        epoch = self.elements.epoch
        return (
            f"run 'orbits tle update', or download {celestrak_url(self.elements.norad_id)} elsewhere and "
            f"'orbits tle import FILE'; --start {epoch:%Y-%m-%d} shows a demonstration at their epoch; "
            f"--stale lists them anyway"
        )


def celestrak_url(norad_id: int) -> str:
    """CelesTrak's GP URL for one satellite's current elements (3LE text)."""
    return f"https://celestrak.org/NORAD/elements/gp.php?CATNR={norad_id}&FORMAT=tle"


def trust(elements: ElementSet, start: datetime, end: datetime) -> Trust:
    """The :class:`Trust` of ``elements`` over ``[start, end]``."""
    return trusts([elements], start, end)[0]


def trusts(sets: list, start: datetime, end: datetime) -> list:
    """:func:`trust` of each of ``sets``, computed together (a whole catalogue
    costs a few array operations)."""
    sets = list(sets)
    if not sets:
        return []
    epoch_s = np.array([e.epoch.timestamp() for e in sets])
    start_s, end_s = start.timestamp(), end.timestamp()
    age = np.maximum(np.maximum(start_s - epoch_s, epoch_s - end_s), 0.0) / 86400.0
    feat = features_of(sets)
    time_s, position_km = time_bound_s(age, feat), position_bound_km(age, feat)
    box_km = math.radians(SLOT_BOX_DEG) * GEO_RADIUS_KM
    out = []
    for e, a, t, p in zip(sets, age.tolist(), time_s.tolist(), position_km.tolist()):
        if on_slot(e):
            out.append(Trust(e, 0.0, 0.0, box_km, meaningful_limit_s(e)))
        else:
            out.append(Trust(e, a, t, p, meaningful_limit_s(e)))
    return out


def on_slot(elements: ElementSet) -> bool:
    """True for an element set made by :func:`on_slots` (a nominal slot)."""
    return elements.source.startswith(_SLOT_SOURCE)


def on_slots(sets: list, start: datetime, end: datetime, max_age_days: float | None = None) -> list:
    """``sets`` with every station-kept geostationary satellite whose elements
    are not fresh for the window placed on its nominal slot (at ``start``)."""
    out = []
    for e in sets:
        slot = nominal_slot(e)
        if slot is None or e.orbit_class != "GEO" or is_fresh(e, start, end, max_age_days):
            out.append(e)
            continue
        age = window_age_days(e, start, end)
        source = (
            f"{_SLOT_SOURCE} {slot_text(slot)} (source: {known_by_id(e.norad_id).slot_source}); its "
            f"elements of {e.epoch:%Y-%m-%d} are {age:.0f} days old and drift off the slot"
        )
        out.append(slot_elements(e, slot, start, source))
    return out


def nominal_slot(elements: ElementSet) -> float | None:
    """The catalogue's slot longitude for ``elements``' satellite, or None."""
    known = known_by_id(elements.norad_id)
    if known is None or known.norad_id != elements.norad_id:
        return None
    return known.slot_longitude_deg


def too_old_line(trusts: list, withheld: str = "passes withheld") -> str | None:
    """One line naming the satellites whose elements are too old (their age
    and uncertainty), what is ``withheld`` and what to do; None when there
    are none."""
    old = [t for t in trusts if t.too_old]
    if not old:
        return None
    names = ", ".join(
        f"{display_name(t.elements)} {t.age_days:.0f} d ±{format_duration(t.time_uncertainty_s)}"
        for t in old[:6]
    )
    more = f" and {len(old) - 6} more" if len(old) > 6 else ""
    count = f"{len(old)} satellite{'s' if len(old) > 1 else ''}"
    return (
        f"{withheld} for {count} whose elements are too old to time them ({names}{more}): {old[0].advice()}"
    )
