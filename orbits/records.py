"""The JSON contract's records: plain dicts, or the same as JSON texts.

Every command's ``--format json`` output, and the rows that CSV and the
API's ``to_records()`` give, are made here; the keys are the scripting
contract documented in the README.  Pass and satellite records are made by
one builder from the columns of a :class:`~orbits.table.PassTable` (or the
satellites' reports), in one of two forms: :data:`VALUES` gives dicts,
:data:`TEXTS` gives their JSON texts directly (what ``json.dumps`` would
write: floats as ``repr``, ``", "`` and ``": "`` separators, non-ASCII
kept), which is what makes a catalogue's JSON fast to write.

The pass JSON of ``orbits passes`` is written as it is computed:
:func:`streamed_passes_json` takes a :class:`~orbits.passes.PassStream`
and has its parts encoded where they are computed by a :class:`PassEncoder`.
"""

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

import numpy as np

from .catalog import display_name
from .jsontext import RawJSON, RecordStream
from .table import PASS_EVENTS, WINDOW_EVENTS, PassTable, shown_magnitudes
from .times import UTC, from_posix, posix_microseconds
from .visibility import END_REASONS, START_REASONS

__all__ = [
    "TEXTS",
    "VALUES",
    "iso_time",
    "iso_times",
    "age_days",
    "site_json",
    "pass_records",
    "satellite_records",
    "PassEncoder",
    "passes_json",
    "streamed_passes_json",
    "now_json",
    "catalog_json",
    "status_json",
]


def iso_time(when: datetime, zone: tzinfo) -> str:
    """ISO 8601 text of an aware datetime in ``zone``, to the millisecond, with its offset."""
    return when.astimezone(zone).isoformat(timespec="milliseconds")


def iso_times(seconds, zone: tzinfo) -> list[str]:
    """ISO 8601 texts (milliseconds, with offset) of POSIX seconds in ``zone``,
    the same as ``iso_time(from_posix(s), zone)`` (fast for fixed offsets)."""
    seconds = np.asarray(seconds, dtype=float)
    offset = zone.utcoffset(None) if isinstance(zone, timezone) else None
    if offset is None or offset.microseconds or offset.seconds % 60:
        return [iso_time(from_posix(s), zone) for s in seconds.tolist()]  # zones with DST
    local_ms = posix_microseconds(seconds) // 1000 + int(offset.total_seconds()) * 1000
    minutes = int(offset.total_seconds()) // 60
    suffix = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    text = np.datetime_as_string(local_ms.astype("datetime64[ms]"), unit="ms")
    return [t + suffix for t in text.tolist()]


def age_days(epoch: datetime, when: datetime) -> float:
    """Days from ``epoch`` to ``when`` (an element set's age)."""
    return (when - epoch).total_seconds() / 86400.0


def site_json(site) -> dict:
    """The contract's record of a site."""
    return {
        "name": site.name or None,
        "latitude": site.latitude_deg,
        "longitude": site.longitude_deg,
        "elevation_m": site.elevation_m,
    }


def network_site_json(site) -> dict:
    """A site of the prediction's ``sites`` list: :func:`site_json` with its
    own horizon (``min_elevation``, null for the prediction's) and
    ``horizon_mask`` (the azimuth:elevation text, null without)."""
    return {
        **site_json(site),
        "name": site.label,
        "min_elevation": site.horizon_deg,
        "horizon_mask": str(site.mask) if site.mask is not None else None,
    }


# --------------------------------------------------------------------------
# the two forms of a record
# --------------------------------------------------------------------------

#: A string as JSON text, non-ASCII kept (``json.dumps(text, ensure_ascii=False)``, faster).
_json_string = json.encoder.encode_basestring


