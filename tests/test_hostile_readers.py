"""Hostile element input: whatever a file holds, reading it gives element sets
or exactly one ElementError (``file:line: field: what``, one short printable
line), promptly and in bounded memory.  Families of bad values, files that
are not files, caps on size and nesting, and property-based fuzzing of all
three formats."""

import csv
import inspect
import io
import json
import math
import os
import socket
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import set_element_limit, tle_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgp4.exporter import export_omm

from orbits import elementset
from orbits.elementset import ElementSet
from orbits.errors import ElementError
from orbits.reading import load_elements, parse_elements, read_text, source_label

MISSION_FILE = Path(__file__).resolve().parents[1] / "tle" / "mission-2026-04-10.tle"
MISSION_TEXT = read_text(MISSION_FILE.read_bytes(), "mission.tle")
MISSION = parse_elements(MISSION_TEXT, "mission.tle")
ISS = MISSION[0]
RECORDS = [
    MISSION_TEXT.split("\n")[k : k + 3] for k in range(0, 3 * len(MISSION), 3)
]  # [name, line 1, line 2]

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)  # the autouse cache fixture

UNPRINTABLE = [
    "\x1b",
    "\x1b[2J",
    "\x1b]0;owned\x07",
    "\r",
    "\n",
    "\x7f",
    "\x85",
    "\x9b",
    "\x9f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200f",
    "\u2028",
    "\ufeff",
    "\ud800",
    "\x00",
    "\t",
    "\x0b",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def check_error(exc, source, line=None, field=None):
    """``exc`` is exactly an ElementError that names ``source`` (and
    ``line``, ``field`` when given) in one short printable line."""
    assert type(exc) is ElementError, repr(exc)
    message = str(exc)
    assert message.startswith(f"{source}:"), message
    assert len(message) < 300, message
    assert message.isprintable(), message
    if line is not None:
        assert exc.line == line and message.startswith(f"{source}:{line}: "), message
    if field is not None:
        assert field in exc.field, message
    return message


def refused(text, source="hostile", line=None, field=None):
    """The message of the ElementError that parsing ``text`` raises."""
    with pytest.raises(ElementError) as caught:
        parse_elements(text, source)
    return check_error(caught.value, source, line, field)


def check_sets(sets):
    """Element sets that were accepted hold finite values and printable names."""
    assert sets and all(type(e) is ElementSet for e in sets)
    for e in sets:
        values = (
            e.inclination_deg,
            e.raan_deg,
            e.eccentricity,
            e.arg_perigee_deg,
            e.mean_anomaly_deg,
            e.mean_motion_rev_per_day,
            e.bstar,
            e.ndot,
            e.nddot,
            e.period_min,
            e.semi_major_axis_km,
            e.perigee_km,
            e.apogee_km,
        )
        assert all(math.isfinite(v) for v in values), e
        assert 1 <= e.norad_id <= 999_999_999
        assert elementset.FIRST_EPOCH <= e.epoch < elementset.LAST_EPOCH
        assert e.name and e.name.isprintable() and len(e.name) <= elementset.MAX_NAME_CHARS, repr(e.name)
        assert e.intl_designator.isprintable() and len(e.intl_designator) <= elementset.MAX_NAME_CHARS
        assert e.source.isprintable()
        assert e.model.sgp4_tsince(0.0)[0] == 0


def outcome(text, source="fuzz"):
    """Parse ``text``: element sets that pass :func:`check_sets`, or one clean ElementError."""
    try:
        sets = parse_elements(text, source)
    except ElementError as exc:
        check_error(exc, source)
        return None
    check_sets(sets)
    return sets


def omm(e=ISS, **changes):
    record = export_omm(e.satrec(), e.name)
    record.update(changes)
    return record


def as_json(*records):
    return "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n"


def as_csv(*records):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def tle_text(*records):
    return "".join(f"{name}\n{line1}\n{line2}\n" for name, line1, line2 in records)


def with_field(line, col, new):
    """``line`` with ``new`` written from column ``col`` (0-based) and its checksum recomputed."""
    return tle_line(line[:col] + new + line[col + len(new) :])


def promptly(call, seconds=10.0):
    """Run ``call`` in a daemon thread; the exception it raised (None if
    none), failing the test if it is still running after ``seconds``."""
    box = {}

    def run():
        try:
            call()
        except BaseException as exc:  # handed back to the test, whatever it is
            box["exc"] = exc

    worker = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    assert time.monotonic() - started < seconds
    return box.get("exc")


# --------------------------------------------------------------------------
# numbers out of range or not numbers at all (OMM JSON and CSV)
# --------------------------------------------------------------------------

BAD_NORAD = [
    10**400,
    -(10**400),
    10**30,
    2**63,
    1_000_000_000,
    -1,
    0,
    -0.0,
    0.5,
    25544.5,
    1e9,
    1e300,
    "1e400",
    "-1e400",
    "25544.5",
    "0",
    "-25544",
    "1000000000",
    "1" * 500,
    "1_000",
    "\uff12\uff15\uff15",
    "\u0661\u0662\u0663",
    "0x63c8",
    "25544abc",
    "nan",
    "inf",
    "-Infinity",
    "",
    "  ",
    None,
    True,
    False,
    [],
    [25544],
    {},
    {"id": 25544},
    "\x1b[31m25544",
]


@pytest.mark.parametrize("value", BAD_NORAD, ids=[repr(v)[:30] for v in BAD_NORAD])
def test_norad_cat_id_is_a_whole_number_from_1_to_999999999(value):
    refused(as_json(omm(NORAD_CAT_ID=value)), "gp.json", line=2, field="NORAD_CAT_ID")


@pytest.mark.parametrize(
    "raw",
    [
        "1" + "0" * 400,
        "9" * 5000,
        "1e400",
        "-5",
        "0",
        "25544.5",
        "NaN",
        "Infinity",
        "-Infinity",
        "1" * 100_000,
    ],
)
def test_norad_cat_id_written_as_a_raw_json_number(raw):
    text = as_json(omm()).replace('"NORAD_CAT_ID": 25544', f'"NORAD_CAT_ID": {raw}')
    assert raw in text
    refused(text, "gp.json", line=2, field="NORAD_CAT_ID")


@pytest.mark.parametrize("value", [1, 25544, 999_999_999, 25544.0, "25544", " 25544 ", "+25544", "412345"])
def test_norad_cat_id_accepted(value):
    (e,) = parse_elements(as_json(omm(NORAD_CAT_ID=value)), "gp.json")
    assert e.norad_id == int(float(str(value)))


NUMERIC_FIELDS = [
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
]
NOT_NUMBERS = [
    math.nan,
    math.inf,
    -math.inf,
    "NaN",
    "nan",
    "-inf",
    "Infinity",
    "1e400",
    "-1e999",
    10**400,
    "abc",
    "1_0",
    "\uff11",
    "0x10",
    "1.2.3",
    "--1",
    "",
    " ",
    None,
    True,
    False,
    [],
    [1.0],
    [[1.0]],
    {},
    {"value": 1.0},
    "\x1b[2J",
    "1" * 1000 + "x",
]


@pytest.mark.parametrize("key", NUMERIC_FIELDS)
@pytest.mark.parametrize("value", NOT_NUMBERS, ids=[repr(v)[:20] for v in NOT_NUMBERS])
def test_numeric_fields_must_be_finite_numbers(key, value):
    refused(as_json(omm(**{key: value})), "gp.json", line=2, field=key)


OUT_OF_RANGE = [
    ("INCLINATION", -0.0001),
    ("INCLINATION", 180.0001),
    ("INCLINATION", -1e300),
    ("RA_OF_ASC_NODE", 360.0),
    ("RA_OF_ASC_NODE", -1e-9),
    ("ARG_OF_PERICENTER", 360.0),
    ("ARG_OF_PERICENTER", 1e20),
    ("MEAN_ANOMALY", -360.0),
    ("MEAN_ANOMALY", 720.0),
    ("ECCENTRICITY", 1.0),
    ("ECCENTRICITY", -1e-12),
    ("ECCENTRICITY", 7.0),
    ("MEAN_MOTION", 0.0),
    ("MEAN_MOTION", -15.5),
    ("MEAN_MOTION", 20.0),
    ("MEAN_MOTION", 1e308),
    ("BSTAR", 10.0),
    ("BSTAR", -10.0),
    ("BSTAR", 1e100),
    ("MEAN_MOTION_DOT", 10.0),
    ("MEAN_MOTION_DOT", -1e300),
    ("MEAN_MOTION_DDOT", 1e9),
    ("MEAN_MOTION_DDOT", -1e300),
    ("MEAN_MOTION", "1e308"),
    ("INCLINATION", "400"),
    ("ECCENTRICITY", "1.5"),
]


@pytest.mark.parametrize("key, value", OUT_OF_RANGE)
def test_numeric_fields_out_of_range(key, value):
    message = refused(as_json(omm(**{key: value})), "gp.json", line=2, field=key)
    assert "outside the valid range" in message


@pytest.mark.parametrize(
    "key, value",
    [
        ("NORAD_CAT_ID", "25544.5"),
        ("NORAD_CAT_ID", "0"),
        ("NORAD_CAT_ID", "1" * 400),
        ("INCLINATION", "nan"),
        ("MEAN_MOTION", "inf"),
        ("ECCENTRICITY", "1.0"),
        ("BSTAR", "x"),
        ("EPOCH", "9999-12-31T23:59:59"),
        ("MEAN_MOTION", "1_5.5"),
    ],
)
def test_bad_numbers_in_csv(key, value):
    refused(as_csv(omm(), omm(**{key: value})), "gp.csv", line=3, field=key)


# --------------------------------------------------------------------------
# epochs
# --------------------------------------------------------------------------

BAD_EPOCHS = [
    "9999-12-31T23:59:59.9999999",
    "9999-01-01T00:00:00",
    "0001-01-01T00:00:00",
    "0000-01-01T00:00:00",
    "1900-01-01T00:00:00",
    "1957-10-03T23:59:59.999999",
    "2100-01-01T00:00:00",
    "2099-12-31T23:59:59.9999999",
    "2026-02-29T00:00:00",
    "2026-02-30T00:00:00",
    "2026-13-01T00:00:00",
    "2026-00-10T00:00:00",
    "2026-04-10T24:00:00",
    "2026-04-10T04:60:00",
    "2026-04-10T04:46:61",
    "2026-04-10",
    "2026-04-10T04:46",
    "2026-04-10T04:46:28.7+05:00",
    "2026-04-10T04:46:28.7Z junk",
    "\uff12\uff10\uff12\uff16-04-10T04:46:28",
    "\u0662\u0660\u0662\u0666-04-10T04:46:28",
    "2026-04-10T04:46:28." + "1" * 100,
    "2026-04-10T04:46:28\x1b[2J",
    "",
    None,
    20260410,
    1775796388.7,
    True,
    [],
    ["2026-04-10T04:46:28"],
    {"date": "2026-04-10"},
]


@pytest.mark.parametrize("epoch", BAD_EPOCHS, ids=[repr(v)[:32] for v in BAD_EPOCHS])
def test_omm_epoch_is_a_real_date_from_1957_10_04_to_2100(epoch):
    refused(as_json(omm(EPOCH=epoch)), "gp.json", line=2, field="EPOCH")


@pytest.mark.parametrize(
    "epoch",
    [
        "1957-10-04T00:00:00",
        "2099-12-31T23:59:59.999999",
        "2024-02-29T12:00:00Z",
        "2026-04-10 04:46:28.718399+00:00",
    ],
)
def test_omm_epochs_at_the_edges_are_accepted(epoch):
    (e,) = parse_elements(as_json(omm(EPOCH=epoch)), "gp.json")
    assert elementset.FIRST_EPOCH <= e.epoch < elementset.LAST_EPOCH


def tle_with_epoch(stamp):
    """The ISS record with columns 19-32 (year and day) set to ``stamp``."""
    name, line1, line2 = RECORDS[0]
    return tle_text((name, with_field(line1, 18, stamp), line2))


BAD_TLE_EPOCHS = [
    ("19366.82000000", "2019 is not a leap year"),  # a real ISS set in CelesTrak history; sgp4 takes it
    ("26366.00000000", "2026 is not a leap year"),
    ("23366.50000000", "2023 is not a leap year"),
    ("00367.00000000", "2000 is a leap year"),
    ("24367.00000000", "2024 is a leap year"),
    ("26000.50000000", "not a day of the year"),
    ("26000.00000000", "not a day of the year"),
    ("26999.99999999", "not a day of the year"),
    ("57001.00000000", "before 1957-10-04"),
    ("57276.99999999", "before 1957-10-04"),
]


@pytest.mark.parametrize("stamp, words", BAD_TLE_EPOCHS)
def test_tle_epoch_day_is_valid_for_its_year(stamp, words):
    message = refused(tle_with_epoch(stamp), "sats.tle", line=2, field="epoch")
    assert words in message


@pytest.mark.parametrize(
    "stamp, when",
    [
        ("24366.50000000", datetime(2024, 12, 31, 12, tzinfo=timezone.utc)),
        ("00366.00000000", datetime(2000, 12, 31, tzinfo=timezone.utc)),
        ("57277.00000000", datetime(1957, 10, 4, tzinfo=timezone.utc)),
        ("56365.50000000", datetime(2056, 12, 30, 12, tzinfo=timezone.utc)),
    ],
)
def test_tle_epochs_at_the_edges_are_accepted(stamp, when):
    (e,) = parse_elements(tle_with_epoch(stamp), "sats.tle")
    assert e.epoch == when


def test_tle_epoch_checks_agree_on_both_paths():
    """A long file takes the column-wise path; a bad epoch anywhere in it is
    still named, by line, as the record-by-record path names it."""
    good = RECORDS * 20
    for stamp, words in BAD_TLE_EPOCHS:
        name, line1, line2 = good[-1]
        bad = good[:-1] + [(name, with_field(line1, 18, stamp), line2)]
        assert words in refused(tle_text(*bad), "sats.tle", line=3 * len(good) - 1, field="epoch")


@pytest.mark.parametrize("number", ["00000", "    0", "  000"])
def test_tle_catalogue_number_zero_is_refused(number):
    name, line1, line2 = RECORDS[0]
    text = tle_text((name, with_field(line1, 2, number), with_field(line2, 2, number)))
    refused(text, "sats.tle", line=2, field="catalogue number")
    refused(
        tle_text(*RECORDS * 5, (name, with_field(line1, 2, number), with_field(line2, 2, number))),
        "sats.tle",
        line=3 * 5 * len(RECORDS) + 2,
        field="catalogue number",
    )


# --------------------------------------------------------------------------
# TLE columns
# --------------------------------------------------------------------------

BAD_TLE_FIELDS = [  # (line, first column (0-based), bad text, the field named)
    (1, 20, "1 0.19894350", "epoch day"),
    (1, 20, "10 .19894350", "epoch day"),
    (1, 20, "100.1989435 ", "epoch day"),
    (1, 20, "100,19894350", "epoch day"),
    (1, 20, "-00.19894350", "epoch day"),
    (1, 20, "            ", "epoch day"),
    (1, 18, " 6", "epoch year"),
    (1, 18, "2 ", "epoch year"),
    (1, 18, "X6", "epoch year"),
    (1, 33, " .0000 976", "mean motion derivative"),
    (1, 33, "..00006976", "mean motion derivative"),
    (1, 33, " 00006976.", "mean motion derivative"),
    (1, 33, "+.0000697-", "mean motion derivative"),
    (1, 44, " 000 0+0", "second derivative"),
    (1, 44, " 00000 0", "second derivative"),
    (1, 44, "        ", "second derivative"),
    (1, 53, " 135 9-3", "BSTAR"),
    (1, 53, " 13529 3", "BSTAR"),
    (1, 53, "+1352.-3", "BSTAR"),
    (1, 7, "X", "classification"),
    (1, 62, "A", "ephemeris type"),
    (1, 64, "99X9", "element set number"),
    (1, 8, "X", "line 1 column 9"),
    (1, 17, "0", "line 1 column 18"),
    (2, 8, "5 1.6328", "inclination"),
    (2, 8, "51.6328 ", "inclination"),
    (2, 8, " 51 6328", "inclination"),
    (2, 8, "-51.6328", "inclination"),
    (2, 8, "        ", "inclination"),
    (2, 8, " 5.16328", "inclination"),
    (2, 17, "2 6.5654", "right ascension"),
    (2, 17, "2765654 ", "right ascension"),
    (2, 26, "000 432", "eccentricity"),
    (2, 26, ".000643", "eccentricity"),
    (2, 26, "-000643", "eccentricity"),
    (2, 34, "2 4.6645", "argument of perigee"),
    (2, 34, "294.66 5", "argument of perigee"),
    (2, 43, " 6 .3674", "mean anomaly"),
    (2, 43, "65.3674 ", "mean anomaly"),
    (2, 52, "1 .48858067", "mean motion"),
    (2, 52, "15 48858067", "mean motion"),
    (2, 52, "-5.48858067", "mean motion"),
    (2, 63, "5612X", "revolution number"),
    (2, 7, "0", "line 2 column 8"),
]


@pytest.mark.parametrize("number, col, text, field", BAD_TLE_FIELDS)
def test_bad_tle_columns_are_named(number, col, text, field):
    """Each field's text is checked before it is converted (a blank inside a
    number used to reach float() and raise ValueError)."""
    name, line1, line2 = RECORDS[0]
    if number == 1:
        line1 = with_field(line1, col, text)
    else:
        line2 = with_field(line2, col, text)
    refused(tle_text((name, line1, line2)), "sats.tle", line=number + 1, field=field)
    # The same record after 60 good ones (the column-wise path) is named the same way.
    refused(tle_text(*RECORDS * 6, (name, line1, line2)), "sats.tle", line=3 * 60 + number + 1, field=field)


@pytest.mark.parametrize(
    "text",
    [
        "X\n" + "\n" * 3_000_000,
        "\n" * 3_000_000 + tle_text(RECORDS[0]),
        "\n".join(["NORAD_CAT_ID,EPOCH"] + [""] * 3_000_000),
        "\n".join([",".join(export_omm(ISS.satrec(), ISS.name))] + ["," * 20] * 10),
    ],
    ids=["blank lines after a name", "blank lines before a set", "blank CSV rows", "empty CSV rows"],
)
def test_files_of_nothing_but_line_ends(text):
    started = time.monotonic()
    refused(text, "blank")
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("fmt", ["tle", "csv"])
def test_the_line_count_is_capped(monkeypatch, fmt):
    set_element_limit(monkeypatch, "MAX_LINES", 12)
    one = tle_text(RECORDS[0]) if fmt == "tle" else as_csv(omm())
    ended, unended = one.count("\n"), one.rstrip("\n")
    assert parse_elements(one + "\n" * (12 - ended), "lines")  # 12 lines, each ended
    assert parse_elements("\n" * (12 - ended) + unended, "lines")  # 12 lines, the last not ended
    message = refused(one + "\n" * (13 - ended), "lines", line=13)
    assert "more than 12 lines" in message
    refused("\n" * (13 - ended) + unended, "lines", line=13)


# --------------------------------------------------------------------------
# JSON structure: depth, size, garbage
# --------------------------------------------------------------------------

GOOD_RECORD = json.dumps(omm())
DEEP = 100_000
BAD_JSON = {
    "lists 100,000 deep": "[" * DEEP,
    "lists 100,000 deep, closed": "[" * DEEP + "]" * DEEP,
    "objects 100,000 deep": '{"a":' * DEEP,
    "objects 100,000 deep, closed": '{"a":' * DEEP + "1" + "}" * DEEP,
    "mixed 100,000 deep": '[{"a":' * (DEEP // 2),
    "deep inside a record": '[{"NORAD_CAT_ID": ' + "[" * DEEP,
    "deep after a good record": "[" + GOOD_RECORD + "," + "[" * DEEP,
    "record in 3 lists": "[[[" + GOOD_RECORD + "]]]",
    "value 4 deep": '[{"INCLINATION": [[[1]]]}]',
    "value in a list": "[" + GOOD_RECORD.replace('"INCLINATION": 51.6328', '"INCLINATION": [51.6328]') + "]",
    "value in an object": "[" + GOOD_RECORD.replace('"INCLINATION": 51.6328', '"INCLINATION": {}') + "]",
    "single deep object": '{"INCLINATION": ' + "[" * 10 + "]" * 10 + "}",
    "brackets in strings then deep": '[{"OBJECT_NAME": "[[[[{{{{", "X": ' + "[" * 50 + "]" * 50 + "}]",
    "open strings": "[{" + '"\\' * 200_000,
    "open string": '[{"OBJECT_NAME": "' + "x" * 1_000_000,
    "truncated": "[" + GOOD_RECORD[:-10],
    "not closed": "[" + GOOD_RECORD,
    "not closed, comma": "[" + GOOD_RECORD + ",",
    "extra text": "[" + GOOD_RECORD + "] trailing",
    "two lists": "[" + GOOD_RECORD + "][" + GOOD_RECORD + "]",
    "missing comma": "[" + GOOD_RECORD + GOOD_RECORD + "]",
    "scalars": "[" + "1," * 100_000 + "1]",
    "strings": '["a", "b"]',
    "null record": "[null]",
    "empty list": "[]",
    "empty object": "{}",
    "lone bracket": "[",
    "lone brace": "{",
    "close brace in a name, then garbage": '[{"OBJECT_NAME": "}", ' + "[" * DEEP,
    "control character in a string": '[{"OBJECT_NAME": "a\x1bb"}]',
    "number with 5,000 digits": '[{"MEAN_MOTION": ' + "1" * 5000 + "}]",
    "huge exponent": '[{"MEAN_MOTION": 1e' + "9" * 5000 + "}]",
    "bad escape": '[{"OBJECT_NAME": "\\q"}]',
    "lone surrogate escape": "["
    + GOOD_RECORD.replace('"ISS (ZARYA)"', '"\\ud800"').replace(
        '"INCLINATION": 51.6328', '"INCLINATION": "\\ud800"'
    )
    + "]",
    "NaN everywhere": "[" + json.dumps({k: math.nan for k in omm()}) + "]",
    "10 MB of blanks then junk": "[" + GOOD_RECORD + "," + " " * 10_000_000 + "x]",
    "a key with no value": '[{"NORAD_CAT_ID"}]',
    "duplicate keys, bad last": "[" + GOOD_RECORD[:-1] + ', "INCLINATION": "bad"}]',
}


@pytest.mark.parametrize("text", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_bad_json_structure_is_one_quick_error(text):
    started = time.monotonic()
    refused(text, "gp.json")
    assert time.monotonic() - started < 5.0


def test_json_nesting_is_capped_before_the_decoder_recurses():
    """The decoder never sees more than MAX_JSON_DEPTH levels, so a recursion
    limit just above the caller's depth still gives the ElementError (and
    good records still read), not RecursionError."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)
    try:
        with pytest.raises(ElementError) as caught:
            parse_elements("[" * DEEP, "gp.json")
        sets = parse_elements(as_json(omm(), omm()), "gp.json")
    finally:
        sys.setrecursionlimit(old)
    assert f"more than {elementset.MAX_JSON_DEPTH} deep" in check_error(caught.value, "gp.json", line=1)
    assert len(sets) == 2


def test_records_with_brackets_in_their_strings_are_read():
    names = ["A [B] {C}", "}", "{", "]", "[", '"}"', "\\}", "x}]}]"]
    records = [omm(OBJECT_NAME=name) for name in names]
    sets = parse_elements(as_json(*records), "gp.json")
    assert [e.name for e in sets] == names
    assert [e.line for e in sets] == list(range(2, 2 + len(names)))


def test_a_value_nested_in_a_record_is_named_by_its_field():
    """Depth 3 and 4 (a list where a number belongs) reach the field checks."""
    refused("[" + json.dumps(omm(MEAN_MOTION=[15.5])) + "]", "gp.json", line=1, field="MEAN_MOTION")
    refused("[" + json.dumps(omm(MEAN_MOTION=[[15.5]])) + "]", "gp.json", line=1, field="MEAN_MOTION")
    message = refused("[" + json.dumps(omm(MEAN_MOTION=[[[15.5]]])) + "]", "gp.json", line=1)
    assert "nested" in message


@pytest.mark.parametrize("fmt", ["tle", "json", "csv"])
def test_the_record_count_is_capped(monkeypatch, fmt):
    set_element_limit(monkeypatch, "MAX_RECORDS", 3)
    records = {
        "tle": lambda n: tle_text(*RECORDS[:n]),
        "json": lambda n: as_json(*[omm(e) for e in MISSION[:n]]),
        "csv": lambda n: as_csv(*[omm(e) for e in MISSION[:n]]),
    }[fmt]
    assert len(parse_elements(records(3), "many")) == 3
    line = {"tle": 11, "json": 5, "csv": 5}[fmt]
    message = refused(records(4), "many", line=line)
    assert "more than 3 element sets" in message


def test_a_json_record_is_capped_in_size():
    message = refused(
        as_json(omm(), omm(OBJECT_NAME="x" * (elementset.MAX_RECORD_CHARS + 1))), "gp.json", line=3
    )
    assert f"more than {elementset.MAX_RECORD_CHARS:,} characters" in message
    refused(as_json(omm(OBJECT_NAME=["x"] * elementset.MAX_RECORD_CHARS)), "gp.json", line=2)
    refused('[{"NORAD_CAT_ID": 1' + ', "k": 1' * elementset.MAX_RECORD_CHARS + "}]", "gp.json", line=1)


def test_a_csv_row_is_capped_in_size():
    """Quoted line ends make a row of many lines, each field under the csv
    module's limit; the row as a whole is held to MAX_RECORD_CHARS."""
    field = '"' + "x\n" * 50_000 + '"'  # 100,000 characters over 50,000 lines
    row = ",".join([field] * 12)
    message = refused(",".join(omm()) + "\n" + row + "\n", "gp.csv")
    assert f"a CSV row of more than {elementset.MAX_RECORD_CHARS:,} characters" in message
    refused(",".join(omm()) + "," * (elementset.MAX_RECORD_CHARS + 1) + "\n", "gp.csv", line=1)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

HEADER = ",".join(omm())
ROW = ",".join(str(v) for v in omm().values())
BAD_CSV = {
    "field over the csv limit": HEADER + "\n" + ROW.replace("ISS (ZARYA)", "x" * 200_000) + "\n",
    "quoted field over the limit": HEADER + '\n"' + "x\n" * 100_000,
    "header field over the limit": "NORAD_CAT_ID," + "x" * 200_000 + "\n" + ROW + "\n",
    "carriage return in a field": HEADER + "\n" + ROW.replace("ISS", "I\rSS") + "\n",
    "NUL in a field": HEADER + "\n" + ROW.replace("ISS", "I\x00SS") + "\nx\n",
    "short row": HEADER + "\n" + ROW[:40] + "\n",
    "long row": HEADER + "\n" + ROW + ",1,2,3\n",
    "header only": HEADER + "\n",
    "header missing a column": HEADER.replace("MEAN_MOTION,", "") + "\n" + ROW + "\n",
    "10 million columns": HEADER + "," * 10_000_000 + "\n" + ROW + "\n",
    "values swapped": HEADER + "\n" + ",".join(reversed(ROW.split(","))) + "\n",
    "blank values": HEADER + "\n" + "," * (len(omm()) - 2) + "1\n",
    "escape sequence value": HEADER + "\n" + ROW.replace("51.6328", "\x1b[2J") + "\n",
}


@pytest.mark.parametrize("text", BAD_CSV.values(), ids=BAD_CSV.keys())
def test_bad_csv_is_one_quick_error(text):
    started = time.monotonic()
    refused(text, "gp.csv")
    assert time.monotonic() - started < 5.0


def test_blank_lines_before_a_csv_header_keep_the_line_numbers():
    (e,) = parse_elements("\n \n\n" + as_csv(omm()), "gp.csv")
    assert e.line == 5
    refused("\n\n" + as_csv(omm(), omm(BSTAR="x")), "gp.csv", line=5, field="BSTAR")
    refused("\n\n" + as_csv(omm(), omm(OBJECT_NAME="x" * 200_000)), "gp.csv", line=5)


def test_a_csv_error_names_its_line():
    text = HEADER + "\n" + ROW + "\n" + ROW.replace("ISS (ZARYA)", "x" * 200_000) + "\n"
    message = refused(text, "gp.csv", line=3)
    assert "not valid CSV" in message and "field limit" in message


# --------------------------------------------------------------------------
# messages: short, one line, escaped
# --------------------------------------------------------------------------

HUGE = "9" * 20_000_000


@pytest.mark.parametrize(
    "make",
    [
        lambda: as_json(omm(INCLINATION=HUGE)),
        lambda: as_json(omm(INCLINATION=HUGE + "x")),
        lambda: as_json(omm(EPOCH=HUGE)),
        lambda: as_json(omm(NORAD_CAT_ID=HUGE)),
        lambda: as_json(omm(OBJECT_NAME=[HUGE])),
        lambda: as_json(omm()).replace('"NORAD_CAT_ID": 25544', '"NORAD_CAT_ID": ' + HUGE),
        lambda: "[" + HUGE + "]",
        lambda: as_csv(omm(INCLINATION=HUGE[:100_000])),
        lambda: as_csv(omm(EPOCH=HUGE[:100_000])),
        lambda: "NAME " + HUGE + "\nANOTHER NAME\n",
        lambda: "NAME\n" + RECORDS[0][1] + "\n" + HUGE + "\n",
        lambda: "NAME\n1 " + HUGE + "\n" + RECORDS[0][2] + "\n",
        lambda: RECORDS[0][0] + "\n" + RECORDS[0][1] + "\n2 " + HUGE + "\n",
        lambda: HUGE + "\n",
    ],
    ids=[
        "json number text",
        "json junk text",
        "json epoch",
        "json norad",
        "json name list",
        "json raw digits",
        "json scalar",
        "csv number",
        "csv epoch",
        "tle two names",
        "tle line 2",
        "tle long line 1",
        "tle long line 2",
        "tle name only",
    ],
)
def test_a_20_mb_value_gives_a_short_message(make):
    refused(make(), "big")


@pytest.mark.parametrize("junk", UNPRINTABLE, ids=[repr(c) for c in UNPRINTABLE])
def test_control_characters_in_quoted_values_are_escaped(junk):
    for text in (
        as_json(omm(INCLINATION=f"5{junk}1")),
        as_json(omm(EPOCH=f"2026{junk}")),
        as_json(omm(NORAD_CAT_ID=f"25{junk}544")),
        as_json(omm(NORAD_CAT_ID=25544.5, OBJECT_NAME=junk)),
        f"A{junk}NAME\nB{junk}NAME\n",
        f"ONLY{junk}NAME\n",
    ):
        assert junk not in refused(text, "junk")


def test_file_names_with_control_characters_are_escaped(tmp_path):
    path = tmp_path / "bad\x1b[2Jname\nx.tle"
    path.write_text("NAME\n" + RECORDS[0][1] + "\n")
    with pytest.raises(ElementError) as caught:
        load_elements(path)
    message = str(caught.value)
    assert message.isprintable() and "\\x1b[2Jname\\nx.tle" in message
    path.write_text(tle_text(RECORDS[0]))
    (e,) = load_elements(path)
    assert e.source.isprintable() and e.source.endswith("\\x1b[2Jname\\nx.tle")


# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------

NAME_JUNK = UNPRINTABLE + ["\u0080", "\u009b[31m", "\x1b[31;1mRED\x1b[0m"]


@pytest.mark.parametrize("junk", NAME_JUNK, ids=[repr(c) for c in NAME_JUNK])
def test_names_are_made_printable(junk):
    name = f"EVIL{junk}SAT"
    # A raw CR or LF ends a TLE line (and a CR an unquoted CSV field); JSON escapes them.
    texts = [as_json(omm(OBJECT_NAME=name, OBJECT_ID=f"1998{junk}067A"))]
    if junk != "\r":
        texts.append(as_csv(omm(OBJECT_NAME=name)))
    if junk not in ("\r", "\n"):
        texts.append(tle_text((name, *RECORDS[0][1:])))
        texts.append(tle_text(("0 " + name, *RECORDS[0][1:])))
    for text in texts:
        (e,) = parse_elements(text, "names")
        assert e.name.isprintable() and e.name.startswith("EVIL") and e.name.endswith("SAT"), repr(e.name)
        assert e.intl_designator.isprintable()
        assert not any(c in e.name for c in junk if not c.isprintable())


def test_bidi_and_c1_controls_become_question_marks_and_spaces_blanks():
    (e,) = parse_elements(as_json(omm(OBJECT_NAME="A\u202eB\u2066C\x9bD\x7fE\u00a0F\u2028G\x1bH")), "n.json")
    assert e.name == "A?B?C?D?E F G?H"


@pytest.mark.parametrize("length", [101, 1000, 400_000])
def test_long_names_are_cut(length):
    name = "N" * length
    for text in (
        tle_text((name, *RECORDS[0][1:])),
        as_json(omm(OBJECT_NAME=name, OBJECT_ID=name)),
        as_csv(omm(OBJECT_NAME=name[:100_000])),
    ):
        (e,) = parse_elements(text, "long")
        assert len(e.name) == elementset.MAX_NAME_CHARS and e.name.endswith("...")
        assert len(e.intl_designator) <= elementset.MAX_NAME_CHARS


def test_a_name_made_only_of_junk_still_names_the_satellite():
    (e,) = parse_elements(as_json(omm(OBJECT_NAME="\u00a0\u2028 \u3000")), "n.json")
    assert e.name == "25544"
    refused(as_json(omm(OBJECT_NAME=12345)), "n.json", line=2, field="OBJECT_NAME")
    refused(as_json(omm(OBJECT_ID=["x"])), "n.json", line=2, field="OBJECT_ID")


# --------------------------------------------------------------------------
# files: only regular ones, and not too big
# --------------------------------------------------------------------------


def load_refused(path, words):
    exc = promptly(lambda: load_elements(path))
    assert exc is not None, f"{path} was read"
    message = check_error(exc, source_label(path))
    assert words in message, message
    return message


def test_dev_zero_is_refused_promptly():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    load_refused("/dev/zero", "character device")
    load_refused(Path("/dev/null"), "character device")


def test_a_symlink_to_dev_zero_is_refused(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    link = tmp_path / "elements.tle"
    try:
        link.symlink_to("/dev/zero")
    except OSError as exc:
        pytest.skip(f"cannot make a symlink: {exc}")
    load_refused(link, "character device")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs (named pipes) on this platform (Windows)")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "elements.tle"
    os.mkfifo(fifo)
    load_refused(fifo, "FIFO")


def test_a_socket_is_refused(tmp_path):
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets on this platform")
    path = tmp_path / "s.tle"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError as exc:
        pytest.skip(f"cannot bind a Unix socket here: {exc}")
    try:
        load_refused(path, "socket")
    finally:
        server.close()


def test_a_directory_is_refused(tmp_path):
    load_refused(tmp_path, "directory")
    load_refused(str(tmp_path), "directory")


@pytest.mark.parametrize(
    "path, words", [("no/such/file.tle", "no such file"), ("bad\x00name.tle", "cannot read")]
)
def test_paths_that_cannot_be_opened(path, words):
    load_refused(path, words)


def test_an_unreadable_file(tmp_path):
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("needs POSIX permissions and a user that is not root")
    path = tmp_path / "secret.tle"
    path.write_text(tle_text(RECORDS[0]))
    path.chmod(0)
    load_refused(path, "cannot read")


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.tle"
    with open(path, "wb") as f:
        f.truncate(elementset.MAX_INPUT_BYTES + 1)  # sparse: no disk used, nothing worth reading
    message = load_refused(path, f"more than {elementset.MAX_INPUT_BYTES:,} bytes")
    assert "MAX_INPUT_BYTES" in message and f"{elementset.MAX_INPUT_BYTES + 1:,}" in message


def test_the_cap_holds_for_small_caps_too(tmp_path, monkeypatch):
    set_element_limit(monkeypatch, "MAX_INPUT_BYTES", 1000)
    path = tmp_path / "x.tle"
    path.write_bytes(b"x" * 1001)
    load_refused(path, "more than 1,000 bytes")
    path.write_text(tle_text(RECORDS[0]))  # 161 bytes
    assert load_elements(path)[0].norad_id == 25544
    with pytest.raises(ElementError) as caught:
        read_text(b"x" * 1001, "bytes")
    check_error(caught.value, "bytes")
    with pytest.raises(ElementError) as caught:
        parse_elements("x" * 1001, "text")
    assert "1,000 characters" in check_error(caught.value, "text")


def test_a_file_that_reports_no_size_is_still_read_only_up_to_the_cap(monkeypatch):
    """/proc files are regular with st_size 0, and may hold anything."""
    if not os.path.exists("/proc/self/maps"):
        pytest.skip("no /proc here")
    set_element_limit(monkeypatch, "MAX_INPUT_BYTES", 100)
    load_refused("/proc/self/maps", "more than 100 bytes")


class _Endless(io.RawIOBase):
    """A stream of zero bytes without end, counting what it hands out."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = bytes(len(buffer))
        self.given += len(buffer)
        return len(buffer)


def test_dash_reads_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(tle_text(*RECORDS).encode())))
    sets = load_elements("-")
    assert [e.norad_id for e in sets] == [e.norad_id for e in MISSION]
    assert {e.source for e in sets} == {"<stdin>"}


def test_endless_standard_input_stops_at_the_cap(monkeypatch):
    set_element_limit(monkeypatch, "MAX_INPUT_BYTES", 1 << 20)
    endless = _Endless()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    exc = promptly(lambda: load_elements("-"))
    assert "more than 1,048,576 bytes" in check_error(exc, "<stdin>")
    assert endless.given <= (1 << 20) + (1 << 17)  # the cap and one buffer


def test_dev_zero_as_standard_input_stops_at_the_cap(monkeypatch):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    set_element_limit(monkeypatch, "MAX_INPUT_BYTES", 1 << 20)
    with open("/dev/zero", "rb") as zero:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(zero))
        exc = promptly(lambda: load_elements("-"))
    check_error(exc, "<stdin>")


def test_standard_input_that_is_not_there(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    check_error(promptly(lambda: load_elements("-")), "<stdin>")


def test_a_path_object_named_dash_is_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text(tle_text(RECORDS[0]))
    assert load_elements(Path("-"))[0].source == "-"


# --------------------------------------------------------------------------
# property-based: nothing but element sets or one ElementError
# --------------------------------------------------------------------------

FRAGMENTS = [line + "\n" for record in RECORDS[:3] for line in record] + [
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    '"',
    "\\",
    "\n",
    "\r",
    "\r\n",
    " ",
    "\t",
    "0 ",
    "1 ",
    "2 ",
    GOOD_RECORD,
    HEADER + "\n",
    ROW + "\n",
    "NORAD_CAT_ID,",
    "<html>",
    "No GP data found",
    "\x1b",
    "\u202e",
    "NaN",
    "1e400",
    "366.5",
    "-",
    ".",
    "e",
    "\ufeff",
]


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=40).map(
            lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
        ),
    )
)
def test_any_bytes(data):
    try:
        text = read_text(data, "bytes")
    except ElementError as exc:
        check_error(exc, "bytes")
        return
    outcome(text, "bytes")


CHARS = st.one_of(st.sampled_from(" 0123456789.+-ABCUSZIOaeE_\t" + "".join(UNPRINTABLE)), st.characters())
EDITS = st.lists(
    st.tuples(st.sampled_from(["put", "insert", "delete"]), st.integers(0, 10**6), CHARS), max_size=5
)


def edited(text, edits):
    chars = list(text)
    for kind, at, char in edits:
        at = at % (len(chars) + 1)
        if kind == "insert":
            chars.insert(at, char)
        elif chars:
            at = min(at, len(chars) - 1)
            if kind == "put":
                chars[at] = char
            else:
                del chars[at]
    return "".join(chars)


def with_checksums(text):
    """Every TLE-like line given the checksum its columns add up to, so that
    damage reaches the field checks behind the checksum."""
    return "\n".join(tle_line(s) if s[:2] in ("1 ", "2 ") and len(s) >= 68 else s for s in text.split("\n"))


@FUZZ
@given(st.lists(st.sampled_from(RECORDS), min_size=1, max_size=3), EDITS, st.booleans())
def test_damaged_tle_records(records, edits, fix_checksums):
    text = edited(tle_text(*records), edits)
    outcome(with_checksums(text) if fix_checksums else text)


EPOCH_STAMPS = st.builds(
    lambda yy, day: f"{yy:02d}{day:012.8f}"[:14],
    st.integers(0, 99),
    st.floats(0.0, 999.99999999, allow_nan=False),
)


@FUZZ
@given(
    st.sampled_from(RECORDS),
    st.one_of(
        st.tuples(st.just(1), st.just(18), EPOCH_STAMPS),
        st.tuples(st.just(1), st.just(2), st.text("0123456789 A", min_size=5, max_size=5)),
        st.tuples(st.integers(1, 2), st.integers(2, 67), st.text(" 0123456789.+-A", min_size=1, max_size=9)),
    ),
)
def test_any_damaged_record_reads_or_fails_with_its_line_and_field(record, change):
    """Whatever is written in a field, a record either reads to an element
    set with the values its columns hold, or fails with one error naming
    the file, a line of the record and a field."""
    name, line1, line2 = record
    number, col, new = change
    if number == 1:
        line1 = with_field(line1, col, new)
    else:
        line2 = with_field(line2, col, new)
    sets, error = attempt(lambda: parse_elements(f"{name}\n{line1}\n{line2}\n", "x.tle"))
    if error is not None:
        check_error(error, "x.tle")
        assert error.line in (2, 3) and error.field, str(error)
        return
    assert len(sets) == 1 and sets[0].line1 == line1 and sets[0].line2 == line2
    check_sets(sets)


def attempt(call):
    """``(result, None)``, or ``(None, the ElementError)`` when ``call`` raises one."""
    try:
        return call(), None
    except ElementError as exc:
        return None, exc


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**40), 10**40),
        st.integers(-(10**400), 10**400),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.sampled_from(
            [
                "",
                " ",
                "nan",
                "1e400",
                "-0",
                "1_0",
                "0x1",
                "15.5",
                "0.0001",
                "25544",
                "2026-04-10",
                "2026-04-10T04:46:28",
                "1957-10-04T00:00:00",
                "2100-01-01T00:00:00",
                "\x1b[2J",
                "\u202e",
                "[",
                "}",
                '"',
            ]
        ),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
OMM_KEYS = list(omm())
JSON_EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(OMM_KEYS), JSON_VALUES),
        st.tuples(st.just("drop"), st.sampled_from(OMM_KEYS), st.none()),
        st.tuples(st.just("nest"), st.sampled_from(OMM_KEYS), st.integers(1, 8)),
        st.tuples(st.just("add"), st.text(max_size=10), JSON_VALUES),
    ),
    min_size=1,
    max_size=4,
)


def edited_record(record, edits):
    record = dict(record)
    for kind, key, value in edits:
        if kind == "drop":
            record.pop(key, None)
        elif kind == "nest" and key in record:
            for _ in range(value):
                record[key] = [record[key]]
        elif kind in ("set", "add"):
            record[key] = value
    return record


@FUZZ
@given(st.sampled_from(MISSION), JSON_EDITS, st.integers(0, 2), EDITS)
def test_damaged_omm_json_records(e, edits, shape, text_edits):
    record = edited_record(omm(e), edits)
    text = [json.dumps(record), as_json(omm(), record), as_json(record, omm())][shape]
    outcome(text)
    outcome(edited(text, text_edits))


CSV_VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "nan",
            "1e400",
            "-1",
            "0",
            "25544.5",
            '"',
            ",",
            "\n",
            "\r\n",
            "\x1b",
            "1_0",
            "2100-01-01T00:00:00",
        ]
    ),
)
CSV_EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(OMM_KEYS), CSV_VALUES),
        st.tuples(st.just("drop"), st.sampled_from(OMM_KEYS), st.none()),
        st.tuples(st.just("drop header"), st.sampled_from(OMM_KEYS), st.none()),
        st.tuples(st.just("extra"), st.just(""), CSV_VALUES),
    ),
    min_size=1,
    max_size=4,
)


@FUZZ
@given(st.sampled_from(MISSION), CSV_EDITS, st.booleans(), EDITS)
def test_damaged_omm_csv_rows(e, edits, quoted, text_edits):
    header, row = list(omm(e)), [str(v) for v in omm(e).values()]
    for kind, key, value in edits:
        at = header.index(key) if key in header else None
        if kind == "set" and at is not None and at < len(row):
            row[at] = value
        elif kind == "drop" and at is not None and at < len(row):
            del row[at]
        elif kind == "drop header" and at is not None:
            del header[at]
        elif kind == "extra":
            row.append(value)
    if quoted:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, [str(v) for v in omm().values()], row])
        text = out.getvalue()
    else:
        text = ",".join(header) + "\n" + ",".join(row) + "\n"
    outcome(text)
    outcome(edited(text, text_edits))
