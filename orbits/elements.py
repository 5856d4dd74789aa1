"""Which element sets a prediction uses: the freshest available.

Sources, in the order a user meets them:

* files named with ``--tle``: used alone, nothing else is consulted;
* a cached CelesTrak group (``--group active``): that group's satellites;
* otherwise, per satellite, the newer of the per-user cache
  (:mod:`orbits.cache`, filled by ``orbits tle update``, ``orbits tle
  import`` and the prediction commands' refresh) and the snapshot bundled in
  the package (``orbits.bundled_tle``, the repository's ``tle/``).

The command line and the library read the same elements: functions here
take ``cache=True`` by default (the user's cache; ``False`` or ``None``
for the bundled snapshot alone, an :class:`~orbits.cache.ElementCache`
for another folder).  Nothing here touches the network.
"""

import re
from datetime import datetime
from importlib import resources
from pathlib import Path

from .cache import ElementCache
from .catalog import MISSION, friendly_name, known_by_id, resolve
from .elementset import from_the_future
from .errors import ElementError, OrbitsError, quoted
from .reading import load_elements, parse_elements, read_text
from .times import UTC

__all__ = [
    "bundled_snapshots",
    "bundled_elements",
    "mission_elements",
    "select",
    "newest_by_id",
    "freshest",
    "cached_group",
    "status",
    "user_cache",
    "import_files",
]

_SNAPSHOT = re.compile(r"^mission-(\d{4}-\d{2}-\d{2})\.tle$")


def _bundle():
    """The folder of bundled TLE files: installed as ``orbits.bundled_tle``, or
    the repository's ``tle/`` when running from a source checkout."""
    try:
        return resources.files("orbits.bundled_tle")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "tle"


def bundled_snapshots() -> list[tuple[str, str]]:
    """``[(date, name)]`` of the bundled TLE files, oldest first."""
    files = _bundle()
    found = []
    for entry in files.iterdir():
        match = _SNAPSHOT.match(entry.name)
        if match:
            found.append((match.group(1), entry.name))
    return sorted(found)


def bundled_elements(date: str | None = None) -> list:
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


def user_cache(cache=True):
    """The :class:`~orbits.cache.ElementCache` that ``cache`` stands for:
    ``True`` the user's (None when this machine has no place for one, e.g.
    no home folder: predictions then use the bundled snapshot), ``False``
    or ``None`` none, or the cache given."""
    if cache is True:
        try:
            return ElementCache()
        except OrbitsError:
            return None
    return cache or None


def import_files(paths, cache=True, now=None):
    """Add the element sets of TLE / OMM files to the cache (``orbits tle import``).

    Each file is read with the strict reader and stored as it is, recorded
    as imported from its path (an entry ``IMPORT=<path>``; importing the
    same path again replaces it).  Sets with an epoch more than a day after
    ``now`` are refused, as is the whole import on any error: the cache is
    then unchanged.  Returns ``[(path, element_sets)]``.
    """
    cache = user_cache(cache)
    if cache is None:
        raise OrbitsError("no home folder to keep the element cache in: set ORBITS_CACHE_DIR")
    now = now or datetime.now(UTC)
    replies, done = [], []
    for path in paths:
        path = Path(path)
        sets = load_elements(path)
        ahead = from_the_future(sets, now)
        if ahead is not None:
            raise ElementError(
                str(path),
                ahead.line,
                "EPOCH",
                f"{ahead.epoch:%Y-%m-%d %H:%M} UTC is more than a "
                f"day in the future; refused (nothing imported)",
            )
        full = str(path.resolve())
        replies.append((f"IMPORT={full}", full, now, path.read_bytes(), sets))
        done.append((path, sets))
    cache.commit(replies)
    return done


def newest_by_id(sets):
    """One element set per NORAD number (the latest epoch), in first-seen order."""
    best = {}
    for e in sets:
        if e.norad_id not in best or e.epoch > best[e.norad_id].epoch:
            best[e.norad_id] = e
    return list(best.values())


def freshest(cache=None, bundled=None, cached=None):
    """``{norad_id: (epoch, name, where)}``: the newest elements of every satellite.

    ``where`` is ``None`` for the bundled snapshot (``bundled``, read when
    not given), else the :class:`~orbits.cache.CachedQuery` holding them
    (``cached``: ``cache.queries()`` if already read).  Reads the cache
    index only; no cached reply is parsed.
    """
    if bundled is None:
        bundled = bundled_elements()
    best = {e.norad_id: (e.epoch, e.name, None) for e in newest_by_id(bundled)}
    if cache is not None:
        for entry in (cached if cached is not None else cache.queries()).values():
            for number, name, epoch in entry.satellites:
                if number not in best or epoch > best[number][0]:
                    best[number] = (epoch, name, entry)
    return best


