"""Writing files so that a reader never sees half of one.

Everything ``orbits`` writes (reports, images, the element cache) goes to a
temporary file in the target's folder and is renamed over the target only
when complete, so an error or Ctrl-C leaves the old file as it was.
"""

import os
import tempfile
from pathlib import Path

from .errors import OrbitsError

__all__ = ["write_atomic"]


def write_atomic(path, data):
    """Write ``data`` (bytes or str, UTF-8, or an iterable of such pieces,
    written as they come) to ``path`` atomically.

    The data is flushed to disk before the rename.  Raises
    :class:`~orbits.errors.OrbitsError` when the folder does not exist.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise OrbitsError(f"{target}: the folder {folder} does not exist")
    pieces = [data] if isinstance(data, (str, bytes, bytearray)) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        try:
            mode = target.stat().st_mode & 0o777  # keep an existing file's permissions
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # as open() would create it
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            for piece in pieces:
                f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
