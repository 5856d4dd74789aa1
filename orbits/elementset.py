"""Element sets: one satellite's mean elements at an epoch, and the rules
every element set read from outside must meet.

:class:`ElementSet` holds the elements as SGP4 uses them and the orbit
they describe (period, perigee, orbit class).  The readers
(:mod:`orbits.tle`, :mod:`orbits.omm`, both reached through
:mod:`orbits.reading`) check each record against the rules here before
SGP4 sees it, so that a problem is one :class:`~orbits.errors.ElementError`
naming the file, the line and the field:

* value ranges of the elements (:data:`RANGES`), and that SGP4 can start
  from them (:func:`check_model`);
* epochs from 1957-10-04 (Sputnik 1) up to, not including, 2100-01-01
  (:data:`FIRST_EPOCH`, :data:`LAST_EPOCH`): anything outside is a corrupt
  field, not an orbit.  That window is wider than the bundled ephemeris
  (2020-2040) on purpose: an old set read from a file is valid elements,
  and predictions outside the ephemeris are refused where they are made;
* the sizes a reader accepts (:data:`MAX_INPUT_BYTES`, :data:`MAX_RECORDS`,
  :data:`MAX_LINES`, :data:`MAX_RECORD_CHARS`, :data:`MAX_JSON_DEPTH`), so
  that hostile input ends in element sets or one error, promptly and in
  bounded memory;
* names cleaned of control, format and bidirectional-override characters
  and cut to :data:`MAX_NAME_CHARS` (:func:`clean_name`), and values quoted
  in messages cut to 40 characters and escaped as ``repr`` does
  (:func:`quote`), so a message stays one short printable line.
"""

import functools
import math
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta, timezone

from sgp4.api import SGP4_ERRORS, WGS72, Satrec

from .constants import WGS72_A_KM, WGS72_J2, WGS72_MU_KM3_S2
from .errors import ElementError

__all__ = [
    "FIRST_EPOCH",
    "LAST_EPOCH",
    "MAX_FUTURE",
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_LINES",
    "MAX_NAME_CHARS",
    "MAX_RECORDS",
    "MAX_RECORD_CHARS",
    "RANGES",
    "ElementSet",
    "check_model",
    "checked_element_set",
    "check_ranges",
    "clean_name",
    "from_the_future",
    "quote",
]

_DEG = math.pi / 180.0
_EPOCH0 = datetime(1949, 12, 31, tzinfo=timezone.utc)
_NDOT_UNITS = 1036800.0 / math.pi  # rev/day^2 -> rad/min^2 (as sgp4.omm)
_NDDOT_UNITS = 2985984000.0 / 2.0 / math.pi


#: The most bytes read from one file (or standard input), and the most
#: characters of text parsed at once: 256 MiB.  CelesTrak's whole active
#: catalogue is about 2.5 MB as TLE and 10 MB as OMM JSON.
MAX_INPUT_BYTES = 256 * 1024 * 1024
#: The most element sets in one file: 33 times the active catalogue, about
#: 1 GB of element sets with their SGP4 models.
MAX_RECORDS = 500_000
#: The deepest JSON nesting read: a list (1) of records (2); a list or object
#: where a value belongs (3, 4) is still reported against its field.
MAX_JSON_DEPTH = 4
#: The most lines in a TLE or CSV file: four for each of MAX_RECORDS sets
#: (a blank line between records is common).  Each line costs memory.
MAX_LINES = 2_000_000
#: The longest OMM record (one JSON object, one CSV row) read: CelesTrak's
#: are about 600 characters.  Decoding one costs memory in proportion.
MAX_RECORD_CHARS = 1024 * 1024
#: Satellite names (and international designators) longer than this are cut.
MAX_NAME_CHARS = 100
#: Epochs before this (the day Sputnik 1 was launched) are refused ...
FIRST_EPOCH = datetime(1957, 10, 4, tzinfo=timezone.utc)
#: ... as are epochs at or after this.
LAST_EPOCH = datetime(2100, 1, 1, tzinfo=timezone.utc)
QUOTE_CHARS = 40  # of a bad value, in a message


