"""Element sets: strict reading of TLE (2LE/3LE) and OMM (JSON, CSV) files.

Neither sgp4's fast C++ parser nor Skyfield's file reader reports malformed
records: they read garbage fields or drop records silently (see
``docs/decisions.md``).  So every record is checked here, field by field,
before SGP4 sees it; a problem raises :class:`~orbits.errors.ElementError`
naming the file, the line and the field.

>>> sets = parse_elements(text, source="stations.tle")
>>> sets[0].norad_id, sets[0].epoch
"""

import csv
import functools
import io
import json
import math
import re
from dataclasses import dataclass, fields as dataclass_fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sgp4.api import SGP4_ERRORS, WGS72, Satrec

from .errors import ElementError

__all__ = ["ElementSet", "parse_elements", "load_elements", "read_text", "from_the_future", "MAX_FUTURE"]

_MU_KM3_S2 = 398600.8  # WGS72, as SGP4 uses
_EARTH_RADIUS_KM = 6378.135  # WGS72
_J2 = 0.001082616
_DEG = math.pi / 180.0
_EPOCH0 = datetime(1949, 12, 31, tzinfo=timezone.utc)
_NDOT_UNITS = 1036800.0 / math.pi  # rev/day^2 -> rad/min^2 (as sgp4.omm)
_NDDOT_UNITS = 2985984000.0 / 2.0 / math.pi

# The fields every OMM record must carry (CelesTrak's JSON and CSV).
OMM_REQUIRED = (
    "NORAD_CAT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
    "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "BSTAR",
    "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
)


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
        return (_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)

    @property
    def perigee_km(self):
        """Perigee height above the equatorial radius, km."""
        return self.semi_major_axis_km * (1 - self.eccentricity) - _EARTH_RADIUS_KM

    @property
    def apogee_km(self):
        """Apogee height above the equatorial radius, km."""
        return self.semi_major_axis_km * (1 + self.eccentricity) - _EARTH_RADIUS_KM

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
        cos_i = -needed * 2 * (a * (1 - e * e)) ** 2 / (3 * n_rad_s * _J2 * _EARTH_RADIUS_KM**2)
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
            WGS72, "i", self.norad_id if self.norad_id <= 339999 else 0, epoch_days,
            self.bstar, self.ndot / _NDOT_UNITS, self.nddot / _NDDOT_UNITS,
            self.eccentricity, self.arg_perigee_deg * _DEG, self.inclination_deg * _DEG,
            self.mean_anomaly_deg * _DEG, self.mean_motion_rev_per_day / 720.0 * math.pi,
            self.raan_deg * _DEG,
        )
        return sat

    def age_days(self, when):
        """Days from the element epoch to the aware datetime ``when`` (negative before)."""
        return (when - self.epoch).total_seconds() / 86400.0


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

