"""Sky charts and pass maps for observing: what the rendered figures show.

Label layout is checked on the rendered figure (every text's window extent,
its box included); positions and phases against PyEphem; pass numbers
against the pass table the CLI prints.
"""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from math import degrees

import ephem
import matplotlib.pyplot as plt
import numpy as np
import pytest
from conftest import table_rows
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from orbits import cli, passmap, skychart
from orbits.catalog import MISSION
from orbits.palette import satellite_colour
from orbits.passes import predict_passes
from orbits.sites import SITES, Site, site_named
from orbits.times import PKT

START = datetime(2026, 4, 9, 19, 0, tzinfo=timezone.utc)  # the bundled elements' week
TIANGONG = 48274


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def text_boxes(fig):
    """``[(text, box)]`` of every visible, non-empty text of the rendered
    figure: its glyphs' window extent joined with its frame (bbox patch)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        box = Text.get_window_extent(t, renderer)  # an annotation's leader line is not its box
        patch = t.get_bbox_patch()
        if patch is not None:
            box = Bbox.union([box, patch.get_window_extent(renderer)])
        out.append((t, box))
    return out


def overlaps(fig):
    boxes = text_boxes(fig)
    return [
        (a.get_text(), b.get_text())
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[:i]
        if box_a.overlaps(box_b)
    ]


def passes_over(site, all_passes=False, days=4):
    from orbits.elements import bundled_elements

    e = {x.norad_id: x for x in bundled_elements("2026-04-10")}[TIANGONG]
    prediction = predict_passes([e], site, START, days=days)
    return e, prediction.passes if all_passes else prediction.visible_passes


def texts_of(ax):
    return [t.get_text() for t in ax.texts if t.get_visible()]


# --------------------------------------------------------------------------
# labels never overlap
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "site_name, pick",
    [
        ("islamabad", "first"),
        ("islamabad", "highest"),
        ("karachi", "lowest"),
        ("karachi", "highest"),
        ("gilgit", "first"),
    ],
)
def test_no_two_text_boxes_of_a_sky_chart_overlap(site_name, pick):
    site = site_named(site_name)
    e, rows = passes_over(site)
    p = {
        "first": rows[0],
        "highest": max(rows, key=lambda r: r.culmination.elevation_deg),
        "lowest": min(rows, key=lambda r: r.culmination.elevation_deg),
    }[pick]
    fig = skychart.sky_figure(e, site, p, PKT, profile=pick == "highest", number=1)
    assert overlaps(fig) == []
    shown = " ".join(texts_of(fig.axes[0]))
    for word in ("Rise", "Set", "Visible from", "Visible until"):
        assert word in shown, (word, shown)


def test_a_chart_with_many_labels_still_has_none_overlapping():
    """The longest night pass, labelled every minute, stars named, on a small figure: crowded."""
    site = Site(24.86, 67.0, 10.0, "Karachi")
    e, rows = passes_over(site)
    p = max(rows, key=lambda r: r.set.time - r.rise.time)
    fig = plt.figure(figsize=(5, 5.4), dpi=100)  # small: the labels compete for room
    ax = fig.add_subplot(projection="polar")
    skychart.sky_chart(e, site, p, ax=ax, label_minutes=1)
    assert len(ax.texts) > 40
    assert overlaps(fig) == []


@pytest.mark.parametrize(
    "site", [site_named("islamabad"), site_named("karachi"), Site(40.42, -3.70, 650, "Madrid")]
)
def test_no_two_text_boxes_of_a_pass_map_overlap(site):
    e, rows = passes_over(site)
    fig = passmap.pass_map_figure(e, site, rows[0], number=1)
    assert overlaps(fig) == []
    ax = fig.axes[0]
    assert site.label in texts_of(ax)
    # every label is inside the frame: none clipped at the edges
    frame = ax.get_window_extent()
    for t, box in text_boxes(fig):
        if t in ax.texts:
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, t


@pytest.mark.parametrize(
    "extra, least",
    [
        ([], 15),
        (["--region", "pakistan", "--hours", "2"], 1),
        (["--region", "pakistan", "--hours", "24"], 10),
    ],
)
def test_no_two_text_boxes_of_a_ground_track_map_overlap(drawn, tmp_path, extra, least):
    """``orbits map`` without --pass: the mission set's tracks with their time labels."""
    out = str(tmp_path / "map.png")
    assert cli.main(["map", "--start", "2026-04-10T19:00", *extra, "--out", out]) == 0
    (fig,) = drawn
    assert overlaps(fig) == []
    ax = fig.axes[0]
    assert "Islamabad" in texts_of(ax)
    frame = ax.get_window_extent()
    times = [(t, box) for t, box in text_boxes(fig) if t in ax.texts and t.get_text()[2:3] == ":"]
    assert len(times) >= least
    for t, box in times:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, t
        x, y = ax.transData.transform(t.xy)  # beside its own dot: a label is never far from it
        assert box.x0 - 20 <= x <= box.x1 + 20 and box.y0 - 20 <= y <= box.y1 + 20, t.get_text()


