"""Maps with matplotlib: the base map, night shading and ground tracks.

Every function takes an optional matplotlib ``Axes`` (``ax``) and returns
the Axes it drew on, so notebooks can compose figures.  Maps draw in
longitude/latitude degrees (plate carrée); pass a cartopy ``GeoAxes`` and
the same calls add ``transform=PlateCarree()`` (cartopy is optional and
never imported otherwise).  Sky charts are in :mod:`orbits.skychart` and
maps of one pass in :mod:`orbits.passmap`; ``sky_chart``, ``sky_figure``
and ``elevation_profile`` are importable from here too.

>>> ax = ground_track(elements, start, hours=3)
>>> ax.figure.savefig("tracks.png")
"""

from datetime import timedelta

import numpy as np

from .earth import countries, sun_elevation_grid_deg
from .errors import OrbitsError
from .labels import LabelPlacer, beside_offsets, ring_offsets
from .palette import satellite_colour
from .skychart import elevation_profile, sky_chart, sky_figure
from .times import PKT, format_duration, from_posix, to_posix, zone_label
from .tracks import footprint_deg, ground_tracks, unwrap_segments, wrap_longitude

__all__ = [
    "REGIONS",
    "region_extent",
    "region_centre",
    "ground_track",
    "base_map",
    "night_shading",
    "sky_chart",
    "elevation_profile",
    "map_figure",
    "sky_figure",
]

#: Named map extents ``(lon_min, lon_max, lat_min, lat_max)`` in degrees.
REGIONS = {
    "world": (-180.0, 180.0, -90.0, 90.0),
    "pakistan": (55.0, 85.0, 18.0, 42.0),
}
_LAND, _SEA, _BORDER, _PAKISTAN = "#f2efe6", "#dce9f2", "#8a8a8a", "#cfe8c4"


def _new_axes(kind="map", size=(16, 9)):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=size, dpi=100)
    return fig.add_subplot(projection="polar" if kind == "sky" else None)


def _geo(ax):
    """Keyword arguments that place lon/lat data on ``ax`` (cartopy-aware)."""
    if hasattr(ax, "projection") and hasattr(ax, "coastlines"):  # a cartopy GeoAxes
        import cartopy.crs as ccrs

        return {"transform": ccrs.PlateCarree()}
    return {}


def region_extent(region):
    """``region`` as ``(lon0, lon1, lat0, lat1)``: a name in :data:`REGIONS`,
    a 4-tuple, or the text ``"LON0,LON1,LAT0,LAT1"``."""
    if isinstance(region, str):
        if region in REGIONS:
            return REGIONS[region]
        try:
            values = tuple(float(v) for v in region.split(","))
        except ValueError:
            values = ()
        if len(values) != 4:
            raise OrbitsError(f"region {region!r}: give world, pakistan or LON0,LON1,LAT0,LAT1")
        region = values
    lon0, lon1, lat0, lat1 = region
    if not (
        all(np.isfinite(v) for v in region)
        and -360 <= lon0 < lon1 <= 360
        and lon1 - lon0 <= 360
        and -90 <= lat0 < lat1 <= 90
    ):
        raise OrbitsError(
            f"region {region}: need LON0 < LON1 at most 360 apart (-360 to 360; 170,190 spans the "
            f"antimeridian) and -90 <= LAT0 < LAT1 <= 90"
        )
    return tuple(float(v) for v in region)


def region_centre(region):
    """The longitude a map of ``region`` is centred on: 0 for a frame inside
    -180..180 (tracks cut at the antimeridian), else the frame's middle (a
    frame across the antimeridian, such as 160,200)."""
    lon0, lon1 = region_extent(region)[:2]
    return 0.0 if -180 <= lon0 and lon1 <= 180 else 0.5 * (lon0 + lon1)


def _degrees_east(v, _=None):
    """A longitude tick: 160°E, 180°, 160°W (also for 200 on a frame across the antimeridian)."""
    w = (v + 180.0) % 360.0 - 180.0
    if abs(abs(w) - 180.0) < 1e-9:
        return "180°"
    return f"{abs(w):g}°{'E' if w > 0 else 'W' if w < 0 else ''}"


def base_map(ax=None, region="world", highlight="PAK"):
    """Sea, land, country borders (``highlight``'s country tinted) and a
    lon/lat grid on ``ax``; returns the Axes."""
    from matplotlib.patches import Polygon

    ax = ax if ax is not None else _new_axes()
    geo = _geo(ax)
    lon0, lon1, lat0, lat1 = region_extent(region)
    ax.set_facecolor(_SEA)
    world = countries()
    home = world.iso_a3.index(highlight) if highlight in world.iso_a3 else -1
    shifts = [0.0] + ([-360.0] if lon0 < -180 else []) + ([360.0] if lon1 > 180 else [])
    for (lon, lat), owner in ((ring, owner) for shift in shifts for ring, owner in _shifted(world, shift)):
        fill = _PAKISTAN if owner == home else _LAND
        ax.add_patch(
            Polygon(
                np.column_stack([lon, lat]),
                closed=True,
                facecolor=fill,
                edgecolor=_BORDER,
                linewidth=0.6 if owner != home else 1.2,
                zorder=1,
                **geo,
            )
        )
    if not geo:
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_aspect("equal")
        step = 30 if lon1 - lon0 > 90 else 5
        ax.set_xticks(np.arange(np.ceil(lon0 / step) * step, lon1 + 0.1, step))
        ax.set_yticks(np.arange(np.ceil(lat0 / step) * step, lat1 + 0.1, step))
        ax.xaxis.set_major_formatter(_degrees_east)
        ax.yaxis.set_major_formatter(lambda v, _: f"{abs(v):g}°{'N' if v > 0 else 'S' if v < 0 else ''}")
        ax.grid(color="white", linewidth=0.6, zorder=0.5)
    else:
        ax.set_extent((lon0, lon1, lat0, lat1), crs=geo["transform"])
    return ax


def _shifted(world, shift):
    """``((lon, lat), owner)`` of every country ring, moved ``shift`` degrees east."""
    for (lon, lat), owner in zip(world.rings, world.ring_country):
        yield (np.asarray(lon) + shift if shift else lon, lat), owner


def night_shading(when, ax=None, resolution_deg=0.25):
    """Shade night at ``when`` (aware datetime): darker through civil, nautical
    and astronomical twilight to full night, with the terminator (Sun's centre
    on the horizon) as a line.  Returns the Axes."""
    ax = ax if ax is not None else base_map()
    geo = _geo(ax)
    west, east = (-180.0, 180.0) if geo else (min(-180.0, ax.get_xlim()[0]), max(180.0, ax.get_xlim()[1]))
    lon = np.arange(west, east + resolution_deg / 2, resolution_deg)
    lat = np.arange(-90.0, 90.0 + resolution_deg / 2, resolution_deg)
    sun = sun_elevation_grid_deg(when, lon, lat)
    # civil, nautical, astronomical twilight, then night: darker and darker
    ax.contourf(
        lon,
        lat,
        sun,
        levels=[-91.0, -18.0, -12.0, -6.0, 0.0],
        colors=[(0, 0, 0.15, a) for a in (0.34, 0.27, 0.20, 0.12)],
        zorder=2,
        antialiased=True,
        **geo,
    )
    ax.contour(
        lon, lat, sun, levels=[0.0], colors="#333355", linewidths=1.0, linestyles="--", zorder=2.1, **geo
    )
    return ax


def _xycoords(ax, geo):
    """Where annotation points are given: lon/lat degrees on either kind of Axes
    (on a GeoAxes via cartopy's documented ``_as_mpl_transform``)."""
    return geo["transform"]._as_mpl_transform(ax) if geo else "data"


def _mark_site(ax, site, geo, centre=0.0):
    lon = float(wrap_longitude(site.longitude_deg, centre)) if centre else site.longitude_deg
    ax.plot(
        lon,
        site.latitude_deg,
        marker="*",
        markersize=14,
        color="#ffd700",
        markeredgecolor="black",
        zorder=6,
        **geo,
    )
    return ax.annotate(
        site.label,
        (lon, site.latitude_deg),
        xytext=(8, -12),
        textcoords="offset points",
        fontsize=10,
        annotation_clip=True,
        weight="bold",
        zorder=6,
        xycoords=_xycoords(ax, geo),
    )


