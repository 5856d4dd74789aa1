"""Maps of one pass: where the satellite flies while a site sees it.

The ground track from before the rise to after the set, across the region
(Pakistan, or a frame fitted around the site elsewhere), with a dot each
minute and its time, the stretch visible from the site highlighted, the
footprint at the peak (the ground from which the satellite is at least
``min_elevation_deg`` up then), the site starred and the named cities of
:data:`orbits.sites.SITES` in the frame.  Labels never overlap
(:mod:`orbits.labels`).
"""

from datetime import timedelta

import numpy as np

from .catalog import display_name
from .labels import LabelPlacer, beside_offsets, ring_offsets
from .palette import satellite_colour
from .plot import REGIONS, base_map, region_extent
from .sites import SITES
from .skychart import pass_summary
from .text import compass
from .times import PKT, from_posix, to_posix, zone_label
from .tracks import footprint_deg, ground_tracks, unwrap_segments, wrap_longitude

__all__ = ["pass_map", "pass_map_figure", "pass_region"]

#: Track drawn before the rise and after the set (minutes): it crosses the frame.
MARGIN_MIN = 6.0
_HIGHLIGHT = "#ffe14d"


def pass_region(site, longitude_deg=(), latitude_deg=()):
    """The frame of a pass map: Pakistan's when ``site`` is in it, else one
    of about the same size and shape centred on the site (24 deg of latitude,
    as much ground across); grown to hold the track points given (the
    visible stretch) with 2 deg to spare.  Returns ``(lon0, lon1, lat0, lat1)``;
    around a site near the antimeridian the frame runs past 180 (170 to 190:
    170E to 170W)."""
    lon0, lon1, lat0, lat1 = REGIONS["pakistan"]
    if not (lon0 + 1 <= site.longitude_deg <= lon1 - 1 and lat0 + 1 <= site.latitude_deg <= lat1 - 1):
        half_lat = 12.0
        half_lon = half_lat * 1.25 / max(np.cos(np.radians(site.latitude_deg)), 0.3)
        lat_c = float(np.clip(site.latitude_deg, -90 + half_lat, 90 - half_lat))
        lon_c = site.longitude_deg
        lon0, lon1, lat0, lat1 = lon_c - half_lon, lon_c + half_lon, lat_c - half_lat, lat_c + half_lat
    lon = wrap_longitude(longitude_deg, site.longitude_deg)  # the track's side of the site
    lat = np.asarray(latitude_deg, float)
    good = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon - site.longitude_deg) < 90)
    if good.any():
        lon0, lon1 = min(lon0, lon[good].min() - 2), max(lon1, lon[good].max() + 2)
        lat0, lat1 = min(lat0, lat[good].min() - 2), max(lat1, lat[good].max() + 2)
    if lon0 < -180:  # the same frame written past 180E (-195..-155 as 165..205): one way for all
        lon0, lon1 = lon0 + 360.0, lon1 + 360.0
    return (lon0, lon1, max(lat0, -90.0), min(lat1, 90.0))


