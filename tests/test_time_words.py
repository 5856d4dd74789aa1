"""Time words a user types: now, today, tomorrow, a time of day, ISO-8601."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from orbits.errors import OrbitsError
from orbits.times import PKT, parse_instant

# 23:30 UTC on 1 December is already 2 December in Pakistan (UTC+5)
NOW = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "zone, today",
    [(PKT, "2026-12-02"), (timezone.utc, "2026-12-01"), (ZoneInfo("America/New_York"), "2026-12-01")],
)
def test_today_and_tomorrow_are_midnights_in_the_display_zone(zone, today):
    start = parse_instant("today", zone, now=NOW)
    assert start.isoformat()[:10] == today and start.astimezone(zone).hour == 0
    assert parse_instant("tomorrow", zone, now=NOW) - start == timedelta(days=1)
    assert parse_instant("TODAY", zone, now=NOW) == start


def test_a_time_of_day_is_today_in_the_display_zone():
    at = parse_instant("18:00", PKT, now=NOW)
    assert at == datetime(2026, 12, 2, 18, 0, tzinfo=PKT)
    assert parse_instant("7:05:30", PKT, now=NOW) == datetime(2026, 12, 2, 7, 5, 30, tzinfo=PKT)
    assert parse_instant("now", PKT, now=NOW) == NOW


@pytest.mark.parametrize("text", ["24:00", "12:60", "12:30:61", "yesterday", "next week", "18h", "1800", ""])
def test_other_words_are_refused_saying_what_works(text):
    with pytest.raises(OrbitsError) as caught:
        parse_instant(text, PKT, "--start", now=NOW)
    message = str(caught.value)
    assert message.startswith("--start ") and (
        "time of day" in message or "give now, today, tonight" in message
    )


def test_now_at_tonight_is_the_coming_dusk_or_now_when_dark(capsys):
    """``orbits now --at tonight`` is an instant in the dark: the coming dusk
    (the Sun 6 deg down at the site, by Skyfield), or the present when the
    Sun is already that low."""
    import json

    from skyfield.api import load, wgs84

    from orbits.cli import main
    from orbits.ephemeris import ephemeris

    before = datetime.now(timezone.utc)
    assert (
        main(["now", "tiangong", "--site", "karachi", "--at", "tonight", "--stale", "--format", "json"]) == 0
    )
    when = datetime.fromisoformat(json.loads(capsys.readouterr().out)["now"][0]["time"])
    assert when >= before - timedelta(seconds=1) and when - before < timedelta(hours=24)
    ts, eph = load.timescale(builtin=True), ephemeris()
    sun_from_karachi = eph["sun"] - (eph["earth"] + wgs84.latlon(24.8607, 67.0011, 10))

    def altitude(at):  # geometric, as orbits uses it
        return sun_from_karachi.at(ts.from_datetime(at)).altaz()[0].degrees

    assert altitude(when) <= -6.0 + 0.02
    if when - before > timedelta(seconds=5):  # a dusk to come: lighter just before it
        assert altitude(when - timedelta(minutes=2)) > -6.0


# --------------------------------------------------------------------------
# odd zones, clock changes, windows given backwards
# --------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("text", ["2026-03-29T01:30", "2026-03-29 01:00", "01:30"])
def test_a_time_the_clocks_skip_is_refused_in_one_line(text):
    """01:00-02:00 does not happen in London on 29 March 2026 (GMT to BST)."""
    now = datetime(2026, 3, 29, 0, 10, tzinfo=timezone.utc)
    with pytest.raises(OrbitsError) as caught:
        parse_instant(text, LONDON, "--start", now=now)
    message = str(caught.value)
    assert "does not exist in Europe/London" in message and "\n" not in message
    assert "BST" in message  # the time to give instead, in the zone's summer name


def test_a_time_that_happens_twice_is_the_first_and_a_bare_date_is_the_days_first_instant():
    twice = parse_instant("2026-10-25T01:30", LONDON, now=NOW)  # BST, then GMT an hour later
    assert twice.utcoffset() == timedelta(hours=1) and twice.astimezone(timezone.utc).hour == 0
    # Chile moves its clocks from 00:00 to 01:00 on 6 September 2026: the day begins at 01:00
    santiago = ZoneInfo("America/Santiago")
    day = parse_instant("2026-09-06", santiago, now=NOW)
    assert (day.hour, day.minute) == (1, 0) and day.astimezone(timezone.utc) == datetime(
        2026, 9, 6, 4, 0, tzinfo=timezone.utc
    )
    before = day.astimezone(timezone.utc) - timedelta(minutes=1)
    assert before.astimezone(santiago).day == 5  # the minute before it is still the 5th
    assert parse_instant("today", santiago, now=datetime(2026, 9, 6, 12, tzinfo=timezone.utc)) == day


def test_a_window_across_a_clock_change_names_both_zones(capsys):
    from orbits.cli import main

    argv = ["passes", "tiangong", "--start", "2026-03-29T00:30", "--until", "2026-03-29T03:30"]
    assert main([*argv, "--tz", "Europe/London", "--stale", "--offline", "--all"]) == 0
    header = capsys.readouterr().out.splitlines()[1]
    assert header.startswith("2026-03-29 00:30 GMT to 2026-03-29 03:30 BST;"), header


def test_tonight_in_another_display_zone_is_still_the_sites_night(capsys):
    """--tz America/St_Johns (UTC-3:30) changes how times read, not which night."""
    import json

    from orbits.cli import main
    from orbits.sites import site_named
    from orbits.twilight import tonight

    night = tonight(site_named("islamabad"), datetime.now(timezone.utc))
    for zone in (["--tz", "America/St_Johns"], ["--utc"], ["--tz", "Europe/London"]):
        assert main(["passes", "--start", "tonight", *zone, "--stale", "--offline", "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        start, end = (datetime.fromisoformat(data[k]) for k in ("start", "end"))
        assert (
            abs((start - night.dusk).total_seconds()) < 0.01
            and abs((end - night.dawn).total_seconds()) < 0.01
        )
    assert (
        main(["passes", "--start", "tonight", "--days", "3", "--stale", "--offline", "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    start, end = (datetime.fromisoformat(data[k]) for k in ("start", "end"))
    assert abs((start - night.dusk).total_seconds()) < 0.01 and end - start == timedelta(days=3)


@pytest.mark.parametrize(
    "command",
    [
        ["passes", "tiangong"],
        ["sky", "tiangong", "--out", "x.png"],
        ["map", "tiangong", "--pass", "1", "--out", "x.png"],
    ],
)
@pytest.mark.parametrize(
    "window",
    [
        ["--start", "2026-04-10", "--until", "2026-04-09"],
        ["--start", "2026-04-10T12:00", "--until", "2026-04-10T12:00"],
        ["--start", "tonight", "--until", "2026-04-09"],
        ["--start", "2026-04-10", "--until", "2026-04-12", "--days", "1"],
        ["--start", "2026-03-29T01:30", "--tz", "Europe/London"],
    ],
)
def test_a_window_that_cannot_be_is_one_line_and_writes_nothing(
    capsys, tmp_path, monkeypatch, command, window
):
    from orbits.cli import main

    monkeypatch.chdir(tmp_path)
    assert main([*command, *window, "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orbits: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []
