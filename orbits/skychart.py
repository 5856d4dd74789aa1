"""Sky charts: one pass across a site's sky, drawn for going out to see it.

Like a star chart held overhead (as Heavens-Above draws them): north up,
east on the left, the zenith in the centre, rings every 30 deg of elevation.
On it: the pass's path (bold where it is visible), a dot each minute with
its time (and magnitude while visible), where the visible window starts and
ends with time and magnitude, its highest point with the pass table's time
and magnitude, the bright stars at the pass's time (dot size by magnitude),
constellation names faint behind, the Moon with its phase and the Sun where
they are up.  Labels are placed so that no two text boxes overlap
(:mod:`orbits.labels`).

Every function takes an optional polar ``Axes`` (``projection="polar"``)
and returns the Axes it drew on.
"""

import functools

import numpy as np

from .catalog import display_name
from .labels import LabelPlacer, beside_offsets, ring_offsets
from .palette import satellite_colour
from .stars import sky_at
from .table import Event
from .text import compass
from .times import PKT, format_duration, from_posix, to_posix, zone_label
from .tracks import sky_path

__all__ = ["sky_chart", "elevation_profile", "sky_figure", "pass_summary", "SKY", "EVENT_BOX"]

SKY = "#0b1a33"  # the chart's night sky
_FAINT = "#6f86ad"  # constellation names
_STAR = "#f4f1e4"
_TEXT = "#e6e6e6"
#: The frame of event boxes (rise, visible window, highest point, set).
EVENT_BOX = dict(boxstyle="round,pad=0.3", facecolor=SKY, edgecolor="#9fb3d9", alpha=0.92)


def _new_axes(size=(9, 9.6)):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=size, dpi=100)
    return fig.add_subplot(projection="polar")


def _polar_setup(ax):
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(1)  # east on the left: the sky seen looking up
    ax.set_rlim(0, 90)
    ax.set_rticks([30, 60, 90])
    ax.set_yticklabels(["60°", "30°", "0°"], fontsize=8, color="#aab4c8")
    ax.set_rlabel_position(202.5)
    ax.set_xticks(np.radians(np.arange(0, 360, 45)))
    ax.set_xticklabels(["N", "NE", "E", "SE", "S", "SW", "W", "NW"], fontsize=12, weight="bold")
    ax.grid(color="#51607a", linewidth=0.7)
    ax.set_facecolor(SKY)


@functools.cache
def _constellation_names():
    from skyfield.api import load_constellation_names  # the IAU names, shipped with Skyfield

    return dict(load_constellation_names())


def _polar(az_deg, el_deg):
    return np.radians(az_deg), 90.0 - np.clip(el_deg, 0.0, 90.0)


def _mag_text(value):
    return "" if value is None or not np.isfinite(value) else f"mag {value:.1f}"