def test_a_ground_track_time_label_is_where_skyfield_puts_the_satellite_then():
    from skyfield.api import EarthSatellite, load, wgs84

    from orbits.elements import bundled_elements
    from orbits.plot import ground_track

    e = {x.norad_id: x for x in bundled_elements("2026-04-10")}[TIANGONG]
    start = datetime(2026, 4, 10, 14, 0, tzinfo=timezone.utc)
    ax = ground_track([e], start, hours=3, night=False)
    labels = [t for t in ax.texts if t.get_visible() and t.get_text()[2:3] == ":"]
    assert len(labels) >= 10
    ts, sat = load.timescale(), EarthSatellite(e.line1, e.line2, ts=load.timescale())
    for t in labels:
        hh, mm = map(int, t.get_text().split(":"))
        when = start.astimezone(PKT).replace(hour=hh, minute=mm)
        when += timedelta(days=1) if when < start else timedelta(0)
        lat, lon = wgs84.latlon_of(sat.at(ts.from_datetime(when)))
        dlon = (t.xy[0] - lon.degrees + 180) % 360 - 180
        assert abs(t.xy[1] - lat.degrees) < 0.3 and abs(dlon) < 0.3, t.get_text()


# --------------------------------------------------------------------------
# what a sky chart shows
# --------------------------------------------------------------------------