def cached_group(cache, group):
    """The :class:`~orbits.cache.CachedQuery` of CelesTrak group ``group``."""
    entry = cache.queries().get(f"GROUP={group}") if cache is not None else None
    if entry is None:
        if not group.isprintable() or len(group) > 40:
            raise OrbitsError(f"the group {quoted(group)} is not in the element cache")
        raise OrbitsError(
            f"the group '{group}' is not in the element cache; "
            f"fetch it with 'orbits tle update --group {group}'"
        )
    return entry


def _choose(queries, available, where):
    """NORAD numbers for ``queries`` among ``available`` ``[(norad_id, name)]``."""
    have = {n for n, _ in available}
    chosen = []
    for query in queries:
        number = resolve(query, available)
        if number not in have:
            known = known_by_id(number)
            label = f"{known.name} ({number})" if known else f"NORAD {number}"
            raise OrbitsError(f"no elements for {label} in {where}")
        if number not in chosen:
            chosen.append(number)
    return chosen


def select(queries=(), tle_files=(), *, group=None, cache=True):
    """The element sets to predict for.

    ``tle_files``: paths given with ``--tle``; when present only they are
    used and, with no ``queries``, every satellite in them.  ``group``: a
    CelesTrak group in ``cache``, all of it unless ``queries`` narrow it.
    Otherwise the freshest of ``cache`` (the user's by default; see
    :func:`user_cache`) and the bundled snapshot, for the mission
    satellites or the ``queries`` (names, aliases or NORAD numbers).
    """
    cache = user_cache(cache)
    if tle_files or group:
        if tle_files:
            pool = newest_by_id(e for path in tle_files for e in load_elements(path))
            where = ", ".join(str(p) for p in tle_files)
        else:
            entry = cached_group(cache, group)
            pool = newest_by_id(cache.load(entry))
            where = f"the cached group '{group}'"
        if not queries:
            return pool
        by_id = {e.norad_id: e for e in pool}
        return [by_id[n] for n in _choose(queries, [(e.norad_id, e.name) for e in pool], where)]
    bundled = {e.norad_id: e for e in newest_by_id(bundled_elements())}
    best = freshest(cache, list(bundled.values()))
    if queries:
        where = "the bundled or cached elements" if cache is not None else "the bundled elements"
        wanted = _choose(queries, [(n, name) for n, (_, name, _) in best.items()], where)
    else:
        wanted = [n for n in MISSION if n in best]
    loaded = {}
    chosen = []
    for number in wanted:
        epoch, _, entry = best[number]
        if entry is None:
            chosen.append(bundled[number])
            continue
        if entry.query not in loaded:
            loaded[entry.query] = {e.norad_id: e for e in newest_by_id(cache.load(entry))}
        chosen.append(loaded[entry.query][number])
    return chosen


def status(queries=(), *, group=None, cache=True):
    """``[(norad_id, name, epoch, where)]``: the elements a prediction would use.

    ``where`` as in :func:`freshest`.  Default rows: the mission satellites
    and every satellite cached by number; ``group``: that cached group's
    satellites.  Reads only the cache index.
    """
    cache = user_cache(cache)
    if group:
        entry = cached_group(cache, group)
        rows = {n: (n, name, epoch, entry) for n, name, epoch in entry.satellites}
        where = f"the cached group '{group}'"
    else:
        cached = cache.queries() if cache is not None else {}
        best = freshest(cache, cached=cached)
        rows = {n: (n, name, epoch, entry) for n, (epoch, name, entry) in best.items()}
        where = "the bundled or cached elements"
    if queries:
        wanted = _choose(queries, [(n, row[1]) for n, row in rows.items()], where)
    elif group:
        wanted = list(rows)
    else:
        by_number = [
            n for entry in cached.values() if entry.query.startswith("CATNR=") for n, _, _ in entry.satellites
        ]
        by_number += [
            n
            for entry in cached.values()
            if entry.imported
            for n, _, _ in entry.satellites
            if best.get(n, (None, None, None))[2] is entry
        ]
        wanted = list(dict.fromkeys([n for n in MISSION if n in rows] + by_number))
    return [(n, friendly_name(n, rows[n][1])) + rows[n][2:] for n in wanted]
