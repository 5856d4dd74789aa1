"""Which element sets a prediction uses: files the user names, else the bundled snapshot.

The bundled snapshot lives in the package (``orbits.bundled_tle``, the
repository's ``tle/`` folder); the newest file by the date in its name wins.
"""

import re
from importlib import resources
from pathlib import Path

from .catalog import MISSION, known_by_id, resolve
from .errors import OrbitsError
from .tle import load_elements, parse_elements, read_text

__all__ = ["bundled_snapshots", "bundled_elements", "mission_elements", "select", "newest_by_id"]

_SNAPSHOT = re.compile(r"^mission-(\d{4}-\d{2}-\d{2})\.tle$")


def _bundle():
    """The folder of bundled TLE files: installed as ``orbits.bundled_tle``, or
    the repository's ``tle/`` when running from a source checkout."""
    try:
        return resources.files("orbits.bundled_tle")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "tle"


def bundled_snapshots():
    """``[(date, name)]`` of the bundled TLE files, oldest first."""
    files = _bundle()
    found = []
    for entry in files.iterdir():
        match = _SNAPSHOT.match(entry.name)
        if match:
            found.append((match.group(1), entry.name))
    return sorted(found)


def bundled_elements(date=None):
    """Element sets of the bundled snapshot of ``date`` (YYYY-MM-DD; newest when None)."""
    snapshots = dict(bundled_snapshots())
    if not snapshots:
        raise OrbitsError("the package has no bundled element sets (broken install?)")
    date = date or max(snapshots)
    if date not in snapshots:
        raise OrbitsError(f"no bundled snapshot of {date} (have: {', '.join(sorted(snapshots))})")
    entry = _bundle() / snapshots[date]
    label = f"bundled snapshot {date}"
    return parse_elements(read_text(entry.read_bytes(), label), label)


def mission_elements(date=None):
    """Bundled element sets of Tiangong and Pakistan's satellites."""
    return [e for e in bundled_elements(date) if e.norad_id in MISSION]


def newest_by_id(sets):
    """One element set per NORAD number (the latest epoch), in first-seen order."""
    best = {}
    for e in sets:
        if e.norad_id not in best or e.epoch > best[e.norad_id].epoch:
            best[e.norad_id] = e
    return list(best.values())


def select(queries=(), tle_files=(), base=None):
    """The element sets to predict for.

    ``tle_files``: paths given with ``--tle``; when present, only they are
    used and, with no ``queries``, every satellite in them.  Otherwise
    ``base`` (default: the bundled snapshot) and, with no queries, the
    mission satellites.  ``queries`` are names, aliases or NORAD numbers.
    """
    if tle_files:
        pool = newest_by_id(e for path in tle_files for e in load_elements(path))
        where = ", ".join(str(p) for p in tle_files)
    else:
        pool = newest_by_id(base if base is not None else bundled_elements())
        where = "the bundled elements" if base is None else "the available elements"
    by_id = {e.norad_id: e for e in pool}
    if not queries:
        if tle_files:
            return pool
        return [by_id[n] for n in MISSION if n in by_id]
    chosen = []
    available = [(e.norad_id, e.name) for e in pool]
    for query in queries:
        number = resolve(query, available)
        if number not in by_id:
            known = known_by_id(number)
            label = f"{known.name} ({number})" if known else f"NORAD {number}"
            raise OrbitsError(f"no elements for {label} in {where}")
        if by_id[number] not in chosen:
            chosen.append(by_id[number])
    return chosen
