"""Text for people about transits: the ``orbits transits`` table and the
HTML table Jupyter shows.  Times in the display zone (to 0.01 s for low
orbits), each with its ±; compass points for directions."""

from datetime import tzinfo

from .bodies import BODIES
from .text import compass, html_table, plus_minus, site_text
from .times import format_time, from_posix, zone_label
from .transitrecords import SOLAR_FILTER

__all__ = ["transits_table", "transits_html", "nothing_found_line", "clock"]


def clock(when, zone, hundredths=True):
    """``HH:MM:SS.ss`` (or ``HH:MM:SS``) of an aware datetime in ``zone``."""
    if not hundredths:
        return f"{from_posix(round(when.timestamp()), zone):%H:%M:%S}"
    local = from_posix(round(when.timestamp() * 100.0) / 100.0, zone)
    return f"{local:%H:%M:%S}.{round(local.microsecond / 10000.0):02d}"


def _limit_text(search):
    if search.within_km is not None:
        return f"centre line within {search.within_km:g} km"
    return f"within {search.max_separation_deg:g}° of the centre"


def _bodies_text(search):
    return " or ".join(BODIES[b].label for b in search.bodies)


def nothing_found_line(search, zone: tzinfo) -> str:
    """The one line said when a search found nothing."""
    span = f"{format_time(search.start, zone, False)} to {format_time(search.end, zone, False)}"
    geo_only = search.elements and all(e.orbit_class == "GEO" for e in search.elements)
    hint = (
        "; geostationary sun outages come only in the weeks around the equinoxes "
        "(try --start 2026-03-01 or 2026-10-01 --days 20)"
        if geo_only and "sun" in search.bodies
        else ""
    )
    return (
        f"No transit or approach {_limit_text(search)} of the {_bodies_text(search)} seen from "
        f"{search.site.label}, {span} {zone_label(zone, search.start)}{hint}."
    )


def _low_rows(transits, zone):
    rows = []
    for t in transits:
        line = t.centre_line
        disc = f"yes {t.duration_s:.2f} s" if t.transit else "no"
        moon = ""
        if t.moon_illuminated is not None:
            moon = f" ({t.moon_illuminated * 100:.0f}% lit)"
        rows.append(
            (
                str(t.number),
                f"{t.time.astimezone(zone):%Y-%m-%d}",
                clock(t.time, zone),
                plus_minus(t.time_uncertainty_s),
                t.name,
                BODIES[t.body].label + moon,
                f"{t.separation_deg:.3f}°",
                disc,
                f"{t.satellite_elevation_deg:.0f}° {compass(t.satellite_azimuth_deg)}",
                f"{t.range_km:.0f} km",
                f"{t.body_altitude_deg:.0f}°",
                "-" if line is None else f"{line.direction_text} at {clock(line.time, zone)}",
                "-" if line is None else f"{line.half_width_km:.2f} km",
            )
        )
    return rows


def _geo_rows(transits, zone):
    rows = []
    for t in transits:
        within = (t.window_end - t.window_start).total_seconds()
        behind = f"yes, {t.duration_s / 60:.1f} min" if t.transit else "no"
        rows.append(
            (
                str(t.number),
                f"{t.time.astimezone(zone):%Y-%m-%d}",
                t.name,
                BODIES[t.body].label,
                f"{clock(t.window_start, zone, False)} - {clock(t.window_end, zone, False)}",
                f"{within / 60:.1f} min",
                clock(t.time, zone, False),
                plus_minus(t.time_uncertainty_s),
                f"{t.separation_deg:.3f}°",
                behind,
            )
        )
    return rows


_LOW_HEAD = (
    "#",
    "Date",
    "Time",
    "±",
    "Satellite",
    "Body",
    "Sep",
    "On the disc",
    "Sat el/az",
    "Range",
    "Body alt",
    "Centre line (nearest)",
    "Half-width",
)
_GEO_HEAD = (
    "#",
    "Date",
    "Satellite",
    "Body",
    "Within the limit",
    "For",
    "Closest",
    "±",
    "Sep",
    "Behind the disc",
)


def transits_table(search, zone: tzinfo) -> str:
    """The table of ``orbits transits`` for a :class:`~orbits.transits.TransitSearch`."""
    from .text import text_columns

    label = zone_label(zone, search.start)
    lines = [
        f"Transits of the {_bodies_text(search)} seen from {site_text(search.site)}",
        f"{format_time(search.start, zone, False)} to {format_time(search.end, zone, False)} {label}; "
        f"{_limit_text(search)}, both above the horizon",
        "",
    ]
    if not search.transits:
        return "\n".join(lines + [nothing_found_line(search, zone)]) + "\n"
    low = [t for t in search.transits if not t.geostationary]
    geo = [t for t in search.transits if t.geostationary]
    if low:
        lines.append(f"Transits and close approaches (times {label}, to 0.01 s; ± for the elements' age):")
        lines += text_columns(_LOW_HEAD, _low_rows(low, zone))
        lines.append("")
        lines.append(
            "Centre line: the nearest point from which the satellite crosses the body's centre, "
            "and when; half-width: of the strip that sees it on the disc."
        )
        if any(t.solar for t in low):
            lines.append(f"Sun: {SOLAR_FILTER}.")
        lines.append("")
    if geo:
        lines.append(
            f"Geostationary satellites: the {_bodies_text(search)} behind them seen from the site "
            f"({'sun outages of ' if 'sun' in search.bodies else ''}a dish pointed at them; times {label}):"
        )
        lines += text_columns(_GEO_HEAD, _geo_rows(geo, zone))
        lines.append("")
        if any(t.solar for t in geo):
            lines.append(
                "A dish pointed at the satellite then points at the Sun: its signal is swamped, "
                "and the feed gets hot."
            )
    return "\n".join(lines).rstrip("\n") + "\n"


def transits_html(search, zone: tzinfo) -> str:
    """The table of :func:`transits_table` as HTML (what Jupyter shows)."""
    caption = (
        f"Transits of the {_bodies_text(search)} seen from {search.site.label}, "
        f"{format_time(search.start, zone, False)} to {format_time(search.end, zone, False)} "
        f"{zone_label(zone, search.start)}; {_limit_text(search)}"
    )
    notes = [f"Sun: {SOLAR_FILTER}."] if any(t.solar for t in search.transits) else []
    if not search.transits:
        notes = [nothing_found_line(search, zone)]
    low = [t for t in search.transits if not t.geostationary]
    geo = [t for t in search.transits if t.geostationary]
    parts = []
    if low or not geo:
        parts.append(html_table(caption, _LOW_HEAD, _low_rows(low, zone), notes if not geo else ()))
    if geo:
        parts.append(html_table(caption + " (geostationary)", _GEO_HEAD, _geo_rows(geo, zone), notes))
    return "\n".join(parts)
