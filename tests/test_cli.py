"""The command line: contracts of each format, and one-line errors with exit 2."""

import csv
import io
import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from conftest import table_rows

from orbits.cli import main

START = ["--start", "2026-04-10T00:00:00Z"]


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_is_installed():
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "orbits"]
    assert script.value == "orbits.cli:run"


def test_python_dash_m_runs_the_tool():
    done = subprocess.run(
        [sys.executable, "-m", "orbits", "passes", *START, "--days", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Visible passes over Islamabad" in done.stdout


def test_default_table_shows_visible_passes_geo_and_epochs(capsys):
    code, out, err = run(capsys, "passes", *START, "--days", "2")
    assert code == 0 and err == ""
    assert "Tiangong (CSS)" in out and "PKT" in out
    assert "Always above the horizon" in out and "slot 38.0" in out
    assert "epoch 2026-04-10 09:24" in out  # Tiangong's epoch, in PKT


def test_json_contract(capsys):
    code, out, _ = run(capsys, "passes", *START, "--days", "3", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["passes"], "expected visible passes"
    for p in data["passes"]:
        assert {
            "norad_id",
            "name",
            "rise",
            "culmination",
            "set",
            "visible",
            "visible_start",
            "visible_end",
            "magnitude",
            "tle_epoch",
        } <= set(p)
        for key in ("rise", "culmination", "set", "visible_start", "visible_end"):
            assert set(p[key]) == {"time", "azimuth", "elevation"}
            assert p[key]["time"].endswith("+05:00")
        assert p["visible"] is True
        assert p["rise"]["time"] <= p["visible_start"]["time"] <= p["visible_end"]["time"] <= p["set"]["time"]
    assert {s["norad_id"]: s["status"] for s in data["satellites"]}[37779] == "always_above"
    tiangong = [p for p in data["passes"] if p["norad_id"] == 48274]
    assert tiangong and all(isinstance(p["magnitude"], float) for p in tiangong)


def test_all_lists_invisible_passes_and_utc(capsys):
    _, out, _ = run(capsys, "passes", "tiangong", *START, "--days", "1", "--all", "--format", "json", "--utc")
    passes = json.loads(out)["passes"]
    assert len(passes) >= 5 and not all(p["visible"] for p in passes)
    assert all(p["rise"]["time"].endswith("+00:00") for p in passes)
    assert all(p["visible_start"] is None for p in passes if not p["visible"])


def test_iana_time_zone(capsys):
    _, out, _ = run(
        capsys, "passes", "css", *START, "--days", "1", "--format", "json", "--tz", "Europe/London"
    )
    assert json.loads(out)["passes"][0]["rise"]["time"].endswith("+01:00")  # BST in April


def test_csv_rows_match_json(capsys):
    _, out, _ = run(capsys, "passes", *START, "--days", "2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    _, js, _ = run(capsys, "passes", *START, "--days", "2", "--format", "json")
    passes = json.loads(js)["passes"]
    assert len(rows) == len(passes)
    assert [r["rise_time"] for r in rows] == [p["rise"]["time"] for p in passes]
    assert float(rows[0]["culmination_elevation"]) == passes[0]["culmination"]["elevation"]


def test_ics_has_one_event_per_visible_pass(capsys, tmp_path):
    target = tmp_path / "passes.ics"
    code, out, _ = run(capsys, "passes", *START, "--days", "3", "--format", "ics", "-o", str(target))
    assert code == 0 and out == ""
    text = target.read_bytes().decode()
    _, js, _ = run(capsys, "passes", *START, "--days", "3", "--format", "json")
    visible = json.loads(js)["passes"]
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == len(visible) > 0
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    first = visible[0]["visible_start"]["time"]  # e.g. 2026-04-10T19:00:57.123+05:00
    hh = int(first[11:13]) - 5
    assert f"DTSTART:{first[:4]}{first[5:7]}{first[8:10]}T{hh:02d}{first[14:16]}" in text
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_now_gives_dish_pointing_for_geo(capsys):
    code, out, _ = run(
        capsys, "now", "paksat-mm1", "paksat-1r", "--at", "2026-04-10T12:00:00Z", "--format", "json"
    )
    assert code == 0
    rows = {r["norad_id"]: r for r in json.loads(out)["now"]}
    for norad, slot in ((59915, 38.2), (37779, 38.0)):
        r = rows[norad]
        assert {
            "norad_id",
            "name",
            "time",
            "azimuth",
            "elevation",
            "range_km",
            "latitude",
            "longitude",
            "altitude_km",
            "sunlit",
        } <= set(r)
        assert 225 < r["azimuth"] < 235 and 34 < r["elevation"] < 38
        assert abs(r["longitude"] - slot) < 0.2 and 35700 < r["altitude_km"] < 35900
    _, table, _ = run(capsys, "now", "paksat-mm1", "--at", "2026-04-10T12:00:00Z")
    assert "dish: az 231." in table


def test_catalog_lists_known_satellites(capsys):
    code, out, _ = run(capsys, "catalog", "--format", "json")
    rows = {r["norad_id"]: r for r in json.loads(out)["satellites"]}
    assert code == 0 and len(rows) == 10
    assert rows[37779]["orbit_class"] == "GEO" and rows[43530]["orbit_class"] == "SSO"
    assert rows[48274]["tle_epoch"].startswith("2026-04-10T04:24:14")
    assert "tiangong" in rows[48274]["aliases"]


def test_tle_file_with_no_satellites_named_predicts_all(capsys, tmp_path, mission):
    path = tmp_path / "two.tle"
    path.write_text("".join(f"{e.name}\n{e.line1}\n{e.line2}\n" for e in (mission[25544], mission[43530])))
    code, out, _ = run(
        capsys, "passes", "--tle", str(path), *START, "--days", "1", "--all", "--format", "json"
    )
    assert code == 0
    assert {p["norad_id"] for p in json.loads(out)["passes"]} == {25544, 43530}


BAD = [
    (["passes", "tiangog"], "did you mean Tiangong (CSS)?"),
    (["passes", "badr-1"], "re-entered the atmosphere in December 1990"),
    (["passes", "icube-qamar"], "orbits the Moon"),
    (["passes", "--start", "2026-02-30"], "is not a real date"),
    (["passes", "--start", "next week"], "is not a time: give now, today, tonight"),
    (["passes", "--start", "24:30"], "is not a time of day"),
    (["passes", "--lat", "95", "--lon", "73"], "out of range"),
    (["passes", "--lat", "33"], "--lat and --lon go together"),
    (["passes", "--days", "-3"], "must be positive"),
    (["passes", "--site", "islamabd"], "did you mean islamabad"),
    (["passes", "--tz", "Mars/Olympus"], "unknown time zone"),
    (["passes", "--tle", "/nonexistent/file.tle"], "/nonexistent/file.tle: no such file"),
    (
        ["passes", "--start", "2050-01-01"],
        "is outside what the bundled tables cover, 2020-01-02 to 2040-12-30",
    ),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("args, words", BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert words in err
    assert err.count("\n") == 1 and err.startswith("orbits: ")
    assert "Traceback" not in err and out == ""


def test_bad_tle_file_names_file_line_and_field(capsys, tmp_path, mission):
    e = mission[25544]
    path = tmp_path / "bad.tle"
    path.write_text(f"{e.name}\n{e.line1[:68]}0\n{e.line2}\n")  # wrong checksum digit
    code, _, err = run(capsys, "passes", "--tle", str(path))
    assert code == 2
    assert err.startswith(f"orbits: {path}:2: checksum (column 69): line 1 says 0 but")


def test_failed_output_leaves_existing_file_alone(capsys, tmp_path):
    target = tmp_path / "keep.json"
    target.write_text("precious")
    code, _, _ = run(capsys, "passes", "nosuchsat", "-o", str(target))
    assert code == 2 and target.read_text() == "precious"


def test_week_old_elements_show_their_plus_minus_in_minutes(capsys):
    code, out, err = run(capsys, "passes", "tiangong", "--start", "2026-04-17", "--days", "1", "--all")
    assert code == 0 and "withheld" not in err
    rows = [line for line in table_rows(out) if "Tiangong" in line]
    assert rows and all(" min " in line for line in rows)  # "±3 min": a week of drag, told in minutes
    assert "epoch 2026-04-10" in out


def test_brighter_than_keeps_bright_visible_passes(capsys):
    from pathlib import Path

    args = ["passes", *START, "--days", "7", "--format", "json"]
    code, out, _ = run(capsys, *args, "tiangong", "iss")
    every = [p for p in json.loads(out)["passes"] if p["visible"]]
    code, out, err = run(capsys, *args, "tiangong", "iss", "--brighter-than", "-2")
    assert code == 0
    bright = json.loads(out)["passes"]
    assert bright and all(p["magnitude"] <= -2 for p in bright)
    assert len(bright) == sum(1 for p in every if p["magnitude"] <= -2) < len(every)
    # satellites without a standard magnitude cannot be judged, and we say so
    tle = Path(__file__).resolve().parents[1] / "tle" / "mission-2026-04-10.tle"
    code, out, err = run(
        capsys, "passes", *START, "--days", "2", "--tle", str(tle), "--brighter-than", "0", "--format", "json"
    )
    assert code == 0
    assert "of satellites with no known standard magnitude left out by the brightness limit 0" in err
    assert {p["norad_id"] for p in json.loads(out)["passes"]} <= {25544, 48274}


# --------------------------------------------------------------------------
# magnitudes through the air, in every format
# --------------------------------------------------------------------------


def _tiangong(capsys, fmt, *extra):
    code, out, err = run(capsys, "passes", "tiangong", *START, "--days", "4", "--format", fmt, *extra)
    assert code == 0, err
    return out


@pytest.mark.parametrize("extinction", [[], ["--extinction", "0"], ["--extinction", "0.5"]])
def test_json_csv_and_table_carry_both_magnitudes_and_agree(capsys, extinction):
    k = float(extinction[1]) if extinction else 0.19  # Islamabad's default, at 540 m
    data = json.loads(_tiangong(capsys, "json", *extinction))
    assert data["extinction_per_airmass"] == k
    passes = data["passes"]
    assert len(passes) >= 3
    for p in passes:
        seen, above = p["magnitude"], p["magnitude_above_atmosphere"]
        assert isinstance(seen, float) and isinstance(above, float)
        # the zenith's airmass is 1: at least k fainter, and no more than a 10-degree airmass (5.6) allows
        assert k - 0.1 <= seen - above <= 5.6 * k + 0.1
        for w in p["windows"]:
            assert w["magnitude"] >= seen and w["magnitude_above_atmosphere"] is not None
    rows = list(csv.DictReader(io.StringIO(_tiangong(capsys, "csv", *extinction))))
    assert [(float(r["magnitude"]), float(r["magnitude_above_atmosphere"])) for r in rows] == [
        (p["magnitude"], p["magnitude_above_atmosphere"]) for p in passes
    ]
    table = _tiangong(capsys, "table", *extinction)
    assert [line.split()[4] for line in table_rows(table)] == [f"{p['magnitude']:.1f}" for p in passes]
    if k:
        assert f"Magnitudes include atmospheric extinction, k={k:.2f} mag/airmass" in table
    else:
        assert "Magnitudes without atmospheric extinction" in table
        assert all(p["magnitude"] == p["magnitude_above_atmosphere"] for p in passes)
    ics = _tiangong(capsys, "ics", *extinction).replace("\r\n ", "")
    assert f"Brightest magnitude {passes[0]['magnitude']:.1f} through the air" in ics


def test_extinction_makes_low_passes_fainter_than_high_ones(capsys):
    off = json.loads(_tiangong(capsys, "json", "--extinction", "0"))["passes"]
    on = json.loads(_tiangong(capsys, "json", "--extinction", "0.5"))["passes"]
    assert [p["number"] for p in off] == [p["number"] for p in on]
    for a, b in zip(off, on, strict=True):
        assert b["magnitude"] > a["magnitude"]  # every pass is dimmer through the air


@pytest.mark.parametrize("value", ["5", "-0.1", "nan", "haze"])
def test_extinction_out_of_range_is_one_line(capsys, value):
    code, out, err = run(capsys, "passes", "tiangong", *START, "--extinction", value)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("orbits: ") and "--extinction" in err


# --------------------------------------------------------------------------
# --help: examples that parse, the named sites
# --------------------------------------------------------------------------

COMMANDS = (
    ("passes",),
    ("now",),
    ("catalog",),
    ("map",),
    ("sky",),
    ("tle",),
    ("tle", "update"),
    ("tle", "import"),
    ("tle", "status"),
)


def _help(capsys, *command):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_help_has_examples_that_parse(capsys, command):
    import shlex

    from orbits.cli import build_parser

    text = _help(capsys, *command)
    tail = text[text.index("\nexamples:\n") :]
    lines = [line.strip() for line in tail.splitlines()[2:]]
    examples = [line for line in lines if line.startswith("orbits ")]
    assert 2 <= len(examples) <= 4
    assert all(lines[lines.index(x) - 1].startswith("# ") for x in examples)  # each says what it does
    for line in examples:
        words = shlex.split(line)
        assert words[1 : 1 + len(command)] == list(command)
        args = build_parser().parse_args(words[1:])  # a usage error would raise OrbitsError
        if command != ("tle",):
            assert args.func.__name__ == "cmd_" + "_".join(command)


def test_top_level_help_has_examples(capsys):
    text = _help(capsys)
    assert "examples:\n" in text and "orbits passes tiangong --site lahore --start tonight" in text


def test_site_help_lists_the_named_sites(capsys):
    from orbits.sites import SITES

    for command in ("passes", "now", "sky", "map"):
        text = " ".join(_help(capsys, command).split())  # argparse wraps the list
        assert "see README" not in text
        assert all(name in text for name in SITES), command


def test_now_at_help_names_the_time_words(capsys):
    text = " ".join(_help(capsys, "now").split())
    assert all(word in text for word in ("now (default)", "today", "tomorrow", "21:30", "ISO-8601"))


def test_sky_help_asks_for_one_satellite(capsys):
    text = " ".join(_help(capsys, "sky").split())
    assert "the one satellite to draw" in text and "Pakistan's satellites" not in text
