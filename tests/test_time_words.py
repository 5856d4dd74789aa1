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