def sky_chart(
    elements,
    site,
    pass_,
    ax=None,
    zone=PKT,
    step_s=5.0,
    label_minutes=1,
    title=True,
    min_elevation_deg=10.0,
    sun_altitude_deg=-6.0,
    legend=True,
    path=None,
    stars=True,
    number=None,
):
    """Polar chart of one pass across ``site``'s sky (``pass_``: a
    :class:`~orbits.passes.Pass`).

    The path is bold in the satellite's colour where the pass is visible
    (sunlit, at or above ``min_elevation_deg``, Sun at or below
    ``sun_altitude_deg``: the rules of :func:`~orbits.passes.predict_passes`),
    thin where sunlit but not visible, dashed grey in the Earth's shadow.  A
    dot every ``label_minutes`` with its time (and magnitude while visible).
    A visible pass has its window's start and end marked with time,
    elevation, direction and magnitude, and its highest point with the time
    and the magnitude of the pass table (the window's brightest); rise and
    set are marked with their times.  A pass never visible has rise,
    culmination and set boxes.  With ``stars``, the stars to magnitude 4.5
    at the pass's time, constellation names, the Moon (with its phase) and
    the Sun where above the horizon.  ``number``: the pass's number in the
    pass table, for the title.  ``path``: the pass's
    :class:`~orbits.tracks.SkyPath` if already computed.  No two text boxes
    overlap (labels with no clear place are left out, minute labels first).
    Returns the Axes.
    """
    ax = ax if ax is not None else _new_axes()
    _polar_setup(ax)
    if path is None:
        path = sky_path(elements, site, pass_.rise.time, pass_.set.time, step_s)
    colour = satellite_colour(elements.norad_id)
    theta, r = _polar(path.azimuth_deg, path.elevation_deg)
    seen = _seen(path, pass_)
    styles = [
        (~path.sunlit, dict(color="#8899aa", linewidth=1.4, linestyle=(0, (3, 3))), "in Earth's shadow"),
        (path.sunlit & ~seen, dict(color=colour, linewidth=1.4), "sunlit, not visible (low or bright sky)"),
        (path.sunlit & seen, dict(color=colour, linewidth=4.5, solid_capstyle="round"), "visible"),
    ]
    for mask, style, label in styles:
        if mask.any():
            grown = mask | np.r_[mask[1:], False]  # each piece joins the next one: no gaps
            ax.plot(
                np.where(grown, theta, np.nan), np.where(grown, r, np.nan), label=label, zorder=3, **style
            )
    when = pass_.visible_window.peak.time if pass_.visible else pass_.culmination.time
    sky = sky_at(site, when) if stars else None
    if sky is not None:
        _draw_stars(ax, sky, sun_altitude_deg)
    if title:
        ax.set_title(_title(elements, site, pass_, zone, number), fontsize=11, pad=26)
    ax.figure.canvas.draw()  # tick labels and title have their places now
    if legend:
        what = f"; {_sky_note(sky, sun_altitude_deg, when.astimezone(zone))}" if sky is not None else ""
        south = min(t.get_window_extent().y0 for t in ax.get_xticklabels() if t.get_text())
        centre_x = ax.transData.transform((0.0, 0.0))[0]
        ax.legend(
            loc="upper center",
            bbox_to_anchor=ax.transAxes.inverted().transform((centre_x, south - 2.0)),  # just below the S
            ncol=3,
            fontsize=8.5,
            frameon=False,
            title=f"chart held overhead: north up, east on the left{what}",
            title_fontsize=8.5,
        )
    placer = _placer(ax)
    placer.avoid_points(np.column_stack([theta, r]))
    boxes = _event_marks(ax, path, pass_, zone, colour)
    placer.avoid_points([b[0] for b in boxes], size_pt=14)
    for xy, text in boxes:
        placer.place(text, ring_offsets(_toward_centre(ax, *xy)), required=True)
    if sky is not None:
        _label_moon_and_sun(ax, sky, placer)
    _minute_labels(ax, path, pass_, zone, label_minutes, placer)
    if sky is not None:
        if sky.sun_elevation_deg <= sun_altitude_deg:
            _label_stars(ax, sky, placer)
    return ax


def _sky_note(sky, sun_altitude_deg, when):
    """What the legend says of the sky drawn: what is shown, at what time."""
    shown = [] if sky.sun_elevation_deg > sun_altitude_deg else ["stars"]
    shown += ["Moon"] if sky.moon_elevation_deg > 0 else []
    shown += ["Sun"] if sky.sun_elevation_deg > 0 else []
    note = f"{' and '.join(shown)} at {when:%H:%M}" if shown else ""
    if sky.sun_elevation_deg > sun_altitude_deg:
        note += ("; " if note else "") + "no stars: the sky is bright"
    if sky.moon_elevation_deg <= 0:
        note += ("; " if note else "") + "the Moon is below the horizon"
    return note


def _seen(path, pass_):
    """Samples of ``path`` inside the pass's visible windows (as the table has them)."""
    seen = np.zeros(len(path.times_s), bool)
    for w in pass_.windows:
        seen |= (path.times_s >= to_posix(w.start.time) - 1e-3) & (
            path.times_s <= to_posix(w.end.time) + 1e-3
        )
    return seen


