"""Geostationary slots: where a station-kept satellite is, whatever its elements' age.

Operators keep a geostationary satellite inside a small box around its
slot (typically +-0.05 to +-0.1 deg of longitude) with regular manoeuvres.
Element sets do not know about manoeuvres: propagated for months, they
drift off the slot by tens of degrees (PakSat-1R's April elements put it
near 78 E in December; it is at 38 E).  The slot is then the better answer
for a dish, and :func:`slot_elements` turns it into an element set that
the whole engine can use as it uses any other: a circular, equatorial
orbit that stays over the slot's longitude for the days around ``at``.
"""

from dataclasses import replace
from datetime import datetime

import numpy as np

from .elementset import ElementSet
from .sites import Site

__all__ = ["SLOT_BOX_DEG", "GEO_RADIUS_KM", "slot_elements", "slot_text"]

#: Half-width of a station-keeping box in longitude (deg): the position
#: uncertainty stated for a satellite placed on its slot.
SLOT_BOX_DEG = 0.1
#: Radius of the geostationary orbit (km).
GEO_RADIUS_KM = 42164.17
_SIDEREAL_REV_PER_DAY = 1.00273790935


def slot_elements(
    elements: ElementSet, slot_longitude_deg: float, at: datetime, source: str = ""
) -> ElementSet:
    """An element set at epoch ``at`` that holds ``elements``' satellite on
    its slot (longitude east positive): circular, equatorial, geostationary.

    The name and NORAD number are kept; ``source`` says where the slot comes
    from.  The mean anomaly and mean motion are tuned with two propagations
    so that the sub-satellite longitude stays within a few thousandths of a
    degree of the slot for a week either side of ``at``.
    """
    from .frames import subpoint
    from .positions import Tracker

    guess = ElementSet(
        name=elements.name,
        norad_id=elements.norad_id,
        epoch=at,
        inclination_deg=0.01,
        raan_deg=0.0,
        eccentricity=0.0001,
        arg_perigee_deg=0.0,
        mean_anomaly_deg=0.0,
        mean_motion_rev_per_day=_SIDEREAL_REV_PER_DAY,
        bstar=0.0,
        intl_designator=elements.intl_designator,
        source=source or f"nominal slot {_east(slot_longitude_deg)}",
        line=0,
    )
    origin = at.timestamp()
    times = np.array([origin, origin + 86400.0])
    for _ in range(3):
        look = Tracker([guess], Site(0.0, slot_longitude_deg)).look(times)
        lon = subpoint(look["r_ef"])[1][0]
        miss = _wrap(slot_longitude_deg - lon[0])
        drift_deg_per_day = _wrap(lon[1] - lon[0])
        guess = replace(
            guess,
            mean_anomaly_deg=(guess.mean_anomaly_deg + miss) % 360.0,
            mean_motion_rev_per_day=guess.mean_motion_rev_per_day - drift_deg_per_day / 360.0,
        )
    return guess


def _wrap(angle_deg):
    return (float(angle_deg) + 180.0) % 360.0 - 180.0


def _east(longitude_deg):
    return f"{abs(longitude_deg):.1f}°{'E' if longitude_deg >= 0 else 'W'}"


def slot_text(longitude_deg: float) -> str:
    """``"38.0°E"``: a slot's longitude as shown to users."""
    return _east(longitude_deg)
