"""Pass numbers and calendar identities: what lets a user point at one pass."""

import csv
import io
import json
import re

from conftest import table_rows

from orbits.cli import main

ARGS = ["passes", "--start", "2026-04-10T00:00:00Z", "--days", "4"]


def run(capsys, *args):
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_every_format_numbers_the_listed_passes_alike(capsys):
    for extra in ([], ["--all"]):
        rows = json.loads(run(capsys, *ARGS, *extra, "--format", "json"))["passes"]
        assert [r["number"] for r in rows] == list(range(1, len(rows) + 1)) and len(rows) > 5
        table = table_rows(run(capsys, *ARGS, *extra))
        assert [int(line.split()[0]) for line in table] == [r["number"] for r in rows]
        for line, r in zip(table, rows, strict=True):
            assert r["name"] in line
        listed = list(csv.DictReader(io.StringIO(run(capsys, *ARGS, *extra, "--format", "csv"))))
        assert [int(x["number"]) for x in listed] == [r["number"] for r in rows]


def test_numbers_are_stable_for_the_same_command_and_streamed_alike(capsys, tmp_path):
    first = json.loads(run(capsys, *ARGS, "--all", "--format", "json"))["passes"]
    again = json.loads(run(capsys, *ARGS, "--all", "--format", "json"))["passes"]
    assert first == again
    # a catalogue-sized job is computed in worker processes and numbered as it is written
    from test_hostile_files import _big_catalogue

    from orbits.elements import bundled_elements

    mission = {e.norad_id: e for e in bundled_elements("2026-04-10")}
    many = _big_catalogue(tmp_path, mission, count=300)
    streamed = json.loads(
        run(capsys, *ARGS[:3], "--days", "2", "--tle", str(many), "--all", "--format", "json")
    )
    numbers = [r["number"] for r in streamed["passes"]]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 1000
    times = [r["rise"]["time"] for r in streamed["passes"]]
    assert times == sorted(times)


def test_calendar_uids_are_unique_across_sites(capsys):
    uids = []
    for site in ("islamabad", "karachi", "lahore"):
        text = run(capsys, *ARGS, "--site", site, "--format", "ics")
        found = re.findall(r"^UID:(.+)\r$", text.replace("\r\n ", ""), flags=re.M)
        assert found and len(set(found)) == len(found)
        uids += found
    assert len(set(uids)) == len(uids)
