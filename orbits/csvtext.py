"""CSV: the rows of the JSON contract (:mod:`orbits.records`), one per line.

The columns are the records' fields, events flattened into ``<event>_time``,
``_azimuth`` and ``_elevation``; missing values are empty cells, booleans
``true``/``false`` as in JSON.
"""

import csv
import io
from datetime import tzinfo

from .records import now_json, pass_records, site_names
from .times import UTC

__all__ = ["passes_csv", "now_csv"]

_CSV_EVENTS = ("rise", "culmination", "set", "visible_start", "visible_end")


def passes_csv(prediction, zone: tzinfo = UTC, visible_only: bool = True) -> str:
    """One row per pass of a :class:`~orbits.passes.Prediction` (the visible
    ones with ``visible_only``); each event as ``<event>_time``,
    ``_azimuth``, ``_elevation`` columns."""
    table = prediction.table
    if visible_only:
        table = table.take(table.window_count() > 0)
    buffer = io.StringIO()
    columns = ["number", "norad_id", "name", "site"]
    for e in _CSV_EVENTS:
        columns += [f"{e}_time", f"{e}_azimuth", f"{e}_elevation"]
    columns += [
        "visible",
        "magnitude",
        "magnitude_above_atmosphere",
        "tle_epoch",
        "in_progress_at_start",
        "continues_after_end",
        "time_uncertainty_s",
    ]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    names = site_names(prediction.sites)
    for x in pass_records(table, prediction.elements, zone, site_names=names):
        row = [x["number"], x["norad_id"], x["name"], x["site"]]
        for e in _CSV_EVENTS:
            ev = x[e]
            row += [ev["time"], ev["azimuth"], ev["elevation"]] if ev else ["", "", ""]
        row += [
            str(x["visible"]).lower(),
            "" if x["magnitude"] is None else x["magnitude"],
            "" if x["magnitude_above_atmosphere"] is None else x["magnitude_above_atmosphere"],
            x["tle_epoch"],
            str(x["in_progress_at_start"]).lower(),
            str(x["continues_after_end"]).lower(),
            x["time_uncertainty_s"],
        ]
        writer.writerow(row)
    return buffer.getvalue()


def now_csv(
    snapshots: list, site, zone: tzinfo = UTC, trusts: list | None = None, withhold: bool = True
) -> str:
    """``orbits now`` as CSV, one row per satellite (the rows of :func:`~orbits.records.now_json`)."""
    rows = now_json(snapshots, site, zone, trusts, withhold)["now"]
    buffer = io.StringIO()
    columns = [
        "norad_id",
        "name",
        "time",
        "azimuth",
        "elevation",
        "range_km",
        "latitude",
        "longitude",
        "altitude_km",
        "sunlit",
        "orbit_class",
        "tle_epoch",
        "status",
        "position_uncertainty_km",
        "time_uncertainty_s",
        "on_nominal_slot",
        "error",
    ]
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r[k] is None else r[k]) for k in columns})
    return buffer.getvalue()
