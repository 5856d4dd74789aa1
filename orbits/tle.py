"""Element sets: strict reading of TLE (2LE/3LE) and OMM (JSON, CSV) files.

Neither sgp4's fast C++ parser nor Skyfield's file reader reports malformed
records: they read garbage fields or drop records silently (see
``docs/decisions.md``).  So every record is checked here, field by field,
before SGP4 sees it; a problem raises :class:`~orbits.errors.ElementError`
naming the file, the line and the field.

>>> sets = parse_elements(text, source="stations.tle")
>>> sets[0].norad_id, sets[0].epoch

Input from anywhere (a download, a file someone sent) is treated as
hostile: whatever it holds, reading it ends in element sets or in one
``ElementError``, promptly and in bounded memory.

* Only regular files, or ``"-"`` for standard input, are read, at most
  :data:`MAX_INPUT_BYTES` (256 MiB) of them; a FIFO, device or directory
  is refused before anything is read.  Texts are held to the same number
  of characters, a file to :data:`MAX_RECORDS` element sets (500,000)
  and, as TLE or CSV, to :data:`MAX_LINES` lines (2,000,000).
* OMM JSON is a list of flat records; nesting deeper than
  :data:`MAX_JSON_DEPTH` (4) is refused before the JSON decoder sees it,
  and a JSON record or CSV row longer than :data:`MAX_RECORD_CHARS`
  (1 MiB) is refused before it is decoded.
* NORAD numbers run from 1 to 999,999,999.  Epochs must be real dates
  from 1957-10-04 (Sputnik 1) up to, not including, 2100-01-01
  (:data:`FIRST_EPOCH`, :data:`LAST_EPOCH`): anything outside is a
  corrupt field, not an orbit.  That window is wider than the bundled
  ephemeris (2020-2040) on purpose: an old set read from a file is
  valid elements, and predictions outside the ephemeris are refused
  where they are made.  A TLE epoch day is 1 to 365.99999999, or to
  366.99999999 in a leap year; day 366 of a common year is refused
  (python-sgp4 reads it as 1 January of the next year).
* Values quoted in messages are cut to their first 40 characters and
  escaped as ``repr`` does, so a message stays one short printable line.
* Names (TLE name lines, ``OBJECT_NAME``, ``OBJECT_ID``) have control,
  format and bidirectional-override characters replaced by ``?`` (other
  spaces by a blank) and are cut to :data:`MAX_NAME_CHARS` characters.
"""

import calendar
import csv
import functools
import json
import math
import os
import re
import stat
import sys
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sgp4.api import SGP4_ERRORS, WGS72, Satrec

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
    "ElementSet",
    "from_the_future",
    "load_elements",
    "parse_elements",
    "read_text",
]

_MU_KM3_S2 = 398600.8  # WGS72, as SGP4 uses
_EARTH_RADIUS_KM = 6378.135  # WGS72
_J2 = 0.001082616
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
_QUOTE_CHARS = 40  # of a bad value, in a message