def table_row(capsys, number, *extra):
    args = ["passes", "tiangong", "--start", "2026-04-10T00:00+05:00", "--days", "3", *extra]
    assert cli.main(args + ["--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["passes"]
    assert cli.main(args) == 0
    table = table_rows(capsys.readouterr().out)
    return rows[number - 1], table[number - 1]


def test_the_brightest_point_has_the_tables_magnitude_and_the_highest_its_time(capsys):
    site = site_named("islamabad")
    for number in (1, 3):
        row, line = table_row(capsys, number)
        e, rows = passes_over(site, days=4)
        p = [
            r
            for r in rows
            if r.visible_window.start.time.isoformat()[:19] == row["visible_start"]["time"][:19]
        ]
        p = p[0] if p else None
        if p is None:  # the JSON keeps its own offset: compare instants
            start = datetime.fromisoformat(row["visible_start"]["time"])
            (p,) = [r for r in rows if abs((r.visible_window.start.time - start).total_seconds()) < 0.5]
        ax = skychart.sky_chart(e, site, p)
        shown = texts_of(ax)
        mag = f"{row['magnitude']:.1f}"
        assert mag in line.split()  # the table's Mag column
        highest = datetime.fromisoformat(row["visible_peak"]["time"]).astimezone(PKT)
        assert f"{highest:%H:%M:%S}" in line
        (box,) = [t for t in shown if t.startswith("Highest") or "highest point" in t]
        assert f"{highest:%H:%M:%S}" in box or "highest point" in box
        (bright,) = [t for t in shown if "Brightest" in t or "brightest:" in t]
        assert f"mag {mag}" in bright
        assert f"mag {mag}" in ax.get_title()


def test_window_start_and_end_are_marked_with_time_and_magnitude(capsys):
    row, _ = table_row(capsys, 1)
    site = site_named("islamabad")
    e, rows = passes_over(site)
    p = rows[0]
    ax = skychart.sky_chart(e, site, p)
    shown = texts_of(ax)
    start = datetime.fromisoformat(row["visible_start"]["time"]).astimezone(PKT)
    end = datetime.fromisoformat(row["visible_end"]["time"]).astimezone(PKT)
    (a,) = [t for t in shown if t.startswith("Visible from")]
    (b,) = [t for t in shown if t.startswith("Visible until")]
    assert f"{start:%H:%M:%S}" in a and "mag " in a and f"{row['visible_start']['elevation']:.0f}°" in a
    assert f"{end:%H:%M:%S}" in b and "mag " in b
    # magnitude along the path: minute labels inside the window carry one
    assert sum(1 for t in shown if len(t.split()) == 2 and t.split()[0].count(":") == 1) >= 2


def test_stars_are_where_pyephem_puts_them():
    site = site_named("islamabad")
    e, rows = passes_over(site)
    p = rows[0]
    ax = skychart.sky_chart(e, site, p)
    (stars,) = ax.collections
    theta, r = np.asarray(stars.get_offsets()).T
    sizes = stars.get_sizes()
    observer = ephem.Observer()
    observer.lat, observer.lon, observer.elevation = (
        str(site.latitude_deg),
        str(site.longitude_deg),
        site.elevation_m,
    )
    observer.date = ephem.Date(p.visible_window.peak.time.replace(tzinfo=None))
    observer.pressure = 0  # geometric, as the chart
    for name in ("Capella", "Sirius", "Betelgeuse", "Regulus"):
        star = ephem.star(name)
        star.compute(observer)
        d = np.hypot(
            np.degrees(theta) % 360 - degrees(star.az) % 360, r - (90 - degrees(star.alt))
        )  # near the horizon az differences shrink: good enough to find the dot
        k = int(np.argmin(d))
        assert d[k] < 0.05, name
        if name == "Sirius":  # the brightest star draws the biggest dot
            assert sizes[k] == sizes.max()
    assert len(theta) > 300  # the sky to magnitude 4.5: hundreds of stars above the horizon
    names = texts_of(ax)
    assert "Capella" in names and any(n.isupper() and len(n) > 3 for n in names)  # a constellation name


def _moon_up_pass():
    site = site_named("islamabad")
    e, rows = passes_over(site, all_passes=True, days=6)
    observer = ephem.Observer()
    observer.lat, observer.lon = str(site.latitude_deg), str(site.longitude_deg)
    for p in rows:
        observer.date = ephem.Date(p.culmination.time.replace(tzinfo=None))
        moon = ephem.Moon(observer)
        if degrees(moon.alt) > 15:
            return site, e, p, moon
    pytest.fail("no pass with the Moon up in the bundled week")


def test_the_moon_is_drawn_with_its_phase_when_up():
    site, e, p, moon = _moon_up_pass()
    ax = skychart.sky_chart(e, site, p)
    (label,) = [t for t in texts_of(ax) if t.startswith("Moon")]
    lit = int(label.split(",")[1].split("%")[0])
    assert abs(lit - moon.phase) <= 1.5  # the chart's phase against PyEphem's
    assert overlaps(ax.figure) == []


def test_the_sun_is_drawn_where_it_is_up():
    site = site_named("islamabad")
    e, rows = passes_over(site, all_passes=True)
    observer = ephem.Observer()
    observer.lat, observer.lon = str(site.latitude_deg), str(site.longitude_deg)
    observer.pressure = 0
    for p in rows:
        observer.date = ephem.Date(p.culmination.time.replace(tzinfo=None))
        sun = ephem.Sun(observer)
        if degrees(sun.alt) > 20:
            break
    ax = skychart.sky_chart(e, site, p)
    (label,) = [t for t in texts_of(ax) if t.startswith("Sun")]
    assert abs(int(label.split(",")[1].split("°")[0]) - degrees(sun.alt)) <= 1.0
    assert "not visible" in ax.get_title()


# --------------------------------------------------------------------------
# pass numbers: the table's row N is what sky --pass N and map --pass N draw
# --------------------------------------------------------------------------


@pytest.fixture
def drawn(monkeypatch):
    """The figures the CLI would save, kept instead of written."""
    figures = []
    monkeypatch.setattr(cli, "_save", lambda fig, path, dpi=None, inputs=(): figures.append(fig))
    return figures


@pytest.mark.parametrize("extra", [[], ["--all"], ["--site", "karachi"]])
def test_pass_number_round_trip_from_table_to_sky_and_map(capsys, drawn, tmp_path, extra):
    window = ["--start", "2026-04-10T00:00+05:00", "--days", "3", *extra]
    assert cli.main(["passes", "tiangong", *window, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["passes"]
    assert len(rows) >= 2
    for number in (1, len(rows)):
        row = rows[number - 1]
        key = "rise" if "--all" in extra else "visible_start"
        shown = datetime.fromisoformat(row[key]["time"]).astimezone(PKT)
        for command in ("sky", "map"):
            out = str(tmp_path / f"{command}.png")
            assert cli.main([command, "tiangong", *window, "--pass", str(number), "--out", out]) == 0
            title = drawn[-1].axes[0].get_title()
            assert f"pass #{number}" in title, title
            assert f"{shown:%Y-%m-%d}" in title and f"{shown:%H:%M:%S}" in title, (title, shown)
    assert cli.main(["sky", "tiangong", *window, "--pass", str(len(rows) + 1), "--out", out]) == 2
    assert f"has {len(rows)}" in capsys.readouterr().err


def test_map_options_that_cannot_apply_are_refused(capsys, tmp_path):
    out = str(tmp_path / "m.png")
    assert cli.main(["map", "tiangong", "--pass", "1", "--hours", "2", "--out", out]) == 2
    assert "--hours and --orbits" in capsys.readouterr().err
    assert cli.main(["map", "tiangong", "--start", "2026-04-10", "--days", "2", "--out", out]) == 2
    assert "--days chooses a pass" in capsys.readouterr().err
    assert cli.main(["sky", "tiangong", "--pass", "0", "--out", out]) == 2
    assert "counts from 1" in capsys.readouterr().err


def test_default_pakistan_map_draws_the_next_visible_pass_inside_the_frame(
    monkeypatch, drawn, capsys, tmp_path
):
    from orbits.times import parse_instant

    today = datetime(2026, 4, 10, 12, 0, tzinfo=timezone.utc)  # "now" on the bundled elements' day
    monkeypatch.setattr(
        cli, "parse_instant", lambda text, zone, what, now=None: parse_instant(text, zone, what, today)
    )
    assert cli.main(["passes", "tiangong", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)["passes"][0]
    assert cli.main(["map", "tiangong", "--region", "pakistan", "--out", str(tmp_path / "m.png")]) == 0
    ax = drawn[-1].axes[0]
    lon0, lon1 = ax.get_xlim()
    lat0, lat1 = ax.get_ylim()
    assert (lon0, lon1, lat0, lat1) == (55.0, 85.0, 18.0, 42.0)
    start = datetime.fromisoformat(first["visible_start"]["time"]).astimezone(PKT)
    assert "pass #1" in ax.get_title() and f"{start:%H:%M:%S}" in ax.get_title()

    def inside(line):
        x, y = (np.asarray(v, float) for v in line.get_data())
        return np.count_nonzero((x > lon0) & (x < lon1) & (y > lat0) & (y < lat1))

    colour = satellite_colour(TIANGONG)
    track = [line for line in ax.get_lines() if line.get_color() == colour and len(line.get_xdata()) > 20]
    assert sum(inside(line) for line in track) > 50  # the track crosses the frame
    (dots,) = [
        line for line in ax.get_lines() if line.get_marker() == "o" and line.get_markerfacecolor() == "white"
    ]
    assert inside(dots) >= 4  # minute dots in the frame, with their times
    assert sum(1 for t in texts_of(ax) if len(t) == 5 and t[2] == ":") >= 4
    # a satellite with no visible pass (geostationary) gets its track, as before
    assert cli.main(["map", "paksat-1r", "--region", "pakistan", "--out", str(tmp_path / "g.png")]) == 0
    assert "no visible pass" in capsys.readouterr().err


# --------------------------------------------------------------------------
# one colour per satellite
# --------------------------------------------------------------------------


def test_palette_is_stable_distinct_and_used_by_charts_and_maps():
    named = [satellite_colour(k) for k in (*MISSION, 25544)]
    assert len(set(named)) == len(named)  # the named satellites never share a colour
    assert satellite_colour(TIANGONG) == "#d62728"  # Tiangong is always red
    code = (
        "from orbits.palette import satellite_colour; print(satellite_colour(48274), satellite_colour(12345))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert other == [satellite_colour(TIANGONG), satellite_colour(12345)]  # the same in another process
    site = site_named("islamabad")
    e, rows = passes_over(site)
    sky = skychart.sky_chart(e, site, rows[0])
    (path,) = [line for line in sky.get_lines() if line.get_label() == "visible"]
    assert path.get_color() == "#d62728"
    ax = passmap.pass_map(e, site, rows[0])
    assert any(line.get_color() == "#d62728" and len(line.get_xdata()) > 20 for line in ax.get_lines())


def test_towns_on_a_pass_map_are_the_named_sites_in_the_frame():
    site = site_named("karachi")
    e, rows = passes_over(site)
    ax = passmap.pass_map(e, site, rows[0], region="pakistan")
    shown = set(texts_of(ax))
    towns = {s.label for s in SITES.values()} - {"Karachi"}
    assert "Karachi" in shown and len(shown & towns) >= 5  # the site and nearby cities named


def test_help_gives_examples(capsys):
    for command in ("sky", "map"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        text = capsys.readouterr().out
        assert "examples:" in text and "--pass" in text


def test_elements_age_shows_in_every_title():
    site = site_named("islamabad")
    e, rows = passes_over(site)
    for p in (rows[0], rows[-1]):
        assert "times ±" in skychart.sky_chart(e, site, p).get_title()
        assert "times ±" in passmap.pass_map(e, site, p).get_title()
    assert rows[-1].time_uncertainty_s > rows[0].time_uncertainty_s  # older by then: a wider ±


def test_a_southern_sky_names_each_star_once_and_shows_the_moon():
    site = Site(-33.9, 18.4, 10.0, "Cape Town")
    e, rows = passes_over(site)
    ax = skychart.sky_chart(e, site, rows[0])
    shown = texts_of(ax)
    assert shown.count("Rigil Kentaurus") == 1  # alpha Centauri A and B share the name
    assert any(t.startswith("Moon") for t in shown) and overlaps(ax.figure) == []


def test_three_charts_side_by_side_as_the_notebook_draws_them():
    """The notebook's Islamabad, Lahore and Karachi charts: small, with titles of their own."""
    e, rows = passes_over(site_named("islamabad"))
    best = max(rows, key=lambda r: r.culmination.elevation_deg)
    fig, axes = plt.subplots(1, 3, figsize=(19, 7.6), dpi=70, subplot_kw={"projection": "polar"})
    for name, ax in zip(("islamabad", "lahore", "karachi"), axes):
        site = site_named(name)
        found = predict_passes([e], site, best.rise.time - timedelta(minutes=15), days=1 / 24).passes
        skychart.sky_chart(e, site, found[0], ax=ax, title=False, legend=name == "lahore", label_minutes=2)
        ax.set_title(f"{site.label}: peak {found[0].culmination.elevation_deg:.0f}°", pad=22)
    assert overlaps(fig) == []
    karachi = [t for t in axes[2].texts if t.get_visible() and t.get_bbox_patch() is not None]
    assert len(karachi) >= 3  # rise, peak and set boxes all placed


# --------------------------------------------------------------------------
# edges of the Earth: the antimeridian, the south, the equator
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lon", [180.0, -180.0, -178.0, 179.0])
def test_a_pass_map_at_the_antimeridian_is_centred_on_the_site_and_unbroken(lon):
    """Fiji: the frame runs across 180 (170E to 170W drawn as 170..190), the site
    well inside it, the
    track is one line through it, and every minute dot of the pass is in it."""
    site = Site(-17.0, lon, 0.0, "Suva")
    e, rows = passes_over(site, all_passes=True, days=2)
    p = max(rows, key=lambda r: r.culmination.elevation_deg)
    fig = passmap.pass_map_figure(e, site, p, number=1)
    ax = fig.axes[0]
    lon0, lon1 = ax.get_xlim()
    assert lon0 < 180.0 < lon1  # across the antimeridian, not cut at it
    star = [line for line in ax.get_lines() if line.get_marker() == "*"][0]
    x = float(star.get_xdata()[0])
    assert lon0 + 0.3 * (lon1 - lon0) < x < lon1 - 0.3 * (lon1 - lon0) and abs(x - lon) % 360 < 1e-6
    (dots,) = [line for line in ax.get_lines() if line.get_marker() == "o" and line.get_markersize() == 6]
    xs = np.asarray(dots.get_xdata(), float)
    inside = (xs > lon0) & (xs < lon1)
    assert inside.sum() >= (p.set.time - p.rise.time).total_seconds() // 60  # rise to set all in the frame
    assert np.all(np.abs(np.diff(xs[inside])) < 5)  # no jump of 360 between minutes
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "180°" in ticks and any(t.endswith("W") for t in ticks) and any(t.endswith("E") for t in ticks)
    assert overlaps(fig) == []
    # the peak's dot is where Skyfield puts the satellite at the peak
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale()
    lat, lon_peak = wgs84.latlon_of(
        EarthSatellite(e.line1, e.line2, ts=ts).at(ts.from_datetime(p.culmination.time))
    )
    (dot,) = [line for line in ax.get_lines() if line.get_marker() == "o" and line.get_markersize() == 9]
    assert abs(float(dot.get_xdata()[0]) - (lon_peak.degrees % 360)) < 0.2
    assert abs(float(dot.get_ydata()[0]) - lat.degrees) < 0.2


@pytest.mark.parametrize(
    "command",
    [
        ["sky", "tiangong", "--start", "2026-04-10", "--days", "3", "--pass", "1"],
        ["map", "tiangong", "--start", "2026-04-10", "--days", "3", "--pass", "1"],
        ["map", "--start", "2026-04-10T19:00"],
    ],
)
def test_svg_and_pdf_keep_text_as_text(tmp_path, command):
    """A user can search, select and edit the labels: SVG <text> elements, not
    glyph outlines; PDF TrueType fonts, not Type 3 drawings."""
    svg, pdf = tmp_path / "chart.svg", tmp_path / "chart.pdf"
    assert cli.main([*command, "--offline", "--out", str(svg)]) == 0
    text = svg.read_text()
    words = [w for w in (ln.split(">")[-1] for ln in text.split("</text>")[:-1]) if w.strip()]
    assert len(words) > 10 and any(w.count(":") == 1 and w[:2].isdigit() for w in words), words[:20]
    assert 'id="DejaVu' not in text  # no glyphs drawn as paths
    assert cli.main([*command, "--offline", "--out", str(pdf)]) == 0
    data = pdf.read_bytes()
    assert b"/FontFile2" in data and b"/Type3" not in data


def _low_inclination_tle(path):
    """Tiangong's elements with the inclination set to 5 deg: it never climbs
    past about 25 deg of latitude, so it never rises over Islamabad."""
    from orbits.elements import bundled_elements

    e = {x.norad_id: x for x in bundled_elements("2026-04-10")}[TIANGONG]

    def checksum(line):
        return line[:68] + str(sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10)

    line1 = checksum(e.line1.replace("48274", "99001", 1))
    line2 = checksum((e.line2[:8] + "  5.0000" + e.line2[16:]).replace("48274", "99001", 1))
    path.write_text(f"LOWINC\n{line1}\n{line2}\n")
    return path


@pytest.mark.parametrize(
    "command",
    [["sky"], ["sky", "--all", "--pass", "2"], ["map", "--pass", "1"], ["map", "--all", "--pass", "1"]],
)
def test_a_satellite_that_never_rises_has_no_chart_and_says_so(capsys, tmp_path, command):
    tle = _low_inclination_tle(tmp_path / "low.tle")
    out = tmp_path / "never.png"
    argv = [
        *command,
        "--tle",
        str(tle),
        "--start",
        "2026-04-10",
        "--days",
        "2",
        "--offline",
        "--out",
        str(out),
    ]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "LOWINC is never above the horizon from Islamabad" in err, err
    assert not out.exists()


def test_a_track_map_with_no_track_in_the_frame_says_so(drawn, tmp_path):
    tle = _low_inclination_tle(tmp_path / "low.tle")
    argv = ["map", "--tle", str(tle), "--start", "2026-04-10T19:00", "--region", "pakistan"]
    assert cli.main([*argv, "--offline", "--out", str(tmp_path / "m.png")]) == 0
    (fig,) = drawn
    shown = texts_of(fig.axes[0])
    assert any(t.startswith("no track crosses this map") for t in shown) and overlaps(fig) == []
    # the same satellite on the world map has a track, and no such note
    assert (
        cli.main(["map", "--tle", str(tle), "--start", "2026-04-10T19:00", "--offline", "--out", "w.png"])
        == 0
    )
    assert not any(t.startswith("no track") for t in texts_of(drawn[-1].axes[0]))


@pytest.mark.parametrize(
    "site, all_passes",
    [(Site(-33.92, 18.42, 10.0, "Cape Town"), False), (Site(0.5, 36.8, 1800.0, "Equator"), True)],
)
def test_southern_and_equatorial_charts_and_maps_keep_every_label_inside_and_apart(site, all_passes):
    """Cape Town's visible passes and, near the equator (no visible pass that
    week), the highest pass: no overlap, nothing clipped at the frame."""
    e, rows = passes_over(site, all_passes=all_passes, days=3)
    p = max(rows, key=lambda r: r.culmination.elevation_deg)
    for fig in (
        skychart.sky_figure(e, site, p, PKT, number=1),
        passmap.pass_map_figure(e, site, p, number=1),
    ):
        assert overlaps(fig) == []
        ax = fig.axes[0]
        frame = ax.get_window_extent() if not hasattr(ax, "get_rmax") else fig.bbox
        for t, box in text_boxes(fig):
            if t in ax.texts:
                assert (
                    frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                ), t
    shown = texts_of(fig.axes[0])
    assert site.label in shown and any("peak" in t for t in shown)
