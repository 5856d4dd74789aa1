"""The per-user element cache: CelesTrak replies kept as received.

Layout, under :func:`cache_dir`::

    gp/index.json                    the catalogue of what is cached
    gp/CATNR-49044-1a2b3c4d5e6f.json one file per query, the reply's bytes

``index.json`` is the single commit point.  A commit takes the cache's
lock (``gp/.lock``, through :mod:`filelock`, which works on Windows as on
Unix), reads the index as it is now, writes its new reply files under new
names (the name carries a hash of the content), replaces the index
atomically, then deletes the files no index names.  Until the index is
replaced nothing a reader sees has changed, so a failed or interrupted
update leaves the cache exactly as it was; and as every commit happens
under the lock, concurrent updates neither lose each other's replies nor
delete each other's files.

Besides CelesTrak replies (queries ``CATNR=...`` and ``GROUP=...``) the
index holds imported files (``IMPORT=<path>``, from ``orbits tle import``):
element sets fetched elsewhere and carried over, kept the same way.

The index records, for every query, when it was fetched and which
satellites (NORAD number, name, epoch) the reply holds, so choosing the
freshest elements for a few satellites does not parse a 15,000-satellite
group file.
"""

import contextlib
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .errors import ElementError, OrbitsError
from .files import write_atomic
from .reading import parse_elements, read_text
from .times import UTC

__all__ = ["cache_dir", "ElementCache", "CachedQuery"]

_INDEX_VERSION = 1


