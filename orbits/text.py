"""Text for people: the commands' tables, and the HTML tables Jupyter shows.

Pass tables are made from :class:`~orbits.table.Pass` objects, position and
catalogue tables from their JSON records (:mod:`orbits.records`), so every
format says the same; times are in the display zone, angles in degrees with
compass points.
"""

import math
from datetime import datetime, tzinfo

from .freshness import nominal_slot as slot_of
from .records import age_days, catalog_json, now_json
from .times import format_duration, format_time, zone_label

__all__ = [
    "compass",
    "site_text",
    "plus_minus",
    "extinction_note",
    "passes_table",
    "passes_html",
    "now_table",
    "now_html",
    "catalog_table",
    "status_table",
]

_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")


def compass(azimuth_deg: float) -> str:
    """16-point compass name of an azimuth in degrees (N = 0, E = 90)."""
    return _POINTS[int((azimuth_deg % 360.0) / 22.5 + 0.5) % 16]


def text_columns(head, body):
    """Left-aligned text columns: header, dashes, rows."""
    widths = [max(len(r[i]) for r in list(body) + [head]) for i in range(len(head))]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    return lines + ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]


def site_text(site) -> str:
    """A site as a header shows it: its label, latitude and longitude, height
    (a site with no name but its coordinates shows them once)."""
    where = (
        f"{abs(site.latitude_deg):.4f}{'N' if site.latitude_deg >= 0 else 'S'} "
        f"{abs(site.longitude_deg):.4f}{'E' if site.longitude_deg >= 0 else 'W'}"
    )
    if site.label == where:
        return f"{where}, {site.elevation_m:.0f} m"
    return f"{site.label} ({where}, {site.elevation_m:.0f} m)"


def plus_minus(seconds: float) -> str:
    """``"±40 s"``, ``"±12 min"``: a time uncertainty in a table cell."""
    return f"±{format_duration(seconds)}"


# --------------------------------------------------------------------------
# passes
# --------------------------------------------------------------------------


def extinction_note(extinction_per_airmass: float) -> str:
    """The line saying what the magnitudes include: the atmospheric extinction, or that it is off."""
    if not extinction_per_airmass:
        return "Magnitudes without atmospheric extinction (--extinction 0): as above the atmosphere"
    return (
        f"Magnitudes include atmospheric extinction, k={extinction_per_airmass:.2f} mag/airmass "
        f"(dimmer low in the sky; --extinction K to change, 0 for none)"
    )


def _cell(event, zone):
    """An event in a table cell: local time, elevation, compass point."""
    el = event.elevation_deg if abs(event.elevation_deg) >= 0.5 else 0.0  # no "-0°"
    return f"{event.time.astimezone(zone):%H:%M:%S} {el:3.0f}° {compass(event.azimuth_deg):>3}"


def _horizon_text(horizon) -> str:
    """A site's horizon as a table header gives it."""
    if horizon.mask is None:
        return f"horizon {horizon.flat_deg:g}°"
    floor = f", at least {horizon.flat_deg:g}°" if horizon.flat_deg > min(horizon.mask.elevation_deg) else ""
    return f"horizon mask {horizon.mask} (azimuth:elevation °{floor})"


def window_text(start, end, zone):
    """``2026-04-10 00:00 to 2026-04-13 00:00 PKT``; each end with its own
    zone name when the clocks change between them (``... 00:59 GMT to
    ... 04:23 BST``)."""
    first, last = zone_label(zone, start), zone_label(zone, end)
    if first == last:
        return f"{format_time(start, zone, False)} to {format_time(end, zone, False)} {first}"
    return f"{format_time(start, zone, False)} {first} to {format_time(end, zone, False)} {last}"


