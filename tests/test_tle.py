"""Element files: every format and line ending reads the same; every fault is named."""

import json
import math
from datetime import datetime, timezone

import pytest
from conftest import tle_line

from orbits.errors import ElementError
from orbits.reading import load_elements, parse_elements

ISS = (
    "ISS (ZARYA)",
    "1 25544U 98067A   26100.19894350  .00006976  00000+0  13529-3 0  9998",
    "2 25544  51.6328 276.5654 0006432 294.6645  65.3674 15.48858067561211",
)
CSS = (
    "CSS (TIANHE)",
    "1 48274U 21035A   26100.18350541  .00027833  00000+0  30988-3 0  9995",
    "2 48274  41.4683  16.3073 0004533 175.1456 184.9428 15.62208650282538",
)


def text_of(*records, end="\n"):
    return end.join(line for record in records for line in record) + end


def test_fields_and_epoch_are_decoded_exactly():
    (iss,) = parse_elements(text_of(ISS))
    assert iss.name == "ISS (ZARYA)" and iss.norad_id == 25544
    # Day 100.19894350 of 2026 = 10 April 04:46:28.718400 UTC.
    assert iss.epoch == datetime(2026, 4, 10, 4, 46, 28, 718400, tzinfo=timezone.utc)
    assert iss.inclination_deg == 51.6328 and iss.eccentricity == 0.0006432
    assert iss.mean_motion_rev_per_day == 15.48858067
    assert iss.bstar == pytest.approx(0.13529e-3)
    assert iss.orbit_class == "LEO"
    assert 410 < iss.perigee_km < iss.apogee_km < 430


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r", "\r\r\n"])
def test_line_ends_all_read_the_same(end, tmp_path):
    path = tmp_path / "x.tle"
    path.write_bytes(text_of(ISS, CSS, end=end).encode())
    sets = load_elements(path)
    assert [e.norad_id for e in sets] == [25544, 48274]
    assert [e.name for e in sets] == ["ISS (ZARYA)", "CSS (TIANHE)"]


def test_two_line_sets_and_space_track_names():
    sets = parse_elements(text_of(ISS[1:], ("0 TIANHE",) + CSS[1:]))
    assert [(e.name, e.norad_id) for e in sets] == [("25544", 25544), ("TIANHE", 48274)]


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.tle"
    path.write_bytes(b"\xef\xbb\xbf" + text_of(ISS).encode())
    assert load_elements(path)[0].name == "ISS (ZARYA)"


def _omm(e, **changes):
    record = {
        "OBJECT_NAME": e.name,
        "OBJECT_ID": "1998-067A",
        "EPOCH": e.epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "MEAN_MOTION": e.mean_motion_rev_per_day,
        "ECCENTRICITY": e.eccentricity,
        "INCLINATION": e.inclination_deg,
        "RA_OF_ASC_NODE": e.raan_deg,
        "ARG_OF_PERICENTER": e.arg_perigee_deg,
        "MEAN_ANOMALY": e.mean_anomaly_deg,
        "EPHEMERIS_TYPE": 0,
        "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": e.norad_id,
        "ELEMENT_SET_NO": 999,
        "REV_AT_EPOCH": 56121,
        "BSTAR": e.bstar,
        "MEAN_MOTION_DOT": e.ndot,
        "MEAN_MOTION_DDOT": 0,
    }
    record.update(changes)
    return record


def _position_after_a_day(e):
    error, r, _ = e.satrec().sgp4_tsince(1440.0)
    assert error == 0
    return r


def test_omm_json_and_csv_propagate_like_the_tle():
    (tle,) = parse_elements(text_of(ISS))
    from_json = parse_elements(json.dumps([_omm(tle)]), "gp.json")[0]
    header = list(_omm(tle))
    row = [str(v) for v in _omm(tle).values()]
    from_csv = parse_elements(",".join(header) + "\n" + ",".join(row) + "\n", "gp.csv")[0]
    for other in (from_json, from_csv):
        assert other.norad_id == 25544 and other.name == "ISS (ZARYA)"
        assert abs((other.epoch - tle.epoch).total_seconds()) < 1e-6
        assert math.dist(_position_after_a_day(other), _position_after_a_day(tle)) < 1e-3  # km