def pass_map(
    elements,
    site,
    pass_,
    ax=None,
    region=None,
    zone=PKT,
    min_elevation_deg=10.0,
    tick_minutes=1.0,
    title=True,
    number=None,
    cities=True,
):
    """Map of one pass (``pass_``, a :class:`~orbits.passes.Pass` of
    ``elements`` over ``site``): the track from :data:`MARGIN_MIN` minutes
    before the rise to as long after the set, a dot each ``tick_minutes``
    labelled in ``zone``, the stretch visible from the site highlighted, the
    footprint at the peak (ground seeing the satellite at least
    ``min_elevation_deg`` up), the site and, with ``cities``, the named
    cities in the frame.  ``region``: as :func:`orbits.plot.region_extent`
    takes it, or None for :func:`pass_region`.  ``number``: the pass's
    number in the pass table, for the title.  Returns the Axes."""
    track, seen = _track(elements, pass_)
    region = _frame(site, pass_, track, seen) if region is None else region_extent(region)
    ax = base_map(ax, region)
    lon0, lon1, lat0, lat1 = region
    centre = 0.5 * (lon0 + lon1)  # every longitude drawn within 180 deg of the frame's middle
    lon, lat = wrap_longitude(track.longitude_deg, centre), track.latitude_deg
    site_lon = float(wrap_longitude(site.longitude_deg, centre))
    colour = satellite_colour(elements.norad_id)
    shadow = ~track.sunlit
    for mask, style, label in (
        (
            seen,
            dict(color=_HIGHLIGHT, linewidth=9, alpha=0.85, solid_capstyle="round"),
            "visible from the site",
        ),
        (~shadow, dict(color=colour, linewidth=2.2), f"{display_name(elements)}, sunlit"),
        (shadow, dict(color=colour, linewidth=1.6, linestyle=(0, (3, 2))), "in the Earth's shadow"),
    ):
        if mask.any():
            grown = mask | np.r_[mask[1:], False]
            x, y = unwrap_segments(np.where(grown, lon, np.nan), np.where(grown, lat, np.nan), centre)
            ax.plot(x, y, label=label, zorder=4 if style["color"] != _HIGHLIGHT else 3.8, **style)
    peak_s = to_posix(pass_.culmination.time)
    k_peak = int(np.argmin(np.abs(track.times_s - peak_s)))
    flat, flon = footprint_deg(lat[k_peak], lon[k_peak], track.altitude_km[k_peak], min_elevation_deg)
    flon, flat = unwrap_segments(flon, flat, centre)
    ax.plot(flon, flat, color=colour, linewidth=1.2, linestyle=":", zorder=3.5,
            label=f"footprint at the peak (≥{min_elevation_deg:g}° up)")  # fmt: skip
    ax.plot(
        lon[k_peak], lat[k_peak], marker="o", markersize=9, color=colour, markeredgecolor="black", zorder=5
    )
    step = tick_minutes * 60.0
    ticks = np.arange(np.ceil(track.times_s[0] / step) * step, track.times_s[-1], step)
    tlat = np.interp(ticks, track.times_s, lat)
    tlon = wrap_longitude(_interp_lon(ticks, track.times_s, lon), centre)
    ax.plot(
        tlon,
        tlat,
        "o",
        color="white",
        markersize=6,
        markeredgecolor="black",
        markeredgewidth=1.0,
        zorder=4.5,
    )
    ax.plot(site_lon, site.latitude_deg, marker="*", markersize=16, color="#ffd700",
            markeredgecolor="black", zorder=6)  # fmt: skip
    if title:
        ax.set_title(_title(elements, site, pass_, zone, number), fontsize=12)
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, framealpha=0.95)
    legend.set_title(f"dots every {tick_minutes:g} min,\ntimes {zone_label(zone, pass_.rise.time)}")
    ax.figure.canvas.draw()
    frame = ax.get_window_extent()
    placer = LabelPlacer(
        ax, lambda b: frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
    )
    placer.avoid_points(np.column_stack([lon, lat]))
    placer.avoid_points([(site_lon, site.latitude_deg)], size_pt=16)
    name = ax.annotate(
        site.label, (site_lon, site.latitude_deg), xytext=(0, 0), textcoords="offset points",
        fontsize=11, weight="bold", zorder=7,
    )  # fmt: skip
    placer.place(name, ring_offsets(np.radians(-30), (10, 16, 24)), required=True)
    towns = _towns(site, region) if cities else []
    placer.avoid_points([(_lon(s, centre), s.latitude_deg) for s in towns], size_pt=7)
    for s in towns:
        ax.plot(_lon(s, centre), s.latitude_deg, "o", color="#444444", markersize=4, zorder=5.5)
    c = pass_.culmination
    peak_text = ax.annotate(
        f"peak {c.time.astimezone(zone):%H:%M:%S}, {c.elevation_deg:.0f}° {compass(c.azimuth_deg)}",
        (lon[k_peak], lat[k_peak]), xytext=(0, 0), textcoords="offset points", fontsize=9, color="black",
        zorder=7, bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor=colour, alpha=0.9),
    )  # fmt: skip
    placer.place(peak_text, ring_offsets(None, (18, 28, 40, 55)), required=True)
    for x, y, t in zip(tlon, tlat, ticks):
        if lon0 <= x <= lon1 and lat0 <= y <= lat1:
            label = ax.annotate(
                f"{from_posix(t).astimezone(zone):%H:%M}", (x, y), xytext=(0, 0), textcoords="offset points",
                fontsize=9, color=colour, weight="bold", zorder=6,
            )  # fmt: skip
            placer.place(label, beside_offsets(5.0))
    for s in towns:
        label = ax.annotate(
            s.label, (_lon(s, centre), s.latitude_deg), xytext=(0, 0), textcoords="offset points",
            fontsize=8.5, color="#333333", zorder=5.5,
        )  # fmt: skip
        placer.place(label, beside_offsets(3.0)[:8] + beside_offsets(6.0)[:8])  # beside its dot or not at all
    return ax