def passes_table(prediction, zone: tzinfo, visible_only: bool = True, first_number: int = 1) -> str:
    """Heavens-Above-like table; visible windows by default, whole passes with ``visible_only=False``.

    Over several sites, one table per site, one after the other, the pass
    numbers running on (as in JSON and CSV)."""
    p = prediction
    if len(p.sites) > 1:
        parts = []
        for k in range(len(p.sites)):
            part = p.for_site(k)
            parts.append(passes_table(part, zone, visible_only, first_number))
            first_number += len(part.visible_passes if visible_only else part.passes)
        return "\n".join(parts)
    lines = [
        f"{'Visible passes' if visible_only else 'Passes'} over {site_text(p.site)}",
        f"{window_text(p.start, p.end, zone)}; "
        f"{_horizon_text(p.site.horizon(p.horizon_deg))}, "
        f"visible = sunlit, at or above {p.min_elevation_deg:g}°, "
        f"Sun at or below {p.sun_altitude_deg:g}°; geometric elevations",
    ]
    rows = p.visible_passes if visible_only else p.passes
    if any(x.magnitude is not None for x in rows):
        lines.append(extinction_note(p.extinction_per_airmass))
    lines.append("")
    if visible_only:
        head = ("#", "Date", "Satellite", "Mag", "±", "Start (time el az)", "Highest", "End", "Note")
    else:
        head = ("#", "Date", "Satellite", "Vis", "±", "Rise (time el az)", "Culmination", "Set", "Note")
    body = []
    for number, x in enumerate(rows, first_number):
        notes = []
        if x.starts_before_window:
            notes.append("in progress at start")
        if x.ends_after_window:
            notes.append("continues after window")
        if visible_only:
            w = x.visible_window
            if w.start_reason == "leaves the Earth's shadow":
                notes.append("appears out of shadow")
            if w.end_reason == "enters the Earth's shadow":
                notes.append("fades into shadow")
            if len(x.windows) > 1:
                notes.append(f"{len(x.windows)} visible spells")
            mag = f"{x.magnitude:.1f}" if x.magnitude is not None else "-"  # the pass's brightest, as in JSON
            cells = (
                str(number),
                f"{w.start.time.astimezone(zone):%Y-%m-%d}",
                x.name,
                mag,
                plus_minus(x.time_uncertainty_s),
                _cell(w.start, zone),
                _cell(w.peak, zone),
                _cell(w.end, zone),
                ", ".join(notes),
            )
        else:
            vis = "-"
            if x.visible:
                vis = f"{x.magnitude:.1f}" if x.magnitude is not None else "yes"
            cells = (
                str(number),
                f"{x.rise.time.astimezone(zone):%Y-%m-%d}",
                x.name,
                vis,
                plus_minus(x.time_uncertainty_s),
                _cell(x.rise, zone),
                _cell(x.culmination, zone),
                _cell(x.set, zone),
                ", ".join(notes),
            )
        body.append(cells)
    if body:
        lines += text_columns(head, body)
    elif any(r.status == "elements_too_old" for r in p.satellites):
        lines.append(
            f"No {'visible ' if visible_only else ''}passes that can be timed in this window: "
            f"see 'Withheld' below."
        )
    else:
        lines.append("No visible passes in this window." if visible_only else "No passes in this window.")
    if body:
        lines.append(
            "± : 90% bound on how far the times can be off, for the elements' age (docs/uncertainty.md)"
        )
    lines += _status_lines(p)
    lines.append("")
    lines.append(f"Elements used (times {zone_label(zone, p.start)}; ± at the window's start):")
    for r in p.satellites:
        if r.on_nominal_slot:
            lines.append(f"  {r.name:<18} {r.norad_id:>6}  {r.orbit_class:<3}  {r.source}")
            continue
        age = age_days(r.tle_epoch, p.start)
        lines.append(
            f"  {r.name:<18} {r.norad_id:>6}  {r.orbit_class:<3}  epoch "
            f"{format_time(r.tle_epoch, zone, False)}  ({age:+.1f} days at start, "
            f"{plus_minus(r.time_uncertainty_s)})  {r.source}"
        )
    return "\n".join(lines) + "\n"


def html_table(caption, head, body, notes=()):
    """An HTML table (for Jupyter): ``head`` a tuple of column names, ``body``
    rows of text cells; everything escaped."""
    import html

    def row(cells, tag):
        return "<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in cells) + "</tr>"

    lines = [
        f"<table><caption>{html.escape(caption)}</caption>",
        "<thead>" + row(head, "th") + "</thead><tbody>",
    ]
    lines += [row(cells, "td") for cells in body]
    lines.append("</tbody></table>")
    lines += [f"<p>{html.escape(n)}</p>" for n in notes]
    return "\n".join(lines)