class _Values:
    """Records as Python values: dicts, lists, floats, None."""

    null = None

    @staticmethod
    def floats(values):
        """Python floats, as they are."""
        return values

    @staticmethod
    def numbers(values):
        """Floats that may be missing (None or NaN)."""
        return [None if x is None or x != x else x for x in values]

    @staticmethod
    def ints(values):
        return values

    @staticmethod
    def strings(values):
        """Any text (or None)."""
        return values

    words = strings

    @staticmethod
    def flags(values):
        return [bool(v) for v in values]

    @staticmethod
    def float_lists(values):
        """Sequences of floats; an empty one is missing."""
        return [list(v) if v else None for v in values]

    @staticmethod
    def lists(groups):
        """One list per group of records."""
        return [list(g) for g in groups]

    @staticmethod
    def records(keys, columns):
        """One record per row of ``columns`` (one column per key, in order)."""
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


class _Formatted:
    """A column of the texts form given by its raw ``values`` and how each is
    written (``how``: ``"repr"`` for floats, ``"number"`` for floats that may
    be NaN (null), ``"flag"`` for booleans, ``"quoted"`` for text needing no
    escaping, ``"as is"`` for ints), so that a whole record is written by
    one f-string (see :func:`_record_writer`)."""

    __slots__ = ("values", "how")

    def __init__(self, values, how):
        self.values, self.how = values, how


#: How a column's values go into a record's f-string.
_FIELD = {
    "text": "{%s}",
    "as is": "{%s}",
    "repr": "{%s!r}",
    "quoted": '"{%s}"',
    "flag": '{"true" if %s else "false"}',
    "number": '{"null" if %s != %s else repr(%s)}',
}


@functools.cache
def _record_writer(keys, hows):
    """A function writing rows (tuples of column values) as JSON records with
    these keys, each record by a single f-string compiled here once per
    layout: a record in one formatting step, as hand-written f-strings
    would be, which is what keeps a catalogue's JSON fast (about a third
    faster than ``%``-formatting with a template)."""
    fields = [
        f"{_json_string(k)}: {_FIELD[how].replace('%s', f'v{i}')}"
        for i, (k, how) in enumerate(zip(keys, hows, strict=True))
    ]
    body = "{{" + ", ".join(fields) + "}}"
    if "'" in body or "\\" in body:
        raise ValueError(f"record keys {keys!r} cannot go into a generated f-string")
    names = ", ".join(f"v{i}" for i in range(len(keys)))
    return eval(f"lambda rows: [f'{body}' for ({names},) in rows]", {})  # keys are this module's constants


class _Texts:
    """Records as JSON texts, exactly as ``json.dumps(record, ensure_ascii=False)`` writes them.

    A column is a list of JSON texts or a :class:`_Formatted` one."""

    null = "null"

    @staticmethod
    def floats(values):
        return _Formatted(values, "repr")

    @staticmethod
    def numbers(values):
        return _Formatted([float("nan") if x is None else x for x in values], "number")

    @staticmethod
    def ints(values):
        return _Formatted(values, "as is")

    @staticmethod
    def strings(values):
        return ["null" if v is None else _json_string(v) for v in values]

    @staticmethod
    def words(values):
        """Text known to need no escaping (times, reason and status words)."""
        return _Formatted(values, "quoted")

    @staticmethod
    def flags(values):
        return _Formatted(values, "flag")

    @staticmethod
    def float_lists(values):
        return [f"[{', '.join(map(repr, v))}]" if v else "null" for v in values]

    @staticmethod
    def lists(groups):
        return [f"[{', '.join(g)}]" for g in groups]

    @staticmethod
    def records(keys, columns):
        hows = tuple(c.how if isinstance(c, _Formatted) else "text" for c in columns)
        write = _record_writer(tuple(keys), hows)
        return write(zip(*(c.values if isinstance(c, _Formatted) else c for c in columns), strict=True))


#: The builders' forms: Python values (dicts) and JSON texts.
VALUES, TEXTS = _Values(), _Texts()


# --------------------------------------------------------------------------
# passes
# --------------------------------------------------------------------------