def read_text(data, source):
    """Decode file bytes to text with LF line ends; reject binary or empty files.

    Handles LF, CRLF, CR and the CR CR LF found in real CelesTrak downloads,
    and a UTF-8 byte-order mark.
    """
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ElementError(source, 0, "", f"not a text file (NUL byte at offset {offset})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ElementError(source, line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ElementError(source, 0, "", "the file is empty: no element sets in it")
    return text


def load_elements(path):
    """Read every element set in the TLE / OMM-JSON / OMM-CSV file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ElementError(str(path), 0, "", "no such file") from None
    except IsADirectoryError:
        raise ElementError(str(path), 0, "", "is a directory, not an element file") from None
    except OSError as exc:
        raise ElementError(str(path), 0, "", f"cannot read: {exc.strerror}") from None
    return parse_elements(read_text(data, str(path)), str(path))


def parse_elements(text, source="<text>"):
    """Parse element sets from text; the format (TLE, OMM JSON, OMM CSV) is detected.

    Returns a list of :class:`ElementSet` in file order.  Raises
    :class:`ElementError` on the first bad record.
    """
    stripped = text.lstrip()
    first_line = text.strip().split("\n", 1)[0].strip()
    if first_line.lower().startswith("no gp data found"):
        raise ElementError(source, 1, "", "the server answered 'No GP data found': no element sets")
    if stripped.startswith("<"):
        raise ElementError(source, text[: len(text) - len(stripped)].count("\n") + 1, "",
                           "this is an HTML or XML page, not element sets")
    if stripped.startswith(("[", "{")):
        sets = _parse_omm_json(text, source)
    elif "NORAD_CAT_ID" in first_line and "," in first_line:
        sets = _parse_omm_csv(text, source)
    else:
        sets = _parse_tle(text, source)
    if not sets:
        raise ElementError(source, 0, "", "no element sets in the file")
    return sets


# --------------------------------------------------------------------------
# TLE
# --------------------------------------------------------------------------

_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
_EXP_FIELD = re.compile(r"^[ +-]\d{5}[+-]\d$")
_DECIMAL = re.compile(r"^ *[+-]?\d*\.\d+$")

# (slice, field name, pattern) for each line; the pattern is matched against
# the slice with fullmatch.  Blank columns between fields are checked too.
_LINE1 = [
    ((2, 7), "catalogue number", r"[ \dA-HJ-NP-Z]\d{4}|  *\d+"),
    ((7, 8), "classification", r"[UCS ]"),
    ((9, 17), "international designator", r"[ \w]{8}"),
    ((18, 20), "epoch year", r"\d\d"),
    ((20, 32), "epoch day", r"[ \d]{2}\d\.\d{8}"),
    ((33, 43), "mean motion derivative", r"[ +-]\.\d{8}|[ +-]\d?\.\d{7,8}"),
    ((44, 52), "second derivative", r"[ +-]\d{5}[+-]\d"),
    ((53, 61), "BSTAR", r"[ +-]\d{5}[+-]\d"),
    ((62, 63), "ephemeris type", r"[\d ]"),
    ((64, 68), "element set number", r"[ \d]{3}\d"),
]
_LINE2 = [
    ((2, 7), "catalogue number", r"[ \dA-HJ-NP-Z]\d{4}|  *\d+"),
    ((8, 16), "inclination", r"[ \d]{3}\.\d{4}"),
    ((17, 25), "right ascension of the node", r"[ \d]{3}\.\d{4}"),
    ((26, 33), "eccentricity", r"\d{7}"),
    ((34, 42), "argument of perigee", r"[ \d]{3}\.\d{4}"),
    ((43, 51), "mean anomaly", r"[ \d]{3}\.\d{4}"),
    ((52, 63), "mean motion", r"[ \d]\d\.\d{8}"),
    ((63, 68), "revolution number", r"[ \d]{4}\d"),
]
_LINE1 = [(cols, name, re.compile(pattern)) for cols, name, pattern in _LINE1]
_LINE2 = [(cols, name, re.compile(pattern)) for cols, name, pattern in _LINE2]
_BLANKS1 = (1, 8, 17, 32, 43, 52, 61, 63)
_BLANKS2 = (1, 7, 16, 25, 33, 42, 51)


def _whole_line_pattern(fields, blanks):
    """One pattern for a whole 69-column line that accepts exactly what the
    field-by-field checks accept (each field pinned to its columns by a
    lookahead on the columns left), the checksum digit included."""
    spans = {a: (b, pattern.pattern) for (a, b), _, pattern in fields}
    parts, col = [], 0
    while col < 69:
        if col in spans:
            b, pattern = spans[col]
            parts.append(f"(?:{pattern})(?=.{{{69 - b}}}$)")
            col = b
            continue
        parts.append(" " if col in blanks else r"\d" if col == 68 else ".")
        col += 1
    return re.compile("".join(parts))


_WHOLE1 = _whole_line_pattern(_LINE1, _BLANKS1)
_WHOLE2 = _whole_line_pattern(_LINE2, _BLANKS2)


# bytes -> checksum value: digits count as themselves, '-' as 1, all else 0
_CHECKSUM_VALUES = bytes((c - 48) if 48 <= c <= 57 else (1 if c == 45 else 0) for c in range(256))


def tle_checksum(line):
    """The TLE checksum of a line's first 68 columns (digits, and 1 for each '-')."""
    return sum(line[:68].encode("ascii", "replace").translate(_CHECKSUM_VALUES)) % 10


def _check_line(line, number, fields, blanks, source, lineno):
    whole = _WHOLE1 if number == 1 else _WHOLE2
    if line.isascii() and whole.fullmatch(line) and int(line[68]) == tle_checksum(line):
        return  # the common case, in one match; else find what is wrong below
    if not line.isascii():
        bad = next(c for c in line if not c.isascii())
        raise ElementError(source, lineno, f"line {number}", f"non-ASCII character {bad!r} in a TLE line")
    if "\t" in line:
        raise ElementError(source, lineno, f"line {number}", "tab character in a TLE line (columns are fixed)")
    if len(line) != 69:
        raise ElementError(source, lineno, f"line {number}",
                           f"has {len(line)} columns, a TLE line has 69 (truncated or joined?)")
    for col in blanks:
        if line[col] != " ":
            raise ElementError(source, lineno, f"line {number} column {col + 1}",
                               f"expected a blank, found {line[col]!r} (fields shifted?)")
    for (a, b), name, pattern in fields:
        if not pattern.fullmatch(line[a:b]):
            raise ElementError(source, lineno, f"{name} (columns {a + 1}-{b})",
                               f"{line[a:b]!r} is not a valid value")
    if not line[68].isdigit():
        raise ElementError(source, lineno, "checksum (column 69)", f"{line[68]!r} is not a digit")
    expected = tle_checksum(line)
    if int(line[68]) != expected:
        raise ElementError(source, lineno, "checksum (column 69)",
                           f"line {number} says {line[68]} but its columns add up to {expected}")


def _catalogue_number(field, source, lineno):
    field = field.strip()
    if field[0].isalpha():
        if field[0] not in _ALPHA5:
            raise ElementError(source, lineno, "catalogue number",
                               f"{field!r}: Alpha-5 numbers use capital letters other than I and O")
        return 100000 + _ALPHA5.index(field[0]) * 10000 + int(field[1:])
    return int(field)


def _exp_field(text):
    """Decode the TLE 'assumed decimal point' exponent form, e.g. ' 30988-3' -> 0.30988e-3."""
    sign = -1.0 if text[0] == "-" else 1.0
    return sign * float("0." + text[1:6]) * 10.0 ** int(text[6:8])


def _parse_tle(text, source):
    lines = text.split("\n")
    records = []  # (name, line 1, line 2, line number of line 1, of line 2)
    name, name_line = None, 0
    i = 0
    try:
        while i < len(lines):
            raw = lines[i].rstrip()
            lineno = i + 1
            i += 1
            if not raw.strip():
                continue
            if raw.startswith("1 "):
                j = i
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j >= len(lines):
                    raise ElementError(source, lineno, "line 2", "the file ends after line 1: line 2 is missing")
                second = lines[j].rstrip()
                if not second.startswith("2 "):
                    raise ElementError(source, j + 1, "line 2",
                                       f"expected line 2 of the element set begun at line {lineno}, "
                                       f"found {second[:20]!r}")
                records.append((name, raw, second, lineno, j + 1))
                name = None
                i = j + 1
            elif raw.startswith("2 "):
                raise ElementError(source, lineno, "line 2",
                                   "a line 2 with no line 1 before it (lines swapped or missing?)")
            else:
                if name is not None:
                    raise ElementError(source, lineno, "line 1",
                                       f"expected line 1 after the name {name!r} on line {name_line}, "
                                       f"found {raw.strip()[:24]!r}")
                name = raw.strip()
                if name.startswith("0 "):
                    name = name[2:].strip()
                name_line = lineno
        if name is not None:
            raise ElementError(source, name_line, "line 1",
                               f"the file ends after the name {name!r}: its element lines are missing")
    except ElementError:
        _tle_records(records, source)  # a bad record before this point is the first problem
        raise
    return _tle_records(records, source)


def _tle_records(records, source):
    """Element sets of ``(name, line1, line2, lineno1, lineno2)`` records.

    Whole columns are checked at once (:func:`_tle_columns`); when anything
    is wrong, the records are read one by one so that the error names the
    first bad one, its line and field.
    """
    sets = _tle_columns(records, source)
    if sets is None:
        sets = [_tle_record(name, l1, l2, source, n1, n2) for name, l1, l2, n1, n2 in records]
    return sets


_CHECKSUM_ARRAY = np.frombuffer(_CHECKSUM_VALUES, dtype=np.uint8)


def _tle_columns(records, source):
    """The fast path of :func:`_tle_records`: every check of
    :func:`_tle_record`, field by field over all records, giving the same
    element sets; None when any record fails a check (the slow path then
    finds and names it)."""
    if not records:
        return []
    names, l1, l2, n1, n2 = zip(*records)
    j1, j2 = "".join(l1), "".join(l2)
    if not (j1.isascii() and j2.isascii() and all(map(_WHOLE1.fullmatch, l1))
            and all(map(_WHOLE2.fullmatch, l2))):
        return None
    for joined in (j1, j2):  # every line has 69 columns now
        cols = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 69)
        if not (_CHECKSUM_ARRAY[cols[:, :68]].sum(axis=1) % 10 == cols[:, 68] - 48).all():
            return None
    num1 = [int(s[2:7]) if s[2] in _DIGIT_OR_BLANK else _catalogue_number(s[2:7], source, n)
            for s, n in zip(l1, n1)]
    num2 = [int(s[2:7]) if s[2] in _DIGIT_OR_BLANK else _catalogue_number(s[2:7], source, n)
            for s, n in zip(l2, n2)]
    day = [float(s[20:32]) for s in l1]
    fields = dict(
        inclination_deg=[float(s[8:16]) for s in l2],
        raan_deg=[float(s[17:25]) for s in l2],
        eccentricity=[float("0." + s[26:33]) for s in l2],
        arg_perigee_deg=[float(s[34:42]) for s in l2],
        mean_anomaly_deg=[float(s[43:51]) for s in l2],
        mean_motion_rev_per_day=[float(s[52:63]) for s in l2],
        bstar=[_exp_field(s[53:61]) for s in l1],
    )
    if num1 != num2 or not all(1.0 <= d < 367.0 for d in day) or not _columns_in_ranges(fields):
        return None
    years = [int(s[18:20]) for s in l1]
    year_start = {yy: datetime(1900 + yy if yy >= 57 else 2000 + yy, 1, 1, tzinfo=timezone.utc)
                  for yy in set(years)}
    epochs = [year_start[yy] + timedelta(days=d - 1.0) for yy, d in zip(years, day)]  # as _tle_record
    ndot = [float(s[33:43].replace(" ", "")) for s in l1]
    nddot = [_exp_field(s[44:52]) for s in l1]
    models = list(map(Satrec.twoline2rv, l1, l2))
    for model, lineno1 in zip(models, n1):
        _check_model(model, source, lineno1)
    # Made without the frozen dataclass's __init__, which sets each field
    # through object.__setattr__ (3 us a set, a tenth of reading a
    # catalogue): the values are checked, in the fields' order.
    sets = []
    new, order = object.__new__, _FIELD_NAMES
    for values in zip([name or str(n) for name, n in zip(names, num1)], num1, epochs,
                      fields["inclination_deg"], fields["raan_deg"], fields["eccentricity"],
                      fields["arg_perigee_deg"], fields["mean_anomaly_deg"], fields["mean_motion_rev_per_day"],
                      fields["bstar"], ndot, nddot, [s[9:17].strip() for s in l1], [source] * len(l1), n1,
                      l1, l2, models):
        elements = new(ElementSet)
        elements.__dict__.update(zip(order, values, strict=True))
        sets.append(elements)
    return sets