def pass_summary(pass_, zone):
    """One line on a pass for a picture's title: its day, when it is visible
    (or up), how high, the table's magnitude and the ± of its times."""
    label = zone_label(zone, pass_.rise.time)
    plus = f"times ±{format_duration(pass_.time_uncertainty_s)}"
    if pass_.visible:
        w = pass_.visible_window
        mag = f", mag {w.magnitude:.1f}" if w.magnitude is not None else ""
        a, b = w.start.time.astimezone(zone), w.end.time.astimezone(zone)
        high = f"highest {w.peak.elevation_deg:.0f}°{mag}"
        return f"{a:%Y-%m-%d}: visible {a:%H:%M:%S} to {b:%H:%M:%S} {label}, {high}; {plus}"
    a, b = pass_.rise.time.astimezone(zone), pass_.set.time.astimezone(zone)
    peak = pass_.culmination.elevation_deg
    return f"{a:%Y-%m-%d}: up {a:%H:%M:%S} to {b:%H:%M:%S} {label}, peak {peak:.0f}°, not visible; {plus}"


def _title(elements, site, pass_, zone, number):
    head = f"{display_name(elements)} over {site.label}" + (f", pass #{number}" if number else "")
    return f"{head}\n{pass_summary(pass_, zone)}"


def _placer(ax):
    """A placer keeping labels inside the chart's circle and off its compass
    letters, ring labels, title and legend."""
    centre = ax.transData.transform((0.0, 0.0))
    rim = np.hypot(*(ax.transData.transform((0.0, 90.0)) - centre)) + 1.0

    def inside(b):
        corners = np.array([[b.x0, b.y0], [b.x0, b.y1], [b.x1, b.y0], [b.x1, b.y1]])
        return bool(np.hypot(*(corners - centre).T).max() <= rim)

    placer = LabelPlacer(ax, inside)
    placer.block(ax.get_xticklabels() + ax.get_yticklabels() + [ax.title])
    return placer


def _toward_centre(ax, theta, r):
    """Display angle from a point of a polar Axes toward its centre: event
    labels go inside the arc of the pass first, where the path is not."""
    x0, y0 = ax.transData.transform((0.0, 0.0))
    x, y = ax.transData.transform((theta, r))
    if np.hypot(x0 - x, y0 - y) < 1.0:  # at the zenith
        return np.pi / 2
    return float(np.arctan2(y0 - y, x0 - x))


def _at(path, t_s, values):
    """``values`` (sampled along ``path``, NaN where unknown) at ``t_s``, from the known samples."""
    known = np.isfinite(values)
    if not known.any():
        return float("nan")
    return float(np.interp(t_s, path.times_s[known], values[known]))


