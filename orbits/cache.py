"""The per-user element cache: CelesTrak replies kept as received.

Layout, under :func:`cache_dir`::

    gp/index.json                    the catalogue of what is cached
    gp/CATNR-49044-1a2b3c4d5e6f.json one file per query, the reply's bytes

``index.json`` is the single commit point.  An update writes its new reply
files under new names (the name carries a hash of the content), then
replaces the index atomically, then deletes the files the old index named.
Until the index is replaced nothing a reader sees has changed, so a failed
or interrupted update leaves the cache exactly as it was.

The index records, for every query, when it was fetched and which
satellites (NORAD number, name, epoch) the reply holds, so choosing the
freshest elements for a few satellites does not parse a 15,000-satellite
group file.
"""

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import ElementError, OrbitsError
from .files import write_atomic
from .tle import parse_elements, read_text
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
    home = Path.home()
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

    def label(self):
        """How element sets from this reply are described to the user."""
        return f"cache: CelesTrak {self.query}, fetched {self.fetched:%Y-%m-%d %H:%M} UTC"

    def as_json(self):
        return {
            "file": self.file, "fetched": _iso(self.fetched), "url": self.url, "sha256": self.sha256,
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
                query: CachedQuery(query, entry["file"], _parse_iso(entry["fetched"]), entry["url"],
                                   entry["sha256"],
                                   tuple((int(n), name, _parse_iso(epoch)) for n, name, epoch in entry["satellites"]))
                for query, entry in data["queries"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OrbitsError(f"{self.index_path}: the element cache index is damaged ({exc}); "
                              f"delete the folder {self.gp} to start a new cache") from None

    def load(self, entry):
        """The element sets of one cached reply (parsed and checked again)."""
        path = self.gp / entry.file
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise OrbitsError(f"{path}: cached reply missing or unreadable ({exc.strerror}); "
                              f"run 'orbits tle update --force'") from None
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise OrbitsError(f"{path}: cached reply was changed since it was fetched; "
                              f"run 'orbits tle update --force'")
        label = entry.label()
        try:
            return parse_elements(read_text(data, label), label)
        except ElementError as exc:
            raise OrbitsError(f"{path}: cached reply no longer parses ({exc})") from None

    def commit(self, replies):
        """Store ``replies``, a list of ``(query, url, fetched, body_bytes, sets)``.

        Atomic as a whole: either every reply is stored and the index names
        them, or (on any error, Ctrl-C included) the cache is unchanged.
        """
        old = self.queries()
        self.gp.mkdir(parents=True, exist_ok=True)
        new = dict(old)
        written = []
        try:
            for query, url, fetched, body, sets in replies:
                digest = hashlib.sha256(body).hexdigest()
                suffix = _suffix(body)
                name = f"{query.replace('=', '-')}-{digest[:12]}{suffix}"
                path = self.gp / name
                if not path.exists():
                    write_atomic(path, body)
                    written.append(path)
                new[query] = CachedQuery(query, name, fetched, url, digest,
                                         tuple((e.norad_id, e.name, e.epoch) for e in sets))
            index = {"version": _INDEX_VERSION,
                     "queries": {q: new[q].as_json() for q in sorted(new)}}
            write_atomic(self.index_path, json.dumps(index, indent=1, ensure_ascii=False) + "\n")
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        # keep what the index on disk names now (another update may have run meanwhile)
        keep = {entry.file for entry in self.queries().values()} | {self.index_path.name}
        for path in self.gp.iterdir():
            if path.name not in keep and not path.name.startswith("."):
                path.unlink(missing_ok=True)


def _suffix(body):
    head = body.lstrip()[:1]
    if head in (b"[", b"{"):
        return ".json"
    if b"NORAD_CAT_ID" in body.split(b"\n", 1)[0]:
        return ".csv"
    return ".tle"