def passes_html(prediction, zone: tzinfo, visible_only: bool = True) -> str:
    """The pass table of :func:`passes_table` as HTML (what Jupyter shows for
    :class:`orbits.api.Passes`): one row per pass, its ±, the visible window's
    start, highest point and end, then what was withheld and why.  Over
    several sites, one table per site."""
    p = prediction
    if len(p.sites) > 1:
        return "\n".join(passes_html(p.for_site(k), zone, visible_only) for k in range(len(p.sites)))
    rows = p.visible_passes if visible_only else p.passes
    head = (
        ("Date", "Satellite", "Mag", "±", "Start", "Highest", "End")
        if visible_only
        else ("Date", "Satellite", "Visible", "±", "Rise", "Culmination", "Set")
    )
    body = []
    for x in rows:
        w = x.visible_window
        if visible_only:
            events = (w.start, w.peak, w.end)
            mag = f"{x.magnitude:.1f}" if x.magnitude is not None else "-"  # the pass's brightest, as in JSON
        else:
            events = (x.rise, x.culmination, x.set)
            mag = "yes" if x.visible else "-"
        body.append(
            (
                f"{events[0].time.astimezone(zone):%Y-%m-%d}",
                x.name,
                mag,
                plus_minus(x.time_uncertainty_s),
                *(_cell(e, zone) for e in events),
            )
        )
    caption = (
        f"{'Visible passes' if visible_only else 'Passes'} over {site_text(p.site)}, "
        f"{window_text(p.start, p.end, zone)}"
    )
    notes = [f"{r.name}: {r.message}" for r in p.satellites if r.status == "elements_too_old"]
    if any(x.magnitude is not None for x in rows):
        notes.insert(0, extinction_note(p.extinction_per_airmass))
    return html_table(caption, head, body, notes)


def _status_lines(p):
    """The satellites without passes to list, by why: always up, withheld, never up, failed."""
    lines = []
    above = [r for r in p.satellites if r.status == "always_above"]
    never = [r for r in p.satellites if r.status == "never_rises"]
    failed = [r for r in p.satellites if r.status == "failed"]
    old = [r for r in p.satellites if r.status == "elements_too_old"]
    if above:
        lines += ["", "Always above the horizon (no rises or sets; point a dish here):"]
        for r in above:
            lines.append(
                f"  {r.name:<18} az {_span(r.azimuth_deg)}  el {_span(r.elevation_deg)}  {_slot_note(r)}"
            )
    if old:
        lines += [
            "",
            "Withheld: elements too old to time the passes ('orbits tle update', "
            "'orbits tle import FILE', or --stale):",
        ]
        lines += [f"  {r.name:<18} {r.message}" for r in old]
    if never:
        lines += ["", f"Never above {p.horizon_deg:g}° in this window:"]
        for r in never:
            top = f"(highest {r.elevation_deg[1]:.1f}°)" if r.elevation_deg else ""
            lines.append(f"  {r.name:<18} {top}")
    if failed:
        lines += ["", "No predictions (elements unusable):"]
        lines += [f"  {r.name:<18} {r.message}" for r in failed]
    return lines


def _slot_note(r):
    """Where a geostationary satellite sits: on its nominal slot (old
    elements), or its elements' longitude with the nominal slot beside it."""
    if r.longitude_deg is None:
        return ""
    if r.on_nominal_slot:
        return f"on its nominal slot {_east(r.longitude_deg)} (its elements are too old to place it)"
    nominal = f" (nominal {_east(r.slot_longitude_deg, 1)})" if r.slot_longitude_deg is not None else ""
    return f"slot {_east(r.longitude_deg)}{nominal}"


def _east(longitude_deg, digits=2):
    """A longitude as ``"38.00°E"``."""
    return f"{abs(longitude_deg):.{digits}f}°{'E' if longitude_deg >= 0 else 'W'}"