_FIELD_NAMES = tuple(f.name for f in dataclass_fields(ElementSet)) + ("model",)  # and its cached Satrec


_DIGIT_OR_BLANK = frozenset(" 0123456789")


def _columns_in_ranges(fields):
    """True when every value of every column (lists) is in its range of
    ``_RANGES``: :func:`_check_ranges` for whole columns at once, without
    the message (the record-by-record path then finds and names the value)."""
    for key, (low, high, low_in, high_in) in _RANGES.items():
        v = np.array(fields[key])
        ok = np.isfinite(v) & ((v >= low) if low_in else (v > low)) & ((v <= high) if high_in else (v < high))
        if not ok.all():
            return False
    return True


def _tle_record(name, line1, line2, source, lineno1, lineno2):
    _check_line(line1, 1, _LINE1, _BLANKS1, source, lineno1)
    _check_line(line2, 2, _LINE2, _BLANKS2, source, lineno2)
    num1 = _catalogue_number(line1[2:7], source, lineno1)
    num2 = _catalogue_number(line2[2:7], source, lineno2)
    if num1 != num2:
        raise ElementError(source, lineno2, "catalogue number",
                           f"line 2 is for {num2} but line 1 (line {lineno1}) is for {num1}")
    yy = int(line1[18:20])
    year = 1900 + yy if yy >= 57 else 2000 + yy
    day = float(line1[20:32])
    if not 1.0 <= day < 367.0:
        raise ElementError(source, lineno1, "epoch day (columns 21-32)",
                           f"{day} is not a day of the year (1 to 366.99...)")
    epoch = datetime(year, 1, 1, tzinfo=timezone.utc) + timedelta(days=day - 1.0)  # rounded to 1 us
    fields = dict(
        name=name or str(num1),
        norad_id=num1,
        epoch=epoch,
        inclination_deg=float(line2[8:16]),
        raan_deg=float(line2[17:25]),
        eccentricity=float("0." + line2[26:33]),
        arg_perigee_deg=float(line2[34:42]),
        mean_anomaly_deg=float(line2[43:51]),
        mean_motion_rev_per_day=float(line2[52:63]),
        bstar=_exp_field(line1[53:61]),
        ndot=float(line1[33:43].replace(" ", "")),
        nddot=_exp_field(line1[44:52]),
        intl_designator=line1[9:17].strip(),
    )
    lines = {key: lineno1 if key == "bstar" else lineno2 for key in _RANGES}
    _check_ranges(fields, source, lines, _TLE_FIELD_NAMES)
    elements = ElementSet(source=source, line=lineno1, line1=line1, line2=line2, **fields)
    _check_model(elements.model, source, lineno1)
    return elements