_EVENT_KEYS = ("time", "azimuth", "elevation")
_WINDOW_KEYS = (
    "start",
    "peak",
    "end",
    "start_reason",
    "end_reason",
    "magnitude",
    "magnitude_above_atmosphere",
)
_PASS_KEYS = (
    "number",
    "norad_id",
    "name",
    "site",
    "rise",
    "culmination",
    "set",
    "visible",
    "visible_start",
    "visible_end",
    "visible_peak",
    "visible_end_reason",
    "magnitude",
    "magnitude_above_atmosphere",
    "tle_epoch",
    "in_progress_at_start",
    "continues_after_end",
    "duration_s",
    "time_uncertainty_s",
    "windows",
)


def _events(form, cols, name, zone):
    """The event records of one column group (``<name>_s``, ``_az``, ``_el``)."""
    return form.records(
        _EVENT_KEYS,
        (
            form.words(iso_times(cols[f"{name}_s"], zone)),
            form.floats(cols[f"{name}_az"].tolist()),
            form.floats(cols[f"{name}_el"].tolist()),
        ),
    )


def pass_records(
    table: PassTable, elements: list, zone: tzinfo, form=VALUES, first_number=1, site_names=("",)
) -> list:
    """The contract's pass records of ``table`` (its ``sat`` column indexing
    ``elements``, its ``site`` column ``site_names``), in table order, times
    in ``zone``: dicts, or with ``form=TEXTS`` their JSON texts.

    ``number`` counts the passes listed from ``first_number`` in table
    order: the pass table's numbers, which ``orbits sky --pass N`` and
    ``orbits map --pass N`` take.  Parts encoded apart from their place in
    the listing (the workers' parts) are numbered later, by
    :func:`numbered`: give ``first_number=None``, and the key is left out.

    ``visible_*`` describe the longest visible window; ``magnitude`` is the
    brightest through the air over the windows, ``magnitude_above_atmosphere``
    the one at that moment without extinction (null when unknown; both to
    0.1, as every output shows them); ``duration_s`` is rise to set from the
    times rounded to the microsecond, as shown.
    """
    cols, w = table.passes, table.windows
    n = len(table)
    if not n:
        return []
    ev = {e: _events(form, cols, e, zone) for e in PASS_EVENTS}
    wev = {e: _events(form, w, e, zone) for e in WINDOW_EVENTS}
    start_reasons = [START_REASONS[a] for a in w["start_reason"].tolist()]
    end_reasons = [END_REASONS[b] for b in w["end_reason"].tolist()]
    window_records = form.records(
        _WINDOW_KEYS,
        (
            wev["start"],
            wev["peak"],
            wev["end"],
            form.words(start_reasons),
            form.words(end_reasons),
            form.numbers(shown_magnitudes(w["magnitude"])),
            form.numbers(shown_magnitudes(w["magnitude_above_atmosphere"])),
        ),
    )
    windows = [[] for _ in range(n)]
    for row, record in zip(w["pass"].tolist(), window_records, strict=True):
        windows[row].append(record)
    longest = table.longest_window().tolist()

    def of_longest(column, missing):  # each pass's entry of a window column for its longest window
        return [column[j] if j >= 0 else missing for j in longest]

    sats, which = np.unique(cols["sat"].astype(int), return_inverse=True)
    names = form.strings([display_name(elements[s]) for s in sats.tolist()])  # each satellite's once
    epochs = [iso_time(elements[s].epoch, UTC) for s in sats.tolist()]
    which = which.tolist()
    micro = posix_microseconds(np.concatenate([cols["rise_s"], cols["set_s"]]))
    duration_s = [round(d, 3) for d in ((micro[n:] - micro[:n]) / 1e6).tolist()]
    null = form.null
    keys, numbers = _PASS_KEYS, []
    if first_number is None:
        keys = _PASS_KEYS[1:]
    else:
        numbers = [form.ints(list(range(first_number, first_number + n)))]
    return form.records(
        keys,
        (
            *numbers,
            form.ints(cols["norad_id"].tolist()),
            [names[i] for i in which],
            _site_names(form, cols["site"], site_names),
            ev["rise"],
            ev["culmination"],
            ev["set"],
            form.flags([j >= 0 for j in longest]),
            of_longest(wev["start"], null),
            of_longest(wev["end"], null),
            of_longest(wev["peak"], null),
            form.strings(of_longest(end_reasons, None)),
            form.numbers(shown_magnitudes(table.magnitude())),
            form.numbers(shown_magnitudes(table.magnitude_above_atmosphere())),
            form.words([epochs[i] for i in which]),
            form.flags(cols["starts_before"].tolist()),
            form.flags(cols["ends_after"].tolist()),
            form.floats(duration_s),
            form.floats(cols["time_unc_s"].tolist()),
            form.lists(windows),
        ),
    )


