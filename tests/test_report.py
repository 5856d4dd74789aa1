"""The JSON contract, written from the pass columns, says what the Pass objects say."""

import json
import pickle
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from orbits import records
from orbits.jsontext import json_chunks, json_text
from orbits.passes import predict_passes
from orbits.times import PKT, UTC


def _event(e, zone):
    return {
        "time": e.time.astimezone(zone).isoformat(timespec="milliseconds"),
        "azimuth": e.azimuth_deg,
        "elevation": e.elevation_deg,
    }


def _shown(magnitude):
    return None if magnitude is None else round(magnitude, 1)


def _record(number, x, zone):
    """The contract's pass record, built the slow way from a Pass object
    listed as pass ``number``."""
    w = x.visible_window
    return {
        "number": number,
        "norad_id": x.norad_id,
        "name": x.name,
        "site": x.site,
        "rise": _event(x.rise, zone),
        "culmination": _event(x.culmination, zone),
        "set": _event(x.set, zone),
        "visible": x.visible,
        "visible_start": _event(w.start, zone) if w else None,
        "visible_end": _event(w.end, zone) if w else None,
        "visible_peak": _event(w.peak, zone) if w else None,
        "visible_end_reason": w.end_reason if w else None,
        "magnitude": _shown(x.magnitude),
        "magnitude_above_atmosphere": _shown(x.magnitude_above_atmosphere),
        "tle_epoch": x.tle_epoch.astimezone(UTC).isoformat(timespec="milliseconds"),
        "in_progress_at_start": x.starts_before_window,
        "continues_after_end": x.ends_after_window,
        "duration_s": round(x.duration.total_seconds(), 3),
        "time_uncertainty_s": x.time_uncertainty_s,
        "windows": [
            {
                "start": _event(v.start, zone),
                "peak": _event(v.peak, zone),
                "end": _event(v.end, zone),
                "start_reason": v.start_reason,
                "end_reason": v.end_reason,
                "magnitude": _shown(v.magnitude),
                "magnitude_above_atmosphere": _shown(v.magnitude_above_atmosphere),
            }
            for v in x.windows
        ],
    }


@pytest.mark.parametrize("zone", [PKT, UTC, ZoneInfo("Europe/London")], ids=str)
@pytest.mark.parametrize("visible_only", [True, False])
def test_json_records_match_the_pass_objects(mission, islamabad, epoch_day, zone, visible_only):
    prediction = predict_passes(list(mission.values()), islamabad, epoch_day, days=7)
    rows = prediction.visible_passes if visible_only else prediction.passes
    assert len(rows) > (20 if visible_only else 300)
    data = records.passes_json(prediction, zone, visible_only)
    assert data["passes"] == [_record(k, x, zone) for k, x in enumerate(rows, 1)]
    # The fast text form decodes to the same records.
    text = json_text(records.passes_json(prediction, zone, visible_only, encoded=True))
    assert json.loads(text) == data


@pytest.mark.parametrize("zone", [PKT, ZoneInfo("Europe/London")], ids=str)
def test_the_two_forms_of_a_record_are_one(mission, islamabad, epoch_day, zone):
    """The builder's texts are what json.dumps writes of its dicts, byte for byte."""
    prediction = predict_passes(list(mission.values()), islamabad, epoch_day, days=7)
    table, elements = prediction.table, prediction.elements
    texts = records.pass_records(table, elements, zone, records.TEXTS)
    values = records.pass_records(table, elements, zone, records.VALUES)
    assert len(texts) == len(values) == len(table) > 300
    assert texts == [json.dumps(v, ensure_ascii=False) for v in values]
    reports = prediction.satellites
    assert records.satellite_records(reports, records.TEXTS) == [
        json.dumps(v, ensure_ascii=False) for v in records.satellite_records(reports)
    ]
    assert records.pass_records(table.take([]), elements, zone, records.TEXTS) == []


def test_the_pass_encoder_pickles_and_encodes_a_part(mission, islamabad, epoch_day):
    """The encoder crosses to worker processes: pickled, it encodes as before."""
    prediction = predict_passes(list(mission.values()), islamabad, epoch_day, days=2)
    encoder = pickle.loads(pickle.dumps(records.PassEncoder(ZoneInfo("Asia/Karachi"), True)))
    texts, rise_s, norad_id = encoder.encode(prediction.table, prediction.elements)
    visible = prediction.table.take(prediction.table.window_count() > 0)
    assert len(texts) == len(rise_s) == len(norad_id) == len(visible) > 0
    # the workers' parts are numbered where the listing is put in order
    assert [json.loads(t) for t in records.numbered(texts, 1)] == records.pass_records(
        visible, prediction.elements, ZoneInfo("Asia/Karachi")
    )
    assert all('"number"' not in t for t in texts)


