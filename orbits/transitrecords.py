"""The JSON contract's records of transits: plain dicts, what ``orbits
transits --format json`` prints, CSV flattens and the API's
``to_records()`` gives.  Times are ISO 8601 with their offset in the
display zone, to the millisecond; angles in degrees, distances in km."""

from datetime import tzinfo

from .records import iso_time, site_json
from .times import UTC

__all__ = ["transit_record", "transits_json", "SOLAR_FILTER"]

#: What every solar transit says.
SOLAR_FILTER = "look at or photograph the Sun only through a certified solar filter"


def _r(value, digits):
    return None if value is None else round(float(value), digits)


def transit_record(tr, zone: tzinfo = UTC) -> dict:
    """The contract's record of one :class:`~orbits.transits.Transit`."""
    line = tr.centre_line
    return {
        "number": tr.number,
        "norad_id": tr.norad_id,
        "name": tr.name,
        "body": tr.body,
        "time": iso_time(tr.time, zone),
        "separation_deg": _r(tr.separation_deg, 5),
        "transit": tr.transit,
        "duration_s": _r(tr.duration_s, 3),
        "satellite": {
            "azimuth": _r(tr.satellite_azimuth_deg, 3),
            "elevation": _r(tr.satellite_elevation_deg, 3),
            "range_km": _r(tr.range_km, 2),
            "angular_size_arcsec": _r(tr.satellite_size_arcsec, 2),
        },
        "body_altitude": _r(tr.body_altitude_deg, 3),
        "body_azimuth": _r(tr.body_azimuth_deg, 3),
        "body_radius_deg": _r(tr.body_radius_deg, 5),
        "moon_phase": None
        if tr.moon_illuminated is None
        else {"illuminated": _r(tr.moon_illuminated, 3), "waxing": tr.moon_waxing},
        "window": {
            "start": iso_time(tr.window_start, zone),
            "end": iso_time(tr.window_end, zone),
            "duration_s": _r((tr.window_end - tr.window_start).total_seconds(), 2),
        },
        "centre_line": None
        if line is None
        else {
            "latitude": _r(line.latitude_deg, 5),
            "longitude": _r(line.longitude_deg, 5),
            "distance_km": _r(line.distance_km, 3),
            "bearing_deg": _r(line.bearing_deg, 1),
            "direction": line.direction_text,
            "half_width_km": _r(line.half_width_km, 3),
            "time": iso_time(line.time, zone),
            "uncertainty_km": _r(line.uncertainty_km, 2),
        },
        "geostationary": tr.geostationary,
        "time_uncertainty_s": _r(tr.time_uncertainty_s, 2),
        "tle_epoch": iso_time(tr.tle_epoch, UTC),
        "solar_filter": SOLAR_FILTER if tr.solar else None,
    }


def transits_json(search, zone: tzinfo = UTC) -> dict:
    """The whole document of ``orbits transits --format json`` for a
    :class:`~orbits.transits.TransitSearch`."""
    return {
        "site": site_json(search.site),
        "start": iso_time(search.start, zone),
        "end": iso_time(search.end, zone),
        "bodies": list(search.bodies),
        "max_separation_deg": None if search.within_km is not None else search.max_separation_deg,
        "within_km": search.within_km,
        "transits": [transit_record(tr, zone) for tr in search.transits],
        "satellites": [
            {
                "norad_id": s.norad_id,
                "name": s.name,
                "status": s.status,
                "count": s.count,
                "time_uncertainty_s": _r(s.time_uncertainty_s, 2),
                "message": s.message or None,
            }
            for s in search.satellites
        ],
        "warnings": list(search.warnings),
    }