@dataclass(frozen=True)
class ElementSet:
    """One satellite's mean orbital elements at an epoch, as SGP4 uses them.

    Angles are in degrees, mean motion in revolutions per day, ``epoch`` a
    timezone-aware UTC datetime.  ``source`` and ``line`` say where the set
    was read (for messages).  ``line1``/``line2`` hold the TLE text when the
    set came from a TLE, else ``None`` (OMM).
    """

    name: str
    norad_id: int
    epoch: datetime
    inclination_deg: float
    raan_deg: float
    eccentricity: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    mean_motion_rev_per_day: float
    bstar: float
    ndot: float = 0.0
    nddot: float = 0.0
    intl_designator: str = ""
    source: str = ""
    line: int = 0
    line1: str | None = None
    line2: str | None = None

    # -- derived quantities -------------------------------------------------
    @property
    def period_min(self):
        """Orbital period in minutes."""
        return 1440.0 / self.mean_motion_rev_per_day

    @property
    def semi_major_axis_km(self):
        """Semi-major axis in km (two-body, from the mean motion)."""
        n_rad_s = self.mean_motion_rev_per_day * 2 * math.pi / 86400.0
        return (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)

    @property
    def perigee_km(self):
        """Perigee height above the equatorial radius, km."""
        return self.semi_major_axis_km * (1 - self.eccentricity) - WGS72_A_KM

    @property
    def apogee_km(self):
        """Apogee height above the equatorial radius, km."""
        return self.semi_major_axis_km * (1 + self.eccentricity) - WGS72_A_KM

    @functools.cached_property
    def orbit_class(self):
        """``"LEO"``, ``"SSO"`` (sun-synchronous LEO), ``"MEO"``, ``"GEO"`` or ``"HEO"``."""
        n, e = self.mean_motion_rev_per_day, self.eccentricity
        if 0.9 < n < 1.1 and e < 0.1:
            return "GEO"
        if e >= 0.25:
            return "HEO"
        if n >= 11.25:
            return "SSO" if abs(self.inclination_deg - self.sun_synchronous_inclination_deg) < 1.5 else "LEO"
        return "MEO"

    @property
    def sun_synchronous_inclination_deg(self):
        """The inclination at which J2 would make this orbit sun-synchronous."""
        a, e = self.semi_major_axis_km, self.eccentricity
        n_rad_s = self.mean_motion_rev_per_day * 2 * math.pi / 86400.0
        needed = 2 * math.pi / (365.2422 * 86400.0)  # rad/s of nodal precession
        cos_i = -needed * 2 * (a * (1 - e * e)) ** 2 / (3 * n_rad_s * WGS72_J2 * WGS72_A_KM**2)
        return math.degrees(math.acos(max(-1.0, min(1.0, cos_i))))

    @functools.cached_property
    def model(self):
        """This set's :class:`sgp4.api.Satrec`, made once (as Skyfield's
        ``EarthSatellite.model``): reading a catalogue checks it, and the
        predictions reuse it.  It is not pickled (sgp4 cannot): a copy in
        another process makes its own."""
        return self.satrec()

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("model", None)
        return state

    def satrec(self):
        """A fresh :class:`sgp4.api.Satrec` for these elements (WGS72, as NORAD)."""
        if self.line1 is not None:
            return Satrec.twoline2rv(self.line1, self.line2)
        sat = Satrec()
        epoch_days = (self.epoch - _EPOCH0).total_seconds() / 86400.0
        sat.sgp4init(
            WGS72,
            "i",
            self.norad_id if self.norad_id <= 339999 else 0,
            epoch_days,
            self.bstar,
            self.ndot / _NDOT_UNITS,
            self.nddot / _NDDOT_UNITS,
            self.eccentricity,
            self.arg_perigee_deg * _DEG,
            self.inclination_deg * _DEG,
            self.mean_anomaly_deg * _DEG,
            self.mean_motion_rev_per_day / 720.0 * math.pi,
            self.raan_deg * _DEG,
        )
        return sat

    def age_days(self, when):
        """Days from the element epoch to the aware datetime ``when`` (negative before)."""
        return (when - self.epoch).total_seconds() / 86400.0


_FIELD_NAMES = tuple(f.name for f in dataclass_fields(ElementSet))


def checked_element_set(fields: dict, model) -> ElementSet:
    """The :class:`ElementSet` of ``fields`` (every field by name) whose
    values a reader has checked, with ``model`` its Satrec, made without the
    frozen dataclass's ``__init__`` (which sets each field through
    ``object.__setattr__``: a tenth of reading a catalogue)."""
    elements = object.__new__(ElementSet)
    values = elements.__dict__
    for name in _FIELD_NAMES:
        values[name] = fields[name]
    values["model"] = model
    return elements


