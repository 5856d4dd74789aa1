"""Time: parsing what users type, display zones, and the engine's time scale.

Inside the engine an instant is a float of POSIX seconds (UTC, leap seconds
not counted), which numpy handles in bulk with 0.4 microsecond resolution.
At the edges times are timezone-aware :class:`datetime.datetime` objects or
Skyfield :class:`~skyfield.timelib.Time`; naive datetimes are refused.
"""

import functools
import math
import re
from datetime import date, datetime, time, timedelta, timezone

import numpy as np

from .errors import OrbitsError

__all__ = [
    "UTC",
    "PKT",
    "timescale",
    "to_posix",
    "from_posix",
    "posix_microseconds",
    "skyfield_time",
    "sgp4_jd",
    "parse_instant",
    "display_zone",
    "format_time",
    "format_duration",
    "COVERAGE",
    "check_covered",
]

UTC = timezone.utc  # noqa: UP017  (datetime.UTC is Python 3.11+; 3.10 is supported)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Pakistan Standard Time, UTC+5 (no daylight saving since 2009).
PKT = timezone(timedelta(hours=5), "PKT")
_POSIX_JD = 2440587.5
_DAY_S = 86400.0


@functools.cache
def timescale():
    """Skyfield's timescale from its built-in tables (never downloads)."""
    from skyfield.api import load

    return load.timescale(builtin=True)


def to_posix(when):
    """POSIX seconds of an aware datetime (or a Skyfield Time, or already a float)."""
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("naive datetime: give a timezone-aware datetime (e.g. tzinfo=UTC)")
        return when.timestamp()
    if hasattr(when, "utc_datetime"):
        return when.utc_datetime().timestamp()
    return float(when)


def posix_microseconds(seconds):
    """Whole microseconds since the POSIX epoch of POSIX ``seconds`` (a float,
    an int, or an array, giving an int64 array): the fraction of a second
    rounded to the nearest microsecond, half to even.  The one rounding of
    every time shown, so that all outputs agree to the microsecond."""
    if isinstance(seconds, (float, int, np.generic)):
        seconds = float(seconds)
        whole = math.floor(seconds)
        return whole * 1_000_000 + round((seconds - whole) * 1e6)
    seconds = np.asarray(seconds, dtype=float)
    whole = np.floor(seconds)
    return whole.astype(np.int64) * 1_000_000 + np.round((seconds - whole) * 1e6).astype(np.int64)


def from_posix(seconds, tz=UTC):
    """Aware datetime (microseconds, in ``tz``) from POSIX seconds (see :func:`posix_microseconds`)."""
    return (_EPOCH + timedelta(microseconds=posix_microseconds(float(seconds)))).astimezone(tz)


def skyfield_time(seconds):
    """Skyfield Time for POSIX seconds (scalar or array), leap seconds handled."""
    seconds = np.asarray(seconds, dtype=float)
    days = np.floor(seconds / _DAY_S)
    return timescale().utc(1970, 1, 1 + days, 0, 0, seconds - days * _DAY_S)


def sgp4_jd(seconds):
    """Split UTC Julian date ``(whole, fraction)`` of POSIX seconds, as sgp4 wants."""
    seconds = np.asarray(seconds, dtype=float)
    days = np.floor(seconds / _DAY_S)
    return _POSIX_JD + days, (seconds - days * _DAY_S) / _DAY_S


# -------------------------------------------------------------------------
# Parsing and display
# -------------------------------------------------------------------------


def display_zone(tz_name=None, utc=False):
    """The tzinfo to show times in: UTC with ``utc``, an IANA zone, or PKT."""
    if utc:
        return UTC
    if tz_name is None:
        return PKT
    if tz_name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    if tz_name.upper() == "PKT":
        return PKT
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OrbitsError(
            f"unknown time zone {tz_name!r} (use an IANA name such as Asia/Karachi or Europe/London)"
        ) from None


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


#: The instants every prediction can use: what the bundled tables (the Sun
#: ephemeris, UT1) cover, less a day at each end for the margins the
#: searches look beyond a window.
COVERAGE = (datetime(2020, 1, 2, tzinfo=UTC), datetime(2040, 12, 30, tzinfo=UTC))


