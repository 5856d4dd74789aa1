"""Pictures of a transit: the body's disc with the satellite's path across
it, and the centre line over the map around the site.

Both take a :class:`~orbits.transits.Transit` (from
:func:`orbits.predict_transits`) and the site it was found for, an optional
matplotlib ``Axes`` (``ax``), and return the Axes they drew on.

The chart is drawn as a camera on an alt-azimuth mount sees the body: up is
the zenith, right the direction of increasing azimuth, in arcminutes from
the body's centre (gnomonic projection), the body following its own motion.
"""

import math

import numpy as np

from .bodies import BODIES, BodyTable
from .centreline import centre_track
from .positions import Tracker
from .times import PKT, format_duration, zone_label
from .transitrecords import SOLAR_FILTER
from .transittext import clock

__all__ = ["transit_chart", "centre_line_map", "transit_figure", "centre_line_figure"]

_DISC = {"sun": ("#ffcf40", "#e08a00"), "moon": ("#d9d9d9", "#8c8c8c")}
_PATH, _STRIP, _LINE = "#1f4e9c", "#f2a65a", "#c2410c"


def _setting(transit, site, margin_s):
    t0 = transit.time.timestamp()
    table = BodyTable(t0 - margin_s, t0 + margin_s)
    return Tracker([transit.elements], site, table.sky), table, t0


def _sky_offsets_arcmin(tracker, table, site, body, times):
    """The satellite's offsets from the body's centre (arcmin): right
    (increasing azimuth) and up (towards the zenith), gnomonic."""
    here = site.itrs_km()
    look = tracker.look(times, index=np.zeros(times.shape, dtype=int))
    s = look["r_ef"] - here
    b = table.earth_fixed_km(body, times) - here
    b_hat = b / np.linalg.norm(b, axis=-1, keepdims=True)
    up = site.enu_matrix()[2]
    right = np.cross(b_hat, up)
    right /= np.linalg.norm(right, axis=-1, keepdims=True)
    upward = np.cross(right, b_hat)
    depth = np.einsum("...i,...i->...", s, b_hat)
    x = np.einsum("...i,...i->...", s, right) / depth
    y = np.einsum("...i,...i->...", s, upward) / depth
    return np.degrees(x) * 60.0, np.degrees(y) * 60.0


_STEPS_S = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


#: Ticks between time labels, for round labelled times (0.5 s, 1 s, 1 min...).
_LABEL_EVERY = {0.1: 5, 0.2: 5, 0.5: 2, 1.0: 5, 2.0: 5, 5.0: 6, 10.0: 6, 30.0: 2, 60.0: 5, 120.0: 5}


def _tick_step_s(crossing_s):
    """0.1 s, or the least round step giving at most 60 ticks over ``crossing_s``."""
    for step in _STEPS_S:
        if crossing_s / step <= 60:
            return step
    return _STEPS_S[-1]


