"""Two-line element sets (2LE and 3LE text), read strictly.

Neither sgp4's fast C++ parser nor Skyfield's file reader reports malformed
records: they read garbage fields or drop records silently (see
``docs/decisions.md``).  So each line is checked here column by column
(blanks between fields, each field's pattern, the checksum), then the values
against :data:`orbits.elementset.RANGES`, then SGP4 must start from them; a
problem raises :class:`~orbits.errors.ElementError` naming the file, the line
and the field (``catalogue number (columns 3-7)``).

>>> sets = parse_tle(text, source="stations.tle")
>>> sets[0].norad_id, sets[0].epoch

A TLE epoch year is two digits: 57-99 are 1957-1999, 00-56 are 2000-2056.
An epoch day is 1 to 365.99999999, or to 366.99999999 in a leap year; day
366 of a common year is refused (python-sgp4 reads it as 1 January of the
next year).  Catalogue numbers may be Alpha-5 (A0000-Z9999 for
100,000-339,999).  Files come through :mod:`orbits.reading`, which detects
the format and holds them to the size limits.
"""

import calendar
import functools
import re
from datetime import datetime, timedelta, timezone

from sgp4.api import Satrec

from .elementset import (
    FIRST_EPOCH,
    MAX_LINES,
    MAX_NAME_CHARS,
    MAX_RECORDS,
    check_model,
    check_ranges,
    checked_element_set,
    clean_name,
    quote,
    too_many_lines,
    too_many_records,
)
from .errors import ElementError

__all__ = ["parse_tle", "tle_checksum"]


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


def parse_tle(text, source="<text>"):
    """The element sets of a TLE text (2LE or 3LE; LF line ends, as
    :func:`orbits.reading.read_text` gives), in file order.

    Each record is checked field by field as it is found (see the module
    docstring); the first problem raises :class:`~orbits.errors.ElementError`.
    """
    lines = text.split("\n", MAX_LINES)  # no more than MAX_LINES + 1 strings, whatever the text
    if len(lines) > MAX_LINES and lines[-1]:
        raise too_many_lines(source)
    sets = []
    name, name_line = None, 0
    i = 0
    too_many = 0  # the line of the first element set past MAX_RECORDS
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
                raise ElementError(
                    source,
                    j + 1,
                    "line 2",
                    f"expected line 2 of the element set begun at line {lineno}, found {quote(second[:20])}",
                )
            if len(sets) == MAX_RECORDS:
                too_many = lineno
                break
            sets.append(_tle_record(name, raw, second, source, lineno, j + 1))
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
                    f"expected line 1 after the name {quote(name)} on line {name_line}, "
                    f"found {quote(raw.strip()[:24])}",
                )
            name = raw.strip()
            if name.startswith("0 "):
                name = name[2:].strip()
            if len(name) > MAX_NAME_CHARS or not name.isprintable():
                name = clean_name(name)
            name_line = lineno
    if name is not None and not too_many:
        raise ElementError(
            source,
            name_line,
            "line 1",
            f"the file ends after the name {quote(name)}: its element lines are missing",
        )
    if too_many:
        raise too_many_records(source, too_many)
    return sets


@functools.lru_cache(maxsize=100)
def _epoch_year(yy):
    """The year of a TLE's two-digit epoch year ``yy`` (57-99: 1957-1999,
    00-56: 2000-2056), its first instant (UTC) and its number of days."""
    year = 1900 + yy if yy >= 57 else 2000 + yy
    return year, datetime(year, 1, 1, tzinfo=timezone.utc), 366 if calendar.isleap(year) else 365


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
    year, year_start, days_in_year = _epoch_year(int(line1[18:20]))
    day = float(line1[20:32])
    if not 1.0 <= day < days_in_year + 1:
        leap = "a leap year" if days_in_year == 366 else "not a leap year"
        raise ElementError(
            source,
            lineno1,
            "epoch day (columns 21-32)",
            f"{line1[20:32].strip()} is not a day of the year {year} "
            f"(1 to {days_in_year}.99999999: {year} is {leap})",
        )
    epoch = year_start + timedelta(days=day - 1.0)  # rounded to 1 us
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
    check_ranges(fields, source, lambda key: lineno1 if key == "bstar" else lineno2, _TLE_FIELD_NAMES)
    fields.update(source=source, line=lineno1, line1=line1, line2=line2)
    model = Satrec.twoline2rv(line1, line2)
    check_model(model, source, lineno1)
    return checked_element_set(fields, model)


_TLE_FIELD_NAMES = {
    "inclination_deg": "inclination (columns 9-16)",
    "raan_deg": "right ascension of the node (columns 18-25)",
    "eccentricity": "eccentricity (columns 27-33)",
    "arg_perigee_deg": "argument of perigee (columns 35-42)",
    "mean_anomaly_deg": "mean anomaly (columns 44-51)",
    "mean_motion_rev_per_day": "mean motion (columns 53-63)",
    "bstar": "BSTAR (columns 54-61)",
}
