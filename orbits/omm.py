"""Orbit Mean-Elements Messages (OMM) as CelesTrak and Space-Track give
them: JSON (one record or a list of flat records) and CSV (a header row of
OMM keywords, one element set a row).

Every record must carry :data:`OMM_REQUIRED`; numbers may be JSON numbers
or decimal text, epochs ISO-8601 UTC.  Each value is checked against
:data:`orbits.elementset.RANGES` (and the derivatives as far as a TLE field
could hold them), and SGP4 must start from the set; a problem raises
:class:`~orbits.errors.ElementError` naming the file, the line and the OMM
keyword.  Hostile input is bounded: JSON nesting deeper than
:data:`~orbits.elementset.MAX_JSON_DEPTH` is refused before the decoder sees
it, and a record or row longer than
:data:`~orbits.elementset.MAX_RECORD_CHARS` before it is decoded.
"""

import csv
import json
import math
import re
from datetime import datetime, timedelta, timezone

from .elementset import (
    FIRST_EPOCH,
    LAST_EPOCH,
    MAX_JSON_DEPTH,
    MAX_LINES,
    MAX_RECORD_CHARS,
    MAX_RECORDS,
    RANGES,
    DigitsText,
    ElementSet,
    check_model,
    check_ranges,
    clean_name,
    quote,
    too_many_lines,
    too_many_records,
)
from .errors import ElementError

__all__ = ["OMM_REQUIRED", "parse_omm_csv", "parse_omm_json"]

# The fields every OMM record must carry (CelesTrak's JSON and CSV).
OMM_REQUIRED = (
    "NORAD_CAT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)

_OMM_KEYS = {
    "inclination_deg": "INCLINATION",
    "raan_deg": "RA_OF_ASC_NODE",
    "eccentricity": "ECCENTRICITY",
    "arg_perigee_deg": "ARG_OF_PERICENTER",
    "mean_anomaly_deg": "MEAN_ANOMALY",
    "mean_motion_rev_per_day": "MEAN_MOTION",
    "bstar": "BSTAR",
    "ndot": "MEAN_MOTION_DOT",
    "nddot": "MEAN_MOTION_DDOT",
}
# An OMM record's derivatives are checked as far as a TLE field can hold them
# (a TLE's own are held to that by its columns).
_OMM_RANGES = dict(RANGES, ndot=(-10.0, 10.0, False, False), nddot=(-1e9, 1e9, False, False))
_OMM_EPOCH = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:Z|[+-]00:?00)?", re.ASCII
)


def _text_number(text):
    """The float written in ``text`` (Space-Track's JSON, every CSV), else
    None: ``float`` of ASCII without digit-group underscores (``float``
    also takes other scripts' digits and '1_000'); 'nan' and 'inf' give
    themselves, for the finiteness checks to name."""
    if not text.isascii() or "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _omm_number(record, key, source, lineno):
    """The number in field ``key`` of ``record``, finite: a JSON number or
    a decimal number in text."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ElementError(source, lineno, key, "missing or empty")
    if isinstance(value, str):
        number = _text_number(value.strip())  # inf for digits past the largest float
        if number is None:
            raise ElementError(source, lineno, key, f"{quote(value)} is not a number")
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ElementError(source, lineno, key, f"{quote(value)} is not a number")
    else:
        try:
            number = float(value)
        except OverflowError:  # an integer past the largest float
            number = math.inf
    if not math.isfinite(number):
        raise ElementError(source, lineno, key, f"{quote(value)} is not a finite number")
    return number


def _omm_norad(record, source, lineno):
    """The catalogue number of ``record``: a whole number from 1 to 999,999,999."""
    value = record.get("NORAD_CAT_ID")
    if isinstance(value, int) and not isinstance(value, bool):
        norad = value
    else:
        number = value if isinstance(value, float) else None
        if isinstance(value, str):
            number = _text_number(value.strip())
        if number is None:
            _omm_number(record, "NORAD_CAT_ID", source, lineno)  # raises: missing, or not a number
        norad = int(number) if number is not None and math.isfinite(number) and number.is_integer() else 0
    if not 1 <= norad <= 999_999_999:
        raise ElementError(
            source,
            lineno,
            "NORAD_CAT_ID",
            f"{quote(value)} is not a catalogue number (a whole number from 1 to 999,999,999)",
        )
    return norad


def _omm_text(record, key, source, lineno):
    """Field ``key`` of ``record`` as a printable name ("" when absent or null)."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ElementError(source, lineno, key, f"{quote(value)} is not text")
    return clean_name(value)