def ground_track(
    elements,
    start,
    end=None,
    *,
    hours=None,
    orbits=None,
    site=None,
    ax=None,
    region="world",
    zone=PKT,
    min_elevation_deg=0.0,
    tick_minutes=10,
    label_every=None,
    night=True,
    step_s=20.0,
    title=True,
    trusts=None,
):
    """Draw ground tracks of ``elements`` (one or many element sets).

    The window runs from ``start`` (aware datetime) to ``end``, or for
    ``hours``, or for ``orbits`` revolutions of each satellite's own period
    (the default: 1 orbit, at most 24 h, as Gpredict draws them).  Each satellite gets its own colour,
    a dot every ``tick_minutes`` labelled in ``zone`` (every
    ``label_every``-th dot; default all on a regional map, every third on a
    world map with several satellites), a marker at its start position with
    its footprint (ground from which it is at or above
    ``min_elevation_deg``), and a legend entry.  Tracks are cut at the
    antimeridian.  Night and twilight at ``start`` are shaded; ``site``
    (a :class:`~orbits.sites.Site`) is starred.  ``trusts``
    (:class:`~orbits.freshness.Trust`, one per element set) add each
    satellite's time uncertainty to its legend entry, or say it sits on its
    nominal slot.  Returns the Axes.
    """
    sets = [elements] if hasattr(elements, "norad_id") else list(elements)
    ends = [_window_end(e, start, end, hours, orbits) for e in sets]
    ax = base_map(ax, region)
    geo = _geo(ax)
    if night:
        night_shading(start, ax)
    lon0, lon1, lat0, lat1 = region_extent(region)
    centre = region_centre(region)
    world = lon1 - lon0 > 180
    if label_every is None:
        label_every = 3 if world and len(sets) > 2 else 1
    tick_s = tick_minutes * 60.0
    by_end = {}  # satellites sharing an end time are propagated together
    for k, stop in enumerate(ends):
        by_end.setdefault(stop, []).append(k)
    tracks = [None] * len(sets)
    drawn, times = [], []  # the tracks' lines and their time labels, placed at the end
    # a pale box keeps a time readable on the night shading (a stroke halo would turn SVG text to paths)
    halo = dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.7)
    for stop, members in by_end.items():
        for k, track in zip(members, ground_tracks([sets[k] for k in members], start, stop, step_s)):
            tracks[k] = track
    for k, track in enumerate(tracks):
        colour = satellite_colour(track.norad_id)
        lon, lat = unwrap_segments(track.longitude_deg, track.latitude_deg, centre or None)
        _line(
            ax,
            lon,
            lat,
            geo,
            color=colour,
            linewidth=1.8,
            zorder=4,
            label=track.name + (_trust_note(trusts[k]) if trusts is not None else ""),
        )
        ticks = np.arange(track.times_s[0], track.times_s[-1] + 1e-6, tick_s)
        if (
            np.nanmax(track.latitude_deg) - np.nanmin(track.latitude_deg) < 3
            and np.ptp(_interp_lon(track.times_s, track.times_s, track.longitude_deg)) < 3
        ):
            ticks = ticks[:0]  # (near-)geostationary: time ticks would pile up on one spot
        tlat = np.interp(ticks, track.times_s, track.latitude_deg)
        tlon = wrap_longitude(_interp_lon(ticks, track.times_s, track.longitude_deg), centre)
        ax.plot(tlon, tlat, "o", color=colour, markersize=3.5, zorder=4.5, **geo)
        drawn.append((lon, lat))
        for j, (x, y, t) in enumerate(zip(tlon, tlat, ticks)):
            if j % label_every or not (lon0 <= x <= lon1 and lat0 <= y <= lat1) or j == 0:
                continue
            times.append(
                ax.annotate(
                    f"{from_posix(t).astimezone(zone):%H:%M}",
                    (x, y),
                    xytext=(0, 0),
                    textcoords="offset points",
                    fontsize=9,
                    color=colour,
                    bbox=halo,
                    zorder=5,
                    annotation_clip=True,
                    xycoords=_xycoords(ax, geo),
                )
            )
        if np.isfinite(track.latitude_deg[0]):
            ax.plot(
                wrap_longitude(track.longitude_deg[0], centre),
                track.latitude_deg[0],
                marker="o",
                markersize=9,
                color=colour,
                markeredgecolor="black",
                zorder=5,
                **geo,
            )
            flat, flon = footprint_deg(
                track.latitude_deg[0], track.longitude_deg[0], track.altitude_km[0], min_elevation_deg
            )
            flon, flat = unwrap_segments(flon, flat, centre or None)
            _line(ax, flon, flat, geo, color=colour, linewidth=1.0, linestyle=":", zorder=3.5)
            drawn.append((flon, flat))
    legend = ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=10,
        framealpha=0.95,
        title="big dot: position at start\ndotted: footprint"
        + (f" (≥{min_elevation_deg:g}°)" if min_elevation_deg else ""),
    )
    legend.get_title().set_fontsize(9)
    if title:
        label = zone_label(zone, start)
        spans = sorted({round((to_posix(e) - to_posix(start)) / 60.0) for e in ends})
        span = f"{spans[0]} min" if len(spans) == 1 else "one orbit each"
        ax.set_title(
            f"Ground tracks from {start.astimezone(zone):%Y-%m-%d %H:%M} {label} ({span}); "
            f"dots every {tick_minutes:g} min, times {label}; night and twilight at the start shaded",
            fontsize=12,
        )
    _place_labels(ax, geo, tracks, drawn, times, site, centre)
    return ax


