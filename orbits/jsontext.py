"""JSON text written in pieces, so that large outputs stream.

:func:`json_chunks` writes a document one line per top-level key and one
line per element of a top-level list (a pass, a satellite): the fast C
encoder does the work, the output stays readable with ``grep`` and
``less``, and a :class:`RecordStream` is written block by block as it is
read, never whole in memory.  Records already encoded (see
:mod:`orbits.records`) are written as they are.
"""

import json

__all__ = ["RawJSON", "RecordStream", "json_chunks", "json_text"]


class RawJSON(str):
    """Text that is already JSON; :func:`json_chunks` writes it as it is."""


class RecordStream:
    """A JSON list written in blocks as it is read: ``blocks()`` yields lists
    of JSON texts (plain ``str``: they cross from worker processes, and a
    ``str`` subclass pickles slowly), so a large output never sits in memory whole."""

    def __init__(self, blocks):
        self.blocks = blocks


#: Records joined into one piece of output at a time (a few MB).
_RECORDS_PER_PIECE = 2000


def json_chunks(data):
    """``data`` (a dict or a list, whose values may be :class:`RecordStream`
    objects or lists holding :class:`RawJSON`) as JSON text, in pieces."""

    def listing(parts, indent):
        empty, comma = True, f",\n{indent}  "
        for texts in parts:
            for k in range(0, len(texts), _RECORDS_PER_PIECE):
                yield ("[\n" if empty else ",\n") + indent + "  "
                yield comma.join(texts[k : k + _RECORDS_PER_PIECE])
                empty = False
        yield "[]" if empty else "\n" + indent + "]"

    def block(value, indent):
        if isinstance(value, RecordStream):
            return listing(value.blocks(), indent)
        if isinstance(value, list):
            return listing(
                [[v if isinstance(v, RawJSON) else json.dumps(v, ensure_ascii=False) for v in value]], indent
            )
        return iter([json.dumps(value, ensure_ascii=False)])

    if isinstance(data, dict):
        yield "{\n"
        for n, (k, v) in enumerate(data.items()):
            yield f"{',' + chr(10) if n else ''}  {json.dumps(k)}: "
            yield from block(v, "  ")
        yield "\n}\n"
    else:
        yield from block(data, "")
        yield "\n"


def json_text(data) -> str:
    """``data`` as JSON text (see :func:`json_chunks`)."""
    return "".join(json_chunks(data))
