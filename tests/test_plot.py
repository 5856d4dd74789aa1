"""Maps and sky charts, rendered headless (Agg): the pictures must put things
where an independent computation (Skyfield) says they are."""

import struct
from datetime import datetime, timedelta, timezone

import matplotlib.pyplot as plt
import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84

from orbits import plot
from orbits.cli import main
from orbits.earth import countries, subsolar_point_deg
from orbits.passes import predict_passes
from orbits.sites import Site
from orbits.times import PKT, skyfield_time, to_posix
from orbits.tracks import footprint_deg, ground_tracks, unwrap_segments

START = datetime(2026, 4, 10, 14, 0, tzinfo=timezone.utc)  # 19:00 PKT: Tiangong over Islamabad
TIANGONG = 48274


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pixel(ax, lon, lat):
    """RGB (0-255) of the rendered figure at data coordinates."""
    fig = ax.figure
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())
    x, y = ax.transData.transform((lon, lat))
    row = image.shape[0] - int(round(y))
    return image[row, int(round(x)), :3].astype(int)


def hex_rgb(colour):
    return np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)])


# --------------------------------------------------------------------------
# geometry behind the maps
# --------------------------------------------------------------------------


def test_ground_track_matches_skyfield(mission):
    e = mission[TIANGONG]
    (track,) = ground_tracks([e], START, START + timedelta(hours=1), step_s=60)
    sat = EarthSatellite(e.line1, e.line2)
    t = skyfield_time(track.times_s)
    lat, lon = wgs84.latlon_of(sat.at(t))
    assert np.max(np.abs(track.latitude_deg - lat.degrees)) < 1e-4
    dlon = (track.longitude_deg - lon.degrees + 180) % 360 - 180
    assert np.max(np.abs(dlon)) < 1e-4
    assert 360 < np.nanmin(track.altitude_km) and np.nanmax(track.altitude_km) < 420


def test_antimeridian_split_reaches_both_edges():
    lon, lat = unwrap_segments([170.0, 178.0, -178.0, -170.0], [10.0, 12.0, 14.0, 16.0])
    assert (
        list(lon[:3]) == [170.0, 178.0, 180.0]
        and np.isnan(lon[3])
        and list(lon[4:]) == [-180.0, -178.0, -170.0]
    )
    assert lat[2] == pytest.approx(13.0) and lat[4] == pytest.approx(13.0)
    lon, lat = unwrap_segments([-175.0, 175.0], [0.0, 10.0])  # westward crossing
    assert list(lon[[0, 1, 3, 4]]) == [-175.0, -180.0, 180.0, 175.0] and lat[1] == pytest.approx(5.0)


def test_footprint_edge_sees_the_satellite_at_the_min_elevation(mission):
    e = mission[TIANGONG]
    (track,) = ground_tracks([e], START, START + timedelta(minutes=1))
    lat0, lon0, alt = track.latitude_deg[0], track.longitude_deg[0], track.altitude_km[0]
    for min_el in (0.0, 10.0):
        lats, lons = footprint_deg(lat0, lon0, alt, min_el, points=13)
        sat = EarthSatellite(e.line1, e.line2)
        t = skyfield_time(np.array([to_posix(START)]))[0]
        for la, lo in zip(lats[:-1], lons[:-1]):
            alt_deg = (sat - wgs84.latlon(la, lo)).at(t).altaz()[0].degrees
            assert alt_deg == pytest.approx(min_el, abs=0.35)  # spherical Earth: good to ~0.3 deg


def test_subsolar_point_agrees_with_skyfield():
    from orbits.ephemeris import ephemeris

    planets = ephemeris()
    when = datetime(2026, 6, 21, 7, 0, tzinfo=timezone.utc)
    t = skyfield_time(np.array([to_posix(when)]))[0]
    lat, lon = subsolar_point_deg(when)
    sun_alt = (
        (planets["earth"] + wgs84.latlon(lat, lon))
        .at(t)
        .observe(planets["sun"])
        .apparent(deflectors=())
        .altaz()[0]
        .degrees
    )
    assert sun_alt > 89.7
    assert lat == pytest.approx(23.44, abs=0.01)


def test_country_outlines_are_bundled():
    world = countries()
    assert len(world.name) == 177 and "Pakistan" in world.name
    (pak,) = world.rings_of("PAK")
    lon, lat = pak
    assert (
        60.5 < lon.min() < 61.5
        and 77 < lon.max() < 78
        and 23.5 < lat.min() < 24.5
        and 36.5 < lat.max() < 37.5
    )


