"""CSV of transits: the JSON contract's records (:mod:`orbits.transitrecords`),
one per line, nested fields flattened to ``<field>_<key>``; missing values
empty, booleans ``true``/``false``."""

import csv
import io
from datetime import tzinfo

from .times import UTC
from .transitrecords import transit_record

__all__ = ["transits_csv"]


def _flat(record):
    out = {}
    for key, value in record.items():
        if isinstance(value, dict) or (value is None and key in ("moon_phase", "centre_line")):
            inner = value or {}
            keys = {
                "moon_phase": ("illuminated", "waxing"),
                "centre_line": (
                    "latitude",
                    "longitude",
                    "distance_km",
                    "bearing_deg",
                    "direction",
                    "half_width_km",
                    "time",
                    "uncertainty_km",
                ),
            }.get(key, tuple(inner))
            for k in keys:
                out[f"{key}_{k}"] = inner.get(k)
        else:
            out[key] = value
    return out


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return value


def transits_csv(search, zone: tzinfo = UTC) -> str:
    """One row per transit of a :class:`~orbits.transits.TransitSearch`."""
    rows = [_flat(transit_record(t, zone)) for t in search.transits]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not rows:
        writer.writerow(_COLUMNS)
        return buffer.getvalue()
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([_cell(v) for v in row.values()])
    return buffer.getvalue()


_COLUMNS = (
    "number,norad_id,name,body,time,separation_deg,transit,duration_s,satellite_azimuth,"
    "satellite_elevation,satellite_range_km,satellite_angular_size_arcsec,body_altitude,body_azimuth,"
    "body_radius_deg,moon_phase_illuminated,moon_phase_waxing,window_start,window_end,window_duration_s,"
    "centre_line_latitude,centre_line_longitude,centre_line_distance_km,centre_line_bearing_deg,"
    "centre_line_direction,centre_line_half_width_km,centre_line_time,centre_line_uncertainty_km,"
    "geostationary,time_uncertainty_s,tle_epoch,solar_filter"
).split(",")