def _track(elements, pass_):
    """The pass's :class:`~orbits.tracks.GroundTrack` with its margins, and
    which of its samples are in the visible windows."""
    start = pass_.rise.time - timedelta(minutes=MARGIN_MIN)
    end = pass_.set.time + timedelta(minutes=MARGIN_MIN)
    (track,) = ground_tracks([elements], start, end, step_s=5.0)
    seen = np.zeros(len(track.times_s), bool)
    for w in pass_.windows:
        seen |= (track.times_s >= to_posix(w.start.time)) & (track.times_s <= to_posix(w.end.time))
    return track, seen


def _frame(site, pass_, track, seen):
    """The frame around the site holding the visible stretch (or, for a pass
    never visible, the track from rise to set)."""
    up = (track.times_s >= to_posix(pass_.rise.time)) & (track.times_s <= to_posix(pass_.set.time))
    keep = seen if seen.any() else up
    return pass_region(site, track.longitude_deg[keep], track.latitude_deg[keep])


def _towns(site, region):
    """The named sites inside ``region`` other than ``site`` itself."""
    lon0, lon1, lat0, lat1 = region
    centre = 0.5 * (lon0 + lon1)
    return [
        s
        for s in SITES.values()
        if lon0 < _lon(s, centre) < lon1
        and lat0 < s.latitude_deg < lat1
        and (
            abs(s.latitude_deg - site.latitude_deg) > 0.05 or abs(s.longitude_deg - site.longitude_deg) > 0.05
        )
    ]


def _lon(site, centre):
    """``site``'s longitude as drawn on a map centred on ``centre``."""
    return float(wrap_longitude(site.longitude_deg, centre))


def _interp_lon(t, times, lon):
    good = np.isfinite(lon)
    un = np.degrees(np.unwrap(np.radians(lon[good])))
    return (np.interp(t, times[good], un) + 180.0) % 360.0 - 180.0


def _title(elements, site, pass_, zone, number):
    head = f"{display_name(elements)}" + (f" pass #{number}" if number else "") + f" over {site.label}"
    return f"{head}, {pass_summary(pass_, zone)}"


def pass_map_figure(elements, site, pass_, region=None, **kwargs):
    """A figure 1600 px wide (16 in at 100 dpi) with :func:`pass_map`."""
    import matplotlib.pyplot as plt

    if region is None:  # the frame pass_map would choose, for the figure's shape
        track, seen = _track(elements, pass_)
        region = _frame(site, pass_, track, seen)
    lon0, lon1, lat0, lat1 = region_extent(region)
    map_w = 12.2
    height = min(map_w * (lat1 - lat0) / (lon1 - lon0) + 1.2, 14.0)
    fig = plt.figure(figsize=(16, height), dpi=100)
    ax = fig.add_axes([0.05, 0.5 / height, map_w / 16, 1 - 1.0 / height])
    pass_map(elements, site, pass_, ax=ax, region=(lon0, lon1, lat0, lat1), **kwargs)
    return fig