# --------------------------------------------------------------------------
# maps
# --------------------------------------------------------------------------


def test_map_puts_the_start_position_on_the_right_pixel(mission, islamabad):
    e = mission[TIANGONG]
    fig, ax = plt.subplots(figsize=(16, 8), dpi=100)
    returned = plot.ground_track([e], START, hours=1, site=islamabad, ax=ax, night=False)
    assert returned is ax
    (track,) = ground_tracks([e], START, START + timedelta(minutes=1))
    colour = [
        line.get_color()
        for line in ax.get_lines()
        if line.get_label() == e.name or line.get_label() == "Tiangong (CSS)"
    ][0]
    got = pixel(ax, track.longitude_deg[0], track.latitude_deg[0])
    assert np.abs(got - hex_rgb(colour)).max() < 40, (got, colour)
    # the site star is gold
    assert np.abs(pixel(ax, islamabad.longitude_deg, islamabad.latitude_deg) - hex_rgb("#ffd700")).max() < 40


def test_map_tracks_never_jump_across_the_map(mission):
    ax = plot.ground_track(list(mission.values()), START, hours=6, night=False)
    tracks = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(tracks) == len(mission)
    for line in tracks:  # 20-s samples: a LEO moves about 1.3 deg of arc between them
        lon = np.radians(np.asarray(line.get_xdata(), float))
        lat = np.radians(np.asarray(line.get_ydata(), float))
        cos = np.sin(lat[1:]) * np.sin(lat[:-1]) + np.cos(lat[1:]) * np.cos(lat[:-1]) * np.cos(np.diff(lon))
        arc = np.degrees(np.arccos(np.clip(cos, -1, 1)))  # NaN across the breaks
        assert np.nanmax(arc) < 2.0, line.get_label()
        assert np.nanmax(np.abs(np.degrees(lon))) <= 180.0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Tiangong (CSS)" in labels and "PRSS-1" in labels


def test_terminator_is_where_the_sun_sets():
    from orbits.ephemeris import ephemeris

    fig, ax = plt.subplots(figsize=(16, 8), dpi=100)
    plot.base_map(ax)
    plot.night_shading(START, ax)
    contour = [c for c in ax.collections if hasattr(c, "get_paths") and c.get_linestyle()[0][1] is not None]
    vertices = np.concatenate([p.vertices for c in contour for p in c.get_paths() if len(p.vertices)])
    assert len(vertices) > 100
    planets = ephemeris()
    t = skyfield_time(np.array([to_posix(START)]))[0]
    sample = vertices[np.linspace(0, len(vertices) - 1, 25).astype(int)]
    for lon, lat in sample:
        alt = (
            (planets["earth"] + wgs84.latlon(lat, lon))
            .at(t)
            .observe(planets["sun"])
            .apparent(deflectors=())
            .altaz()[0]
            .degrees
        )
        assert abs(alt) < 0.3, (lon, lat, alt)
    # day is left bright, deep night darkened
    lat_s, lon_s = subsolar_point_deg(START)
    day = pixel(ax, lon_s, lat_s)
    night = pixel(ax, (lon_s + 180 + 180) % 360 - 180, -lat_s)
    assert day.sum() > night.sum() + 100


def test_cli_map_png_is_1600_px_and_atomic(tmp_path, capsys):
    out = tmp_path / "map.png"
    assert main(["map", "--start", "2026-04-10T19:00", "--out", str(out)]) == 0
    width, height = png_size(out)
    assert width >= 1600 and 700 < height < 1000
    before = out.read_bytes()
    assert main(["map", "--region", "80,70,20,30", "--out", str(out)]) == 2
    assert "region" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]  # no temp file left