def _place_labels(ax, geo, tracks, drawn, times, site, centre=0.0):
    """Put the site's name and the time labels where no two text boxes
    overlap, inside the frame, off the tracks and dots when there is room;
    a time label with no clear place beside its dot is left out."""
    ax.figure.canvas.draw()
    frame = ax.get_window_extent()
    placer = LabelPlacer(
        ax, lambda b: frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
    )
    where = _xycoords(ax, geo)
    where = ax.transData if isinstance(where, str) else where
    for lon, lat in drawn:
        placer.avoid_points(np.column_stack([lon, lat]), transform=where)
    starts = [
        (wrap_longitude(t.longitude_deg[0], centre), t.latitude_deg[0])
        for t in tracks
        if np.isfinite(t.latitude_deg[0])
    ]
    placer.avoid_points(starts, size_pt=10, transform=where)
    if site is not None:
        name = _mark_site(ax, site, geo, centre)
        placer.avoid_points([(name.xy[0], site.latitude_deg)], size_pt=15, transform=where)
        placer.place(name, ring_offsets(np.radians(-30), (10, 16, 24)), required=True)
    for label in times:
        placer.place(label, beside_offsets(3.0))


def _trust_note(trust):
    """`` (±2 s)`` or `` (slot 38.0°E)``: what a legend entry says of its elements."""
    if trust.on_slot:
        return " (" + trust.elements.source.split(" (", 1)[0].replace("nominal ", "") + ")"
    return f" (±{format_duration(trust.time_uncertainty_s)})"


def _line(ax, lon, lat, geo, label="_nolegend_", **style):
    """Plot a NaN-broken line: as one Line2D on plain Axes, as one line per
    piece on a cartopy GeoAxes (whose geometry code rejects NaN)."""
    if not geo:
        ax.plot(lon, lat, label=label, **style)
        return
    breaks = np.flatnonzero(~np.isfinite(lon) | ~np.isfinite(lat))
    for a, b in zip(np.r_[-1, breaks] + 1, np.r_[breaks, len(lon)]):
        if b - a > 1:
            ax.plot(lon[a:b], lat[a:b], label=label, **style, **geo)
            label = "_nolegend_"


def _interp_lon(t, times, lon):
    """Interpolate longitudes across the antimeridian."""
    good = np.isfinite(lon)
    un = np.degrees(np.unwrap(np.radians(lon[good])))
    return (np.interp(t, times[good], un) + 180.0) % 360.0 - 180.0


def _window_end(elements, start, end, hours, orbits):
    if end is not None:
        return end
    if hours is not None:
        return start + timedelta(hours=float(hours))
    minutes = elements.period_min * (1.0 if orbits is None else float(orbits))
    return start + timedelta(minutes=min(minutes, 24 * 60.0))


def map_figure(elements, start, region="world", **kwargs):
    """A figure 1600 px wide (16 in at 100 dpi), as tall as ``region`` needs,
    with :func:`ground_track`."""
    import matplotlib.pyplot as plt

    lon0, lon1, lat0, lat1 = region_extent(region)
    map_w = 12.6  # inches for the map; the rest for the legend and labels
    height = min(map_w * (lat1 - lat0) / (lon1 - lon0) + 1.3, 14.0)
    fig = plt.figure(figsize=(16, height), dpi=100)
    ax = fig.add_axes([0.05, 0.6 / height, map_w / 16, 1 - 1.1 / height])
    ground_track(elements, start, ax=ax, region=region, **kwargs)
    return fig