def _span(pair):
    """A (low, high) range of degrees, one number when it is narrow."""
    lo, hi = pair
    return f"{lo:.1f}°" if abs(hi - lo) < 0.05 else f"{lo:.1f}°–{hi:.1f}°"


# --------------------------------------------------------------------------
# positions, catalogue, element status
# --------------------------------------------------------------------------


def _position_cell(s, t):
    """The ± of a position: km, and along the track a time (low orbits) or,
    seen from the site, an angle (geostationary)."""
    km = t.position_uncertainty_km
    if s.orbit_class == "GEO" and s.range_km == s.range_km:
        return f"±{km:,.0f} km ({math.degrees(km / s.range_km):.2g}°)"
    return f"±{km:,.0f} km ({format_duration(t.time_uncertainty_s)})"


def now_html(snapshots: list, site, zone: tzinfo, trusts: list | None = None, withhold: bool = True) -> str:
    """The rows of :func:`~orbits.records.now_json` as an HTML table (for Jupyter)."""
    rows = now_json(snapshots, site, zone, trusts, withhold)["now"]

    def num(value, fmt):
        return "-" if value is None else format(value, fmt)

    body = [
        (
            r["name"],
            r["norad_id"],
            num(r["azimuth"], ".1f"),
            num(r["elevation"], ".1f"),
            num(r["range_km"], ",.0f"),
            num(r["latitude"], ".2f"),
            num(r["longitude"], ".2f"),
            "-" if r["position_uncertainty_km"] is None else f"±{r['position_uncertainty_km']:,.0f} km",
            r["status"],
        )
        for r in rows
    ]
    when = snapshots[0].time if snapshots else None
    caption = f"Positions seen from {site_text(site)}"
    if when:
        caption += f" at {format_time(when, zone)} {zone_label(zone, when)}"
    head = ("Satellite", "NORAD", "Az °", "El °", "Range km", "Lat", "Lon", "±", "Status")
    return html_table(caption, head, body)


def now_table(snapshots: list, site, zone: tzinfo, trusts: list | None = None, withhold: bool = True) -> str:
    """Where each satellite is, as seen from ``site``; GEO rows give dish pointing.

    ``trusts`` as for :func:`~orbits.records.now_json`: a ``±`` column, and with ``withhold``
    no position for elements too old to place the satellite.
    """
    if not snapshots:
        return "No satellites.\n"
    when = snapshots[0].time
    trusts = trusts if trusts is not None else [None] * len(snapshots)
    lines = [
        f"Positions at {format_time(when, zone)} {zone_label(zone, when)} seen from {site_text(site)}",
        "(azimuth from north through east; geometric elevation; ± is a 90% bound, along the track "
        "in time or, for GEO, as an angle seen from here)",
        "",
    ]
    head = ("Satellite", "NORAD", "Az", "El", "Range km", "Lat", "Lon", "Alt km", "Sunlit", "±", "Note")
    body = []
    for s, t in zip(snapshots, trusts, strict=True):
        if s.error:
            body.append((s.name, str(s.norad_id), "-", "-", "-", "-", "-", "-", "-", "-", s.error))
            continue
        if withhold and t is not None and t.too_old:
            body.append(
                (
                    s.name,
                    str(s.norad_id),
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    f"±{format_duration(t.time_uncertainty_s)}",
                    f"elements too old ({t.age_days:.0f} days): position unknown",
                )
            )
            continue
        note = ""
        if s.orbit_class == "GEO":
            where = (
                f"slot {_east(s.longitude_deg, 1)}"
                if t is not None and t.on_slot
                else f"at {_east(s.longitude_deg)}"
            )
            nominal = slot_of(t.elements) if t is not None else None
            if nominal is not None and not t.on_slot:
                where += f", nominal slot {_east(nominal, 1)}"
            note = (
                f"dish: az {s.azimuth_deg:.1f}°, el {s.elevation_deg:.1f}° ({where})"
                if s.elevation_deg > 0
                else f"below the horizon ({where})"
            )
        elif s.elevation_deg > 0:
            note = "above the horizon"
        body.append(
            (
                s.name,
                str(s.norad_id),
                f"{s.azimuth_deg:.1f}° {compass(s.azimuth_deg)}",
                f"{s.elevation_deg:.1f}°",
                f"{s.range_km:,.0f}",
                f"{s.latitude_deg:.2f}",
                f"{s.longitude_deg:.2f}",
                f"{s.altitude_km:,.0f}",
                "yes" if s.sunlit else "no",
                _position_cell(s, t) if t is not None else "",
                note,
            )
        )
    lines += text_columns(head, body)
    lines.append("")
    for s, t in zip(snapshots, trusts, strict=True):
        if t is not None and t.on_slot:
            lines.append(f"  {s.name}: {t.elements.source}")
            continue
        source = f"  {t.elements.source}" if t is not None else ""
        lines.append(
            f"  {s.name}: elements epoch {format_time(s.tle_epoch, zone, False)} "
            f"({age_days(s.tle_epoch, when):+.1f} days){source}"
        )
    return "\n".join(lines) + "\n"