# The fields every OMM record must carry (CelesTrak's JSON and CSV).
OMM_REQUIRED = (
    "NORAD_CAT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
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


def _quote(value):
    """``value`` as a message quotes it: ``repr`` (control characters
    escaped), cut to its first :data:`_QUOTE_CHARS` characters."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, int) and value.bit_length() > 10_000:  # beyond int-to-text conversion
        return "an integer of thousands of digits"
    if isinstance(value, _JSONDigits):
        return value[:_QUOTE_CHARS] + "..." if len(value) > _QUOTE_CHARS else str(value)
    if isinstance(value, str):
        shown = repr(value[:_QUOTE_CHARS])
        return shown + "..." if len(value) > _QUOTE_CHARS else shown
    shown = repr(value)
    return shown[:_QUOTE_CHARS] + "..." if len(shown) > _QUOTE_CHARS else shown


def _clean_name(name):
    """A name read from a file, safe to print anywhere: cut to
    :data:`MAX_NAME_CHARS` characters, each unprintable one (control,
    format, bidirectional override, separator) replaced by ``?``, or by a
    blank when it is a kind of space; stripped."""
    if len(name) > MAX_NAME_CHARS:
        name = name[: MAX_NAME_CHARS - 3] + "..."
    if not name.isprintable():
        name = "".join(c if c.isprintable() else " " if c.isspace() else "?" for c in name)
    return name.strip()


def _label(source):
    """The file label put in messages and element sets: ``source`` with
    each unprintable character escaped as ``repr`` escapes it."""
    source = str(source)
    if source.isprintable():
        return source
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in source)


def _too_big(source, what, unit="bytes"):
    return ElementError(
        source,
        0,
        "",
        f"{what} more than {MAX_INPUT_BYTES:,} {unit}, the limit for "
        f"an element file (orbits.tle.MAX_INPUT_BYTES)",
    )


def read_text(data, source):
    """Decode file bytes to text with LF line ends; reject binary, empty or
    over-large (:data:`MAX_INPUT_BYTES`) files.

    Handles LF, CRLF, CR and the CR CR LF found in real CelesTrak downloads,
    and a UTF-8 byte-order mark.
    """
    source = _label(source)
    if len(data) > MAX_INPUT_BYTES:
        raise _too_big(source, "holds")
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


def _read_capped(stream, source, size_hint=0):
    """At most :data:`MAX_INPUT_BYTES` bytes of the binary ``stream``, read
    to its end; ElementError as soon as there are more."""
    limit = MAX_INPUT_BYTES + 1
    first = stream.read(min(size_hint, MAX_INPUT_BYTES) + 1)  # the whole of a regular file, usually
    if first is None:
        raise ElementError(source, 0, "", "cannot read: a non-blocking stream with nothing in it yet")
    chunks, total = [first], len(first)
    while first and total < limit:
        chunk = stream.read(min(1 << 24, limit - total))
        if chunk is None:
            raise ElementError(source, 0, "", "cannot read: a non-blocking stream with nothing in it yet")
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > MAX_INPUT_BYTES:
        raise _too_big(source, "holds")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode):
    """What a file of ``mode`` is when it is not a regular file, else None."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def load_elements(path):
    """Read every element set in the TLE / OMM-JSON / OMM-CSV file at ``path``.

    ``path`` the string ``"-"`` reads standard input (labelled ``<stdin>``);
    a :class:`~pathlib.Path` always names a file.  Only regular files are
    read, and at most :data:`MAX_INPUT_BYTES` of them.
    """
    if isinstance(path, str) and path == "-":
        source = "<stdin>"
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise ElementError(source, 0, "", "there is no standard input to read")
        try:
            data = _read_capped(stream, source)
        except (OSError, ValueError) as exc:  # ValueError: standard input is closed
            why = getattr(exc, "strerror", None) or exc
            raise ElementError(source, 0, "", f"cannot read: {why}") from None
        return parse_elements(read_text(data, source), source)
    path = Path(path)
    source = _label(path)
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is not None:
            raise ElementError(source, 0, "", f"is {kind}, not an element file")
        # Non-blocking, so that a file swapped for a FIFO since the stat cannot
        # hang the open; the descriptor's own fstat then decides.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with open(fd, "rb") as stream:
            info = os.fstat(stream.fileno())
            kind = _not_regular(info.st_mode)
            if kind is not None:
                raise ElementError(source, 0, "", f"is {kind}, not an element file")
            if info.st_size > MAX_INPUT_BYTES:
                raise _too_big(source, f"is {info.st_size:,} bytes:")
            data = _read_capped(stream, source, info.st_size)
    except FileNotFoundError:
        raise ElementError(source, 0, "", "no such file") from None
    except IsADirectoryError:
        raise ElementError(source, 0, "", "is a directory, not an element file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise ElementError(source, 0, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_elements(read_text(data, source), source)


def parse_elements(text, source="<text>"):
    """Parse element sets from text; the format (TLE, OMM JSON, OMM CSV) is detected.

    Returns a list of :class:`ElementSet` in file order.  Raises
    :class:`ElementError` on the first bad record.
    """
    source = _label(source)
    if len(text) > MAX_INPUT_BYTES:
        raise _too_big(source, "holds", "characters")
    stripped = text.lstrip()
    newline = stripped.find("\n")
    first_line = (stripped if newline < 0 else stripped[:newline]).strip()
    if first_line.lower().startswith("no gp data found"):
        raise ElementError(source, 1, "", "the server answered 'No GP data found': no element sets")
    if stripped.startswith("<"):
        raise ElementError(
            source,
            text[: len(text) - len(stripped)].count("\n") + 1,
            "",
            "this is an HTML or XML page, not element sets",
        )
    if stripped.startswith(("[", "{")):
        sets = _parse_omm_json(text, source)
    elif "NORAD_CAT_ID" in first_line and "," in first_line:
        sets = _parse_omm_csv(text, source)
    else:
        sets = _parse_tle(text, source)
    if not sets:
        raise ElementError(source, 0, "", "no element sets in the file")
    return sets


def _too_many(source, lineno):
    return ElementError(
        source,
        lineno,
        "",
        f"more than {MAX_RECORDS:,} element sets in one file "
        f"(the limit; the active catalogue has about 15,000)",
    )


# --------------------------------------------------------------------------
# TLE
# --------------------------------------------------------------------------

_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
_EXP_FIELD = re.compile(r"^[ +-]\d{5}[+-]\d$")
_DECIMAL = re.compile(r"^ *[+-]?\d*\.\d+$")

# (slice, field name, pattern) for each line; the pattern is matched against
# the slice with fullmatch.  Blank columns between fields are checked too.
# A number's blanks may only lead it ('5 1.6328' is no number to float()).
_DEGREES = r"(?:\d\d\d| \d\d|  \d|   )\.\d{4}"
_LINE1 = [
    ((2, 7), "catalogue number", r"[ \dA-HJ-NP-Z]\d{4}|  *\d+"),
    ((7, 8), "classification", r"[UCS ]"),
    ((9, 17), "international designator", r"[ \w]{8}"),
    ((18, 20), "epoch year", r"\d\d"),
    ((20, 32), "epoch day", r"(?:\d\d| \d|  )\d\.\d{8}"),
    ((33, 43), "mean motion derivative", r"[ +-]\.\d{8}|[ +-]\d?\.\d{7,8}"),
    ((44, 52), "second derivative", r"[ +-]\d{5}[+-]\d"),
    ((53, 61), "BSTAR", r"[ +-]\d{5}[+-]\d"),
    ((62, 63), "ephemeris type", r"[\d ]"),
    ((64, 68), "element set number", r"[ \d]{3}\d"),
]
_LINE2 = [
    ((2, 7), "catalogue number", r"[ \dA-HJ-NP-Z]\d{4}|  *\d+"),
    ((8, 16), "inclination", _DEGREES),
    ((17, 25), "right ascension of the node", _DEGREES),
    ((26, 33), "eccentricity", r"\d{7}"),
    ((34, 42), "argument of perigee", _DEGREES),
    ((43, 51), "mean anomaly", _DEGREES),
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
    if len(line) == 69 and line.isascii() and whole.fullmatch(line) and int(line[68]) == tle_checksum(line):
        return  # the common case, in one match; else find what is wrong below
    if not line.isascii():
        bad = next(c for c in line if not c.isascii())
        raise ElementError(source, lineno, f"line {number}", f"non-ASCII character {bad!r} in a TLE line")
    if "\t" in line:
        raise ElementError(
            source, lineno, f"line {number}", "tab character in a TLE line (columns are fixed)"
        )
    if len(line) != 69:
        raise ElementError(
            source,
            lineno,
            f"line {number}",
            f"has {len(line)} columns, a TLE line has 69 (truncated or joined?)",
        )
    for col in blanks:
        if line[col] != " ":
            raise ElementError(
                source,
                lineno,
                f"line {number} column {col + 1}",
                f"expected a blank, found {line[col]!r} (fields shifted?)",
            )
    for (a, b), name, pattern in fields:
        if not pattern.fullmatch(line[a:b]):
            raise ElementError(
                source, lineno, f"{name} (columns {a + 1}-{b})", f"{line[a:b]!r} is not a valid value"
            )
    if not line[68].isdigit():
        raise ElementError(source, lineno, "checksum (column 69)", f"{line[68]!r} is not a digit")
    expected = tle_checksum(line)
    if int(line[68]) != expected:
        raise ElementError(
            source,
            lineno,
            "checksum (column 69)",
            f"line {number} says {line[68]} but its columns add up to {expected}",
        )


def _catalogue_number(field, source, lineno):
    field = field.strip()
    if field[0].isalpha():
        if field[0] not in _ALPHA5:
            raise ElementError(
                source,
                lineno,
                "catalogue number",
                f"{field!r}: Alpha-5 numbers use capital letters other than I and O",
            )
        return 100000 + _ALPHA5.index(field[0]) * 10000 + int(field[1:])
    return int(field)


def _exp_field(text):
    """Decode the TLE 'assumed decimal point' exponent form, e.g. ' 30988-3' -> 0.30988e-3."""
    sign = -1.0 if text[0] == "-" else 1.0
    return sign * float("0." + text[1:6]) * 10.0 ** int(text[6:8])


def _too_many_lines(source):
    return ElementError(
        source, MAX_LINES + 1, "", f"more than {MAX_LINES:,} lines, the limit for an element file"
    )


def _parse_tle(text, source):
    lines = text.split("\n", MAX_LINES)  # no more than MAX_LINES + 1 strings, whatever the text
    if len(lines) > MAX_LINES and lines[-1]:
        raise _too_many_lines(source)
    records = []  # (name, line 1, line 2, line number of line 1, of line 2)
    name, name_line = None, 0
    i = 0
    too_many = 0  # the line of the first element set past MAX_RECORDS
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
                    raise ElementError(
                        source, lineno, "line 2", "the file ends after line 1: line 2 is missing"
                    )
                second = lines[j].rstrip()
                if not second.startswith("2 "):
                    raise ElementError(
                        source,
                        j + 1,
                        "line 2",
                        f"expected line 2 of the element set begun at line {lineno}, "
                        f"found {_quote(second[:20])}",
                    )
                if len(records) == MAX_RECORDS:
                    too_many = lineno
                    break
                records.append((name, raw, second, lineno, j + 1))
                name = None
                i = j + 1
            elif raw.startswith("2 "):
                raise ElementError(
                    source, lineno, "line 2", "a line 2 with no line 1 before it (lines swapped or missing?)"
                )
            else:
                if name is not None:
                    raise ElementError(
                        source,
                        lineno,
                        "line 1",
                        f"expected line 1 after the name {_quote(name)} on line {name_line}, "
                        f"found {_quote(raw.strip()[:24])}",
                    )
                name = raw.strip()
                if name.startswith("0 "):
                    name = name[2:].strip()
                if len(name) > MAX_NAME_CHARS or not name.isprintable():
                    name = _clean_name(name)
                name_line = lineno
        if name is not None and not too_many:
            raise ElementError(
                source,
                name_line,
                "line 1",
                f"the file ends after the name {_quote(name)}: its element lines are missing",
            )
    except ElementError:
        _tle_records(records, source)  # a bad record before this point is the first problem
        raise
    if too_many:
        raise _too_many(source, too_many)
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
    if not (
        len(j1) == len(j2) == 69 * len(l1)
        and j1.isascii()
        and j2.isascii()
        and all(map(_WHOLE1.fullmatch, l1))
        and all(map(_WHOLE2.fullmatch, l2))
    ):
        return None
    for joined in (j1, j2):  # every line has 69 columns now
        cols = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 69)
        if not (_CHECKSUM_ARRAY[cols[:, :68]].sum(axis=1) % 10 == cols[:, 68] - 48).all():
            return None
    num1 = [
        int(s[2:7]) if s[2] in _DIGIT_OR_BLANK else _catalogue_number(s[2:7], source, n)
        for s, n in zip(l1, n1)
    ]
    num2 = [
        int(s[2:7]) if s[2] in _DIGIT_OR_BLANK else _catalogue_number(s[2:7], source, n)
        for s, n in zip(l2, n2)
    ]
    day = [float(s[20:32]) for s in l1]
    years = [int(s[18:20]) for s in l1]
    fields = {
        "inclination_deg": [float(s[8:16]) for s in l2],
        "raan_deg": [float(s[17:25]) for s in l2],
        "eccentricity": [float("0." + s[26:33]) for s in l2],
        "arg_perigee_deg": [float(s[34:42]) for s in l2],
        "mean_anomaly_deg": [float(s[43:51]) for s in l2],
        "mean_motion_rev_per_day": [float(s[52:63]) for s in l2],
        "bstar": [_exp_field(s[53:61]) for s in l1],
    }
    if num1 != num2 or 0 in num1 or min(day) < 1.0 or not _columns_in_ranges(fields):
        return None
    if max(day) >= 366.0 and not all(
        d < 366.0 or (d < 367.0 and yy in _LEAP_YY) for d, yy in zip(day, years)
    ):
        return None
    year_start = {
        yy: datetime(1900 + yy if yy >= 57 else 2000 + yy, 1, 1, tzinfo=timezone.utc) for yy in set(years)
    }
    epochs = [year_start[yy] + timedelta(days=d - 1.0) for yy, d in zip(years, day)]  # as _tle_record
    if 57 in year_start and min(epochs) < FIRST_EPOCH:
        return None
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
    for values in zip(
        [name or str(n) for name, n in zip(names, num1)],
        num1,
        epochs,
        fields["inclination_deg"],
        fields["raan_deg"],
        fields["eccentricity"],
        fields["arg_perigee_deg"],
        fields["mean_anomaly_deg"],
        fields["mean_motion_rev_per_day"],
        fields["bstar"],
        ndot,
        nddot,
        [s[9:17].strip() for s in l1],
        [source] * len(l1),
        n1,
        l1,
        l2,
        models,
    ):
        elements = new(ElementSet)
        elements.__dict__.update(zip(order, values, strict=True))
        sets.append(elements)
    return sets


_FIELD_NAMES = tuple(f.name for f in dataclass_fields(ElementSet)) + ("model",)  # and its cached Satrec


_DIGIT_OR_BLANK = frozenset(" 0123456789")
# Two-digit TLE years (1957-2056) that are leap years: day 366 is valid in them.
_LEAP_YY = frozenset(yy for yy in range(100) if calendar.isleap(1900 + yy if yy >= 57 else 2000 + yy))


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
        raise ElementError(
            source,
            lineno2,
            "catalogue number",
            f"line 2 is for {num2} but line 1 (line {lineno1}) is for {num1}",
        )
    if num1 == 0:
        raise ElementError(
            source, lineno1, "catalogue number (columns 3-7)", "0 is not a catalogue number (they start at 1)"
        )
    yy = int(line1[18:20])
    year = 1900 + yy if yy >= 57 else 2000 + yy
    day = float(line1[20:32])
    days_in_year = 366 if calendar.isleap(year) else 365
    if not 1.0 <= day < days_in_year + 1:
        leap = "a leap year" if days_in_year == 366 else "not a leap year"
        raise ElementError(
            source,
            lineno1,
            "epoch day (columns 21-32)",
            f"{line1[20:32].strip()} is not a day of the year {year} "
            f"(1 to {days_in_year}.99999999: {year} is {leap})",
        )
    epoch = datetime(year, 1, 1, tzinfo=timezone.utc) + timedelta(days=day - 1.0)  # rounded to 1 us
    if epoch < FIRST_EPOCH:
        raise ElementError(
            source,
            lineno1,
            "epoch (columns 19-32)",
            f"{epoch:%Y-%m-%d} is before {FIRST_EPOCH:%Y-%m-%d}, the first day with satellites",
        )
    fields = {
        "name": name or str(num1),
        "norad_id": num1,
        "epoch": epoch,
        "inclination_deg": float(line2[8:16]),
        "raan_deg": float(line2[17:25]),
        "eccentricity": float("0." + line2[26:33]),
        "arg_perigee_deg": float(line2[34:42]),
        "mean_anomaly_deg": float(line2[43:51]),
        "mean_motion_rev_per_day": float(line2[52:63]),
        "bstar": _exp_field(line1[53:61]),
        "ndot": float(line1[33:43].replace(" ", "")),
        "nddot": _exp_field(line1[44:52]),
        "intl_designator": line1[9:17].strip(),
    }
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


def _check_ranges(fields, source, lines, names, ranges=_RANGES):
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
                lines[key],
                names[key],
                f"{_quote(value)} is outside the valid range {lo}{low:g}, {high:g}{hi}",
            )


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
# An OMM record's derivatives are checked as far as a TLE field can hold them
# (a TLE's own are held to that by its columns).
_OMM_RANGES = dict(_RANGES, ndot=(-10.0, 10.0, False, False), nddot=(-1e9, 1e9, False, False))
_OMM_EPOCH = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:Z|[+-]00:?00)?", re.ASCII
)


def _text_number(text):
    """The float written in ``text`` (Space-Track's JSON, every CSV), else
    None: ``float`` of ASCII without digit-group underscores (``float``
    also takes other scripts' digits and '1_000'); 'nan' and 'inf' give
    themselves, for the finiteness checks to name."""
    if not text.isascii() or "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _omm_number(record, key, source, lineno):
    """The number in field ``key`` of ``record``, finite: a JSON number or
    a decimal number in text."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ElementError(source, lineno, key, "missing or empty")
    if isinstance(value, str):
        number = _text_number(value.strip())  # inf for digits past the largest float
        if number is None:
            raise ElementError(source, lineno, key, f"{_quote(value)} is not a number")
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ElementError(source, lineno, key, f"{_quote(value)} is not a number")
    else:
        try:
            number = float(value)
        except OverflowError:  # an integer past the largest float
            number = math.inf
    if not math.isfinite(number):
        raise ElementError(source, lineno, key, f"{_quote(value)} is not a finite number")
    return number


def _omm_norad(record, source, lineno):
    """The catalogue number of ``record``: a whole number from 1 to 999,999,999."""
    value = record.get("NORAD_CAT_ID")
    if isinstance(value, int) and not isinstance(value, bool):
        norad = value
    else:
        number = value if isinstance(value, float) else None
        if isinstance(value, str):
            number = _text_number(value.strip())
        if number is None:
            _omm_number(record, "NORAD_CAT_ID", source, lineno)  # raises: missing, or not a number
        norad = int(number) if number is not None and math.isfinite(number) and number.is_integer() else 0
    if not 1 <= norad <= 999_999_999:
        raise ElementError(
            source,
            lineno,
            "NORAD_CAT_ID",
            f"{_quote(value)} is not a catalogue number (a whole number from 1 to 999,999,999)",
        )
    return norad


def _omm_text(record, key, source, lineno):
    """Field ``key`` of ``record`` as a printable name ("" when absent or null)."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ElementError(source, lineno, key, f"{_quote(value)} is not text")
    return _clean_name(value)


def _omm_epoch(record, source, lineno):
    value = record.get("EPOCH")
    text = value.strip() if isinstance(value, str) else ""
    match = _OMM_EPOCH.fullmatch(text) if len(text) <= 64 else None  # 64: no long backtracking
    if not match:
        raise ElementError(source, lineno, "EPOCH", f"{_quote(value)} is not an ISO-8601 UTC time")
    y, mo, d, h, mi, s, frac = match.groups()
    outside = (
        f"{_quote(value)} is outside {FIRST_EPOCH:%Y-%m-%d} to {LAST_EPOCH:%Y-%m-%d}, "
        f"the epochs an element set can have"
    )
    if not FIRST_EPOCH.year <= int(y) < LAST_EPOCH.year:
        raise ElementError(source, lineno, "EPOCH", outside)
    try:
        base = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    except ValueError as exc:
        raise ElementError(source, lineno, "EPOCH", f"{_quote(value)}: {exc}") from None
    micro = round(float("0." + frac[:9]) * 1e6) if frac else 0
    epoch = base + timedelta(microseconds=micro)
    if not FIRST_EPOCH <= epoch < LAST_EPOCH:
        raise ElementError(source, lineno, "EPOCH", outside)
    return epoch


def _omm_record(record, source, lineno):
    if not isinstance(record, dict):
        raise ElementError(
            source, lineno, "", f"expected an OMM record (a JSON object), found {_quote(record)}"
        )
    missing = [k for k in OMM_REQUIRED if k not in record]
    if missing:
        raise ElementError(source, lineno, missing[0], "missing from the OMM record")
    norad = _omm_norad(record, source, lineno)
    fields = {key: _omm_number(record, omm, source, lineno) for key, omm in _OMM_KEYS.items()}
    _check_ranges(fields, source, dict.fromkeys(_OMM_RANGES, lineno), _OMM_KEYS, _OMM_RANGES)
    name = _omm_text(record, "OBJECT_NAME", source, lineno) or str(norad)
    elements = ElementSet(
        name=name,
        norad_id=norad,
        epoch=_omm_epoch(record, source, lineno),
        intl_designator=_omm_text(record, "OBJECT_ID", source, lineno),
        source=source,
        line=lineno,
        **fields,
    )
    _check_model(elements.model, source, lineno)
    return elements


class _JSONDigits(str):
    """A JSON integer too long to be worth an int (Python makes none of more
    than 4,300 digits), kept as its text: the checks refuse it as any
    number out of range, and messages quote it as the number it is."""


def _json_int(text):
    return int(text) if len(text) <= 30 else _JSONDigits(text)


_JSON_DECODER = json.JSONDecoder(parse_int=_json_int)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# A JSON string (read as the decoder reads one; one left open runs to the end
# of the text, so that no match ever fails after a quote) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def _parse_omm_json(text, source):
    """The element sets of an OMM JSON text: one record, or a list of them.

    Each record is decoded on its own, from a slice of the text whose
    nesting is known to be at most :data:`MAX_JSON_DEPTH`, so the decoder
    never recurses deeper (nor raises RecursionError)."""
    counted = [0, 1]  # offset, line number there: counting goes forward only

    def line_of(k):
        at, line = counted
        if k < at:
            at, line = 0, 1
        line += text.count("\n", at, k)
        counted[:] = [k, line]
        return line

    def skip(k):
        return _JSON_SPACE.match(text, k).end()

    def end_of(k, room):
        """Where the list or object at ``k`` ends, by its brackets (the end
        of the text if it does not); ElementError when it nests more than
        ``room`` deep or runs past MAX_RECORD_CHARS."""
        depth = 0
        stop = min(len(text), k + MAX_RECORD_CHARS)
        for token in _JSON_TOKEN.finditer(text, k, stop):
            bracket = token.group()
            if bracket in "[{":
                depth += 1
                if depth > room:
                    raise ElementError(
                        source,
                        line_of(token.start()),
                        "",
                        f"JSON nested more than {MAX_JSON_DEPTH} deep: OMM is a list of flat records",
                    )
            elif bracket in "]}":
                depth -= 1
                if depth == 0:
                    return token.end()
        if stop < len(text):
            raise ElementError(
                source, line_of(k), "", f"an OMM record of more than {MAX_RECORD_CHARS:,} characters"
            )
        return len(text)

    def decode(k, end):
        """The JSON value at ``k``, decoded from ``text[k:end]``, and the
        offset after it; ``end`` None decodes in place (a scalar)."""
        piece, at = (text, k) if end is None else (text[k:end], 0)
        try:
            value, stop = _JSON_DECODER.raw_decode(piece, at)
        except json.JSONDecodeError as exc:
            raise ElementError(source, line_of(k - at + exc.pos), "", f"not valid JSON: {exc.msg}") from None
        except (ValueError, RecursionError):
            raise ElementError(source, line_of(k), "", "not valid JSON") from None
        return value, k - at + stop

    def record_at(k, room):
        """The JSON value at ``k`` and the offset after it."""
        if text[k] == "{":
            # A flat record: no bracket before its first '}' (and that '}'
            # not inside a string, or the decoding fails and the slow way
            # below finds the record's end).
            close = text.find("}", k, k + MAX_RECORD_CHARS)
            if close >= 0 and text.find("{", k + 1, close) < 0 and text.find("[", k, close) < 0:
                try:
                    value, stop = _JSON_DECODER.raw_decode(text[k : close + 1])
                    return value, k + stop
                except ValueError:
                    pass
        if text[k] in "[{":
            return decode(k, end_of(k, room))
        return decode(k, None)  # a scalar: nothing nested in it

    k = skip(0)
    sets = []
    if text[k] == "{":
        record, end = record_at(k, MAX_JSON_DEPTH)
        sets.append(_omm_record(record, source, line_of(k)))
        k = end
    else:
        k = skip(k + 1)
        while k < len(text) and text[k] != "]":
            if len(sets) == MAX_RECORDS:
                raise _too_many(source, line_of(k))
            record, end = record_at(k, MAX_JSON_DEPTH - 1)
            sets.append(_omm_record(record, source, line_of(k)))
            k = skip(end)
            if k < len(text) and text[k] == ",":
                k = skip(k + 1)
            elif k >= len(text) or text[k] != "]":
                raise ElementError(
                    source,
                    line_of(min(k, len(text) - 1)),
                    "",
                    "not valid JSON: expected ',' or ']' (truncated?)",
                )
        if k >= len(text):
            raise ElementError(
                source, line_of(len(text) - 1), "", "not valid JSON: the list is not closed (truncated?)"
            )
        k += 1
    if skip(k) < len(text):
        raise ElementError(source, line_of(skip(k)), "", "not valid JSON: extra text after the data")
    return sets


_LEADING_SPACE = re.compile(r"\s*")  # one repeated class: no memory per character matched


def _parse_omm_csv(text, source):
    start = text.rfind("\n", 0, _LEADING_SPACE.match(text).end()) + 1  # where the header's line begins
    skipped = text.count("\n", 0, start)  # the blank lines before it
    row = [0, skipped]  # characters of the row being read; lines read

    def lines():
        """The text's lines from the header on, for the csv module (sliced
        from the text: io.StringIO would hold four bytes a character);
        ElementError once a row (which quoted line ends can make of many
        lines) passes MAX_RECORD_CHARS, or the lines pass MAX_LINES."""
        at, size = start, len(text)
        while at < size:
            end = text.find("\n", at) + 1 or size
            line = text[at:end]
            at = end
            row[1] += 1
            if row[1] > MAX_LINES:
                raise _too_many_lines(source)
            if line != "\n":  # blank lines between rows cost nothing (MAX_LINES bounds them)
                row[0] += len(line)
            if row[0] > MAX_RECORD_CHARS:
                raise ElementError(
                    source, row[1], "", f"a CSV row of more than {MAX_RECORD_CHARS:,} characters"
                )
            yield line

    reader = csv.DictReader(lines())
    try:
        return _omm_csv_rows(reader, source, row, skipped)
    except csv.Error as exc:  # a field past the csv module's size limit, a stray CR
        # The csv module's own messages are fixed texts, not the data.
        raise ElementError(
            source, skipped + max(reader.reader.line_num, 1), "", f"not valid CSV: {exc}"
        ) from None


def _omm_csv_rows(reader, source, row_size, skipped):
    """The element sets of ``reader``'s rows; ``row_size[0]`` (the characters
    read for a row) is reset after each; line numbers are the reader's plus
    the ``skipped`` blank lines."""
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [k for k in OMM_REQUIRED if k not in header]
    if missing:
        raise ElementError(source, skipped + 1, missing[0], "column missing from the CSV header")
    reader.fieldnames = header
    sets = []
    row_size[0] = 0
    for row in reader:
        row_size[0] = 0
        lineno = skipped + reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise ElementError(
                source, lineno, "", f"has {len(header)} columns in the header but not in this row"
            )
        if not any((v or "").strip() for v in row.values()):
            continue
        if len(sets) == MAX_RECORDS:
            raise _too_many(source, lineno)
        sets.append(_omm_record(row, source, lineno))
    return sets
