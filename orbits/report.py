"""Presenting predictions, every format in one import (as notebooks use it).

The formats live in modules named for what they make:

* :mod:`orbits.records`: the JSON contract's records (dicts, or their JSON
  texts), for ``--format json``, CSV and the API's ``to_records()``;
* :mod:`orbits.jsontext`: JSON written in pieces (:func:`json_chunks`);
* :mod:`orbits.csvtext`: CSV rows of those records;
* :mod:`orbits.text`: the tables people read, and their HTML for Jupyter;
* :mod:`orbits.calendar`: iCalendar events of the visible passes.

This module only gathers their public functions under one name.
"""

from .calendar import passes_ics
from .csvtext import now_csv, passes_csv
from .jsontext import RawJSON, RecordStream, json_chunks, json_text
from .records import catalog_json, iso_times, now_json, passes_json, status_json, streamed_passes_json
from .text import catalog_table, compass, now_html, now_table, passes_html, passes_table, status_table

__all__ = [
    "compass",
    "passes_table",
    "passes_html",
    "passes_json",
    "streamed_passes_json",
    "passes_csv",
    "passes_ics",
    "now_table",
    "now_html",
    "now_json",
    "now_csv",
    "catalog_table",
    "catalog_json",
    "status_table",
    "status_json",
    "json_text",
    "json_chunks",
    "iso_times",
    "RawJSON",
    "RecordStream",
]