def test_omm_takes_catalogue_numbers_past_99999():
    (tle,) = parse_elements(text_of(ISS))
    (big,) = parse_elements(json.dumps([_omm(tle, NORAD_CAT_ID=412345, EPOCH="2026-04-10T04:46:28Z")]))
    assert big.norad_id == 412345
    assert big.epoch == datetime(2026, 4, 10, 4, 46, 28, tzinfo=timezone.utc)
    assert all(map(math.isfinite, _position_after_a_day(big)))


def test_alpha5_catalogue_numbers():
    line1 = tle_line("1 A0001U 98067A   26100.19894350  .00006976  00000+0  13529-3 0  999")
    line2 = tle_line("2 A0001  51.6328 276.5654 0006432 294.6645  65.3674 15.4885806756121")
    assert parse_elements(f"X\n{line1}\n{line2}\n")[0].norad_id == 100001


def _bad(line, col, new):
    return line[:col] + new + line[col + len(new) :]


BAD_TLES = [
    ("checksum", text_of((ISS[0], ISS[1][:68] + "3", ISS[2])), 2, "checksum"),
    ("truncated line 2", text_of((ISS[0], ISS[1], ISS[2][:60])), 3, "has 60 columns"),
    ("swapped lines", text_of((ISS[0], ISS[2], ISS[1])), 2, "no line 1 before it"),
    ("missing line 2", text_of(ISS[:2]), 2, "line 2 is missing"),
    ("name with no lines", text_of(ISS, ("LONELY",)), 4, "element lines are missing"),
    ("two names", text_of(("A",), ISS), 2, "expected line 1 after the name 'A'"),
    (
        "numbers differ",
        text_of((ISS[0], ISS[1], tle_line(_bad(ISS[2], 2, "25545")))),
        3,
        "line 2 is for 25545 but line 1",
    ),
    (
        "shifted field",
        text_of((ISS[0], tle_line(ISS[1][:8] + " " + ISS[1][8:67]), ISS[2])),
        2,
        "expected a blank",
    ),
    (
        "letter in eccentricity",
        text_of((ISS[0], ISS[1], tle_line(_bad(ISS[2], 26, "00O6432")))),
        3,
        "eccentricity (columns 27-33)",
    ),
    ("tab", text_of((ISS[0], ISS[1].replace("  ", "\t", 1), ISS[2])), 2, "tab character"),
    ("non-ASCII", text_of((ISS[0], ISS[1].replace("98067A ", "98067A\u00a0"), ISS[2])), 2, "non-ASCII"),
    (
        "day 400",
        text_of((ISS[0], tle_line(_bad(ISS[1], 20, "400.19894350")), ISS[2])),
        2,
        "is not a day of the year",
    ),
    (
        "inclination 190",
        text_of((ISS[0], ISS[1], tle_line(_bad(ISS[2], 8, "190.6328")))),
        3,
        "outside the valid range",
    ),
    (
        "mean motion zero",
        text_of((ISS[0], ISS[1], tle_line(_bad(ISS[2], 52, " 0.00000000")))),
        3,
        "mean motion",
    ),
    (
        "bad alpha-5 letter",
        text_of((ISS[0], tle_line(_bad(ISS[1], 2, "I5544")), tle_line(_bad(ISS[2], 2, "I5544")))),
        2,
        "catalogue number",
    ),
    ("html page", "<!DOCTYPE html><html><body>403</body></html>\n", 1, "HTML"),
    ("no gp data", "No GP data found\n", 1, "No GP data found"),
]


@pytest.mark.parametrize("label, text, line, words", BAD_TLES, ids=[b[0] for b in BAD_TLES])
def test_bad_tle_is_named_by_file_line_and_field(label, text, line, words):
    with pytest.raises(ElementError) as caught:
        parse_elements(text, "sats.tle")
    message = str(caught.value)
    assert message.startswith(f"sats.tle:{line}: "), message
    assert words in message
    assert "\n" not in message


