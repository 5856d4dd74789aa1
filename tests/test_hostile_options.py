"""Hostile and edge values of the observing options (issue 17): each bad one
is one line on stderr, exit 2, no traceback, and nothing written."""

import json

import pytest

from orbits import cli

WINDOW = ["--start", "2026-04-10", "--days", "3", "--offline"]
HUGE = "9" * 40


@pytest.mark.parametrize(
    "argv, says",
    [
        (["sky", "tiangong", "--pass", HUGE], "visible passes in this window"),
        (["map", "tiangong", "--pass", HUGE], "visible passes in this window"),
        (["sky", "tiangong", "--pass", "1.5"], "is not a pass number"),
        (["map", "tiangong", "--pass", "1e3"], "is not a pass number"),
        (["sky", "tiangong", "--pass", "0"], "counts from 1"),
        (["map", "tiangong", "--pass", "-3"], "counts from 1"),
        (["sky", "tiangong", "--pass", "nan"], "is not a pass number"),
        (["passes", "tiangong", "--extinction", "inf"], "not a finite number"),
        (["passes", "tiangong", "--extinction", "2.0001"], "out of range (0 to 2)"),
        (["sky", "tiangong", "--extinction", "-0.01"], "out of range (0 to 2)"),
        (["passes", "tiangong", "--brighter-than", "nan"], "not a finite number"),
        (["passes", "tiangong", "--brighter-than", "-inf"], "not a finite number"),
        (["passes", "tiangong", "--brighter-than", "-1e3"], "out of range"),
        (["passes", "tiangong", "--sun-altitude", "91"], "out of range"),
    ],
)
def test_a_bad_value_is_one_line_and_writes_nothing(capsys, tmp_path, monkeypatch, argv, says):
    monkeypatch.chdir(tmp_path)
    out = ["--out", "x.png"] if argv[0] in ("sky", "map") else ["--output", "x.txt"]
    assert cli.main([*argv, *WINDOW, *out]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orbits: ") and err.count("\n") == 1 and says in err, err
    assert list(tmp_path.iterdir()) == []


def test_edge_values_that_are_fine_work(capsys):
    """-0 is 0 (no extinction, shown as 0, not -0); 2 is the largest extinction; -.5 a magnitude."""
    assert cli.main(["passes", "tiangong", *WINDOW, "--extinction", "-0", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["extinction_per_airmass"] == 0.0 and str(data["extinction_per_airmass"]) == "0.0"
    assert all(p["magnitude"] == p["magnitude_above_atmosphere"] for p in data["passes"])
    assert cli.main(["passes", "tiangong", *WINDOW, "--extinction", "2", "--format", "json"]) == 0
    thick = json.loads(capsys.readouterr().out)["passes"]
    assert all(
        p["magnitude"] > p["magnitude_above_atmosphere"] + 2 for p in thick
    )  # airmass >= 1: at least 2 mag
    assert cli.main(["passes", "tiangong", *WINDOW, "--brighter-than", "-.5", "--format", "json"]) == 0
    bright = json.loads(capsys.readouterr().out)["passes"]
    assert bright and all(p["magnitude"] <= -0.5 for p in bright)
