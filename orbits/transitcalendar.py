"""iCalendar (RFC 5545) of transits: one event per transit or approach, from
the moment the separation comes within the limit to when it leaves it,
where to stand and the ± in its description, a reminder 30 minutes before
(time to set up a telescope)."""

from datetime import datetime, timedelta, tzinfo

from .bodies import BODIES
from .calendar import event_lines
from .times import UTC, format_duration, zone_label
from .transitrecords import SOLAR_FILTER
from .transittext import clock as _clock

__all__ = ["transits_ics"]


def transits_ics(search, zone: tzinfo = UTC, now: datetime | None = None) -> str:
    """An iCalendar file of a :class:`~orbits.transits.TransitSearch`."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    site = search.site
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//orbits//satellite transits//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for t in search.transits:
        body = BODIES[t.body].label
        if t.geostationary:
            summary = f"{body} behind {t.name}" + (" (outage)" if t.solar else "")
        elif t.transit:
            summary = f"{t.name} transits the {body}"
        else:
            summary = f"{t.name} passes {t.separation_deg:.2f}° from the {body}'s centre"
        line = t.centre_line
        where = (
            f" Centre line {line.direction_text} of the site at {_clock(line.time, zone)}, "
            f"strip half-width {line.half_width_km:.2f} km."
            if line is not None and not t.geostationary
            else ""
        )
        description = (
            f"Seen from {site.label}: closest {_clock(t.time, zone)}"
            + f" {zone_label(zone, t.time)}, separation {t.separation_deg:.3f}°"
            + (f", on the disc {t.duration_s:.2f} s" if t.transit and not t.geostationary else "")
            + f"; satellite at {t.satellite_elevation_deg:.0f}° elevation, {t.range_km:.0f} km.{where}"
            + f" Times uncertain by ±{format_duration(t.time_uncertainty_s)} (90%)."
            + (f" {SOLAR_FILTER[0].upper()}{SOLAR_FILTER[1:]}." if t.solar and not t.geostationary else "")
        )
        start, end = t.window_start, max(t.window_end, t.window_start + timedelta(seconds=1))
        uid = (
            f"{t.norad_id}-{t.body}-{t.time.astimezone(UTC):%Y%m%dT%H%M%S}-"
            f"{site.latitude_deg:+.4f}{site.longitude_deg:+.4f}{site.elevation_m:+.0f}@orbits"
        )
        lines += event_lines(uid, stamp, start, end, summary, description, site, 30)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