_TLE_FIELD_NAMES = {
    "inclination_deg": "inclination (columns 9-16)",
    "raan_deg": "right ascension of the node (columns 18-25)",
    "eccentricity": "eccentricity (columns 27-33)",
    "arg_perigee_deg": "argument of perigee (columns 35-42)",
    "mean_anomaly_deg": "mean anomaly (columns 44-51)",
    "mean_motion_rev_per_day": "mean motion (columns 53-63)",
    "bstar": "BSTAR (columns 54-61)",
}

# field -> (low, high, low inclusive, high inclusive)
_RANGES = {
    "inclination_deg": (0.0, 180.0, True, True),
    "raan_deg": (0.0, 360.0, True, False),
    "eccentricity": (0.0, 1.0, True, False),
    "arg_perigee_deg": (0.0, 360.0, True, False),
    "mean_anomaly_deg": (0.0, 360.0, True, False),
    "mean_motion_rev_per_day": (0.0, 20.0, False, False),
    "bstar": (-10.0, 10.0, False, False),  # real catalogues hold |B*| up to ~1.4
}


def _check_ranges(fields, source, lines, names):
    for key, (low, high, low_in, high_in) in _RANGES.items():
        value = fields[key]
        ok = math.isfinite(value)
        ok = ok and (value >= low if low_in else value > low)
        ok = ok and (value <= high if high_in else value < high)
        if not ok:
            lo = "[" if low_in else "("
            hi = "]" if high_in else ")"
            raise ElementError(source, lines[key], names[key],
                               f"{value!r} is outside the valid range {lo}{low:g}, {high:g}{hi}")