def _site_names(form, column, site_names):
    """Each pass's site name (each site's text made once)."""
    texts = form.strings(list(site_names))
    return [texts[i] for i in column.astype(int).tolist()]


def site_names(sites) -> tuple:
    """The names passes and reports carry for ``sites`` (their labels)."""
    return tuple(site.label for site in sites)


_SATELLITE_KEYS = (
    "norad_id",
    "name",
    "site",
    "orbit_class",
    "tle_epoch",
    "elements_source",
    "status",
    "passes",
    "visible_passes",
    "azimuth_range",
    "elevation_range",
    "longitude",
    "usable_until",
    "age_days",
    "time_uncertainty_s",
    "position_uncertainty_km",
    "nominal_slot",
    "on_nominal_slot",
    "message",
)


def satellite_records(reports: list, form=VALUES) -> list:
    """The contract's records of satellite reports
    (:class:`~orbits.passes.SatelliteReport`): dicts, or their JSON texts."""
    if not reports:
        return []

    def each(name):
        return [getattr(r, name) for r in reports]

    return form.records(
        _SATELLITE_KEYS,
        (
            form.ints(each("norad_id")),
            form.strings(each("name")),
            form.strings(each("site")),
            form.strings(each("orbit_class")),
            form.words(iso_times([r.tle_epoch.timestamp() for r in reports], UTC)),
            form.strings(each("source")),
            form.words(each("status")),
            form.ints(each("pass_count")),
            form.ints(each("visible_count")),
            form.float_lists(each("azimuth_deg")),
            form.float_lists(each("elevation_deg")),
            form.numbers(each("longitude_deg")),
            form.strings([iso_time(r.usable_until, UTC) if r.usable_until else None for r in reports]),
            form.floats(each("age_days")),
            form.floats(each("time_uncertainty_s")),
            form.floats(each("position_uncertainty_km")),
            form.numbers(each("slot_longitude_deg")),
            form.flags(each("on_nominal_slot")),
            form.strings([r.message or None for r in reports]),
        ),
    )


def _passes_document(head, zone, visible_only, passes, satellites, warnings):
    """The ``orbits passes`` document around its three lists (``head``: a
    :class:`~orbits.passes.Prediction` giving the settings)."""
    return {
        "site": site_json(head.site),
        "sites": [network_site_json(site) for site in head.sites],
        "start": iso_time(head.start, zone),
        "end": iso_time(head.end, zone),
        "horizon": head.horizon_deg,
        "min_elevation": head.min_elevation_deg,
        "sun_altitude": head.sun_altitude_deg,
        "extinction_per_airmass": head.extinction_per_airmass,
        "visible_only": visible_only,
        "passes": passes,
        "satellites": satellites,
        "warnings": warnings,
    }


def _shown(table, visible_only):
    return table.take(table.window_count() > 0) if visible_only else table


def passes_json(prediction, zone: tzinfo = UTC, visible_only: bool = True, encoded: bool = False) -> dict:
    """The JSON contract of a :class:`~orbits.passes.Prediction`: ``passes``
    (the visible ones, or all), ``satellites`` and ``warnings`` lists, with
    the site and the window's settings.

    The records are dicts, or with ``encoded`` JSON texts (:class:`RawJSON`,
    the passes a :class:`RecordStream`) that
    :func:`~orbits.jsontext.json_chunks` writes as they are.
    """
    table = _shown(prediction.table, visible_only)
    form = TEXTS if encoded else VALUES
    passes = pass_records(table, prediction.elements, zone, form, site_names=site_names(prediction.sites))
    satellites = satellite_records(prediction.satellites, form)
    if encoded:
        texts = passes
        passes = RecordStream(lambda: [texts])
        satellites = [RawJSON(text) for text in satellites]
    return _passes_document(prediction, zone, visible_only, passes, satellites, list(prediction.warnings))