def catalog_table(entries: list, when: datetime, zone: tzinfo, historic: tuple = ()) -> str:
    """The satellites `orbits` knows, with their elements' epoch and age."""
    rows = catalog_json(entries, when)["satellites"]
    head = ("NORAD", "Name", "Class", "Epoch", "Age", "Std mag", "Aliases")
    body = []
    for r, (_, e) in zip(rows, entries, strict=True):
        body.append(
            (
                str(r["norad_id"]),
                r["name"],
                r["orbit_class"] or "-",
                format_time(e.epoch, zone, False) if e else "no elements",
                f"{r['age_days']:.1f} d" if e else "-",
                "-" if r["standard_magnitude"] is None else f"{r['standard_magnitude']:+.1f}",
                ", ".join(r["aliases"][:4]),
            )
        )
    lines = [
        f"Satellites known to orbits (epochs in {zone_label(zone, when)}, ages at "
        f"{format_time(when, zone, False)})",
        "",
    ]
    lines += text_columns(head, body)
    if historic:
        lines += ["", "Asked about but not predictable:"] + [f"  {text}" for text in historic]
    return "\n".join(lines) + "\n"


def status_table(rows: list, when: datetime, zone: tzinfo, cache, problems: dict | None = None) -> str:
    """Element epochs, ages and sources, then what the cache holds (``cache``
    None: this machine has no place for one)."""
    problems = problems or {}

    def source(where):
        if where is None:
            return "bundled"
        trouble = problems.get(where.query)
        return f"cache ({where.query})" + (f": {trouble}; run 'orbits tle update --force'" if trouble else "")

    body = [
        (str(n), name, format_time(epoch, zone, False), f"{age_days(epoch, when):.1f} d", source(where))
        for n, name, epoch, where in rows
    ]
    lines = [
        f"Element sets in use (epochs in {zone_label(zone, when)}, ages at {format_time(when, zone, False)})",
        "",
    ]
    lines += text_columns(("NORAD", "Name", "Epoch", "Age", "Source"), body)
    queries = sorted(cache.queries().values(), key=lambda q: q.fetched) if cache is not None else []
    lines.append("")
    if cache is None:
        lines.append("No element cache: this machine has no home folder for it (set ORBITS_CACHE_DIR).")
    elif queries:
        lines.append(f"Cache {cache.gp}:")
        lines += text_columns(
            ("Query", "Fetched", "Sets", "File"),
            [
                (
                    q.query,
                    format_time(q.fetched, zone, False),
                    str(len(q.satellites)),
                    problems.get(q.query) or "ok",
                )
                for q in queries
            ],
        )
    else:
        lines.append(f"The cache ({cache.gp}) is empty: run 'orbits tle update' for fresh elements.")
    if any(age_days(epoch, when) > 1 for _, _, epoch, _ in rows):
        lines += [
            "",
            "Elements more than a day old (three for high orbits) are refreshed by the prediction "
            "commands when there is a network; 'orbits tle update' fetches them now.",
        ]
    return "\n".join(lines) + "\n"
