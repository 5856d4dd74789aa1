"""iCalendar (RFC 5545): a prediction's visible passes as calendar events.

Each event is a visible window, from where the satellite appears to where
it fades or sets, with where to look in its description; times in UTC,
the description's in the display zone.
"""

from datetime import datetime, tzinfo

from .records import age_days
from .text import compass, site_text
from .times import UTC, format_duration, zone_label

__all__ = ["passes_ics"]


def ics_text(text):
    """Text as an iCalendar TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def event_lines(uid, stamp, start, end, summary, description, site, reminder_min):
    """The lines of one VEVENT: ``start`` to ``end`` (aware datetimes), at
    ``site``, with a display alarm ``reminder_min`` minutes before."""
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        fold_line(f"SUMMARY:{ics_text(summary)}"),
        fold_line(f"DESCRIPTION:{ics_text(description)}"),
        fold_line(f"LOCATION:{ics_text(site_text(site))}"),
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        fold_line(f"DESCRIPTION:{ics_text(summary)}"),
        f"TRIGGER:-PT{reminder_min:d}M",
        "END:VALARM",
        "END:VEVENT",
    ]


def fold_line(line):
    """Fold an iCalendar content line at 75 octets (RFC 5545 3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def passes_ics(prediction, zone: tzinfo = UTC, now: datetime | None = None) -> str:
    """An iCalendar file with one event per visible pass of a
    :class:`~orbits.passes.Prediction` (its longest visible window), each
    with a reminder 10 minutes before; ``now`` (default the clock) stamps
    the events.  Over several sites, each event is at its pass's site."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//orbits//satellite passes//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    # one site at a time (each pass's site names its place and goes in its UID)
    parts = (
        [prediction.for_site(k) for k in range(len(prediction.sites))]
        if len(prediction.sites) > 1
        else [prediction]
    )
    for part in parts:
        site = part.site
        for x in part.visible_passes:
            w = x.visible_window
            mag = f", mag {w.magnitude:.1f}" if w.magnitude is not None else ""
            summary = f"{x.name} visible pass, max {w.peak.elevation_deg:.0f}°{mag}"
            brightness = ""
            if w.magnitude is not None:
                brightness = (
                    f"Brightest magnitude {w.magnitude:.1f} through the air "
                    f"({w.magnitude_above_atmosphere:.1f} above it; extinction "
                    f"{part.extinction_per_airmass:.2f} mag/airmass). "
                )
            description = (
                f"Over {site.label}. Appears {w.start.time.astimezone(zone):%H:%M:%S} at "
                f"{w.start.elevation_deg:.0f}° {compass(w.start.azimuth_deg)}, highest "
                f"{w.peak.time.astimezone(zone):%H:%M:%S} at {w.peak.elevation_deg:.0f}° "
                f"{compass(w.peak.azimuth_deg)}, ends {w.end.time.astimezone(zone):%H:%M:%S} at "
                f"{w.end.elevation_deg:.0f}° {compass(w.end.azimuth_deg)} ({w.end_reason}). "
                f"{brightness}"
                f"Times {zone_label(zone, w.start.time)}, "
                f"uncertain by ±{format_duration(x.time_uncertainty_s)} "
                f"(90% bound for elements {age_days(x.tle_epoch, w.peak.time):.1f} days old). "
                f"Elements epoch {x.tle_epoch:%Y-%m-%d %H:%M} UTC."
            )
            # unique per satellite, pass and site: calendars of two sites can be merged
            uid = (
                f"{x.norad_id}-{w.start.time.astimezone(UTC):%Y%m%dT%H%M%S}-"
                f"{site.latitude_deg:+.4f}{site.longitude_deg:+.4f}{site.elevation_m:+.0f}@orbits"
            )
            lines += event_lines(uid, stamp, w.start.time, w.end.time, summary, description, site, 10)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