def _event_marks(ax, path, pass_, zone, colour):
    """Markers and (unplaced) boxes of a pass's events: ``[(xy, text)]``.
    Events within a few seconds of each other share one box."""
    entries = []

    def mark(ev, marker, size, face, lines, short=None):
        xy = _polar(ev.azimuth_deg, max(ev.elevation_deg, 0.0))
        ax.plot(*xy, marker=marker, markersize=size, color=face, markeredgecolor="white", zorder=5)
        t = to_posix(ev.time)
        for e in entries:
            if short is not None and e["short"] is not None and abs(e["t"] - t) < 6.0:
                e["lines"].append(short)
                return
        entries.append(dict(xy=xy, t=t, lines=list(lines), face=face, short=short))

    def where(ev):
        return f"{ev.elevation_deg:.0f}° {compass(ev.azimuth_deg)}"

    def clock(ev):
        return f"{ev.time.astimezone(zone):%H:%M:%S}"

    mark(pass_.rise, "^", 8, "#8899aa", [f"Rise {clock(pass_.rise)}"])
    mark(pass_.set, "v", 8, "#8899aa", [f"Set {clock(pass_.set)}"])
    if not pass_.visible:
        c = pass_.culmination
        mark(c, "o", 10, colour, [f"Peak {clock(c)}", f"{where(c)} (not visible)"])
    else:
        for w in pass_.windows:
            for ev, head, why, marker, face in (
                (w.start, "Visible from", w.start_reason == "leaves the Earth's shadow", "o", "#4cc38a"),
                (w.end, "Visible until", w.end_reason == "enters the Earth's shadow", "s", "#e07a5f"),
            ):
                mag = _mag_text(_at(path, to_posix(ev.time), path.magnitude))
                note = (" (out of shadow)" if head.endswith("from") else " (into shadow)") if why else ""
                mark(ev, marker, 8, face, [f"{head} {clock(ev)}{note}", f"{where(ev)}  {mag}".rstrip()], "")
        w = pass_.visible_window
        mark(w.peak, "*", 15, colour, [f"Highest {clock(w.peak)}", where(w.peak)], "highest point")
        if w.magnitude is not None:  # the table's magnitude, where the window reaches it
            inside = np.isfinite(path.magnitude) & (path.times_s >= to_posix(w.start.time) - 1e-3)
            inside &= path.times_s <= to_posix(w.end.time) + 1e-3
            if inside.any():
                k = int(np.flatnonzero(inside)[np.argmin(path.magnitude[inside])])
                at = Event(
                    from_posix(path.times_s[k]), float(path.azimuth_deg[k]), float(path.elevation_deg[k])
                )
                mag = f"mag {w.magnitude:.1f}"
                mark(at, "D", 7, "#ffd24d", [f"Brightest {clock(at)}", mag], f"brightest: {mag}")
    boxes = []
    for e in entries:
        text = "\n".join(line for line in e["lines"] if line)
        box = ax.annotate(
            text,
            e["xy"],
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=8.5,
            color="white",
            zorder=7,
            multialignment="left",
            bbox=dict(EVENT_BOX, edgecolor=e["face"]),
            arrowprops=dict(arrowstyle="-", color=e["face"], linewidth=0.8, shrinkA=0, shrinkB=4),
        )
        boxes.append((e["xy"], box))
    return boxes


def _minute_labels(ax, path, pass_, zone, label_minutes, placer):
    """A dot each ``label_minutes`` along the path; its time (and magnitude
    while visible) beside it where there is room."""
    step = label_minutes * 60.0
    first = np.ceil(path.times_s[0] / step) * step
    ticks = np.arange(first, path.times_s[-1], step)
    if not len(ticks):
        return
    az = np.degrees(np.interp(ticks, path.times_s, np.unwrap(np.radians(path.azimuth_deg))))
    el = np.interp(ticks, path.times_s, path.elevation_deg)
    mag = np.array([_at(path, t, path.magnitude) for t in ticks])
    theta, r = _polar(az, el)
    ax.plot(theta, r, "o", color="white", markersize=3, zorder=4)
    windows = [(to_posix(w.start.time), to_posix(w.end.time)) for w in pass_.windows]
    for t, x, y, m in zip(ticks, theta, r, mag):
        text = f"{from_posix(t).astimezone(zone):%H:%M}"
        if any(a <= t <= b for a, b in windows) and np.isfinite(m):
            text += f"  {m:.1f}"
        label = ax.annotate(
            text, (x, y), xytext=(0, 0), textcoords="offset points", color=_TEXT, fontsize=7, zorder=6
        )
        placer.place(label, beside_offsets())