@dataclass(frozen=True)
class PassEncoder:
    """The encoder (see :class:`orbits.passes.Encoder`) of the pass JSON:
    ``encode(table, elements)`` gives ``(texts, rise_s, norad_id)``, the
    JSON texts of the part's passes (the visible ones with
    ``visible_only``), times in ``zone``, with the keys to put them in time
    order.  Run in the worker processes, where the part is computed."""

    zone: tzinfo
    visible_only: bool
    site_names: tuple = ("",)

    def encode(self, table: PassTable, elements: list) -> tuple[list[str], np.ndarray, np.ndarray]:
        table = _shown(table, self.visible_only)
        texts = pass_records(table, elements, self.zone, TEXTS, first_number=None, site_names=self.site_names)
        return texts, table.passes["rise_s"], table.passes["norad_id"]


def numbered(texts: list[str], first_number: int) -> list[str]:
    """Pass texts encoded without their ``number`` (``first_number=None`` in
    :func:`pass_records`), numbered from ``first_number``: the key goes first,
    as :func:`pass_records` writes it."""
    return [f'{{"number": {k}, {text[1:]}' for k, text in enumerate(texts, first_number)]


def _time_ordered(parts):
    """The passes of ``parts`` (as :meth:`~orbits.passes.PassStream.parts`
    gives them with a :class:`PassEncoder`) as a :class:`RecordStream` of
    JSON texts: each slice is written in time order when it is complete."""

    def blocks():
        texts, keys, listed = [], [], 0
        for part in parts:
            if part is not None:
                part_texts, rise_s, norad_id = part[1]
                texts += part_texts
                keys.append((rise_s, norad_id))
                continue
            if keys:
                rise_s, norad_id = (np.concatenate(column) for column in zip(*keys, strict=True))
                order = np.lexsort((norad_id, rise_s))
                yield numbered([texts[i] for i in order.tolist()], listed + 1)
                listed += len(order)
            texts, keys = [], []

    return RecordStream(blocks)


def streamed_passes_json(stream, zone: tzinfo = UTC, visible_only: bool = True) -> dict:
    """The JSON contract of a :class:`~orbits.passes.PassStream` not yet read,
    computed as it is written: its passes are encoded slice by slice in the
    workers (:class:`PassEncoder` through :meth:`~orbits.passes.PassStream.parts`),
    the satellites' records as their reports complete, and the lists are
    :class:`RecordStream` objects for :func:`~orbits.jsontext.json_chunks`.
    The satellites and warnings, known only at the end, are read last."""
    texts = [None] * (len(stream.elements) * len(stream.sites))

    def take_reports():  # encode the reports completed so far
        fresh = stream.finished_reports()
        if fresh:
            rows, reports = zip(*fresh, strict=True)
            for i, text in zip(rows, satellite_records(reports, TEXTS), strict=True):
                texts[i] = text

    def parts():
        for part in stream.parts(PassEncoder(zone, visible_only, site_names(stream.sites))):
            yield part
            take_reports()

    def satellites():
        stream.finish()
        take_reports()
        return [texts]

    def warnings():
        return [[json.dumps(w, ensure_ascii=False) for w in stream.finish().warnings]]

    return _passes_document(
        stream.settings(),
        zone,
        visible_only,
        _time_ordered(parts()),
        RecordStream(satellites),
        RecordStream(warnings),
    )


# --------------------------------------------------------------------------
# now, catalog, element status
# --------------------------------------------------------------------------

