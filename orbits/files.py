"""Writing the user's files so that nothing of theirs is lost or half-written.

Everything ``orbits`` writes (reports, images, the element cache) goes to a
temporary file in the target's folder and is renamed over the target only
when complete, so an error, Ctrl-C or a termination signal leaves the old
file as it was, and no temporary file behind.

What may be written (:func:`check_output`), for files the user names with
``-o``/``--out``:

* a new file in an existing folder, or an existing **regular** file, which
  keeps its permissions;
* through a symbolic link, the file it points to (the link stays a link);
* not a directory, device, FIFO or socket; not a read-only file (it is
  refused, not replaced); not a file with other hard links (renaming a new
  file over it would silently split it from them); not the same file as
  any input of the command.

Errors are one line (:class:`~orbits.errors.OrbitsError`), written before
any work is done where they can be known in advance.
"""

import os
import stat
import tempfile
from pathlib import Path

from .errors import OrbitsError

__all__ = ["write_atomic", "check_output", "os_error_text", "shown_path"]


def os_error_text(exc):
    """The readable part of an :class:`OSError` ("No space left on device")."""
    return exc.strerror or type(exc).__name__


def _target(path):
    """The file a write to ``path`` lands in: a symbolic link's final target."""
    path = Path(path)
    try:
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    except (OSError, ValueError):
        return path


def check_output(path, inputs=()):
    """Refuse, with one line, an output ``path`` that must not be written
    (see the module's rules); ``inputs`` are the paths the command reads.
    Returns the path the data will be written to (a link's target)."""
    shown = shown_path(path)
    target = _target(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as exc:
        raise OrbitsError(f"{shown}: cannot be written ({_reason(exc)})") from None
    if info is not None:
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise OrbitsError(f"{shown}: is a directory; give a file name")
        if not stat.S_ISREG(mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "not a regular file"
            )
            raise OrbitsError(f"{shown}: is {kind}, not a regular file; orbits writes only regular files")
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise OrbitsError(f"{shown}: is read-only; not replaced")
        if info.st_nlink > 1:
            raise OrbitsError(
                f"{shown}: has {info.st_nlink} hard links; a new file would split it from "
                f"the others, so it is not replaced (give another name)"
            )
        for source in inputs:
            try:
                if os.path.samefile(source, target):
                    raise OrbitsError(f"{shown}: is also an input of this command; not overwritten")
            except (OSError, ValueError):
                continue
    folder = target.parent
    if not folder.is_dir():
        raise OrbitsError(f"{shown}: the folder {shown_path(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OrbitsError(f"{shown}: the folder {shown_path(folder)} is not writable")
    return target


def write_atomic(path, data, inputs=()):
    """Write ``data`` (bytes or str, UTF-8, or an iterable of such pieces,
    written as they come) to ``path`` atomically, after :func:`check_output`.

    The data is flushed to disk before the rename.  Any failure (a full disk,
    a permission, an exception while the pieces are made, Ctrl-C, a
    termination signal turned into an exception by the command line) removes
    the temporary file and leaves ``path`` as it was; write errors raise
    :class:`~orbits.errors.OrbitsError` in one line.
    """
    target = check_output(path, inputs)
    pieces = [data] if isinstance(data, (str, bytes, bytearray)) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:60]}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OrbitsError(f"{shown_path(path)}: cannot be written ({_reason(exc)})") from None
    try:
        try:
            mode = target.stat().st_mode & 0o777  # keep an existing file's permissions
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # as open() would create it
        with os.fdopen(fd, "wb") as f:
            for piece in pieces:
                f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OrbitsError(f"{shown_path(path)}: cannot be written ({_reason(exc)}); left as it was") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _reason(exc):
    return os_error_text(exc) if isinstance(exc, OSError) else str(exc)[:80]


def shown_path(path, limit=120):
    """A path as shown in a message: printable, and at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else "?" for c in str(path))
    return text if len(text) <= limit else text[: limit - 3] + "..."