def _omm_epoch(record, source, lineno):
    value = record.get("EPOCH")
    text = value.strip() if isinstance(value, str) else ""
    match = _OMM_EPOCH.fullmatch(text) if len(text) <= 64 else None  # 64: no long backtracking
    if not match:
        raise ElementError(source, lineno, "EPOCH", f"{quote(value)} is not an ISO-8601 UTC time")
    y, mo, d, h, mi, s, frac = match.groups()
    outside = (
        f"{quote(value)} is outside {FIRST_EPOCH:%Y-%m-%d} to {LAST_EPOCH:%Y-%m-%d}, "
        f"the epochs an element set can have"
    )
    if not FIRST_EPOCH.year <= int(y) < LAST_EPOCH.year:
        raise ElementError(source, lineno, "EPOCH", outside)
    try:
        base = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    except ValueError as exc:
        raise ElementError(source, lineno, "EPOCH", f"{quote(value)}: {exc}") from None
    micro = round(float("0." + frac[:9]) * 1e6) if frac else 0
    epoch = base + timedelta(microseconds=micro)
    if not FIRST_EPOCH <= epoch < LAST_EPOCH:
        raise ElementError(source, lineno, "EPOCH", outside)
    return epoch


def _omm_record(record, source, lineno):
    if not isinstance(record, dict):
        raise ElementError(
            source, lineno, "", f"expected an OMM record (a JSON object), found {quote(record)}"
        )
    missing = [k for k in OMM_REQUIRED if k not in record]
    if missing:
        raise ElementError(source, lineno, missing[0], "missing from the OMM record")
    norad = _omm_norad(record, source, lineno)
    fields = {key: _omm_number(record, omm, source, lineno) for key, omm in _OMM_KEYS.items()}
    check_ranges(fields, source, lambda key: lineno, _OMM_KEYS, _OMM_RANGES)
    name = _omm_text(record, "OBJECT_NAME", source, lineno) or str(norad)
    elements = ElementSet(
        name=name,
        norad_id=norad,
        epoch=_omm_epoch(record, source, lineno),
        intl_designator=_omm_text(record, "OBJECT_ID", source, lineno),
        source=source,
        line=lineno,
        **fields,
    )
    check_model(elements.model, source, lineno)
    return elements


def _json_int(text):
    return int(text) if len(text) <= 30 else DigitsText(text)


_JSON_DECODER = json.JSONDecoder(parse_int=_json_int)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# A JSON string (read as the decoder reads one; one left open runs to the end
# of the text, so that no match ever fails after a quote) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def parse_omm_json(text, source):
    """The element sets of an OMM JSON text: one record, or a list of them.

    Each record is decoded on its own, from a slice of the text whose
    nesting is known to be at most :data:`MAX_JSON_DEPTH`, so the decoder
    never recurses deeper (nor raises RecursionError)."""
    counted = [0, 1]  # offset, line number there: counting goes forward only

    def line_of(k):
        at, line = counted
        if k < at:
            at, line = 0, 1
        line += text.count("\n", at, k)
        counted[:] = [k, line]
        return line

    def skip(k):
        return _JSON_SPACE.match(text, k).end()

    def end_of(k, room):
        """Where the list or object at ``k`` ends, by its brackets (the end
        of the text if it does not); ElementError when it nests more than
        ``room`` deep or runs past MAX_RECORD_CHARS."""
        depth = 0
        stop = min(len(text), k + MAX_RECORD_CHARS)
        for token in _JSON_TOKEN.finditer(text, k, stop):
            bracket = token.group()
            if bracket in "[{":
                depth += 1
                if depth > room:
                    raise ElementError(
                        source,
                        line_of(token.start()),
                        "",
                        f"JSON nested more than {MAX_JSON_DEPTH} deep: OMM is a list of flat records",
                    )
            elif bracket in "]}":
                depth -= 1
                if depth == 0:
                    return token.end()
        if stop < len(text):
            raise ElementError(
                source, line_of(k), "", f"an OMM record of more than {MAX_RECORD_CHARS:,} characters"
            )
        return len(text)

    def decode(k, end):
        """The JSON value at ``k``, decoded from ``text[k:end]``, and the
        offset after it; ``end`` None decodes in place (a scalar)."""
        piece, at = (text, k) if end is None else (text[k:end], 0)
        try:
            value, stop = _JSON_DECODER.raw_decode(piece, at)
        except json.JSONDecodeError as exc:
            raise ElementError(source, line_of(k - at + exc.pos), "", f"not valid JSON: {exc.msg}") from None
        except (ValueError, RecursionError):
            raise ElementError(source, line_of(k), "", "not valid JSON") from None
        return value, k - at + stop

    def record_at(k, room):
        """The JSON value at ``k`` and the offset after it."""
        if text[k] == "{":
            # A flat record: no bracket before its first '}' (and that '}'
            # not inside a string, or the decoding fails and the slow way
            # below finds the record's end).
            close = text.find("}", k, k + MAX_RECORD_CHARS)
            if close >= 0 and text.find("{", k + 1, close) < 0 and text.find("[", k, close) < 0:
                try:
                    value, stop = _JSON_DECODER.raw_decode(text[k : close + 1])
                    return value, k + stop
                except ValueError:
                    pass
        if text[k] in "[{":
            return decode(k, end_of(k, room))
        return decode(k, None)  # a scalar: nothing nested in it

    k = skip(0)
    sets = []
    if text[k] == "{":
        record, end = record_at(k, MAX_JSON_DEPTH)
        sets.append(_omm_record(record, source, line_of(k)))
        k = end
    else:
        k = skip(k + 1)
        while k < len(text) and text[k] != "]":
            if len(sets) == MAX_RECORDS:
                raise too_many_records(source, line_of(k))
            record, end = record_at(k, MAX_JSON_DEPTH - 1)
            sets.append(_omm_record(record, source, line_of(k)))
            k = skip(end)
            if k < len(text) and text[k] == ",":
                k = skip(k + 1)
            elif k >= len(text) or text[k] != "]":
                raise ElementError(
                    source,
                    line_of(min(k, len(text) - 1)),
                    "",
                    "not valid JSON: expected ',' or ']' (truncated?)",
                )
        if k >= len(text):
            raise ElementError(
                source, line_of(len(text) - 1), "", "not valid JSON: the list is not closed (truncated?)"
            )
        k += 1
    if skip(k) < len(text):
        raise ElementError(source, line_of(skip(k)), "", "not valid JSON: extra text after the data")
    return sets