def test_cli_map_pakistan_region_and_svg(tmp_path):
    out = tmp_path / "pk.svg"
    assert (
        main(
            [
                "map",
                "tiangong",
                "--region",
                "pakistan",
                "--start",
                "2026-04-10T20:30",
                "--hours",
                "0.25",
                "--tick-minutes",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert text.startswith("<?xml") and "20:40" in text  # tick labels in PKT, kept as text


def test_map_region_parsing():
    assert plot.region_extent("pakistan") == (55.0, 85.0, 18.0, 42.0)
    assert plot.region_extent("60,80,20,40") == (60.0, 80.0, 20.0, 40.0)
    with pytest.raises(Exception, match="LON0,LON1,LAT0,LAT1"):
        plot.region_extent("asia")


# --------------------------------------------------------------------------
# sky charts
# --------------------------------------------------------------------------


def _first_visible_pass(mission, islamabad):
    e = mission[TIANGONG]
    prediction = predict_passes([e], islamabad, START - timedelta(hours=1), days=1)
    return e, prediction.visible_passes[0]


def test_sky_chart_draws_the_pass_where_it_is(mission, islamabad):
    e, p = _first_visible_pass(mission, islamabad)
    fig = plt.figure(figsize=(8, 8), dpi=100)
    ax = fig.add_subplot(projection="polar")
    assert plot.sky_chart(e, islamabad, p, ax=ax) is ax
    theta = np.concatenate(
        [
            np.asarray(line.get_xdata(), float)
            for line in ax.get_lines()
            if line.get_label() in ("visible", "in Earth's shadow") or line.get_label().startswith("sunlit")
        ]
    )
    r = np.concatenate(
        [
            np.asarray(line.get_ydata(), float)
            for line in ax.get_lines()
            if line.get_label() in ("visible", "in Earth's shadow") or line.get_label().startswith("sunlit")
        ]
    )
    assert np.nanmin(r) == pytest.approx(90 - p.culmination.elevation_deg, abs=0.05)
    k = np.nanargmin(r)
    assert np.degrees(theta[k]) % 360 == pytest.approx(p.culmination.azimuth_deg, abs=2.0)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"Rise {p.rise.time.astimezone(PKT):%H:%M:%S}" in texts
    assert f"Set {p.set.time.astimezone(PKT):%H:%M:%S}" in texts
    assert "mag -" in texts  # Tiangong has a standard magnitude: the chart shows it
    # east is on the left (a star chart held overhead): azimuth 90 is left of the centre
    x_east, _ = ax.transData.transform((np.radians(90), 45))
    x_centre, _ = ax.transData.transform((0, 0))
    assert x_east < x_centre
    # the highest point's marker is drawn in Tiangong's colour on its pixel
    got = pixel(ax, np.radians(p.culmination.azimuth_deg), 90 - p.culmination.elevation_deg)
    assert np.abs(got - hex_rgb("#d62728")).max() < 40, got


def test_cli_sky_chart_sizes_and_errors(tmp_path, capsys):
    out = tmp_path / "sky.png"
    assert main(["sky", "tiangong", "--start", "2026-04-10", "--out", str(out)]) == 0
    assert png_size(out)[0] >= 1600
    assert (
        main(["sky", "tiangong", "--start", "2026-04-10", "--pass", "2", "--profile", "--out", str(out)]) == 0
    )
    w, h = png_size(out)
    assert w >= 1600 and h > w
    assert (
        main(["sky", "tiangong", "--start", "2026-04-10", "--days", "1", "--pass", "99", "--out", str(out)])
        == 2
    )
    assert "--pass 99: Tiangong (CSS) has" in capsys.readouterr().err
    assert main(["sky", "paksat-1r", "--start", "2026-04-10", "--out", str(out)]) == 2
    assert "always above the horizon" in capsys.readouterr().err  # geostationary: no pass to draw
    assert main(["sky", "--start", "2026-04-10", "--out", str(out)]) == 2
    assert "draws one satellite" in capsys.readouterr().err


def test_cartopy_geoaxes_if_installed(mission, islamabad):
    import warnings

    ccrs = pytest.importorskip("cartopy.crs", reason="cartopy is optional and not installed")
    fig = plt.figure(figsize=(10, 5))
    ax = fig.add_subplot(projection=ccrs.Robinson())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NaN complaints from cartopy's geometry code
        assert plot.ground_track([mission[TIANGONG]], START, hours=2, site=islamabad, ax=ax) is ax
        fig.canvas.draw()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Tiangong (CSS)"]
    pieces = [line for line in ax.get_lines() if line.get_color() == "#d62728" and len(line.get_xdata()) > 50]
    assert len(pieces) >= 2  # the track is cut at the antimeridian into separate lines


def test_site_off_the_default_list(mission):
    site = Site(24.86, 67.01, 10.0, name="Karachi")
    ax = plot.ground_track([mission[TIANGONG]], START, hours=1, site=site, region="pakistan", night=False)
    assert "Karachi" in [t.get_text() for t in ax.texts]