def cache_dir():
    """The cache folder: ``$ORBITS_CACHE_DIR``, else the platform's user cache.

    Linux and BSD: ``$XDG_CACHE_HOME/orbits`` (``~/.cache/orbits``); macOS:
    ``~/Library/Caches/orbits``; Windows: ``%LOCALAPPDATA%\\orbits\\Cache``.
    """
    override = os.environ.get("ORBITS_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    try:
        home = Path.home()
    except (RuntimeError, KeyError):
        raise OrbitsError("no home folder to keep the element cache in: set ORBITS_CACHE_DIR") from None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local"
        return Path(base) / "orbits" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "orbits"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "orbits"


@dataclass(frozen=True)
class CachedQuery:
    """One cached reply: ``query`` such as ``"CATNR=49044"`` or ``"GROUP=active"``.

    ``satellites`` is a tuple of ``(norad_id, name, epoch)`` with ``epoch``
    an aware UTC datetime; ``fetched`` is when the reply arrived (UTC).
    """

    query: str
    file: str
    fetched: datetime
    url: str
    sha256: str
    satellites: tuple

    @property
    def imported(self):
        """True for a file added with ``orbits tle import`` (not a CelesTrak reply)."""
        return self.query.startswith("IMPORT=")

    def label(self):
        """How element sets from this reply are described to the user."""
        if self.imported:
            return f"cache: imported from {self.url}, {self.fetched:%Y-%m-%d %H:%M} UTC"
        return f"cache: CelesTrak {self.query}, fetched {self.fetched:%Y-%m-%d %H:%M} UTC"

    def as_json(self):
        return {
            "file": self.file,
            "fetched": _iso(self.fetched),
            "url": self.url,
            "sha256": self.sha256,
            "satellites": [[n, name, _iso(epoch)] for n, name, epoch in self.satellites],
        }


def _iso(when):
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class ElementCache:
    """The element cache in ``folder`` (default :func:`cache_dir`).

    Reading never creates anything; only :meth:`commit` writes.
    """

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder is not None else cache_dir()
        self.gp = self.folder / "gp"
        self.index_path = self.gp / "index.json"

    def queries(self):
        """``{query: CachedQuery}`` of everything cached (empty if nothing is).

        Raises :class:`OrbitsError` if the index is unreadable.
        """
        try:
            raw = self.index_path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise OrbitsError(f"{self.index_path}: cannot read the element cache ({exc.strerror})") from None
        try:
            data = json.loads(raw)
            if data.get("version") != _INDEX_VERSION:
                raise ValueError(f"unknown version {data.get('version')!r}")
            return {
                query: CachedQuery(
                    query,
                    entry["file"],
                    _parse_iso(entry["fetched"]),
                    entry["url"],
                    entry["sha256"],
                    tuple((int(n), name, _parse_iso(epoch)) for n, name, epoch in entry["satellites"]),
                )
                for query, entry in data["queries"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OrbitsError(
                f"{self.index_path}: the element cache index is damaged ({exc}); "
                f"delete the folder {self.gp} to start a new cache"
            ) from None

    def problem(self, entry):
        """What is wrong with a cached reply's file, as :meth:`load` would find
        it (missing, unreadable, changed since it was fetched), or None."""
        path = self.gp / entry.file
        try:
            data = path.read_bytes()
        except OSError as exc:
            return f"reply file missing or unreadable ({exc.strerror})"
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            return "reply file changed since it was fetched"
        return None

    def load(self, entry):
        """The element sets of one cached reply (parsed and checked again)."""
        path = self.gp / entry.file
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise OrbitsError(
                f"{path}: cached reply missing or unreadable ({exc.strerror}); "
                f"run 'orbits tle update --force'"
            ) from None
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise OrbitsError(
                f"{path}: cached reply was changed since it was fetched; run 'orbits tle update --force'"
            )
        label = entry.label()
        try:
            return parse_elements(read_text(data, label), label)
        except ElementError as exc:
            raise OrbitsError(f"{path}: cached reply no longer parses ({exc})") from None

    def commit(self, replies):
        """Store ``replies``, a list of ``(query, url, fetched, body_bytes, sets)``.

        Atomic as a whole: either every reply is stored and the index names
        them, or (on any error, Ctrl-C included) the cache is unchanged.
        Concurrent commits (other processes) wait for each other.
        """
        try:
            self.gp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OrbitsError(f"{self.gp}: cannot create the element cache folder ({exc.strerror})") from None
        with self._lock():
            self._commit(replies)

    @contextlib.contextmanager
    def _lock(self):
        """The cache's lock, held for one commit (waits up to a minute)."""
        from filelock import FileLock, Timeout

        lock = FileLock(self.gp / ".lock", timeout=60)
        try:
            lock.acquire()
        except Timeout:
            raise OrbitsError(
                f"{self.gp}: another orbits process has held the cache lock for a minute; try again later"
            ) from None
        except OSError as exc:
            raise OrbitsError(f"{self.gp}: cannot lock the element cache ({exc.strerror or exc})") from None
        try:
            yield
        finally:
            lock.release()

    def last_failure(self):
        """``(when, message, wait)`` of the last failed refresh (see
        :func:`orbits.celestrak.refresh`): no new attempt before ``when +
        wait`` (a timedelta).  None when there is none, or it is unreadable."""
        try:
            data = json.loads(self._failure_path.read_text(encoding="utf-8"))
            wait = timedelta(seconds=float(data["wait_s"]))
            return _parse_iso(data["when"]), str(data["message"])[:300], wait
        except (OSError, ValueError, KeyError, TypeError, OverflowError):
            return None

    def record_failure(self, when, message, wait):
        """Remember that a refresh failed at ``when``, for ``wait`` (a hidden
        file beside the index)."""
        record = {"when": _iso(when), "message": message, "wait_s": wait.total_seconds()}
        try:
            self.gp.mkdir(parents=True, exist_ok=True)
            write_atomic(self._failure_path, json.dumps(record) + "\n")
        except (OSError, OrbitsError):
            pass  # a cache that cannot be written cannot remember; the next run tries again

    def clear_failure(self):
        """Forget a failed refresh (after one succeeded)."""
        try:
            self._failure_path.unlink(missing_ok=True)
        except OSError:
            pass

    @property
    def _failure_path(self):
        return self.gp / ".last-refresh-failure.json"

    def _commit(self, replies):
        old = self.queries()
        new = dict(old)
        written = []
        try:
            for query, url, fetched, body, sets in replies:
                digest = hashlib.sha256(body).hexdigest()
                suffix = _suffix(body)
                name = f"{_file_stem(query)}-{digest[:12]}{suffix}"
                path = self.gp / name
                if not path.exists():
                    write_atomic(path, body)
                    written.append(path)
                new[query] = CachedQuery(
                    query, name, fetched, url, digest, tuple((e.norad_id, e.name, e.epoch) for e in sets)
                )
            index = {"version": _INDEX_VERSION, "queries": {q: new[q].as_json() for q in sorted(new)}}
            write_atomic(self.index_path, json.dumps(index, indent=1, ensure_ascii=False) + "\n")
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        # under the lock no other commit runs: what the index names now is all there is
        keep = {entry.file for entry in new.values()} | {self.index_path.name}
        for path in self.gp.iterdir():
            if path.name not in keep and not path.name.startswith("."):
                path.unlink(missing_ok=True)


def _file_stem(query):
    """A file name stem for ``query`` that is safe on every platform: letters,
    digits, ``.``, ``_`` and ``-`` only, at most 60 characters (an imported
    file's path becomes its last part)."""
    kind, _, value = query.partition("=")
    if kind == "IMPORT":
        value = value.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{kind}-{value}")[:60]


def _suffix(body):
    head = body.lstrip()[:1]
    if head in (b"[", b"{"):
        return ".json"
    if b"NORAD_CAT_ID" in body.split(b"\n", 1)[0]:
        return ".csv"
    return ".tle"