#: The position fields of a ``now`` row, null when the elements are too old to place the satellite.
_POSITION_KEYS = (
    "azimuth",
    "elevation",
    "range_km",
    "range_rate_km_s",
    "latitude",
    "longitude",
    "altitude_km",
    "sunlit",
    "above_horizon",
)


def now_json(
    snapshots: list, site, zone: tzinfo = UTC, trusts: list | None = None, withhold: bool = True
) -> dict:
    """The JSON contract of ``orbits now``: ``now`` is a list of positions.

    ``trusts`` (:class:`~orbits.freshness.Trust`, one per snapshot) give each
    row its uncertainty; with ``withhold``, satellites whose elements are too
    old have ``"status": "elements_too_old"`` and no position.
    """

    def num(x, digits):
        return None if x != x else round(x, digits)

    rows = []
    trusts = trusts if trusts is not None else [None] * len(snapshots)
    for s, t in zip(snapshots, trusts, strict=True):
        hidden = withhold and t is not None and t.too_old
        if s.error:
            status = "failed"
        elif hidden:
            status = "elements_too_old"
        else:
            status = "ok"
        row = {
            "norad_id": s.norad_id,
            "name": s.name,
            "time": iso_time(s.time, zone),
            "azimuth": num(s.azimuth_deg, 3),
            "elevation": num(s.elevation_deg, 3),
            "range_km": num(s.range_km, 3),
            "range_rate_km_s": num(s.range_rate_km_s, 4),
            "latitude": num(s.latitude_deg, 4),
            "longitude": num(s.longitude_deg, 4),
            "altitude_km": num(s.altitude_km, 3),
            "sunlit": s.sunlit,
            "above_horizon": None if s.error else s.elevation_deg >= 0,
            "orbit_class": s.orbit_class,
            "tle_epoch": iso_time(s.tle_epoch, UTC),
            "error": s.error,
            "status": status,
            "position_uncertainty_km": None if t is None else round(t.position_uncertainty_km, 1),
            "time_uncertainty_s": None if t is None else round(t.time_uncertainty_s, 1),
            "elements_source": None if t is None else t.elements.source,
            "on_nominal_slot": t is not None and t.on_slot,
        }
        if hidden:
            row.update(dict.fromkeys(_POSITION_KEYS))
        rows.append(row)
    return {"site": site_json(site), "now": rows}


def catalog_json(entries: list, when: datetime) -> dict:
    """The JSON contract of ``orbits catalog``; ``entries``:
    ``[(KnownSatellite or None, ElementSet or None)]``, ages at ``when``."""
    rows = []
    for known, e in entries:
        rows.append(
            {
                "norad_id": known.norad_id if known else e.norad_id,
                "name": known.name if known else e.name,
                "aliases": list(known.aliases) if known else [],
                "country": known.country if known else None,
                "orbit_class": e.orbit_class if e else None,
                "tle_epoch": iso_time(e.epoch, UTC) if e else None,
                "age_days": round(age_days(e.epoch, when), 2) if e else None,
                "standard_magnitude": known.standard_magnitude if known else None,
                "magnitude_source": (known.magnitude_source or None) if known else None,
                "source": e.source if e else None,
                "note": (known.note or None) if known else None,
            }
        )
    return {"satellites": rows}


def status_json(rows: list, when: datetime, problems: dict | None = None) -> list[dict]:
    """The JSON contract of ``orbits tle status``: ``rows`` from
    :func:`orbits.elements.status`, ages in days at ``when``.  ``problems``
    maps a cached query to what is wrong with its reply file (see
    :meth:`orbits.cache.ElementCache.problem`)."""
    problems = problems or {}
    return [
        {
            "norad_id": n,
            "name": name,
            "epoch": iso_time(epoch, UTC),
            "age_days": round(age_days(epoch, when), 3),
            "source": "bundled" if where is None else "cache",
            "query": where.query if where is not None else None,
            "fetched": iso_time(where.fetched, UTC) if where is not None else None,
            "problem": problems.get(where.query) if where is not None else None,
        }
        for n, name, epoch, where in rows
    ]