def test_iso_times_agree_with_datetime_at_millisecond_edges():
    from orbits.times import from_posix

    seconds = [
        1775779199.9995,
        1775779199.9994999,
        0.0004999,
        1775779200.0,
        1775800000.123456,
        1775800000.9999996,
    ]
    fixed = [timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3, minutes=-30))]
    for zone in (UTC, PKT, *fixed, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")):
        assert records.iso_times(seconds, zone) == [
            from_posix(s).astimezone(zone).isoformat(timespec="milliseconds") for s in seconds
        ]


@pytest.mark.parametrize("visible_only", [True, False])
def test_streamed_json_equals_the_whole_prediction(mission, islamabad, epoch_day, visible_only):
    """`orbits passes --format json` writes a PassStream slice by slice; the
    document is the one built from the finished prediction."""
    from orbits.passes import PassStream
    from orbits.table import PassTable

    def make_stream():  # three one-day slices
        return PassStream(list(mission.values()), islamabad, epoch_day, days=3, slice_s=86400.0)

    collected = make_stream()
    tables = list(collected)
    assert len(tables) == 3
    whole = records.passes_json(collected.finish(PassTable.join(tables)), PKT, visible_only)
    pieces = list(json_chunks(records.streamed_passes_json(make_stream(), PKT, visible_only)))
    assert len(pieces) > 10  # written in pieces, not as one text
    streamed = json.loads("".join(pieces))
    assert streamed == whole
    times = [p["rise"]["time"] for p in streamed["passes"]]
    assert times == sorted(times) and len(times) > (5 if visible_only else 100)


def test_satellite_records_say_what_the_reports_say(mission, islamabad, epoch_day):
    """Every kind of satellite record: passes, always above (GEO), never rises,
    decayed in the window (a Tiangong with an enormous drag term), and a
    name that needs escaping."""
    from conftest import tle_line

    from orbits.reading import parse_elements
    from orbits.sites import Site

    css = mission[48274]
    line1 = tle_line(css.line1[:2] + "99001" + css.line1[7:53] + "+50000+0" + css.line1[61:68])
    line2 = tle_line(css.line2[:2] + "99001" + css.line2[7:68])
    (heavy,) = parse_elements('DOOMED "X"\n' + f"{line1}\n{line2}\n", "doomed.tle")
    arctic = Site(80.0, 0.0, 0.0, "high Arctic")
    cases = [
        predict_passes([heavy, *mission.values()], arctic, epoch_day, days=7),
        predict_passes([mission[37779]], islamabad, epoch_day, days=1),
    ]
    reports = [r for p in cases for r in p.satellites]
    assert {"passes", "never_rises", "always_above"} <= {r.status for r in reports}
    assert any(r.usable_until for r in reports) and any(r.longitude_deg for r in reports)
    assert any('"' in r.name for r in reports)
    for prediction in cases:
        rows = records.passes_json(prediction, UTC)["satellites"]
        assert len(rows) == len(prediction.satellites)
        assert records.satellite_records(prediction.satellites, records.TEXTS) == [
            json.dumps(row, ensure_ascii=False) for row in rows
        ]
        for r, record in zip(prediction.satellites, rows, strict=True):
            assert record == {
                "norad_id": r.norad_id,
                "name": r.name,
                "site": r.site,
                "orbit_class": r.orbit_class,
                "tle_epoch": r.tle_epoch.isoformat(timespec="milliseconds"),
                "elements_source": r.source,
                "status": r.status,
                "passes": r.pass_count,
                "visible_passes": r.visible_count,
                "azimuth_range": list(r.azimuth_deg) or None,
                "elevation_range": list(r.elevation_deg) or None,
                "longitude": r.longitude_deg,
                "usable_until": r.usable_until.isoformat(timespec="milliseconds") if r.usable_until else None,
                "age_days": r.age_days,
                "time_uncertainty_s": r.time_uncertainty_s,
                "position_uncertainty_km": r.position_uncertainty_km,
                "nominal_slot": r.slot_longitude_deg,
                "on_nominal_slot": r.on_nominal_slot,
                "message": r.message or None,
            }


@pytest.mark.parametrize("site", ["islamabad", "karachi", "gilgit"])
def test_the_table_shows_the_magnitude_json_gives(capsys, site):
    """Each visible pass's Mag in the table is its JSON ``magnitude`` (the
    brightest over all its visible windows, through the air), to 0.1."""
    import json
    import re

    from conftest import table_rows

    from orbits.cli import main

    args = ["passes", "tiangong", "iss", "--site", site, "--start", "2026-04-10T00:00:00Z", "--days", "7"]
    assert main(args) == 0
    shown = [
        re.match(r"^\d+\s+\S+\s+.+?\s{2,}(-?\d+\.\d|-)\s+±", row).group(1)
        for row in table_rows(capsys.readouterr().out)
    ]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["passes"]
    assert len(shown) == len(rows) > 3
    assert shown == [f"{r['magnitude']:.1f}" for r in rows]
    brightest = [min(w["magnitude"] for w in r["windows"]) for r in rows]
    assert [r["magnitude"] for r in rows] == brightest


def test_a_site_without_a_name_shows_its_coordinates_once(capsys):
    from orbits.cli import main

    args = ["passes", "tiangong", "--lat", "-33.9249", "--lon", "18.4241", "--elevation", "25"]
    assert main([*args, "--start", "2026-04-10T00:00:00Z", "--days", "1", "--all"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.endswith("over 33.9249S 18.4241E, 25 m") and header.count("33.9249S") == 1