def test_unusable_elements_are_refused_before_prediction():
    # Eccentricity 0.9999999: SGP4 fails at the epoch (error 4) -> refused here.
    text = text_of((ISS[0], ISS[1], tle_line(_bad(ISS[2], 26, "9999999"))))
    with pytest.raises(ElementError, match=r"sats.tle:2: elements: SGP4 cannot use them"):
        parse_elements(text, "sats.tle")


BAD_OMM = [
    ("missing field", lambda r: r.pop("MEAN_MOTION"), "MEAN_MOTION: missing"),
    ("not a number", lambda r: r.update(INCLINATION="abc"), "INCLINATION: 'abc' is not a number"),
    ("null", lambda r: r.update(BSTAR=None), "BSTAR: missing or empty"),
    ("eccentricity 1", lambda r: r.update(ECCENTRICITY=1.0), "ECCENTRICITY: 1.0 is outside"),
    ("nan", lambda r: r.update(MEAN_MOTION="NaN"), "MEAN_MOTION: 'NaN' is not a finite number"),
    ("epoch", lambda r: r.update(EPOCH="2026-02-30T00:00:00"), "EPOCH: '2026-02-30T00:00:00'"),
]


@pytest.mark.parametrize("label, change, words", BAD_OMM, ids=[b[0] for b in BAD_OMM])
def test_bad_omm_json_names_the_record_line_and_field(label, change, words):
    (tle,) = parse_elements(text_of(ISS))
    good, bad = _omm(tle), _omm(tle)
    change(bad)
    text = "[\n" + json.dumps(good) + ",\n" + json.dumps(bad) + "\n]\n"
    with pytest.raises(ElementError) as caught:
        parse_elements(text, "gp.json")
    assert str(caught.value).startswith("gp.json:3: "), str(caught.value)
    assert words in str(caught.value)


def test_truncated_json_and_csv_are_refused():
    (tle,) = parse_elements(text_of(ISS))
    body = json.dumps([_omm(tle), _omm(tle)])
    with pytest.raises(ElementError, match="not valid JSON"):
        parse_elements(body[:-40], "gp.json")
    header = ",".join(_omm(tle))
    row = ",".join(str(v) for v in _omm(tle).values())
    with pytest.raises(ElementError, match=r"gp.csv:3: .*columns"):
        parse_elements(f"{header}\n{row}\n{row[:30]}\n", "gp.csv")
    with pytest.raises(ElementError, match=r"gp.csv:1: MEAN_MOTION: column missing"):
        parse_elements(header.replace("MEAN_MOTION,", "") + "\n", "gp.csv")


def test_empty_binary_and_missing_files(tmp_path):
    empty = tmp_path / "empty.tle"
    empty.write_text("  \n\n")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ElementError, match=r"empty.tle: the file is empty"):
        load_elements(empty)
    with pytest.raises(ElementError, match=r"image.png: not a text file"):
        load_elements(binary)
    with pytest.raises(ElementError, match=r"nothing.tle: no such file"):
        load_elements(tmp_path / "nothing.tle")


def test_real_catalogues_read_completely(shared_data):
    counts = {}
    for name in ("active-2026-03-19.tle", "active-2026-04-10.tle"):
        raw = (shared_data / name).read_bytes()
        sets = load_elements(shared_data / name)
        # Every record in the file is read: as many sets as "1 " lines.
        lines = raw.replace(b"\r", b"\n").split(b"\n")
        assert len(sets) == sum(line.startswith(b"1 ") for line in lines)
        counts[name] = len(sets)
        assert {48274, 25544, 37779, 59915, 43529, 43530, 62725, 65055, 66054, 67748} <= {
            e.norad_id for e in sets
        }
    assert counts == {"active-2026-03-19.tle": 14710, "active-2026-04-10.tle": 15008}


def test_whole_catalogue_as_omm_json_keeps_line_numbers(shared_data):
    """A CelesTrak GROUP=active reply in JSON: every record read, errors located by line."""
    import json

    from sgp4.exporter import export_omm

    sets = load_elements(shared_data / "active-2026-04-10.tle")
    text = json.dumps([export_omm(e.satrec(), e.name) for e in sets], indent=1)
    again = parse_elements(text, "active.json")
    assert [e.norad_id for e in again] == [e.norad_id for e in sets]
    assert again[-1].line == text.count("\n", 0, text.rfind("{")) + 1
    at = text.rfind('"INCLINATION": ') + len('"INCLINATION": ')
    with pytest.raises(ElementError) as caught:
        parse_elements(text[:at] + "-1" + text[at:], "active.json")  # the last record's inclination < -100
    assert (caught.value.line, caught.value.field) == (again[-1].line, "INCLINATION")


def test_whole_line_pattern_accepts_exactly_what_the_field_checks_accept(shared_data):
    """The one-match fast path must never accept a line the field-by-field
    checks refuse (nor refuse one they accept): random damage to real lines."""
    import random

    from orbits import tle

    lines = [
        ln
        for ln in (shared_data / "active-2026-03-19.tle").read_text().splitlines()
        if ln[:2] in ("1 ", "2 ")
    ][:4000]
    rng = random.Random(7)
    alphabet = " 0123456789.+-ABCUSZIOabc_\t"
    tried = accepted = 0
    for line in lines:
        for _ in range(3):
            chars = list(line)
            for _ in range(rng.choice((1, 1, 2))):
                chars[rng.randrange(2, 68)] = rng.choice(alphabet)
            damaged = "".join(chars)
            number = int(damaged[0])
            fields, blanks = (tle._LINE1, tle._BLANKS1) if number == 1 else (tle._LINE2, tle._BLANKS2)
            fast = bool((tle._WHOLE1 if number == 1 else tle._WHOLE2).fullmatch(damaged))
            slow = (
                all(damaged[c] == " " for c in blanks)
                and all(p.fullmatch(damaged[a:b]) for (a, b), _, p in fields)
                and damaged.isascii()
            )
            assert fast == slow, damaged
            tried += 1
            accepted += fast
    assert tried == 3 * len(lines) and 0.05 < accepted / tried < 0.95  # both outcomes exercised


def test_first_bad_record_is_named_in_a_long_file():
    """The fast path gives up on any fault; the slow path then names the first
    one in file order, also ahead of a later fault in the file's structure."""
    good = [ISS, CSS] * 50
    late = good[:-1] + [(CSS[0], CSS[1], tle_line(_bad(CSS[2], 8, "190.4683")))]
    with pytest.raises(ElementError, match=r"^sats.tle:300: inclination"):
        parse_elements(text_of(*late), "sats.tle")
    early = [(ISS[0], ISS[1][:68] + "3", ISS[2])] + good + [("LONELY",)]
    with pytest.raises(ElementError, match=r"^sats.tle:2: checksum"):
        parse_elements(text_of(*early), "sats.tle")
    with pytest.raises(ElementError, match=r"^sats.tle:301: .*element lines are missing"):
        parse_elements(text_of(*good, ("LONELY",)), "sats.tle")


def test_the_sgp4_model_is_made_once_and_left_out_of_pickles():
    """Reading checks each set with SGP4; predictions reuse that Satrec.
    sgp4 cannot pickle it, so a pickled set (sent to a spawned worker)
    leaves it out and makes its own, with the same positions."""
    import pickle

    (e,) = parse_elements(text_of(ISS))
    assert e.model is e.model
    assert e.model.satnum == e.norad_id
    copy = pickle.loads(pickle.dumps(e))
    assert copy == e and "model" not in vars(copy)
    assert copy.model is not e.model
    assert copy.model.sgp4_tsince(1440.0)[1] == e.model.sgp4_tsince(1440.0)[1]