def _draw_stars(ax, sky, sun_altitude_deg):
    """Stars (dot area by magnitude), behind the path, when the Sun is at or
    below ``sun_altitude_deg`` (in a brighter sky none are drawn); the Moon
    with its phase and the Sun where they are above the horizon."""
    if sky.sun_elevation_deg <= sun_altitude_deg:
        theta, r = _polar(sky.star_azimuth_deg, sky.star_elevation_deg)
        size = 1.2 * (5.2 - np.clip(sky.star_vmag, -1.5, 5.0)) ** 2
        ax.scatter(theta, r, s=size, color=_STAR, linewidths=0, zorder=1.5, alpha=0.9)
    if sky.moon_elevation_deg > 0:
        xy = _polar(sky.moon_azimuth_deg, sky.moon_elevation_deg)
        sun = _polar(sky.sun_azimuth_deg, sky.sun_elevation_deg)
        sun_r = 90.0 - sky.sun_elevation_deg  # beyond the rim when the Sun is down: still its direction
        (mx, my), (sx, sy) = ax.transData.transform([xy, (sun[0], sun_r)])
        toward_sun = np.arctan2(sy - my, sx - mx)
        ax.plot(*xy, marker="o", markersize=15, color="#3a4660", markeredgecolor="#cfd6e6", zorder=2)
        lit = _lit_part(sky.moon_illuminated, toward_sun)
        if lit is not None:
            ax.plot(*xy, marker=lit, markersize=15, color="#f3efd8", markeredgewidth=0, zorder=2.1)
    if sky.sun_elevation_deg > 0:
        xy = _polar(sky.sun_azimuth_deg, sky.sun_elevation_deg)
        ax.plot(*xy, marker="o", markersize=18, color="#ffb000", markeredgecolor="#fff2b0", zorder=2)


def _lit_part(fraction, toward_rad, points=40):
    """A marker path: the Moon's lit part (``fraction`` 0 to 1) on a disc of
    radius 1, its bright limb toward display angle ``toward_rad``."""
    from matplotlib.path import Path

    if fraction < 0.01:
        return None
    t = np.linspace(np.pi / 2, -np.pi / 2, points)
    limb = np.column_stack([np.cos(t), np.sin(t)])  # the lit half's edge, on the +x side
    bulge = 1.0 - 2.0 * fraction  # the terminator: an ellipse, +x for a crescent, -x gibbous
    term = np.column_stack([bulge * np.cos(t[::-1]), np.sin(t[::-1])])
    xy = np.vstack([limb, term, limb[:1]])
    c, s = np.cos(toward_rad), np.sin(toward_rad)
    xy = xy @ np.array([[c, s], [-s, c]])
    codes = [Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY]
    return Path(xy, codes)


def _label_moon_and_sun(ax, sky, placer):
    if sky.moon_elevation_deg > 0:
        xy = _polar(sky.moon_azimuth_deg, sky.moon_elevation_deg)
        placer.avoid_points([xy], size_pt=16)
        phase = "waxing" if sky.moon_waxing else "waning"
        text = ax.annotate(
            f"Moon, {sky.moon_illuminated:.0%} lit ({phase})",
            xy,
            xytext=(0, 0),
            textcoords="offset points",
            color="#f3efd8",
            fontsize=7.5,
            zorder=6,
        )
        placer.place(text, ring_offsets(None, (12, 20, 30)))
    if sky.sun_elevation_deg > 0:
        xy = _polar(sky.sun_azimuth_deg, sky.sun_elevation_deg)
        placer.avoid_points([xy], size_pt=18)
        text = ax.annotate(
            f"Sun, {sky.sun_elevation_deg:.0f}° up",
            xy,
            xytext=(0, 0),
            textcoords="offset points",
            color="#ffd27a",
            fontsize=7.5,
            zorder=6,
        )
        placer.place(text, ring_offsets(None, (14, 22, 32)))


