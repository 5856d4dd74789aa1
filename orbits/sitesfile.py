"""Sites files: the ground stations of a network, one a row (``--sites FILE``).

A CSV file with a header naming at least ``name``, ``latitude``,
``longitude`` and ``elevation_m`` (degrees north and east, metres above the
WGS84 ellipsoid), in any order, and optionally ``min_elevation`` (the
site's flat horizon in degrees: rise and set are there, replacing
``--horizon``) and ``horizon_mask`` (azimuth:elevation pairs, see
:mod:`orbits.horizon`)::

    name,latitude,longitude,elevation_m,min_elevation,horizon_mask
    Islamabad,33.6844,73.0479,540,,
    Gilgit,35.9208,74.3083,1500,5,0:8 90:15 180:10 270:20

Empty optional cells mean "none".  Lines starting with ``#`` and blank
lines are skipped.  A bad row stops the reading with one line naming the
file, the line and the field (:class:`~orbits.errors.SitesFileError`).
Names must be unique: every pass carries its site's name.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
from pathlib import Path

from .errors import OrbitsError, SitesFileError, quoted
from .horizon import HIGHEST_DEG, LOWEST_DEG, parse_mask
from .sites import Site

__all__ = ["load_sites", "parse_sites", "REQUIRED", "OPTIONAL", "MAX_SITES_BYTES"]

REQUIRED = ("name", "latitude", "longitude", "elevation_m")
OPTIONAL = ("min_elevation", "horizon_mask")
#: A sites file larger than this is refused (a million stations fit).
MAX_SITES_BYTES = 64 * 1024 * 1024


def load_sites(path) -> list[Site]:
    """The sites of the file at ``path`` (see the module docstring)."""
    path = Path(path)
    source = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SitesFileError(source, 0, "", "is not a regular file")
        if info.st_size > MAX_SITES_BYTES:
            raise SitesFileError(source, 0, "", f"is larger than {MAX_SITES_BYTES:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SitesFileError(source, 0, "", "no such file") from None
    except (OSError, ValueError) as exc:
        raise SitesFileError(source, 0, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SitesFileError(source, line, "", "not UTF-8 text") from None
    return parse_sites(text, source)


def parse_sites(text: str, source: str = "<sites>") -> list[Site]:
    """The sites of a sites file's ``text`` (``source`` names it in errors)."""
    if "\x00" in text:
        raise SitesFileError(source, 0, "", "not a text file (NUL byte)")
    lines = [(n, line) for n, line in enumerate(io.StringIO(text), 1)]
    lines = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise SitesFileError(source, 0, "", "empty: no header and no sites")
    numbers = [n for n, _ in lines]
    rows = list(csv.reader([line for _, line in lines]))
    header = [h.strip().lower() for h in rows[0]]
    head_line = numbers[0]
    for column in REQUIRED:
        if column not in header:
            raise SitesFileError(
                source, head_line, column, f"missing column (the header needs {', '.join(REQUIRED)})"
            )
    for column in header:
        if column not in REQUIRED + OPTIONAL:
            raise SitesFileError(source, head_line, quoted(column, 30), "unknown column")
    if len(set(header)) != len(header):
        raise SitesFileError(source, head_line, "", "a column is named twice")
    sites, seen = [], {}
    for n, row in zip(numbers[1:], rows[1:], strict=True):
        if len(row) != len(header):
            raise SitesFileError(source, n, "", f"{len(row)} fields where the header has {len(header)}")
        cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
        sites.append(_site(cells, source, n))
        name = sites[-1].name
        if name in seen:
            raise SitesFileError(source, n, "name", f"{quoted(name)} already on line {seen[name]}")
        seen[name] = n
    if not sites:
        raise SitesFileError(source, head_line, "", "no sites after the header")
    return sites


def _number(cells, column, source, line, lo, hi, unit):
    text = cells[column]
    if not text:
        raise SitesFileError(source, line, column, "empty")
    try:
        value = float(text)
    except ValueError:
        raise SitesFileError(source, line, column, f"{quoted(text, 20)} is not a number") from None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise SitesFileError(source, line, column, f"{text[:20]} is out of range ({lo:g} to {hi:g} {unit})")
    return value


def _site(cells, source, line):
    name = cells["name"]
    if not name:
        raise SitesFileError(source, line, "name", "empty")
    if len(name) > 100 or not name.isprintable():
        raise SitesFileError(source, line, "name", "must be printable and at most 100 characters")
    lat = _number(cells, "latitude", source, line, -90.0, 90.0, "deg")
    lon = _number(cells, "longitude", source, line, -180.0, 360.0, "deg")
    lon = lon - 360.0 if lon > 180.0 else lon
    height = _number(cells, "elevation_m", source, line, -500.0, 9000.0, "m")
    horizon = None
    if cells.get("min_elevation"):
        horizon = _number(cells, "min_elevation", source, line, LOWEST_DEG, HIGHEST_DEG, "deg")
    mask = None
    if cells.get("horizon_mask"):
        try:
            mask = parse_mask(cells["horizon_mask"])
        except OrbitsError as exc:
            raise SitesFileError(source, line, "horizon_mask", str(exc)) from None
    try:
        return Site(lat, lon, height, name, horizon, mask)
    except OrbitsError as exc:
        raise SitesFileError(source, line, "", str(exc)) from None
