"""orbits: satellite passes over Pakistan, offline, with an honest ± on every time.

The public API (see :mod:`orbits.api`), importable from here::

    import orbits
    orbits.predict_passes("tiangong", "islamabad", days=3)   # a table in Jupyter
    orbits.where(["paksat-1r", "paksat-mm1"], "karachi")     # dish pointing
    orbits.sky_chart(...), orbits.pass_map(...)              # matplotlib, optional ``ax``

The library flows one way: element sets (:mod:`orbits.reading`,
:mod:`orbits.elements`) -> positions (:mod:`orbits.positions`) -> events
(:mod:`orbits.passes`) -> presentation (:mod:`orbits.report`,
:mod:`orbits.plot`, :mod:`orbits.skychart`, :mod:`orbits.passmap`).
Importing ``orbits`` loads nothing else: each name below is imported on
first use.
"""

import importlib as _importlib

__version__ = "0.2.0.dev0"

#: Public name -> the module that defines it.
_PUBLIC = {
    "load_elements": "api",
    "site": "api",
    "load_sites": "api",
    "HorizonMask": "horizon",
    "predict_passes": "api",
    "where": "api",
    "refresh_elements": "api",
    "trust": "api",
    "ground_tracks": "api",
    "teme_states": "api",
    "country_outline": "api",
    "display_name": "catalog",
    "satellite_colour": "palette",
    "format_duration": "times",
    "bundled_snapshots": "elements",
    "bundled_elements": "elements",
    "time_uncertainty_s": "uncertainty",
    "position_uncertainty_km": "uncertainty",
    "predict_transits": "api",
    "Transits": "api",
    "transit_chart": "transitplot",
    "centre_line_map": "transitplot",
    "Passes": "api",
    "Positions": "api",
    "sky_chart": "skychart",
    "sky_figure": "skychart",
    "elevation_profile": "skychart",
    "pass_map": "passmap",
    "pass_map_figure": "passmap",
    "ground_track": "plot",
    "map_figure": "plot",
    "base_map": "plot",
    "ElementSet": "elementset",
    "Site": "sites",
    "OrbitsError": "errors",
    "PKT": "times",
    "UTC": "times",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'orbits' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