#: Element sets with an epoch further ahead of the present than this are
#: refused by ``orbits tle update`` and ``orbits tle import``: no real set
#: is, and a far-future epoch would outrank every good set of its satellite.
MAX_FUTURE = timedelta(days=1)


def from_the_future(sets, now):
    """The first of ``sets`` whose epoch is more than :data:`MAX_FUTURE` after ``now``, else None."""
    return next((e for e in sets if e.epoch - now > MAX_FUTURE), None)


# --------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------


def quote(value):
    """``value`` as a message quotes it: ``repr`` (control characters
    escaped), cut to its first :data:`QUOTE_CHARS` characters."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, int) and value.bit_length() > 10_000:  # beyond int-to-text conversion
        return "an integer of thousands of digits"
    if isinstance(value, DigitsText):
        return value[:QUOTE_CHARS] + "..." if len(value) > QUOTE_CHARS else str(value)
    if isinstance(value, str):
        shown = repr(value[:QUOTE_CHARS])
        return shown + "..." if len(value) > QUOTE_CHARS else shown
    shown = repr(value)
    return shown[:QUOTE_CHARS] + "..." if len(shown) > QUOTE_CHARS else shown


def clean_name(name):
    """A name read from a file, safe to print anywhere: cut to
    :data:`MAX_NAME_CHARS` characters, each unprintable one (control,
    format, bidirectional override, separator) replaced by ``?``, or by a
    blank when it is a kind of space; stripped."""
    if len(name) > MAX_NAME_CHARS:
        name = name[: MAX_NAME_CHARS - 3] + "..."
    if not name.isprintable():
        name = "".join(c if c.isprintable() else " " if c.isspace() else "?" for c in name)
    return name.strip()


def too_many_records(source, lineno):
    """The error for a file with more than :data:`MAX_RECORDS` element sets."""
    return ElementError(
        source,
        lineno,
        "",
        f"more than {MAX_RECORDS:,} element sets in one file "
        f"(the limit; the active catalogue has about 15,000)",
    )


def too_many_lines(source):
    """The error for a TLE or CSV file of more than :data:`MAX_LINES` lines."""
    return ElementError(
        source, MAX_LINES + 1, "", f"more than {MAX_LINES:,} lines, the limit for an element file"
    )


class DigitsText(str):
    """A number's digits kept as text (a JSON integer too long to be worth
    an int: Python makes none of more than 4,300 digits): the checks refuse
    it as any number out of range, and :func:`quote` shows it as the number
    it is."""


# field -> (low, high, low inclusive, high inclusive)
RANGES = {
    "inclination_deg": (0.0, 180.0, True, True),
    "raan_deg": (0.0, 360.0, True, False),
    "eccentricity": (0.0, 1.0, True, False),
    "arg_perigee_deg": (0.0, 360.0, True, False),
    "mean_anomaly_deg": (0.0, 360.0, True, False),
    "mean_motion_rev_per_day": (0.0, 20.0, False, False),
    "bstar": (-10.0, 10.0, False, False),  # real catalogues hold |B*| up to ~1.4
}


def check_ranges(fields, source, line_of, names, ranges=RANGES):
    """Every value of ``fields`` named in ``ranges`` (default :data:`RANGES`)
    finite and in its range, else an ElementError at line ``line_of(key)``
    of ``source``, field ``names[key]``."""
    for key, (low, high, low_in, high_in) in ranges.items():
        value = fields[key]
        ok = math.isfinite(value)
        ok = ok and (value >= low if low_in else value > low)
        ok = ok and (value <= high if high_in else value < high)
        if not ok:
            lo = "[" if low_in else "("
            hi = "]" if high_in else ")"
            raise ElementError(
                source,
                line_of(key),
                names[key],
                f"{quote(value)} is outside the valid range {lo}{low:g}, {high:g}{hi}",
            )


def check_model(model, source, lineno):
    """SGP4 (``model``, a set's Satrec) must accept the elements and give a
    finite position at the epoch."""
    error, r, _ = model.sgp4_tsince(0.0)
    if error or not all(map(math.isfinite, r)):
        why = SGP4_ERRORS.get(error, "the position is not a finite number")
        raise ElementError(source, lineno, "elements", f"SGP4 cannot use them at their epoch: {why}")


# --------------------------------------------------------------------------
# OMM (CelesTrak JSON and CSV)
