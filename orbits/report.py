"""Presenting predictions: text tables, JSON, CSV and iCalendar.

Every function takes results from :mod:`orbits.passes` or
:mod:`orbits.positions` and a display zone, and returns a string (or, for
JSON, a plain dict ready for ``json.dumps``).  The JSON keys are the
scripting contract documented in the README.
"""

import csv
import functools
import io
import json
import math
from datetime import datetime, timezone

import numpy as np

from .catalog import display_name
from .freshness import nominal_slot as slot_of
from .table import PASS_EVENTS, WINDOW_EVENTS
from .times import UTC, format_duration, format_time, from_posix, zone_label
from .visibility import END_REASONS, START_REASONS

__all__ = ["compass", "passes_table", "passes_json", "passes_csv", "passes_ics",
           "now_table", "now_json", "now_csv", "catalog_table", "catalog_json",
           "status_table", "status_json", "json_text", "json_chunks", "iso_times", "RawJSON",
           "RecordStream"]

_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
           "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")

def compass(azimuth_deg):
    """16-point compass name of an azimuth in degrees (N = 0, E = 90)."""
    return _POINTS[int((azimuth_deg % 360.0) / 22.5 + 0.5) % 16]

def _columns(head, body):
    """Left-aligned text columns: header, dashes, rows."""
    widths = [max(len(r[i]) for r in list(body) + [head]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    return lines + ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]

def _iso(when, zone):
    return when.astimezone(zone).isoformat(timespec="milliseconds")

def _site_text(site):
    return (f"{site.label} ({abs(site.latitude_deg):.4f}{'N' if site.latitude_deg >= 0 else 'S'} "
            f"{abs(site.longitude_deg):.4f}{'E' if site.longitude_deg >= 0 else 'W'}, "
            f"{site.elevation_m:.0f} m)")

def _site_json(site):
    return {"name": site.name or None, "latitude": site.latitude_deg,
            "longitude": site.longitude_deg, "elevation_m": site.elevation_m}

def _age(epoch, when):
    return (when - epoch).total_seconds() / 86400.0

# --------------------------------------------------------------------------
# passes
# --------------------------------------------------------------------------

def _cell(event, zone):
    el = event.elevation_deg if abs(event.elevation_deg) >= 0.5 else 0.0  # no "-0°"
    return f"{event.time.astimezone(zone):%H:%M:%S} {el:3.0f}° {compass(event.azimuth_deg):>3}"

def passes_table(prediction, zone, visible_only=True):
    """Heavens-Above-like table; visible windows by default, whole passes with ``visible_only=False``."""
    p = prediction
    label = zone_label(zone, p.start)
    lines = [
        f"{'Visible passes' if visible_only else 'Passes'} over {_site_text(p.site)}",
        f"{format_time(p.start, zone, False)} to {format_time(p.end, zone, False)} {label}; "
        f"horizon {p.horizon_deg:g}°, visible = sunlit, at or above {p.min_elevation_deg:g}°, "
        f"Sun at or below {p.sun_altitude_deg:g}°; geometric elevations",
        "",
    ]
    rows = p.visible_passes if visible_only else p.passes
    if visible_only:
        head = ("Date", "Satellite", "Mag", "±", "Start (time el az)", "Highest", "End", "Note")
    else:
        head = ("Date", "Satellite", "Vis", "±", "Rise (time el az)", "Culmination", "Set", "Note")
    body = []
    for x in rows:
        notes = []
        if x.starts_before_window:
            notes.append("in progress at start")
        if x.ends_after_window:
            notes.append("continues after window")
        if visible_only:
            w = x.visible_window
            if w.end_reason == "enters the Earth's shadow":
                notes.append("fades into shadow")
            if len(x.windows) > 1:
                notes.append(f"{len(x.windows)} visible spells")
            mag = f"{w.magnitude:.1f}" if w.magnitude is not None else "-"
            cells = (f"{w.start.time.astimezone(zone):%Y-%m-%d}", x.name, mag, _plus_minus(x.time_uncertainty_s),
                     _cell(w.start, zone), _cell(w.peak, zone), _cell(w.end, zone), ", ".join(notes))
        else:
            vis = "-"
            if x.visible:
                vis = f"{x.magnitude:.1f}" if x.magnitude is not None else "yes"
            cells = (f"{x.rise.time.astimezone(zone):%Y-%m-%d}", x.name, vis, _plus_minus(x.time_uncertainty_s),
                     _cell(x.rise, zone), _cell(x.culmination, zone), _cell(x.set, zone), ", ".join(notes))
        body.append(cells)
    if body:
        lines += _columns(head, body)
    elif any(r.status == "elements_too_old" for r in p.satellites):
        lines.append(f"No {'visible ' if visible_only else ''}passes that can be timed in this window: "
                     f"see 'Withheld' below.")
    else:
        lines.append("No visible passes in this window." if visible_only else "No passes in this window.")
    if body:
        lines.append("± : 90% bound on how far the times can be off, for the elements' age "
                     "(docs/uncertainty.md)")
    lines += _status_lines(p)
    lines.append("")
    lines.append(f"Elements used (times {label}; ± at the window's start):")
    for r in p.satellites:
        if r.on_nominal_slot:
            lines.append(f"  {r.name:<18} {r.norad_id:>6}  {r.orbit_class:<3}  {r.source}")
            continue
        age = _age(r.tle_epoch, p.start)
        lines.append(f"  {r.name:<18} {r.norad_id:>6}  {r.orbit_class:<3}  epoch "
                     f"{format_time(r.tle_epoch, zone, False)}  ({age:+.1f} days at start, "
                     f"{_plus_minus(r.time_uncertainty_s)})  {r.source}")
    return "\n".join(lines) + "\n"


def _html_table(caption, head, body, notes=()):
    """An HTML table (for Jupyter): ``head`` a tuple of column names, ``body``
    rows of text cells; everything escaped."""
    import html

    def row(cells, tag):
        return "<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in cells) + "</tr>"
    lines = [f"<table><caption>{html.escape(caption)}</caption>", "<thead>" + row(head, "th") + "</thead><tbody>"]
    lines += [row(cells, "td") for cells in body]
    lines.append("</tbody></table>")
    lines += [f"<p>{html.escape(n)}</p>" for n in notes]
    return "\n".join(lines)


def passes_html(prediction, zone, visible_only=True):
    """The pass table of :func:`passes_table` as HTML (what Jupyter shows for
    :class:`orbits.api.Passes`): one row per pass, its ±, the visible window's
    start, highest point and end, then what was withheld and why."""
    p = prediction
    rows = p.visible_passes if visible_only else p.passes
    head = ("Date", "Satellite", "Mag", "±", "Start", "Highest", "End") if visible_only else \
        ("Date", "Satellite", "Visible", "±", "Rise", "Culmination", "Set")
    body = []
    for x in rows:
        w = x.visible_window
        if visible_only:
            events = (w.start, w.peak, w.end)
            mag = f"{w.magnitude:.1f}" if w.magnitude is not None else "-"
        else:
            events = (x.rise, x.culmination, x.set)
            mag = "yes" if x.visible else "-"
        body.append((f"{events[0].time.astimezone(zone):%Y-%m-%d}", x.name, mag, _plus_minus(x.time_uncertainty_s),
                     *(_cell(e, zone) for e in events)))
    label = zone_label(zone, p.start)
    caption = (f"{'Visible passes' if visible_only else 'Passes'} over {_site_text(p.site)}, "
               f"{format_time(p.start, zone, False)} to {format_time(p.end, zone, False)} {label}")
    notes = [f"{r.name}: {r.message}" for r in p.satellites if r.status == "elements_too_old"]
    return _html_table(caption, head, body, notes)


def _plus_minus(seconds):
    """``"±40 s"``, ``"±12 min"``: a time uncertainty in a table cell."""
    return f"±{format_duration(seconds)}"

def _status_lines(p):
    lines = []
    above = [r for r in p.satellites if r.status == "always_above"]
    never = [r for r in p.satellites if r.status == "never_rises"]
    failed = [r for r in p.satellites if r.status == "failed"]
    old = [r for r in p.satellites if r.status == "elements_too_old"]
    if above:
        lines += ["", "Always above the horizon (no rises or sets; point a dish here):"]
        for r in above:
            lines.append(f"  {r.name:<18} az {_span(r.azimuth_deg)}  el {_span(r.elevation_deg)}  {_slot_note(r)}")
    if old:
        lines += ["", "Withheld: elements too old to time the passes ('orbits tle update', "
                      "'orbits tle import FILE', or --stale):"]
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
    return f"{abs(longitude_deg):.{digits}f}°{'E' if longitude_deg >= 0 else 'W'}"


def _span(pair):
    lo, hi = pair
    return f"{lo:.1f}°" if abs(hi - lo) < 0.05 else f"{lo:.1f}°–{hi:.1f}°"

#: A string as JSON text, non-ASCII kept (``json.dumps(text, ensure_ascii=False)``, faster).
_json_string = json.encoder.encode_basestring


class RawJSON(str):
    """Text that is already JSON; :func:`json_text` writes it as it is."""


class RecordStream:
    """A JSON list written in blocks as it is read: ``blocks()`` yields lists
    of JSON texts (plain ``str``: they cross from worker processes, and a
    ``str`` subclass pickles slowly), so a large output never sits in memory whole."""

    def __init__(self, blocks):
        self.blocks = blocks

def iso_times(seconds, zone):
    """ISO 8601 texts (milliseconds, with offset) of POSIX seconds in ``zone``,
    the same as ``from_posix(s).astimezone(zone).isoformat(timespec="milliseconds")``."""
    seconds = np.asarray(seconds, dtype=float)
    offset = zone.utcoffset(None) if isinstance(zone, timezone) else None
    if offset is None or offset.microseconds or offset.seconds % 60:
        return [_iso(from_posix(s), zone) for s in seconds.tolist()]  # zones with DST
    whole = np.floor(seconds)
    micro = whole.astype(np.int64) * 1_000_000 + np.round((seconds - whole) * 1e6).astype(np.int64)
    local_ms = micro // 1000 + int(offset.total_seconds()) * 1000
    minutes = int(offset.total_seconds()) // 60
    suffix = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    text = np.datetime_as_string(local_ms.astype("datetime64[ms]"), unit="ms")
    return [t + suffix for t in text.tolist()]


def _events_json(cols, name, zone, rows=None):
    """JSON texts of one event column group (``<name>_s``, ``_az``, ``_el``)."""
    pick = (lambda a: a) if rows is None else (lambda a: a[rows])
    times = iso_times(pick(cols[f"{name}_s"]), zone)
    return [f'{{"time": "{t}", "azimuth": {az!r}, "elevation": {el!r}}}' for t, az, el in
            zip(times, pick(cols[f"{name}_az"]).tolist(), pick(cols[f"{name}_el"]).tolist())]


def _pass_lines(parts):
    """The ``passes`` records of the contract as a :class:`RecordStream` of
    JSON texts.  ``parts`` yields ``(table, texts)`` pairs, ``texts`` from
    :func:`_part_lines`, and None after the last part of each stretch of
    time (see :meth:`orbits.passes.PassStream.parts`): each stretch is
    written in time order when complete."""
    def blocks():
        lines, keys = [], []
        for part in parts:
            if part is not None:
                texts, rise_s, norad_id = part[1]
                lines += texts
                keys.append((rise_s, norad_id))
                continue
            if keys:
                order = np.lexsort((np.concatenate([k[1] for k in keys]), np.concatenate([k[0] for k in keys])))
                yield [lines[i] for i in order.tolist()]
            lines, keys = [], []
    return RecordStream(blocks)


def _part_lines(table, elements, zone, visible_only):
    """(JSON texts, rise times, NORAD ids) of the passes of one part (see
    :func:`passes_json`); run where the part is computed."""
    if visible_only:
        table = table.take(table.window_count() > 0)
    return _lines(table, elements, zone, {}), table.passes["rise_s"], table.passes["norad_id"]


def _lines(table, elements, zone, memo):
    """JSON texts of the passes of ``table`` (see :func:`passes_json`);
    ``memo`` keeps each satellite's name and epoch texts."""
    cols, w = table.passes, table.windows
    if not len(table):
        return []
    ev = {e: _events_json(cols, e, zone) for e in PASS_EVENTS}
    wev = {e: _events_json(w, e, zone) for e in WINDOW_EVENTS}
    windows = [[] for _ in range(len(table))]
    for k, (row, a, b, mag) in enumerate(zip(w["pass"].tolist(), w["start_reason"].tolist(),
                                             w["end_reason"].tolist(), w["magnitude"].tolist())):
        windows[row].append(f'{{"start": {wev["start"][k]}, "peak": {wev["peak"][k]}, "end": '
                            f'{wev["end"][k]}, "start_reason": "{START_REASONS[a]}", "end_reason": '
                            f'"{END_REASONS[b]}", "magnitude": {"null" if mag != mag else repr(mag)}}}')
    longest = table.longest_window().tolist()
    magnitude = table.magnitude().tolist()
    uncertainty = cols["time_unc_s"].tolist()
    whole = np.floor(np.concatenate([cols["rise_s"], cols["set_s"]]))
    micro = whole.astype(np.int64) * 1_000_000 + np.round(
        (np.concatenate([cols["rise_s"], cols["set_s"]]) - whole) * 1e6).astype(np.int64)
    duration = ((micro[len(table):] - micro[:len(table)]) / 1e6).tolist()
    lines = []
    for k, (sat, norad, before, after) in enumerate(zip(
            cols["sat"].tolist(), cols["norad_id"].tolist(), cols["starts_before"].tolist(),
            cols["ends_after"].tolist())):
        if sat not in memo:
            e = elements[sat]
            memo[sat] = (_json_string(display_name(e)), _iso(e.epoch, UTC))
        name, epoch = memo[sat]
        j = longest[k]
        if j >= 0:
            vis = (f'true, "visible_start": {wev["start"][j]}, "visible_end": {wev["end"][j]}, '
                   f'"visible_peak": {wev["peak"][j]}, "visible_end_reason": "{END_REASONS[w["end_reason"][j]]}"')
        else:
            vis = 'false, "visible_start": null, "visible_end": null, "visible_peak": null, "visible_end_reason": null'
        mag = magnitude[k]
        lines.append(
            f'{{"norad_id": {norad}, "name": {name}, "rise": {ev["rise"][k]}, "culmination": '
            f'{ev["culmination"][k]}, "set": {ev["set"][k]}, "visible": {vis}, "magnitude": '
            f'{"null" if mag != mag else repr(mag)}, "tle_epoch": "{epoch}", "in_progress_at_start": '
            f'{"true" if before else "false"}, "continues_after_end": {"true" if after else "false"}, '
            f'"duration_s": {round(duration[k], 3)!r}, "time_uncertainty_s": {uncertainty[k]!r}, '
            f'"windows": [{", ".join(windows[k])}]}}')
    return lines

def passes_json(prediction, zone=UTC, visible_only=True, encoded=False):
    """The JSON contract: ``passes`` (list) plus ``site``, window, ``satellites``, ``warnings``.

    ``prediction`` is a :class:`~orbits.passes.Prediction`, or (with
    ``encoded``) a :class:`~orbits.passes.PassStream` not yet read: its
    passes are then formatted slice by slice as they are written, and the
    satellites and warnings, known only at the end, come last.  With
    ``encoded`` the lists are :class:`RecordStream` objects of JSON texts
    (what :func:`json_chunks` writes fast, block by block), else plain lists.
    """
    from .passes import PassStream

    if isinstance(prediction, PassStream):
        if not encoded:
            raise ValueError("a PassStream is written as it is computed: use encoded=True")
        stream = prediction
        head = stream.settings()
        present = functools.partial(_part_lines, zone=zone, visible_only=visible_only)
        texts = [None] * len(stream.elements)

        def take_reports():  # format the reports completed so far
            fresh = stream.finished_reports()
            if fresh:
                rows, reports = zip(*fresh)
                for i, text in zip(rows, _satellite_lines(reports)):
                    texts[i] = text

        def parts():
            for part in stream.parts(present):
                yield part
                take_reports()

        def satellites():
            stream.finish()
            take_reports()
            return [texts]
        passes = _pass_lines(parts())
        satellites = RecordStream(satellites)
        warnings = RecordStream(lambda: [[RawJSON(json.dumps(w, ensure_ascii=False))
                                          for w in stream.finish().warnings]])
    else:
        head = prediction
        table = prediction.table
        passes = _pass_lines([(table, _part_lines(table, prediction.elements, zone, visible_only)), None])
        satellites = _satellite_lines(prediction.satellites)
        warnings = list(prediction.warnings)
        if not encoded:
            passes = [json.loads(line) for part in passes.blocks() for line in part]
            satellites = [json.loads(line) for line in satellites]
    return {
        "site": _site_json(head.site),
        "start": _iso(head.start, zone),
        "end": _iso(head.end, zone),
        "horizon": head.horizon_deg,
        "min_elevation": head.min_elevation_deg,
        "sun_altitude": head.sun_altitude_deg,
        "visible_only": visible_only,
        "passes": passes,
        "satellites": satellites,
        "warnings": warnings,
    }


def _satellite_lines(reports):
    """The contract's records of satellite reports (:class:`~orbits.passes.SatelliteReport`), as JSON texts."""
    memo = {None: "null"}  # classes, sources and messages repeat

    def text(value):
        if value not in memo:
            memo[value] = json.dumps(value, ensure_ascii=False)
        return memo[value]

    def number(value):  # a finite float or None, as json.dumps writes it
        return "null" if value is None else repr(value)

    def pair(values):
        return f"[{values[0]!r}, {values[1]!r}]" if values else "null"

    epochs = iso_times([r.tle_epoch.timestamp() for r in reports], UTC)
    return [RawJSON(
        f'{{"norad_id": {r.norad_id}, "name": {_json_string(r.name)}, '
        f'"orbit_class": {text(r.orbit_class)}, "tle_epoch": "{epoch}", '
        f'"elements_source": {text(r.source)}, "status": "{r.status}", "passes": {r.pass_count}, '
        f'"visible_passes": {r.visible_count}, "azimuth_range": {pair(r.azimuth_deg)}, '
        f'"elevation_range": {pair(r.elevation_deg)}, "longitude": {number(r.longitude_deg)}, '
        f'"usable_until": {text(_iso(r.usable_until, UTC) if r.usable_until else None)}, '
        f'"age_days": {r.age_days!r}, "time_uncertainty_s": {r.time_uncertainty_s!r}, '
        f'"position_uncertainty_km": {r.position_uncertainty_km!r}, '
        f'"nominal_slot": {number(r.slot_longitude_deg)}, '
        f'"on_nominal_slot": {"true" if r.on_nominal_slot else "false"}, '
        f'"message": {text(r.message or None)}}}') for r, epoch in zip(reports, epochs)]


_CSV_EVENTS = ("rise", "culmination", "set", "visible_start", "visible_end")

def passes_csv(prediction, zone=UTC, visible_only=True):
    """One row per pass; each event as ``<event>_time``, ``_azimuth``, ``_elevation`` columns."""
    data = passes_json(prediction, zone, visible_only)
    buffer = io.StringIO()
    columns = ["norad_id", "name"]
    for e in _CSV_EVENTS:
        columns += [f"{e}_time", f"{e}_azimuth", f"{e}_elevation"]
    columns += ["visible", "magnitude", "tle_epoch", "in_progress_at_start", "continues_after_end",
                "time_uncertainty_s"]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for x in data["passes"]:
        row = [x["norad_id"], x["name"]]
        for e in _CSV_EVENTS:
            ev = x[e]
            row += [ev["time"], ev["azimuth"], ev["elevation"]] if ev else ["", "", ""]
        row += [str(x["visible"]).lower(), "" if x["magnitude"] is None else x["magnitude"],
                x["tle_epoch"], str(x["in_progress_at_start"]).lower(),
                str(x["continues_after_end"]).lower(), x["time_uncertainty_s"]]
        writer.writerow(row)
    return buffer.getvalue()

def _ics_text(text):
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

def _fold(line):
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

def passes_ics(prediction, zone=UTC, now=None):
    """An iCalendar file with one event per visible pass (its visible window)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    site = prediction.site
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//orbits//satellite passes//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for x in prediction.visible_passes:
        w = x.visible_window
        mag = f", mag {w.magnitude:.1f}" if w.magnitude is not None else ""
        summary = f"{x.name} visible pass, max {w.peak.elevation_deg:.0f}°{mag}"
        description = (
            f"Over {site.label}. Appears {w.start.time.astimezone(zone):%H:%M:%S} at "
            f"{w.start.elevation_deg:.0f}° {compass(w.start.azimuth_deg)}, highest "
            f"{w.peak.time.astimezone(zone):%H:%M:%S} at {w.peak.elevation_deg:.0f}° "
            f"{compass(w.peak.azimuth_deg)}, ends {w.end.time.astimezone(zone):%H:%M:%S} at "
            f"{w.end.elevation_deg:.0f}° {compass(w.end.azimuth_deg)} ({w.end_reason}). "
            f"Times {zone_label(zone, w.start.time)}, uncertain by ±{format_duration(x.time_uncertainty_s)} "
            f"(90% bound for elements {_age(x.tle_epoch, w.peak.time):.1f} days old). "
            f"Elements epoch {x.tle_epoch:%Y-%m-%d %H:%M} UTC.")
        uid = f"{x.norad_id}-{w.start.time.astimezone(UTC):%Y%m%dT%H%M%S}@orbits"
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{w.start.time.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                  f"DTEND:{w.end.time.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                  _fold(f"SUMMARY:{_ics_text(summary)}"),
                  _fold(f"DESCRIPTION:{_ics_text(description)}"),
                  _fold(f"LOCATION:{_ics_text(_site_text(site))}"),
                  "BEGIN:VALARM", "ACTION:DISPLAY", _fold(f"DESCRIPTION:{_ics_text(summary)}"),
                  "TRIGGER:-PT10M", "END:VALARM", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"

# --------------------------------------------------------------------------
# now
# --------------------------------------------------------------------------

def now_json(snapshots, site, zone=UTC, trusts=None, withhold=True):
    """The JSON contract of ``orbits now``: ``now`` is a list of positions.

    ``trusts`` (:class:`~orbits.freshness.Trust`, one per snapshot) give each
    row its uncertainty; with ``withhold``, satellites whose elements are too
    old have ``"status": "elements_too_old"`` and no position.
    """
    rows = []
    trusts = trusts if trusts is not None else [None] * len(snapshots)
    for s, t in zip(snapshots, trusts):
        def num(x, nd):
            return None if x != x else round(x, nd)
        hidden = withhold and t is not None and t.too_old
        if s.error:
            status = "failed"
        elif hidden:
            status = "elements_too_old"
        else:
            status = "ok"
        row = {
            "norad_id": s.norad_id, "name": s.name, "time": _iso(s.time, zone),
            "azimuth": num(s.azimuth_deg, 3), "elevation": num(s.elevation_deg, 3),
            "range_km": num(s.range_km, 3), "range_rate_km_s": num(s.range_rate_km_s, 4),
            "latitude": num(s.latitude_deg, 4), "longitude": num(s.longitude_deg, 4),
            "altitude_km": num(s.altitude_km, 3), "sunlit": s.sunlit,
            "above_horizon": None if s.error else s.elevation_deg >= 0,
            "orbit_class": s.orbit_class, "tle_epoch": _iso(s.tle_epoch, UTC), "error": s.error,
            "status": status,
            "position_uncertainty_km": None if t is None else round(t.position_uncertainty_km, 1),
            "time_uncertainty_s": None if t is None else round(t.time_uncertainty_s, 1),
            "elements_source": None if t is None else t.elements.source,
            "on_nominal_slot": t is not None and t.on_slot,
        }
        if hidden:
            for key in ("azimuth", "elevation", "range_km", "range_rate_km_s", "latitude", "longitude",
                        "altitude_km", "sunlit", "above_horizon"):
                row[key] = None
        rows.append(row)
    return {"site": _site_json(site), "now": rows}


def now_csv(snapshots, site, zone=UTC, trusts=None, withhold=True):
    """``orbits now`` as CSV, one row per satellite."""
    rows = now_json(snapshots, site, zone, trusts, withhold)["now"]
    buffer = io.StringIO()
    columns = ["norad_id", "name", "time", "azimuth", "elevation", "range_km", "latitude",
               "longitude", "altitude_km", "sunlit", "orbit_class", "tle_epoch", "status",
               "position_uncertainty_km", "time_uncertainty_s", "on_nominal_slot", "error"]
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r[k] is None else r[k]) for k in columns})
    return buffer.getvalue()


def _position_cell(s, t):
    """The ± of a position: km, and along the track a time (low orbits) or,
    seen from the site, an angle (geostationary)."""
    km = t.position_uncertainty_km
    if s.orbit_class == "GEO" and s.range_km == s.range_km:
        return f"±{km:,.0f} km ({math.degrees(km / s.range_km):.2g}°)"
    return f"±{km:,.0f} km ({format_duration(t.time_uncertainty_s)})"


def now_html(snapshots, site, zone, trusts=None, withhold=True):
    """The rows of :func:`now_json` as an HTML table (for Jupyter)."""
    rows = now_json(snapshots, site, zone, trusts, withhold)["now"]

    def num(value, fmt):
        return "-" if value is None else format(value, fmt)
    body = [(r["name"], r["norad_id"], num(r["azimuth"], ".1f"), num(r["elevation"], ".1f"), num(r["range_km"], ",.0f"),
             num(r["latitude"], ".2f"), num(r["longitude"], ".2f"),
             "-" if r["position_uncertainty_km"] is None else f"±{r['position_uncertainty_km']:,.0f} km",
             r["status"]) for r in rows]
    when = snapshots[0].time if snapshots else None
    caption = f"Positions seen from {_site_text(site)}" + (f" at {format_time(when, zone)} {zone_label(zone, when)}"
                                                            if when else "")
    return _html_table(caption, ("Satellite", "NORAD", "Az °", "El °", "Range km", "Lat", "Lon", "±", "Status"),
                       body)


def now_table(snapshots, site, zone, trusts=None, withhold=True):
    """Where each satellite is, as seen from ``site``; GEO rows give dish pointing.

    ``trusts`` as for :func:`now_json`: a ``±`` column, and with ``withhold``
    no position for elements too old to place the satellite.
    """
    if not snapshots:
        return "No satellites.\n"
    when = snapshots[0].time
    trusts = trusts if trusts is not None else [None] * len(snapshots)
    lines = [f"Positions at {format_time(when, zone)} {zone_label(zone, when)} seen from {_site_text(site)}",
             "(azimuth from north through east; geometric elevation; ± is a 90% bound, along the track "
             "in time or, for GEO, as an angle seen from here)", ""]
    head = ("Satellite", "NORAD", "Az", "El", "Range km", "Lat", "Lon", "Alt km", "Sunlit", "±", "Note")
    body = []
    for s, t in zip(snapshots, trusts):
        if s.error:
            body.append((s.name, str(s.norad_id), "-", "-", "-", "-", "-", "-", "-", "-", s.error))
            continue
        if withhold and t is not None and t.too_old:
            body.append((s.name, str(s.norad_id), "-", "-", "-", "-", "-", "-", "-",
                         f"±{format_duration(t.time_uncertainty_s)}",
                         f"elements too old ({t.age_days:.0f} days): position unknown"))
            continue
        note = ""
        if s.orbit_class == "GEO":
            where = (f"slot {_east(s.longitude_deg, 1)}" if t is not None and
                     t.on_slot else f"at {_east(s.longitude_deg)}")
            nominal = slot_of(t.elements) if t is not None else None
            if nominal is not None and not t.on_slot:
                where += f", nominal slot {_east(nominal, 1)}"
            note = (f"dish: az {s.azimuth_deg:.1f}°, el {s.elevation_deg:.1f}° ({where})" if s.elevation_deg > 0
                    else f"below the horizon ({where})")
        elif s.elevation_deg > 0:
            note = "above the horizon"
        body.append((s.name, str(s.norad_id), f"{s.azimuth_deg:.1f}° {compass(s.azimuth_deg)}",
                     f"{s.elevation_deg:.1f}°", f"{s.range_km:,.0f}",
                     f"{s.latitude_deg:.2f}", f"{s.longitude_deg:.2f}", f"{s.altitude_km:,.0f}",
                     "yes" if s.sunlit else "no", _position_cell(s, t) if t is not None else "", note))
    lines += _columns(head, body)
    lines.append("")
    for s, t in zip(snapshots, trusts):
        if t is not None and t.on_slot:
            lines.append(f"  {s.name}: {t.elements.source}")
            continue
        source = f"  {t.elements.source}" if t is not None else ""
        lines.append(f"  {s.name}: elements epoch {format_time(s.tle_epoch, zone, False)} "
                     f"({_age(s.tle_epoch, when):+.1f} days){source}")
    return "\n".join(lines) + "\n"

# --------------------------------------------------------------------------
# catalog
# --------------------------------------------------------------------------

def catalog_json(entries, when):
    """``entries``: ``[(KnownSatellite or None, ElementSet or None)]``."""
    rows = []
    for known, e in entries:
        rows.append({
            "norad_id": known.norad_id if known else e.norad_id,
            "name": known.name if known else e.name,
            "aliases": list(known.aliases) if known else [],
            "country": known.country if known else None,
            "orbit_class": e.orbit_class if e else None,
            "tle_epoch": _iso(e.epoch, UTC) if e else None,
            "age_days": round(_age(e.epoch, when), 2) if e else None,
            "standard_magnitude": known.standard_magnitude if known else None,
            "magnitude_source": (known.magnitude_source or None) if known else None,
            "source": e.source if e else None,
            "note": (known.note or None) if known else None,
        })
    return {"satellites": rows}

def catalog_table(entries, when, zone, historic=()):
    """The satellites `orbits` knows, with their elements' epoch and age."""
    rows = catalog_json(entries, when)["satellites"]
    head = ("NORAD", "Name", "Class", "Epoch", "Age", "Std mag", "Aliases")
    body = []
    for r, (known, e) in zip(rows, entries):
        body.append((str(r["norad_id"]), r["name"], r["orbit_class"] or "-",
                     format_time(e.epoch, zone, False) if e else "no elements",
                     f"{r['age_days']:.1f} d" if e else "-",
                     "-" if r["standard_magnitude"] is None else f"{r['standard_magnitude']:+.1f}",
                     ", ".join(r["aliases"][:4])))
    lines = [f"Satellites known to orbits (epochs in {zone_label(zone, when)}, ages at "
             f"{format_time(when, zone, False)})", ""]
    lines += _columns(head, body)
    if historic:
        lines += ["", "Asked about but not predictable:"] + [f"  {text}" for text in historic]
    return "\n".join(lines) + "\n"

# --------------------------------------------------------------------------
# element status
# --------------------------------------------------------------------------

def status_json(rows, when, problems=None):
    """``rows`` from :func:`orbits.elements.status`; ages in days at ``when``.
    ``problems`` maps a cached query to what is wrong with its reply file
    (see :meth:`orbits.cache.ElementCache.problem`)."""
    problems = problems or {}
    return [{
        "norad_id": n, "name": name, "epoch": _iso(epoch, UTC), "age_days": round(_age(epoch, when), 3),
        "source": "bundled" if where is None else "cache",
        "query": where.query if where is not None else None,
        "fetched": _iso(where.fetched, UTC) if where is not None else None,
        "problem": problems.get(where.query) if where is not None else None,
    } for n, name, epoch, where in rows]


def status_table(rows, when, zone, cache, problems=None):
    """Element epochs, ages and sources, then what the cache holds (``cache``
    None: this machine has no place for one)."""
    problems = problems or {}

    def source(where):
        if where is None:
            return "bundled"
        trouble = problems.get(where.query)
        return f"cache ({where.query})" + (f": {trouble}; run 'orbits tle update --force'" if trouble else "")
    body = [(str(n), name, format_time(epoch, zone, False), f"{_age(epoch, when):.1f} d", source(where))
            for n, name, epoch, where in rows]
    lines = [f"Element sets in use (epochs in {zone_label(zone, when)}, ages at "
             f"{format_time(when, zone, False)})", ""]
    lines += _columns(("NORAD", "Name", "Epoch", "Age", "Source"), body)
    queries = sorted(cache.queries().values(), key=lambda q: q.fetched) if cache is not None else []
    lines.append("")
    if cache is None:
        lines.append("No element cache: this machine has no home folder for it (set ORBITS_CACHE_DIR).")
    elif queries:
        lines.append(f"Cache {cache.gp}:")
        lines += _columns(("Query", "Fetched", "Sets", "File"), [
            (q.query, format_time(q.fetched, zone, False), str(len(q.satellites)), problems.get(q.query) or "ok")
            for q in queries])
    else:
        lines.append(f"The cache ({cache.gp}) is empty: run 'orbits tle update' for fresh elements.")
    if any(_age(epoch, when) > 1 for _, _, epoch, _ in rows):
        lines += ["", "Elements more than a day old (three for high orbits) are refreshed by the prediction "
                  "commands when there is a network; 'orbits tle update' fetches them now."]
    return "\n".join(lines) + "\n"

def json_chunks(data):
    """``data`` as JSON text, in pieces: one line per top-level key, and one
    line per element of a top-level list (a pass, a satellite), so large
    outputs use the fast C encoder yet stay readable with ``grep`` and
    ``less``.  A :class:`RecordStream` is written block by block."""
    def listing(parts, indent):
        empty, comma = True, f",\n{indent}  "
        for texts in parts:
            for k in range(0, len(texts), 2000):  # a few MB at a time
                yield ("[\n" if empty else ",\n") + indent + "  "
                yield comma.join(texts[k:k + 2000])
                empty = False
        yield "[]" if empty else "\n" + indent + "]"

    def block(value, indent):
        if isinstance(value, RecordStream):
            return listing(value.blocks(), indent)
        if isinstance(value, list):
            return listing([[v if isinstance(v, RawJSON) else json.dumps(v, ensure_ascii=False)
                             for v in value]], indent)
        return iter([json.dumps(value, ensure_ascii=False)])

    if isinstance(data, dict):
        yield "{\n"
        for n, (k, v) in enumerate(data.items()):
            yield f"{',' + chr(10) if n else ''}  {json.dumps(k)}: "
            yield from block(v, "  ")
        yield "\n}\n"
    else:
        yield from block(data, "")
        yield "\n"


def json_text(data):
    """``data`` as JSON text (see :func:`json_chunks`)."""
    return "".join(json_chunks(data))