def _check_model(model, source, lineno):
    """SGP4 (``model``, a set's Satrec) must accept the elements and give a
    finite position at the epoch."""
    error, r, _ = model.sgp4_tsince(0.0)
    if error or not all(map(math.isfinite, r)):
        why = SGP4_ERRORS.get(error, "the position is not a finite number")
        raise ElementError(source, lineno, "elements", f"SGP4 cannot use them at their epoch: {why}")


# --------------------------------------------------------------------------
# OMM (CelesTrak JSON and CSV)
# --------------------------------------------------------------------------

_OMM_KEYS = {
    "inclination_deg": "INCLINATION",
    "raan_deg": "RA_OF_ASC_NODE",
    "eccentricity": "ECCENTRICITY",
    "arg_perigee_deg": "ARG_OF_PERICENTER",
    "mean_anomaly_deg": "MEAN_ANOMALY",
    "mean_motion_rev_per_day": "MEAN_MOTION",
    "bstar": "BSTAR",
    "ndot": "MEAN_MOTION_DOT",
    "nddot": "MEAN_MOTION_DDOT",
}
_OMM_EPOCH = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:Z|[+-]00:?00)?$")


def _omm_number(record, key, source, lineno):
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ElementError(source, lineno, key, "missing or empty")
    if isinstance(value, bool):
        raise ElementError(source, lineno, key, f"{value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ElementError(source, lineno, key, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ElementError(source, lineno, key, f"{value!r} is not a finite number")
    return number


def _omm_epoch(record, source, lineno):
    value = record.get("EPOCH")
    match = _OMM_EPOCH.match(str(value).strip()) if value is not None else None
    if not match:
        raise ElementError(source, lineno, "EPOCH", f"{value!r} is not an ISO-8601 UTC time")
    y, mo, d, h, mi, s, frac = match.groups()
    try:
        base = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    except ValueError as exc:
        raise ElementError(source, lineno, "EPOCH", f"{value!r}: {exc}") from None
    micro = round(float("0." + frac) * 1e6) if frac else 0
    return base + timedelta(microseconds=micro)


def _omm_record(record, source, lineno):
    if not isinstance(record, dict):
        raise ElementError(source, lineno, "", "expected an OMM record (a JSON object)")
    missing = [k for k in OMM_REQUIRED if k not in record]
    if missing:
        raise ElementError(source, lineno, missing[0], "missing from the OMM record")
    norad = _omm_number(record, "NORAD_CAT_ID", source, lineno)
    if norad != int(norad) or not 0 < norad < 1_000_000_000:
        raise ElementError(source, lineno, "NORAD_CAT_ID", f"{record['NORAD_CAT_ID']!r} is not a catalogue number")
    fields = {key: _omm_number(record, omm, source, lineno) for key, omm in _OMM_KEYS.items()}
    _check_ranges(fields, source, {k: lineno for k in _RANGES}, _OMM_KEYS)
    name = str(record.get("OBJECT_NAME") or "").strip() or str(int(norad))
    elements = ElementSet(
        name=name, norad_id=int(norad), epoch=_omm_epoch(record, source, lineno),
        intl_designator=str(record.get("OBJECT_ID") or ""), source=source, line=lineno, **fields)
    _check_model(elements.model, source, lineno)
    return elements


def _parse_omm_json(text, source):
    decoder = json.JSONDecoder()

    def skip(k):
        while k < len(text) and text[k] in " \t\n\r":
            k += 1
        return k

    counted = [0, 1]  # offset, line number there: counting goes forward only

    def line_of(k):
        at, line = counted
        if k < at:
            at, line = 0, 1
        line += text.count("\n", at, k)
        counted[:] = [k, line]
        return line

    def decode(k):
        try:
            return decoder.raw_decode(text, k)
        except json.JSONDecodeError as exc:
            raise ElementError(source, exc.lineno, "", f"not valid JSON: {exc.msg}") from None

    k = skip(0)
    sets = []
    if text[k] == "{":
        record, end = decode(k)
        sets.append(_omm_record(record, source, line_of(k)))
        k = end
    else:
        k = skip(k + 1)
        while k < len(text) and text[k] != "]":
            record, end = decode(k)
            sets.append(_omm_record(record, source, line_of(k)))
            k = skip(end)
            if k < len(text) and text[k] == ",":
                k = skip(k + 1)
            elif k >= len(text) or text[k] != "]":
                raise ElementError(source, line_of(min(k, len(text) - 1)), "",
                                   "not valid JSON: expected ',' or ']' (truncated?)")
        if k >= len(text):
            raise ElementError(source, line_of(len(text) - 1), "", "not valid JSON: the list is not closed (truncated?)")
        k += 1
    if skip(k) < len(text):
        raise ElementError(source, line_of(skip(k)), "", "not valid JSON: extra text after the data")
    return sets


def _parse_omm_csv(text, source):
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [k for k in OMM_REQUIRED if k not in header]
    if missing:
        raise ElementError(source, 1, missing[0], "column missing from the CSV header")
    reader.fieldnames = header
    sets = []
    for row in reader:
        lineno = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise ElementError(source, lineno, "", f"has {len(header)} columns in the header but not in this row")
        if not any((v or "").strip() for v in row.values()):
            continue
        sets.append(_omm_record(row, source, lineno))
    return sets