def transit_chart(transit, site, ax=None, zone=PKT, tick_s=None):
    """The body's disc and the satellite's path across it (ticks every
    ``tick_s``: 0.1 s for a low orbit), its silhouette to scale at the
    closest approach (span from the catalogue; attitude schematic)."""
    from matplotlib.patches import Circle, Rectangle
    from matplotlib.transforms import Affine2D

    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(8, 8), dpi=150).add_subplot()
    body = BODIES[transit.body]
    r_arcmin = transit.body_radius_deg * 60.0
    view = max(1.6 * r_arcmin, 1.25 * transit.separation_deg * 60.0)
    speed_arcmin_s = max(transit.angular_speed_deg_s * 60.0, 1e-6)
    half_s = min(math.hypot(view, view) / speed_arcmin_s, 6 * 3600.0)
    tick = tick_s or _tick_step_s(2 * view / speed_arcmin_s)
    tracker, table, t0 = _setting(transit, site, half_s + 600.0)
    times = t0 + np.linspace(-half_s, half_s, 801)
    x, y = _sky_offsets_arcmin(tracker, table, site, transit.body, times)
    fill, edge = _DISC[transit.body]
    ax.set_facecolor("#a9c8e6")
    ax.add_patch(Circle((0, 0), r_arcmin, facecolor=fill, edgecolor=edge, linewidth=1.5, zorder=1))
    ax.plot(x, y, color=_PATH, linewidth=1.2, zorder=2)
    # ticks every `tick` seconds, labelled every 5 (low orbits) or 10 ticks
    k = np.arange(math.ceil((t0 - half_s) / tick), math.floor((t0 + half_s) / tick) + 1)
    tt = k * tick  # round times
    tx, ty = _sky_offsets_arcmin(tracker, table, site, transit.body, tt)
    inside = (np.abs(tx) < view) & (np.abs(ty) < view)
    path_deg = math.degrees(math.atan2(y[-1] - y[0], x[-1] - x[0]))
    ax.plot(
        tx[inside], ty[inside], linestyle="none", marker=(2, 0, path_deg), color=_PATH, markersize=7, zorder=3
    )
    every = _LABEL_EVERY.get(tick, 5) if int(inside.sum()) > 12 else 1
    for kk, a, b in zip(k[inside], tx[inside], ty[inside], strict=True):
        if kk % every == 0:
            when = transit.time.fromtimestamp(kk * tick, zone)
            text = clock(when, zone) if tick * every < 1 else clock(when, zone, False)
            ax.annotate(text, (a, b), xytext=(4, 6), textcoords="offset points", fontsize=7.5, color=_PATH)
    # the silhouette at the closest approach, to scale
    cx, cy = _sky_offsets_arcmin(tracker, table, site, transit.body, np.array([t0, t0 + 0.05]))
    heading = math.degrees(math.atan2(cy[1] - cy[0], cx[1] - cx[0]))
    if transit.satellite_size_arcsec is not None:
        span = transit.satellite_size_arcsec / 60.0

        def silhouette(axes):
            turn = Affine2D().rotate_deg_around(cx[0], cy[0], heading + 90.0) + axes.transData
            for w, h in ((span, span * 0.12), (span * 0.12, span * 0.55)):
                axes.add_patch(
                    Rectangle((cx[0] - w / 2, cy[0] - h / 2), w, h, color="black", zorder=4, transform=turn)
                )

        silhouette(ax)
        size = f"{transit.name} {transit.satellite_size_arcsec:.0f}″ across (to scale)"
        # a magnified view of the silhouette at the closest approach
        zoom = max(3.0 * span, 0.2)
        inset = ax.inset_axes([0.66, 0.07, 0.31, 0.31])
        inset.set_facecolor(ax.get_facecolor())
        inset.add_patch(Circle((0, 0), r_arcmin, facecolor=fill, edgecolor=edge, linewidth=1.5, zorder=1))
        inset.plot(x, y, color=_PATH, linewidth=0.8, zorder=2)
        silhouette(inset)
        inset.set_xlim(cx[0] - zoom, cx[0] + zoom)
        inset.set_ylim(cy[0] - zoom, cy[0] + zoom)
        inset.set_aspect("equal")
        inset.set_xticks([])
        inset.set_yticks([])
        inset.set_title(f"×{view / zoom:.0f}: {transit.satellite_size_arcsec:.0f}″ across", fontsize=8)
        ax.indicate_inset_zoom(inset, edgecolor="black", alpha=0.6)
    else:
        ax.plot(cx[0], cy[0], "o", color="black", markersize=3, zorder=4)
        size = "satellite's size not known: a dot"
    ax.plot([0], [0], "+", color=edge, markersize=10, zorder=2)
    ax.set_xlim(-view, view)
    ax.set_ylim(-view, view)
    ax.set_aspect("equal")
    ax.set_xlabel("arcmin from the centre (right: increasing azimuth)")
    ax.set_ylabel("arcmin from the centre (up: towards the zenith)")
    kind = "transit" if transit.transit else "close approach"
    if transit.moon_illuminated is not None:
        phase = "waxing" if transit.moon_waxing else "waning"
        kind += f" ({phase} Moon, {transit.moon_illuminated * 100:.0f}% lit)"
    if transit.geostationary:
        kind = f"{body.label} behind a geostationary satellite"
    lasting = format_duration(transit.duration_s) if transit.geostationary else f"{transit.duration_s:.2f} s"
    on_disc = f", {lasting} on the disc" if transit.transit else ""
    ax.set_title(
        f"{transit.name} and the {body.label}: {kind}\n"
        f"{transit.time.astimezone(zone):%Y-%m-%d} {clock(transit.time, zone)} "
        f"{zone_label(zone, transit.time)} ±{format_duration(transit.time_uncertainty_s)}, "
        f"from {site.label}\n"
        f"closest {_angle(transit.separation_deg)} from the centre{on_disc}; satellite "
        f"{transit.satellite_elevation_deg:.0f}° up, {transit.range_km:.0f} km; "
        f"{body.label} {transit.body_altitude_deg:.0f}° up",
        fontsize=10,
    )
    note = f"ticks every {format_duration(tick) if tick >= 1 else f'{tick:g} s'}; {size}"
    if transit.solar:
        note += f"\n{SOLAR_FILTER[0].upper()}{SOLAR_FILTER[1:]}"
    ax.text(
        0.01,
        0.01,
        note,
        transform=ax.transAxes,
        fontsize=8,
        va="bottom",
        color="black",
        zorder=6,
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    return ax


def _angle(deg):
    return f"{deg * 60:.2f}′" if deg < 1 else f"{deg:.2f}°"


def _km_to_deg(lat_deg, east_km, north_km):
    return north_km / 111.32, east_km / (111.32 * np.cos(np.radians(lat_deg)))


def centre_line_map(transit, site, ax=None, zone=PKT, half_size_km=None):
    """The transit's centre line over the map around ``site``, the strip
    that sees the satellite on the disc (shaded), times along the line, the
    site and the nearest point on the line with its distance and bearing."""
    from matplotlib.patches import Polygon

    from .plot import base_map

    line = transit.centre_line
    if line is None:
        from .errors import OrbitsError

        raise OrbitsError(f"transit {transit.number}: its centre line misses the Earth")
    half = half_size_km or float(np.clip(2.5 * line.distance_km, 25.0, 1500.0))
    speed = max(line.ground_speed_km_s, 1e-3)
    span_s = min(2.5 * half / speed, 4 * 3600.0)
    tracker, table, _ = _setting(transit, site, span_s + 600.0)
    times = line.time_s + np.linspace(-span_s, span_s, 1201)
    track = centre_track(tracker, table, 0, transit.body, times, site)
    dlat, dlon = _km_to_deg(site.latitude_deg, half, half)
    aspect = 1.0
    region = (
        site.longitude_deg - dlon * aspect,
        site.longitude_deg + dlon * aspect,
        site.latitude_deg - dlat,
        site.latitude_deg + dlat,
    )
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(9, 9), dpi=120).add_subplot()
    base_map(ax, region=region)
    ok = np.isfinite(track.latitude_deg)
    lat, lon, width = track.latitude_deg[ok], track.longitude_deg[ok], track.half_width_km[ok]
    across = np.radians(track.heading_deg[ok] + 90.0)
    dl, do = _km_to_deg(lat, width * np.sin(across), width * np.cos(across))
    left = np.column_stack([lon + do, lat + dl])
    right = np.column_stack([lon - do, lat - dl])
    ax.add_patch(
        Polygon(
            np.vstack([left, right[::-1]]),
            closed=True,
            facecolor=_STRIP,
            alpha=0.55,
            edgecolor="none",
            zorder=3,
        )
    )
    ax.plot(lon, lat, color=_LINE, linewidth=1.6, zorder=4, label="centre line")
    # times along the line, about 8 across the map
    seconds = np.array([0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800])
    step = float(seconds[np.searchsorted(seconds, 2 * half / speed / 8.0).clip(0, len(seconds) - 1)])
    first = math.ceil((times[0]) / step) * step
    marks = np.arange(first, times[-1], step)
    mark = centre_track(tracker, table, 0, transit.body, marks, site)
    inside = (
        np.isfinite(mark.latitude_deg)
        & (mark.longitude_deg > region[0])
        & (mark.longitude_deg < region[1])
        & (mark.latitude_deg > region[2])
        & (mark.latitude_deg < region[3])
    )
    ax.plot(mark.longitude_deg[inside], mark.latitude_deg[inside], "o", color=_LINE, markersize=3.5, zorder=5)
    heading = np.radians(np.nanmedian(track.heading_deg[ok]))
    left_pt = (-12 * math.cos(heading), 12 * math.sin(heading))  # square to the line, on its left
    for t, a, b in zip(marks[inside], mark.longitude_deg[inside], mark.latitude_deg[inside], strict=True):
        when = transit.time.fromtimestamp(t, zone)
        ax.annotate(
            clock(when, zone, hundredths=step < 1) if step < 1 else clock(when, zone, False),
            (a, b),
            xytext=left_pt,
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            color=_LINE,
            zorder=6,
        )
    ax.plot(
        site.longitude_deg,
        site.latitude_deg,
        "*",
        markersize=16,
        color="#ffd700",
        markeredgecolor="black",
        zorder=7,
    )
    ax.annotate(
        site.label,
        (site.longitude_deg, site.latitude_deg),
        xytext=(9, -13),
        textcoords="offset points",
        fontsize=10,
        weight="bold",
        zorder=7,
    )
    ax.plot(
        [site.longitude_deg, line.longitude_deg],
        [site.latitude_deg, line.latitude_deg],
        "--",
        color="black",
        linewidth=1.0,
        zorder=6,
    )
    ax.plot(
        line.longitude_deg,
        line.latitude_deg,
        "o",
        markersize=7,
        markerfacecolor="white",
        markeredgecolor="black",
        zorder=7,
    )
    ax.annotate(
        f"nearest: {line.direction_text}\n{clock(line.time, zone)} {zone_label(zone, line.time)}",
        (line.longitude_deg, line.latitude_deg),
        xytext=(-4 * left_pt[0], -4 * left_pt[1]),
        textcoords="offset points",
        ha="center",
        va="center",
        fontsize=9,
        zorder=7,
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "edgecolor": "#999999"},
    )
    # graticule in tenths of a degree at this scale, and a scale bar
    step_deg = float(
        np.array([0.05, 0.1, 0.2, 0.5, 1, 2, 5])[
            np.searchsorted([0.05, 0.1, 0.2, 0.5, 1, 2, 5], 2 * dlat / 6).clip(0, 6)
        ]
    )
    ax.set_xticks(np.arange(math.ceil(region[0] / step_deg) * step_deg, region[1], step_deg))
    ax.set_yticks(np.arange(math.ceil(region[2] / step_deg) * step_deg, region[3], step_deg))
    digits = 0 if step_deg >= 1 else 1 if step_deg >= 0.1 else 2
    ax.xaxis.set_major_formatter(lambda v, _: f"{abs(v):.{digits}f}°{'E' if v >= 0 else 'W'}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{abs(v):.{digits}f}°{'N' if v >= 0 else 'S'}")
    bar_km = float(
        np.array([1, 2, 5, 10, 20, 50, 100, 200, 500])[
            np.searchsorted([1, 2, 5, 10, 20, 50, 100, 200, 500], half / 4).clip(0, 8)
        ]
    )
    _, bar_deg = _km_to_deg(site.latitude_deg, bar_km, 0.0)
    x0, y0 = region[0] + 0.05 * (region[1] - region[0]), region[2] + 0.05 * (region[3] - region[2])
    ax.plot([x0, x0 + bar_deg], [y0, y0], color="black", linewidth=3, zorder=7)
    ax.annotate(f"{bar_km:g} km", (x0, y0), xytext=(0, 5), textcoords="offset points", fontsize=9, zorder=7)
    body = BODIES[transit.body]
    unc = "" if line.uncertainty_km is None else f"; the line ±{line.uncertainty_km:.1f} km sideways"
    ax.set_title(
        f"{transit.name} across the {body.label}: centre line, {transit.time.astimezone(zone):%Y-%m-%d}\n"
        f"strip {2 * line.half_width_km:.1f} km wide (shaded) sees it on the disc; "
        f"times {zone_label(zone, line.time)} ±{format_duration(transit.time_uncertainty_s)}{unc}",
        fontsize=10,
    )
    ax.set_xlim(region[0], region[1])
    ax.set_ylim(region[2], region[3])
    ax.set_aspect(1.0 / math.cos(math.radians(site.latitude_deg)))  # km alike both ways
    return ax


def transit_figure(transit, site, zone=PKT):
    """A figure with :func:`transit_chart` alone."""
    return transit_chart(transit, site, zone=zone).figure


def centre_line_figure(transit, site, zone=PKT):
    """A figure with :func:`centre_line_map` alone."""
    return centre_line_map(transit, site, zone=zone).figure
