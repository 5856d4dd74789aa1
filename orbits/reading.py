"""Reading element files: TLE, OMM JSON or OMM CSV, the format detected.

>>> sets = load_elements("stations.tle")        # a path, or "-" for standard input
>>> sets = parse_elements(text, source="stations.json")

Input from anywhere (a download, a file someone sent) is treated as hostile:
whatever it holds, reading it ends in element sets or in one
:class:`~orbits.errors.ElementError`, promptly and in bounded memory.

* Only regular files, or ``"-"`` for standard input, are read, at most
  :data:`~orbits.elementset.MAX_INPUT_BYTES` (256 MiB) of them; a FIFO,
  device or directory is refused before anything is read, and a file
  swapped for a FIFO between the check and the open cannot hang it.
* Bytes become text with LF line ends (:func:`read_text`: LF, CRLF, CR and
  the CR CR LF of real CelesTrak downloads; a UTF-8 byte-order mark);
  binary and empty files are refused.
* The format is told from the text: ``[`` or ``{`` is OMM JSON, a first
  line with ``NORAD_CAT_ID`` and commas OMM CSV, anything else TLE; an
  HTML page or CelesTrak's "No GP data found" answer is named as such.
* File labels in messages have unprintable characters escaped
  (:func:`source_label`).
"""

import os
import stat
import sys
from pathlib import Path

from .elementset import MAX_INPUT_BYTES
from .errors import ElementError
from .omm import parse_omm_csv, parse_omm_json
from .tle import parse_tle

__all__ = ["load_elements", "parse_elements", "read_text", "source_label"]


def source_label(source):
    """The file label put in messages and element sets: ``source`` with
    each unprintable character escaped as ``repr`` escapes it."""
    source = str(source)
    if source.isprintable():
        return source
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in source)


def _too_big(source, what, unit="bytes"):
    return ElementError(
        source,
        0,
        "",
        f"{what} more than {MAX_INPUT_BYTES:,} {unit}, the limit for "
        f"an element file (orbits.elementset.MAX_INPUT_BYTES)",
    )


def read_text(data, source):
    """Decode file bytes to text with LF line ends; reject binary, empty or
    over-large (:data:`MAX_INPUT_BYTES`) files.

    Handles LF, CRLF, CR and the CR CR LF found in real CelesTrak downloads,
    and a UTF-8 byte-order mark.
    """
    source = source_label(source)
    if len(data) > MAX_INPUT_BYTES:
        raise _too_big(source, "holds")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ElementError(source, 0, "", f"not a text file (NUL byte at offset {offset})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ElementError(source, line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ElementError(source, 0, "", "the file is empty: no element sets in it")
    return text


def _read_capped(stream, source, size_hint=0):
    """At most :data:`MAX_INPUT_BYTES` bytes of the binary ``stream``, read
    to its end; ElementError as soon as there are more."""
    limit = MAX_INPUT_BYTES + 1
    first = stream.read(min(size_hint, MAX_INPUT_BYTES) + 1)  # the whole of a regular file, usually
    if first is None:
        raise ElementError(source, 0, "", "cannot read: a non-blocking stream with nothing in it yet")
    chunks, total = [first], len(first)
    while first and total < limit:
        chunk = stream.read(min(1 << 24, limit - total))
        if chunk is None:
            raise ElementError(source, 0, "", "cannot read: a non-blocking stream with nothing in it yet")
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > MAX_INPUT_BYTES:
        raise _too_big(source, "holds")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode):
    """What a file of ``mode`` is when it is not a regular file, else None."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def load_elements(path):
    """Read every element set in the TLE / OMM-JSON / OMM-CSV file at ``path``.

    ``path`` the string ``"-"`` reads standard input (labelled ``<stdin>``);
    a :class:`~pathlib.Path` always names a file.  Only regular files are
    read, and at most :data:`MAX_INPUT_BYTES` of them.
    """
    if isinstance(path, str) and path == "-":
        source = "<stdin>"
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise ElementError(source, 0, "", "there is no standard input to read")
        try:
            data = _read_capped(stream, source)
        except (OSError, ValueError) as exc:  # ValueError: standard input is closed
            why = getattr(exc, "strerror", None) or exc
            raise ElementError(source, 0, "", f"cannot read: {why}") from None
        return parse_elements(read_text(data, source), source)
    path = Path(path)
    source = source_label(path)
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is not None:
            raise ElementError(source, 0, "", f"is {kind}, not an element file")
        # Non-blocking, so that a file swapped for a FIFO since the stat cannot
        # hang the open; the descriptor's own fstat then decides.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with open(fd, "rb") as stream:
            info = os.fstat(stream.fileno())
            kind = _not_regular(info.st_mode)
            if kind is not None:
                raise ElementError(source, 0, "", f"is {kind}, not an element file")
            if info.st_size > MAX_INPUT_BYTES:
                raise _too_big(source, f"is {info.st_size:,} bytes:")
            data = _read_capped(stream, source, info.st_size)
    except FileNotFoundError:
        raise ElementError(source, 0, "", "no such file") from None
    except IsADirectoryError:
        raise ElementError(source, 0, "", "is a directory, not an element file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise ElementError(source, 0, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_elements(read_text(data, source), source)


def parse_elements(text, source="<text>"):
    """Parse element sets from text; the format (TLE, OMM JSON, OMM CSV) is detected.

    Returns a list of :class:`ElementSet` in file order.  Raises
    :class:`ElementError` on the first bad record.
    """
    source = source_label(source)
    if len(text) > MAX_INPUT_BYTES:
        raise _too_big(source, "holds", "characters")
    stripped = text.lstrip()
    newline = stripped.find("\n")
    first_line = (stripped if newline < 0 else stripped[:newline]).strip()
    if first_line.lower().startswith("no gp data found"):
        raise ElementError(source, 1, "", "the server answered 'No GP data found': no element sets")
    if stripped.startswith("<"):
        raise ElementError(
            source,
            text[: len(text) - len(stripped)].count("\n") + 1,
            "",
            "this is an HTML or XML page, not element sets",
        )
    if stripped.startswith(("[", "{")):
        sets = parse_omm_json(text, source)
    elif "NORAD_CAT_ID" in first_line and "," in first_line:
        sets = parse_omm_csv(text, source)
    else:
        sets = parse_tle(text, source)
    if not sets:
        raise ElementError(source, 0, "", "no element sets in the file")
    return sets