def check_covered(start, end=None, what=None):
    """Refuse, in one message whatever the case, instants outside :data:`COVERAGE`.

    ``what`` names the instant or window in the message (default: its dates)."""
    end = start if end is None else end
    first, last = COVERAGE
    if start < first or end > last:
        if what is None:
            what = (
                f"the time {start:%Y-%m-%d}"
                if end == start
                else f"the prediction window ({start:%Y-%m-%d} to {end:%Y-%m-%d})"
            )
        raise OrbitsError(
            f"{what} is outside what the bundled tables cover, {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_instant(text, zone=PKT, what="time", now=None):
    """Parse a time typed by a user into an aware datetime.

    ISO-8601 dates and date-times; ``now``; ``today`` and ``tomorrow``
    (midnight starting that day); a bare clock time such as ``18:00`` (that
    time today).  Without an offset, times are read in ``zone`` (the display
    zone, PKT by default).  ``now`` (an aware datetime) stands for the
    present, for tests.  Impossible dates raise :class:`OrbitsError`.
    (``tonight`` needs the Sun: see :func:`orbits.twilight.tonight`.)
    """
    text = str(text).strip()
    present = now or datetime.now(UTC)
    word = text.lower()
    if word == "now":
        return present
    if word in ("today", "tomorrow"):
        day = present.astimezone(zone).date() + timedelta(days=1 if word == "tomorrow" else 0)
        midnight = datetime.combine(day, time(0, 0), tzinfo=zone)
        return midnight.astimezone(UTC).astimezone(zone)  # where clocks skip midnight: the day's first hour
    clock = _CLOCK.match(text) if len(text) <= 8 else None
    if clock:
        h, mi, sec = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        if h > 23 or mi > 59 or sec > 59:
            raise OrbitsError(f"{what} {text!r} is not a time of day (00:00 to 23:59)")
        return _existing(
            datetime.combine(present.astimezone(zone).date(), time(h, mi, sec), tzinfo=zone), what, text
        )
    match = _ISO.match(text) if len(text) <= 64 else None
    if not match:
        shown = "".join(c if c.isprintable() else "?" for c in text[:40]) + ("..." if len(text) > 40 else "")
        raise OrbitsError(
            f"{what} {shown!r} is not a time: give now, today, tonight, tomorrow, a time of day "
            f"(18:00) or an ISO-8601 date or time (2026-04-10T20:30+05:00)"
        )
    y, mo, d, h, mi, s, frac, offset = match.groups()
    try:
        day = date(int(y), int(mo), int(d))
        clock = time(int(h or 0), int(mi or 0), int(s or 0), round(float(frac) * 1e6) if frac else 0)
    except ValueError as exc:
        raise OrbitsError(f"{what} {text!r} is not a real date or time: {exc}") from None
    if offset is None:
        tz = zone
    elif offset.upper() == "Z":
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise OrbitsError(f"{what} {text!r} has an impossible UTC offset {offset}")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    when = datetime.combine(day, clock, tzinfo=tz)
    # a date alone is the day's first instant (01:00 where clocks skip midnight); a skipped time is refused
    when = _existing(when, what, text, first_instant=h is None)
    try:
        check_covered(when.astimezone(UTC), what=f"{what} {text!r}")
    except OverflowError:  # a year 1 or 9999 that cannot even move to UTC
        check_covered(COVERAGE[0] - timedelta(days=1), what=f"{what} {text!r}")
    return when


def _existing(when, what, text, first_instant=False):
    """``when`` if its wall-clock time exists in its zone; a time the clocks
    skip (01:30 on the night British clocks go forward) is refused in one
    line, or with ``first_instant`` (a date alone) moved to the first
    instant after the gap.  A time that happens twice (clocks going back) is
    the first."""
    try:
        there = when.astimezone(UTC).astimezone(when.tzinfo)
    except OverflowError:  # year 1 or 9999: refused as out of the tables' range by the caller
        return when
    if first_instant:
        return there
    if there.replace(tzinfo=None) != when.replace(tzinfo=None):
        name = getattr(when.tzinfo, "key", None) or zone_label(when.tzinfo, there)
        raise OrbitsError(
            f"{what} {text!r} does not exist in {name}: the clocks go forward over it that night "
            f"(give {there:%H:%M} {zone_label(when.tzinfo, there)} or a UTC offset)"
        )
    return when


def format_time(when, zone, seconds=True):
    """``YYYY-MM-DD HH:MM:SS`` of an aware datetime in ``zone``."""
    local = when.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def zone_label(zone, when=None):
    """Short name of a zone for headers: ``PKT``, ``UTC``, ``CET``..."""
    when = when or datetime.now(UTC)
    return when.astimezone(zone).tzname() or str(zone)


def format_duration(seconds: float) -> str:
    """A duration (an uncertainty, say) as people read it: ``"40 s"``,
    ``"12 min"``, ``"9 h"``, ``"3 d"``; at least ``"1 s"``."""
    if seconds != seconds:
        return "?"
    if seconds < 90.0:
        return f"{max(seconds, 1.0):.0f} s"
    if seconds < 90 * 60.0:
        return f"{seconds / 60.0:.0f} min"
    if seconds < 48 * 3600.0:
        return f"{seconds / 3600.0:.0f} h"
    return f"{seconds / 86400.0:.0f} d"