_LEADING_SPACE = re.compile(r"\s*")  # one repeated class: no memory per character matched


def parse_omm_csv(text, source):
    start = text.rfind("\n", 0, _LEADING_SPACE.match(text).end()) + 1  # where the header's line begins
    skipped = text.count("\n", 0, start)  # the blank lines before it
    row = [0, skipped]  # characters of the row being read; lines read

    def lines():
        """The text's lines from the header on, for the csv module (sliced
        from the text: io.StringIO would hold four bytes a character);
        ElementError once a row (which quoted line ends can make of many
        lines) passes MAX_RECORD_CHARS, or the lines pass MAX_LINES."""
        at, size = start, len(text)
        while at < size:
            end = text.find("\n", at) + 1 or size
            line = text[at:end]
            at = end
            row[1] += 1
            if row[1] > MAX_LINES:
                raise too_many_lines(source)
            if line != "\n":  # blank lines between rows cost nothing (MAX_LINES bounds them)
                row[0] += len(line)
            if row[0] > MAX_RECORD_CHARS:
                raise ElementError(
                    source, row[1], "", f"a CSV row of more than {MAX_RECORD_CHARS:,} characters"
                )
            yield line

    reader = csv.DictReader(lines())
    try:
        return _omm_csv_rows(reader, source, row, skipped)
    except csv.Error as exc:  # a field past the csv module's size limit, a stray CR
        # The csv module's own messages are fixed texts, not the data.
        raise ElementError(
            source, skipped + max(reader.reader.line_num, 1), "", f"not valid CSV: {exc}"
        ) from None


def _omm_csv_rows(reader, source, row_size, skipped):
    """The element sets of ``reader``'s rows; ``row_size[0]`` (the characters
    read for a row) is reset after each; line numbers are the reader's plus
    the ``skipped`` blank lines."""
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [k for k in OMM_REQUIRED if k not in header]
    if missing:
        raise ElementError(source, skipped + 1, missing[0], "column missing from the CSV header")
    reader.fieldnames = header
    sets = []
    row_size[0] = 0
    for row in reader:
        row_size[0] = 0
        lineno = skipped + reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise ElementError(
                source, lineno, "", f"has {len(header)} columns in the header but not in this row"
            )
        if not any((v or "").strip() for v in row.values()):
            continue
        if len(sets) == MAX_RECORDS:
            raise too_many_records(source, lineno)
        sets.append(_omm_record(row, source, lineno))
    return sets