def _label_stars(ax, sky, placer):
    """Names of the brightest stars beside them, and constellation names
    (full IAU names) faint at the middle of their stars above 10 deg."""
    theta, r = _polar(sky.star_azimuth_deg, sky.star_elevation_deg)
    named = set()  # a name once: the table names both stars of a close pair (Rigil Kentaurus)
    for k in np.argsort(sky.star_vmag, kind="stable"):
        if sky.star_vmag[k] > 1.6 or not sky.star_name[k] or sky.star_elevation_deg[k] < 8:
            continue
        if sky.star_name[k] in named:
            continue
        named.add(sky.star_name[k])
        text = ax.annotate(
            str(sky.star_name[k]),
            (theta[k], r[k]),
            xytext=(0, 0),
            textcoords="offset points",
            color="#c9d3e8",
            fontsize=6.5,
            zorder=5.5,
        )
        placer.place(text, beside_offsets(3.0))
    names = _constellation_names()
    az, el = np.radians(sky.star_azimuth_deg), np.radians(sky.star_elevation_deg)
    unit = np.column_stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)])
    groups = {}
    for k, c in enumerate(sky.star_constellation):
        if sky.star_elevation_deg[k] >= 10:
            groups.setdefault(str(c), []).append(k)
    for c in sorted(groups, key=lambda c: (-len(groups[c]), c)):
        members = groups[c]
        if len(members) < 3:
            continue
        x, y, z = unit[members].mean(axis=0)
        centre = _polar(np.degrees(np.arctan2(x, y)) % 360.0, np.degrees(np.arctan2(z, np.hypot(x, y))))
        text = ax.annotate(
            names.get(c, c).upper(),
            centre,
            xytext=(0, 0),
            textcoords="offset points",
            color=_FAINT,
            fontsize=6,
            zorder=1.4,
        )
        placer.place(text, [(0, 0), *beside_offsets(6.0)])


def elevation_profile(
    elements, site, pass_, ax=None, zone=PKT, step_s=5.0, min_elevation_deg=10.0, path=None
):
    """Elevation (deg) against time for one pass, visible part bold in the
    satellite's colour, shadow dashed, with the minimum elevation for
    visibility as a dotted line (``path`` as in :func:`sky_chart`).  Returns
    the Axes."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.figure(figsize=(9, 3.5), dpi=100).add_subplot()
    if path is None:
        path = sky_path(elements, site, pass_.rise.time, pass_.set.time, step_s)
    colour = satellite_colour(elements.norad_id)
    when = [from_posix(t) for t in path.times_s]
    seen = _seen(path, pass_) & path.sunlit
    ax.plot(when, np.where(path.sunlit, np.nan, path.elevation_deg), color="#8899aa", linestyle="--",
            label="in Earth's shadow")  # fmt: skip
    ax.plot(when, np.where(path.sunlit, path.elevation_deg, np.nan), color=colour, linewidth=1.2,
            label="sunlit")  # fmt: skip
    ax.plot(when, np.where(seen, path.elevation_deg, np.nan), color=colour, linewidth=3.5, label="visible")
    ax.axhline(min_elevation_deg, color="#555555", linewidth=0.8, linestyle=":")
    ax.set_ylim(0, 90)
    ax.set_ylabel("elevation (°)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=zone))
    ax.set_xlabel(f"time ({zone_label(zone, pass_.rise.time)})")
    ax.grid(alpha=0.4)
    ax.legend(fontsize=8, loc="upper right")
    return ax


def sky_figure(
    elements,
    site,
    pass_,
    zone=PKT,
    profile=False,
    min_elevation_deg=10.0,
    sun_altitude_deg=-6.0,
    number=None,
    extinction_per_airmass=None,
):
    """A figure with :func:`sky_chart`, and :func:`elevation_profile` below it
    when ``profile``: 1600 px wide at the default 200 dpi.  Magnitudes with
    ``extinction_per_airmass`` as :func:`~orbits.passes.predict_passes` takes
    it (None: the site's default, as the pass table's)."""
    import matplotlib.pyplot as plt

    options = dict(min_elevation_deg=min_elevation_deg, sun_altitude_deg=sun_altitude_deg)
    path = sky_path(
        elements, site, pass_.rise.time, pass_.set.time, extinction_per_airmass=extinction_per_airmass
    )
    if profile:
        fig = plt.figure(figsize=(8, 11), dpi=200)
        polar = fig.add_axes([0.1, 0.35, 0.8, 0.53], projection="polar")
        flat = fig.add_axes([0.1, 0.06, 0.8, 0.17])
        elevation_profile(elements, site, pass_, flat, zone, min_elevation_deg=min_elevation_deg, path=path)
    else:
        fig = plt.figure(figsize=(8, 8.8), dpi=200)
        polar = fig.add_axes([0.1, 0.1, 0.8, 0.76], projection="polar")
    sky_chart(elements, site, pass_, polar, zone, path=path, number=number, **options)
    return fig
