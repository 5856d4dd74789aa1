"""The ``orbits`` command: a thin layer over the library.

Every user error becomes one line on stderr and exit status 2, never a
traceback.  Output goes to stdout, or atomically to ``--output FILE``.
"""

import argparse
import os
import re
import signal
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

from . import __version__
from .catalog import HISTORIC, KNOWN, resolve
from .errors import OrbitsError
from .files import check_output, os_error_text, shown_path, write_atomic
from .times import UTC, display_zone, parse_instant

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not a usage block; a value
    such as ``-1e3``, ``-.5`` or ``-inf`` after an option is read as its
    value (then judged by the option), not as an unknown option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|nan)$", re.I)

    def error(self, message):
        raise OrbitsError(f"{message} (see '{self.prog} --help')")


def _number(kind, low=None, high=None, positive=False):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{kind} must be positive, not {text}")
        if low is not None and value < low or high is not None and value > high:
            raise argparse.ArgumentTypeError(f"{kind} {text} is out of range ({low} to {high})")
        return value + 0.0  # -0 is 0

    parse.__name__ = kind
    return parse


_SATELLITES_HELP = "name, alias or NORAD number (default: Tiangong and Pakistan's satellites)"
#: The instants ``--start`` and ``--at`` take (see :func:`orbits.times.parse_instant`).
_WHEN_HELP = "now (default), today or tomorrow (their midnight), a time of day today (21:30) or ISO-8601"


def _window_options(p):
    """--start, --days and --until, as passes and transits take them (see :func:`_window`)."""
    p.add_argument(
        "--start",
        metavar="WHEN",
        default="now",
        help="window start: now (default), today, tonight (the coming dusk to dawn, the Sun at "
        "--sun-altitude), tomorrow, a time of day (18:00) or ISO-8601 (no offset = display zone)",
    )
    p.add_argument(
        "--days",
        type=_number("--days", 0, 366, positive=True),
        default=None,
        metavar="N",
        help="window length in days (default 7; tonight: the night)",
    )
    p.add_argument("--until", metavar="WHEN", help="window end instead of --days (same forms as --start)")


def _common(p, formats, satellites_help=_SATELLITES_HELP):
    p.add_argument("satellites", nargs="*", metavar="SAT", help=satellites_help)
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--tle",
        action="append",
        default=[],
        metavar="FILE",
        help="element file (3LE/2LE TLE, OMM JSON or CSV); repeatable",
    )
    source.add_argument(
        "--group",
        metavar="NAME",
        help="every satellite of a CelesTrak group fetched with 'orbits tle update --group'",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="no network use at all (also ORBITS_OFFLINE=1): stale elements are not refreshed",
    )
    fresh = p.add_argument_group("element age")
    fresh.add_argument(
        "--max-age",
        type=_number("--max-age", 0, 3650),
        metavar="DAYS",
        help="refresh elements older than this from the window (default 1 day for low "
        "orbits, 3 days for higher ones)",
    )
    fresh.add_argument(
        "--stale",
        action="store_true",
        help="show satellites whose elements are too old to time their passes, each with its ±",
    )
    from .sites import SITES

    site = p.add_argument_group("site")
    site.add_argument(
        "--site",
        metavar="NAME",
        action="append",
        help=f"named site (default islamabad; 'passes' takes several): {', '.join(SITES)}",
    )
    site.add_argument(
        "--lat", type=_number("latitude", -90, 90), metavar="DEG", help="latitude, north positive"
    )
    site.add_argument(
        "--lon", type=_number("longitude", -180, 360), metavar="DEG", help="longitude, east positive"
    )
    site.add_argument(
        "--elevation",
        type=_number("elevation", -500, 9000),
        metavar="M",
        help="height above the WGS84 ellipsoid in metres (default 0 with --lat/--lon; "
        "with a named site, replaces its height)",
    )
    out = p.add_argument_group("output")
    if formats:
        out.add_argument("--format", choices=formats, default="table")
    _zone_options(out)
    if formats:
        out.add_argument(
            "-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout"
        )


def _zone_options(parser):
    """The display zone options, ``--tz ZONE`` or ``--utc`` (read by :func:`~orbits.times.display_zone`)."""
    zone = parser.add_mutually_exclusive_group()
    zone.add_argument("--tz", metavar="ZONE", help="IANA time zone for display (default PKT, UTC+5)")
    zone.add_argument("--utc", action="store_true", help="display times in UTC")


def build_parser():
    parser = _Parser(prog="orbits", description="Satellite passes over Pakistan, offline.")
    parser.add_argument("--version", action="version", version=f"orbits {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("passes", help="upcoming passes over a site (visible ones by default)")
    _common(p, ("table", "json", "csv", "ics"))
    _window_options(p)
    p.add_argument(
        "--all", action="store_true", help="list every pass above the horizon, not only visible ones"
    )
    p.add_argument(
        "--min-elevation",
        type=_number("--min-elevation", 0, 90),
        default=10.0,
        metavar="DEG",
        help="visible only at or above this elevation (default 10)",
    )
    p.add_argument(
        "--sun-altitude",
        type=_number("--sun-altitude", -90, 90),
        default=-6.0,
        metavar="DEG",
        help="visible only while the Sun is at or below this altitude (default -6)",
    )
    p.add_argument(
        "--horizon",
        type=_number("--horizon", -5, 89),
        default=0.0,
        metavar="DEG",
        help="rise/set elevation (default 0)",
    )
    p.add_argument(
        "--brighter-than",
        type=_number("--brighter-than", -30, 30),
        metavar="MAG",
        help="only visible passes at least this bright (visual magnitude <= MAG; needs a known "
        "standard magnitude)",
    )
    p.add_argument(
        "--extinction",
        type=_number("--extinction", 0, 2),
        metavar="K",
        help="atmospheric extinction in the magnitudes, mag per airmass (default: 0.2 at sea level, "
        "less higher up, 0.19 at Islamabad; 0 for none, 0.3-0.5 for a hazy or dusty sky)",
    )
    network = p.add_argument_group("ground-station networks")
    network.add_argument(
        "--sites",
        metavar="FILE",
        help="CSV of sites: name,latitude,longitude,elevation_m[,min_elevation][,horizon_mask] "
        "(README: Networks)",
    )
    network.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster (tcp://HOST:PORT of a running dask scheduler; needs orbits[dask])",
    )
    network.add_argument(
        "--scheduler-timeout",
        type=_number("--scheduler-timeout", 0, 3600, positive=True),
        default=10.0,
        metavar="S",
        help="seconds to wait for the scheduler to answer (default 10)",
    )
    p.set_defaults(func=cmd_passes)

    p = sub.add_parser("now", help="where satellites are at an instant (dish pointing for GEO)")
    _common(p, ("table", "json", "csv"))
    p.add_argument(
        "--at",
        metavar="WHEN",
        default="now",
        help=f"the instant: {_WHEN_HELP}; tonight: the coming dusk (the Sun 6° down), "
        "or now when it is dark (no offset = display zone)",
    )
    p.set_defaults(func=cmd_now)

    p = sub.add_parser(
        "transits", help="the satellites in front of the Sun and the Moon (and GEO sun outages)"
    )
    _common(p, ("table", "json", "csv", "ics"))
    _window_options(p)
    p.set_defaults(sun_altitude=-6.0)
    _transit_options(p)
    p.add_argument(
        "--chart",
        type=int,
        metavar="N",
        help="draw transit N (as listed) as the body's disc with the satellite's path to --out",
    )
    p.add_argument("--out", metavar="FILE", help="image file of --chart: .png, .svg or .pdf")
    p.add_argument(
        "--dpi", type=_number("--dpi", 20, 600), metavar="DPI", help="PNG resolution of --chart (default 150)"
    )
    p.set_defaults(func=cmd_transits)

    _picture_parsers(sub)
    _tle_parsers(sub)

    p = sub.add_parser("catalog", help="the satellites orbits knows, with element epochs")
    p.add_argument(
        "--tle", action="append", default=[], metavar="FILE", help="list this file's satellites instead"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    _zone_options(p)
    p.set_defaults(func=cmd_catalog)
    _add_examples(parser)
    return parser


#: Examples shown at the end of each command's ``--help``: a line saying what
#: it does, then the command (tests parse every one with the real parser).
EXAMPLES = {
    "orbits": (
        ("Tiangong and Pakistan's satellites over Islamabad, the next 7 days", "orbits passes"),
        ("Tiangong tonight, seen from Lahore", "orbits passes tiangong --site lahore --start tonight"),
        ("Dish pointing to Pakistan's geostationary satellites", "orbits now paksat-1r paksat-mm1"),
        ("Fresh elements from CelesTrak", "orbits tle update"),
    ),
    "passes": (
        ("Tiangong tonight over Karachi", "orbits passes tiangong --site karachi --start tonight"),
        (
            "Bright passes of Tiangong and the ISS, 3 days from 18:00, into a calendar",
            "orbits passes tiangong iss --start 18:00 --days 3 --brighter-than 0 --format ics -o passes.ics",
        ),
        (
            "Every pass, visible or not, at a place of your own (1,500 m up), in UTC",
            "orbits passes prss-1 --lat 35.92 --lon 74.31 --elevation 1500 --all --utc",
        ),
        (
            "A whole catalogue for a day, as JSON; magnitudes for a hazy sky",
            "orbits passes --tle active.tle --days 1 --extinction 0.4 --format json -o passes.json",
        ),
    ),
    "now": (
        (
            "Where to point a dish at PakSat-1R and PakSat-MM1 from Quetta",
            "orbits now paksat-1r paksat-mm1 --site quetta",
        ),
        ("Where Tiangong is at 21:30 today, as JSON", "orbits now tiangong --at 21:30 --format json"),
        (
            "Every satellite of a file at an ISO time",
            "orbits now --tle stations.tle --at 2026-04-10T20:30+05:00",
        ),
    ),
    "catalog": (
        ("The satellites orbits knows, with their element epochs", "orbits catalog"),
        ("The satellites of an element file, as JSON", "orbits catalog --tle stations.tle --format json"),
    ),
    "map": (
        (
            "Tiangong's next visible pass over Islamabad, across Pakistan",
            "orbits map tiangong --region pakistan --out pass.png",
        ),
        (
            "Pass 2 of 'orbits passes tiangong --site karachi --start tonight', on a map",
            "orbits map tiangong --site karachi --start tonight --pass 2 --out pass.png",
        ),
        ("One orbit of each mission satellite on a world map, from now", "orbits map --out tracks.png"),
        (
            "Two orbits of PRSS-1 over a box of the map",
            "orbits map prss-1 --orbits 2 --region 60,80,20,40 --out prss.svg",
        ),
    ),
    "transits": (
        (
            "Tiangong's centre lines across the Sun or the Moon within 60 km of Islamabad",
            "orbits transits tiangong --within 60",
        ),
        (
            "Every approach within 2 degrees, 30 days, from Lahore",
            "orbits transits --site lahore --days 30 --max-separation 2",
        ),
        (
            "The days a dish on PakSat-MM1 sees the Sun behind it",
            "orbits transits paksat-mm1 --body sun --start 2026-10-01 --days 14",
        ),
        (
            "Transit 1 as the body's disc with the path",
            "orbits transits tiangong --within 60 --chart 1 --out chart.png",
        ),
    ),
    "sky": (
        (
            "Tiangong's next visible pass over Islamabad, with stars, the Moon and an elevation profile",
            "orbits sky tiangong --profile --out sky.png",
        ),
        (
            "Pass 3 of 'orbits passes tiangong --site lahore --start tonight'",
            "orbits sky tiangong --site lahore --start tonight --pass 3 --out sky.svg",
        ),
        (
            "Pass 5 of the --all table, visible or not",
            "orbits sky tiangong --start 2026-04-10 --days 3 --all --pass 5 --out sky.png",
        ),
    ),
    "tle": (
        ("Fresh elements for Tiangong and Pakistan's satellites", "orbits tle update"),
        ("Which elements a prediction would use", "orbits tle status"),
    ),
    "tle update": (
        ("Tiangong and Pakistan's satellites, one query each", "orbits tle update"),
        ("Named satellites, even if fetched in the last 2 hours", "orbits tle update iss 25544 --force"),
        ("A whole CelesTrak group (then: orbits passes --group active)", "orbits tle update --group active"),
    ),
    "tle import": (
        ("A TLE file downloaded on another device", "orbits tle import stations.tle"),
        ("Several files: OMM JSON and CSV too", "orbits tle import tiangong.json prss-1.csv"),
    ),
    "tle status": (
        ("Epoch, age and source of each mission satellite's elements", "orbits tle status"),
        ("The same for Tiangong, as JSON", "orbits tle status tiangong --format json"),
    ),
}


def _add_examples(parser, name="orbits"):
    """Give ``parser`` and its subcommands their :data:`EXAMPLES` as a
    ``--help`` epilog (kept as written)."""
    key = name.removeprefix("orbits ") if name != "orbits" else name
    if key in EXAMPLES:
        lines = ["examples:"]
        for what, line in EXAMPLES[key]:
            lines += [f"  # {what}", f"  {line}"]
        parser.epilog = "\n".join(lines)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                _add_examples(sub, f"{name} {sub_name}")


def _pass_options(p, start_help):
    """The options that choose a pass, as 'orbits passes' takes them, so that
    --pass N is row N of the same table."""
    p.add_argument("--start", metavar="WHEN", default=None, help=start_help)
    p.add_argument(
        "--days",
        type=_number("--days", 0, 366, positive=True),
        default=None,
        metavar="N",
        help="look for passes this many days ahead (default 7; tonight: the night)",
    )
    p.add_argument("--until", metavar="WHEN", help="look for passes up to WHEN instead of --days")
    p.add_argument(
        "--pass",
        dest="pass_number",
        type=_pass_number,
        metavar="N",
        help="pass N of the table 'orbits passes SAT' with the same --start, --days/--until, site "
        "and thresholds (with --all: of 'orbits passes SAT --all'); default: the first",
    )
    p.add_argument("--all", action="store_true", help="count every pass above the horizon, as --all does")
    p.add_argument(
        "--sun-altitude",
        type=_number("--sun-altitude", -90, 90),
        default=None,
        metavar="DEG",
        help="visible only while the Sun is at or below this altitude (default -6)",
    )
    p.add_argument(
        "--horizon",
        type=_number("--horizon", -5, 89),
        default=None,
        metavar="DEG",
        help="rise/set elevation (default 0)",
    )
    p.add_argument(
        "--brighter-than",
        type=_number("--brighter-than", -30, 30),
        metavar="MAG",
        help="count only visible passes at least this bright, as 'orbits passes' does",
    )
    p.add_argument(
        "--extinction",
        type=_number("--extinction", 0, 2),
        metavar="K",
        help="atmospheric extinction in the magnitudes, mag per airmass, as 'orbits passes' takes it",
    )


def _pass_number(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a pass number (1, 2, ...)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a pass number: the table counts from 1")
    return value


def _image_options(p, default_dpi):
    p.add_argument("--out", required=True, metavar="FILE", help="image file: .png, .svg or .pdf")
    p.add_argument(
        "--dpi",
        type=_number("--dpi", 20, 600),
        metavar="DPI",
        help=f"PNG resolution (default {default_dpi}: 1600 px wide)",
    )


def _picture_parsers(sub):
    p = sub.add_parser(
        "map",
        help="a map of one pass, or ground tracks on a world or regional map (PNG, SVG or PDF)",
        description="With --pass N, or one satellite, --region pakistan and no --start: a map of one "
        "pass over the site (its track with minute dots, the visible stretch, the footprint at the peak, "
        "nearby cities).  Otherwise: ground tracks from --start.",
    )
    _common(p, ())
    _pass_options(
        p,
        f"tracks: their start; a pass map: look for passes from WHEN as 'orbits passes' does: {_WHEN_HELP}; "
        "or tonight",
    )
    span = p.add_mutually_exclusive_group()
    span.add_argument(
        "--hours",
        type=_number("--hours", 0, 48, positive=True),
        metavar="H",
        help="track length in hours (default: one orbit of each satellite)",
    )
    span.add_argument(
        "--orbits",
        type=_number("--orbits", 0, 30, positive=True),
        metavar="N",
        help="track length in orbits of each satellite (default 1; at most 24 h)",
    )
    p.add_argument(
        "--region",
        default=None,
        metavar="REGION",
        help="world, pakistan, or LON0,LON1,LAT0,LAT1 in degrees (default: world for tracks; for a "
        "pass, Pakistan's, or a frame around a site elsewhere, grown to hold the visible stretch)",
    )
    p.add_argument(
        "--min-elevation",
        type=_number("--min-elevation", 0, 89),
        default=None,
        metavar="DEG",
        help="footprint edge: ground that sees the satellite at least this high (default 0 for tracks; "
        "for a pass 10, also the visibility threshold, as in 'orbits passes')",
    )
    p.add_argument(
        "--tick-minutes",
        type=_number("--tick-minutes", 0.5, 120),
        default=None,
        metavar="MIN",
        help="time dots along the tracks every MIN minutes (default 10; a pass: 1)",
    )
    _image_options(p, 100)
    transit = p.add_argument_group("transit map")
    transit.add_argument(
        "--transit",
        type=int,
        metavar="N",
        help="draw the centre line of transit N of 'orbits transits' (same SAT, --start, --days "
        "(default 7), --body and limits) over the region around the site, instead of ground tracks",
    )
    _transit_options(transit)
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "sky", help="sky chart of one satellite's pass over a site, with stars and the Moon (PNG, SVG or PDF)"
    )
    _common(p, (), satellites_help="the one satellite to draw: name, alias or NORAD number (e.g. tiangong)")
    _pass_options(p, f"look for passes from WHEN, as 'orbits passes' does: {_WHEN_HELP}; or tonight")
    p.add_argument(
        "--min-elevation",
        type=_number("--min-elevation", 0, 90),
        default=10.0,
        metavar="DEG",
        help="visible only at or above this elevation (default 10)",
    )
    p.add_argument("--profile", action="store_true", help="add an elevation-against-time panel")
    _image_options(p, 200)
    p.set_defaults(func=cmd_sky)


def _transit_options(p):
    p.add_argument(
        "--body", choices=("sun", "moon", "both"), default="both", help="which disc (default both)"
    )
    limit = p.add_mutually_exclusive_group()
    limit.add_argument(
        "--max-separation",
        type=_number("--max-separation", 0, 30, positive=True),
        metavar="DEG",
        help="closest approaches within DEG of the body's centre (default 1: a small dish's beam)",
    )
    limit.add_argument(
        "--within",
        type=_number("--within", 0, 2000, positive=True),
        metavar="KM",
        help="instead: every transit whose centre line passes within KM of the site",
    )


def _transits(args, zone, site):
    """The transit search the options ask for (elements refreshed unless offline)."""
    from .api import predict_transits

    start = _window(args, zone, site)
    found = predict_transits(
        args.satellites,
        site,
        start,
        args.days,
        body=args.body,
        max_separation_deg=args.max_separation,
        within_km=args.within,
        tle=args.tle,
        group=args.group,
        stale=args.stale,
        refresh=not args.offline,
        max_age_days=args.max_age,
        zone=zone,
        say=_say,
    )
    _warn(found.warnings)
    return found


def cmd_transits(args):
    if args.chart is not None:
        if not args.out:
            raise OrbitsError("--chart N needs --out FILE.png (or .svg, .pdf)")
        _check_image(args)
    elif args.out or args.dpi is not None:
        raise OrbitsError("--out and --dpi go with --chart N (the transit to draw)")
    if args.output:
        check_output(args.output, _inputs(args))
    zone = display_zone(args.tz, args.utc)
    site = _site(args)
    found = _transits(args, zone, site)
    if args.chart is not None:
        from .transitplot import transit_figure

        fig = transit_figure(found.number(args.chart), site, zone)
        _save(fig, args.out, args.dpi, _inputs(args))
        return 0
    if not found.transits and args.format != "table":
        from .transittext import nothing_found_line

        _say(nothing_found_line(found.search, zone))
    if args.format == "json":
        from .jsontext import json_text
        from .transitrecords import transits_json

        text = json_text(transits_json(found.search, zone))
    elif args.format == "csv":
        from .transitcsv import transits_csv

        text = transits_csv(found.search, zone)
    elif args.format == "ics":
        from .transitcalendar import transits_ics

        text = transits_ics(found.search, zone)
    else:
        from .transittext import transits_table

        text = transits_table(found.search, zone)
    _emit(args, text)
    return 0


def _transit_map(args):
    from .transitplot import centre_line_figure

    args.start = _or(args.start, "now")  # map's window options serve passes, tracks and transits
    args.sun_altitude = _or(args.sun_altitude, -6.0)  # (tonight's dusk)
    zone = display_zone(args.tz, args.utc)
    site = _site(args)
    found = _transits(args, zone, site)
    fig = centre_line_figure(found.number(args.transit), site, zone)
    _save(fig, args.out, args.dpi, _inputs(args))
    return 0


def _image_format(path):
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise OrbitsError(f"{shown_path(path, 80)}: give a .png, .svg or .pdf file name")
    return suffix


def _check_image(args):
    """Refuse a bad image name or an option that cannot apply, before any work."""
    suffix = _image_format(args.out)
    if args.dpi is not None and suffix != "png":
        raise OrbitsError(
            f"--dpi sets a PNG's resolution; {shown_path(args.out, 80)} is {suffix.upper()}, "
            f"which keeps text and lines as vectors"
        )
    check_output(args.out, _inputs(args))


def _save(fig, path, dpi=None, inputs=()):
    """Save a figure atomically; the format follows the file name.  SVG and
    PDF keep text as text (SVG <text>, PDF TrueType), searchable and editable."""
    import io

    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        fig.savefig(buffer, format=_image_format(path), dpi=dpi or fig.dpi)
    write_atomic(path, buffer.getvalue(), inputs)


_PASS_ONLY = ("days", "until", "all", "sun_altitude", "horizon", "brighter_than", "extinction")


def cmd_map(args):
    from . import plot

    _check_image(args)  # bad names and regions fail before any work
    if args.transit is not None:
        return _transit_map(args)
    zone = display_zone(args.tz, args.utc)
    site = _site(args)
    if args.region is not None:
        plot.region_extent(args.region)
    implicit = (
        args.pass_number is None
        and args.region == "pakistan"
        and len(args.satellites) == 1
        and args.start is None
        and args.hours is None
        and args.orbits is None
    )
    if args.pass_number is not None or implicit:
        if args.hours is not None or args.orbits is not None:
            raise OrbitsError(
                "--hours and --orbits set a track's length; a map of one pass draws it from rise to set"
            )
        chosen = _chosen_pass(args, zone, site, quiet=implicit)
        if chosen is not None:
            from .passmap import pass_map_figure

            elements, pass_, number = chosen
            fig = pass_map_figure(
                elements,
                site,
                pass_,
                region=args.region,
                zone=zone,
                min_elevation_deg=_or(args.min_elevation, 10.0),
                tick_minutes=_or(args.tick_minutes, 1.0),
                number=number,
            )
            _save(fig, args.out, args.dpi, _inputs(args))
            return 0
        args.days = args.until = None  # no visible pass: the tracks from now, as asked before
    else:
        given = [f"--{k.replace('_', '-')}" for k in _PASS_ONLY if getattr(args, k) not in (None, False)]
        if given:
            raise OrbitsError(
                f"{given[0]} chooses a pass: give --pass N to map one (see 'orbits map --help')"
            )
    args.sun_altitude = -6.0
    start = _window(args, zone, site, default="now")
    sets = _elements(args, start, start + timedelta(hours=args.hours or 24.0))
    if len(sets) > 20:
        raise OrbitsError(f"{len(sets)} satellites would make an unreadable map; name up to 20")
    sets, trusts = _trusted(args, sets, start, start)
    fig = plot.map_figure(
        sets,
        start,
        region=args.region or "world",
        hours=args.hours,
        orbits=args.orbits,
        site=site,
        zone=zone,
        min_elevation_deg=_or(args.min_elevation, 0.0),
        tick_minutes=_or(args.tick_minutes, 10.0),
        trusts=trusts,
    )
    _save(fig, args.out, args.dpi, _inputs(args))
    return 0


def _or(value, default):
    return default if value is None else value


def cmd_sky(args):
    from .skychart import sky_figure

    _check_image(args)
    zone = display_zone(args.tz, args.utc)
    site = _site(args)
    elements, pass_, number = _chosen_pass(args, zone, site)
    fig = sky_figure(
        elements,
        site,
        pass_,
        zone,
        profile=args.profile,
        min_elevation_deg=args.min_elevation,
        sun_altitude_deg=args.sun_altitude,
        extinction_per_airmass=args.extinction,
        number=number,
    )
    _save(fig, args.out, args.dpi, _inputs(args))
    return 0


def _chosen_pass(args, zone, site, quiet=False):
    """``(elements, pass, number)``: pass ``--pass N`` (default 1) of the table
    'orbits passes SAT' prints with the same window, site and thresholds
    (the visible passes; with ``--all`` every pass).  With ``quiet``, None
    when there is no visible pass (one line says so) instead of an error."""
    from .passes import predict_passes

    args.sun_altitude = _or(args.sun_altitude, -6.0)
    args.horizon = _or(args.horizon, 0.0)
    min_elevation = _or(args.min_elevation, 10.0)
    start = _window(args, zone, site, default="now")
    sets = _elements(args, start, start + timedelta(days=args.days))
    if len(sets) != 1:
        raise OrbitsError(
            f"'orbits {args.command}' draws one satellite's pass; {len(sets)} were chosen (name one)"
        )
    prediction = predict_passes(
        sets,
        site,
        start,
        days=args.days,
        horizon_deg=args.horizon,
        min_elevation_deg=min_elevation,
        sun_altitude_deg=args.sun_altitude,
        extinction_per_airmass=args.extinction,
        withhold=not args.stale,
    )
    report = prediction.satellites[0]
    if report.status == "elements_too_old":
        raise OrbitsError(f"{report.name}: {report.message}; {prediction_advice(prediction)}")
    if args.brighter_than is not None:
        prediction = prediction.brighter_than(args.brighter_than)
    _warn(prediction.warnings)
    rows = prediction.passes if args.all else prediction.visible_passes
    name = report.name
    asked = args.satellites[0] if args.satellites else name
    table = f"'orbits passes {asked}{' --all' if args.all else ''}' with the same window and site"
    if report.status in ("always_above", "never_rises") and not (quiet and args.pass_number is None):
        where = "always above the horizon" if report.status == "always_above" else "never above the horizon"
        hint = f"; 'orbits now {asked}' gives its direction" if report.status == "always_above" else ""
        raise OrbitsError(f"{name} is {where} from {site.label} in this window: it has no pass to draw{hint}")
    if args.pass_number is None and not rows:
        what = "pass above the horizon" if args.all else "visible pass"
        from .text import window_text

        span = window_text(start, start + timedelta(days=args.days), zone)
        message = f"{name} has no {what} from {site.label} in {span}"
        if quiet:
            _say(f"{message}; drawing its track from now instead")
            return None
        raise OrbitsError(f"{message}; --all --pass N draws any pass (see {table})")
    number = args.pass_number or 1
    if number > len(rows):
        kind = "passes" if args.all else "visible passes"
        raise OrbitsError(f"--pass {number}: {name} has {len(rows)} {kind} in this window (see {table})")
    return sets[0], rows[number - 1], number


def _window(args, zone, site, default=None):
    """The window's start from ``--start`` (``tonight``: the coming night at
    the site; ``default`` when not given), setting ``args.days`` from
    ``--until``, the night, or 7."""
    from .twilight import tonight

    if args.start is None:
        args.start = default

    if args.until is not None and args.days is not None:
        raise OrbitsError("give --days or --until, not both")
    if str(args.start).strip().lower() == "tonight":
        night = tonight(site, datetime.now(UTC), args.sun_altitude)
        start = night.dusk
        if args.days is None and args.until is None:
            args.days = (night.dawn - night.dusk).total_seconds() / 86400.0
    else:
        start = parse_instant(args.start, zone, "--start")
    if args.until is not None:
        end = parse_instant(args.until, zone, "--until")
        if not end > start:
            raise OrbitsError(
                f"--until {args.until!r} is not after the start ({start.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
            )
        args.days = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 86400.0  # real hours
    if args.days is None:
        args.days = 7.0
    return start.astimezone(UTC)  # (wall-clock arithmetic in a zone would slip an hour at a clock change)


def prediction_advice(prediction):
    """What to do about elements too old to use (the advice of the first such satellite)."""
    from .freshness import trust

    return trust(prediction.elements[0], prediction.start, prediction.end).advice()


def _elements(args, start, end):
    """The element sets a prediction over ``[start, end]`` uses (see
    :func:`orbits.api.prediction_elements`): refreshed first unless offline,
    one line on stderr saying what the refresh did."""
    from .api import prediction_elements

    return prediction_elements(
        args.satellites,
        start,
        end,
        tle=args.tle,
        group=args.group,
        refresh=not args.offline,
        max_age_days=args.max_age,
        say=_say,
    )


def _trusted(args, sets, start, end):
    """``(sets, trusts)`` for a picture or position list over ``[start, end]``:
    satellites whose elements are too old to place them are left out (one
    line says so) unless ``--stale``.  Refuses when none is left."""
    from .freshness import too_old_line
    from .freshness import trusts as trusts_of

    trusts = trusts_of(sets, start, end)
    if args.stale:
        return sets, trusts
    kept = [(e, t) for e, t in zip(sets, trusts, strict=True) if not t.too_old]
    if not kept:
        raise OrbitsError(too_old_line(trusts, "nothing to draw"))
    line = too_old_line(trusts, "tracks not drawn")
    if line:
        _warn([line])
    return [e for e, _ in kept], [t for _, t in kept]


def _tle_parsers(sub):
    from .celestrak import FORMATS, MIN_INTERVAL

    hours = MIN_INTERVAL.total_seconds() / 3600
    tle = sub.add_parser("tle", help="element sets: fetch fresh ones from CelesTrak, show what is used")
    tsub = tle.add_subparsers(dest="tle_command", metavar="ACTION", parser_class=_Parser)
    tsub.required = True
    p = tsub.add_parser("update", help="fetch current elements from CelesTrak's GP API into the cache")
    p.add_argument(
        "satellites",
        nargs="*",
        metavar="SAT",
        help="name, alias or NORAD number (default: Tiangong and Pakistan's satellites)",
    )
    p.add_argument("--group", metavar="NAME", help="a CelesTrak group instead, e.g. stations or active")
    p.add_argument(
        "--force",
        action="store_true",
        help=f"fetch even if the same query succeeded less than {hours:g} h ago",
    )
    p.add_argument(
        "--gp-format",
        choices=FORMATS,
        default="json",
        help="format to request (default json, OMM; TLE cannot carry 6-digit NORAD numbers)",
    )
    p.add_argument(
        "--timeout",
        type=_number("--timeout", 0.1, 300),
        default=10.0,
        metavar="S",
        help="seconds to wait for the server to connect or send (default 10)",
    )
    p.add_argument("--offline", action="store_true", help="refuse to use the network")
    p.set_defaults(func=cmd_tle_update)
    p = tsub.add_parser(
        "import", help="add element files fetched elsewhere (TLE, OMM JSON or CSV) to the cache"
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="element file; checked strictly before anything is kept"
    )
    p.set_defaults(func=cmd_tle_import)
    p = tsub.add_parser("status", help="each satellite's element epoch, age and source (cache or bundled)")
    p.add_argument("satellites", nargs="*", metavar="SAT", help="name, alias or NORAD number")
    p.add_argument("--group", metavar="NAME", help="the satellites of a cached CelesTrak group")
    p.add_argument("--format", choices=("table", "json"), default="table")
    _zone_options(p)
    p.set_defaults(func=cmd_tle_status)


def _site(args):
    """The one site of a command (``now``, ``map``, ``sky``)."""
    names = args.site or []
    if len(names) > 1 or getattr(args, "sites", None):
        raise OrbitsError(f"'orbits {args.command}' takes one site; several are for 'orbits passes'")
    return _named_or_placed(args, names[0] if names else None)


def _named_or_placed(args, name):
    from .sites import Site, site_named

    if args.lat is not None or args.lon is not None:
        if name:
            raise OrbitsError("give either --site or --lat/--lon, not both")
        if args.lat is None or args.lon is None:
            raise OrbitsError("--lat and --lon go together")
        lon = args.lon - 360.0 if args.lon > 180.0 else args.lon
        return Site(args.lat, lon, args.elevation if args.elevation is not None else 0.0)
    site = site_named(name or "islamabad")
    if args.elevation is not None:  # an explicit height overrides the named site's
        site = Site(site.latitude_deg, site.longitude_deg, args.elevation, site.name)
    return site


def _sites(args):
    """The sites of ``orbits passes``: each ``--site``, then the ``--sites``
    file's, or the one of ``--lat``/``--lon`` (default islamabad)."""
    from .sitesfile import load_sites

    names = args.site or []
    if not args.sites:
        if len(names) <= 1:
            return [_named_or_placed(args, names[0] if names else None)]
    elif args.lat is not None or args.lon is not None:
        raise OrbitsError("give either --sites or --lat/--lon, not both")
    if len(names) > 1 and args.elevation is not None:
        raise OrbitsError("--elevation replaces one named site's height; with several sites use --sites")
    sites = [_named_or_placed(args, name) for name in names]
    if args.sites:
        sites += load_sites(args.sites)
    seen = set()
    for site in sites:
        if site.label in seen:
            raise OrbitsError(f"site {site.label!r} is given twice; each site needs its own name")
        seen.add(site.label)
    return sites


def _emit(args, text):
    """Write ``text`` (a string or an iterable of pieces) to --output
    atomically (temp file + rename), else to stdout."""
    if args.output:
        write_atomic(args.output, text, _inputs(args))
        return
    try:
        for piece in [text] if isinstance(text, str) else text:
            sys.stdout.write(piece)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OrbitsError(f"cannot write to standard output ({os_error_text(exc)})") from None


#: Passes a day of one low-orbit satellite gives over a mid-latitude site,
#: about (93,236 for the 15,008 satellites of the catalogue day), and the
#: JSON bytes each pass takes: for sizing jobs up front.
_PASSES_PER_SATELLITE_DAY = 6.2
_JSON_BYTES_PER_PASS = 700
#: Tables, CSV and iCalendar are built in memory: past this many passes
#: (about 1 GB of memory) a job is refused with the way to do it.
MAX_IN_MEMORY_PASSES = 500_000
#: A JSON job past this many passes is warned about up front.
LARGE_JSON_PASSES = 2_000_000


def _bound(args, sets, sites=1):
    """Refuse or warn about a job whose output would be huge, before it runs."""
    passes = len(sets) * sites * args.days * _PASSES_PER_SATELLITE_DAY
    if args.format != "json" and passes > MAX_IN_MEMORY_PASSES:
        raise OrbitsError(
            f"{len(sets)} satellites{f' at {sites} sites' if sites > 1 else ''} over {args.days:g} days "
            f"make about {passes / 1e6:.1f} "
            f"million passes, too many for a {args.format} built in memory; use "
            f"'--format json -o FILE', which is written as it is computed, or fewer --days"
        )
    if args.format == "json" and passes > LARGE_JSON_PASSES:
        size_gb = passes * _JSON_BYTES_PER_PASS / 1e9
        _warn(
            [
                f"about {passes / 1e6:.0f} million passes, {size_gb:.0f} GB of JSON: "
                f"this takes a long time (Ctrl-C stops it, leaving no partial file)"
            ]
        )


def _inputs(args):
    """The files a command reads (an output must not be one of them)."""
    sites = getattr(args, "sites", None)
    return list(getattr(args, "tle", None) or []) + ([sites] if sites else [])


def _warn(messages):
    for m in messages:
        print(f"orbits: warning: {m}", file=sys.stderr)


def _say(message):
    print(f"orbits: {message}", file=sys.stderr)


def _progress():
    if not sys.stderr.isatty():
        return None

    def show(done, total):
        bar = "#" * int(30 * done / total)
        sys.stderr.write(f"\r  predicting [{bar:<30}] {done}/{total}")
        if done == total:
            sys.stderr.write("\r" + " " * 50 + "\r")
        sys.stderr.flush()

    return show


def cmd_passes(args):
    if args.format == "ics" and args.all:
        raise OrbitsError("--all has no effect with --format ics: calendar events are the visible passes")
    if args.output:
        check_output(args.output, _inputs(args))
    zone = display_zone(args.tz, args.utc)
    sites = _sites(args)
    site = sites if len(sites) > 1 else sites[0]
    start = _window(args, zone, sites[0])
    sets = _elements(args, start, start + timedelta(days=args.days))
    _bound(args, sets, len(sites))
    progress = _progress() if len(sets) * len(sites) > 200 else None
    executor = None
    if args.scheduler:
        from .cluster import connect

        executor = connect(args.scheduler, args.scheduler_timeout)
    try:
        return _passes(args, zone, sets, site, start, progress, executor)
    finally:
        if executor is not None:
            executor.close()


def _passes(args, zone, sets, site, start, progress, executor):
    """``orbits passes`` once its inputs are read."""
    from .passes import PassStream, predict_passes

    options = dict(
        days=args.days,
        horizon_deg=args.horizon,
        min_elevation_deg=args.min_elevation,
        sun_altitude_deg=args.sun_altitude,
        progress=progress,
        withhold=not args.stale,
        executor=executor,
        extinction_per_airmass=args.extinction,
    )
    visible_only = not args.all
    if args.format == "json":  # written slice by slice as it is computed
        from .jsontext import json_chunks
        from .records import streamed_passes_json

        stream = PassStream(sets, site, start, brighter_than=args.brighter_than, **options)
        _emit(args, json_chunks(streamed_passes_json(stream, zone, visible_only)))
        _warn(stream.finish().warnings)
        return 0
    prediction = predict_passes(sets, site, start, **options)
    if args.brighter_than is not None:
        prediction = prediction.brighter_than(args.brighter_than)
    _warn(prediction.warnings)
    if args.format == "csv":
        from .csvtext import passes_csv

        text = passes_csv(prediction, zone, visible_only)
    elif args.format == "ics":
        from .calendar import passes_ics

        text = passes_ics(prediction, zone)
    else:
        from .text import passes_table

        text = passes_table(prediction, zone, visible_only)
    _emit(args, text)
    return 0


def cmd_now(args):
    from .api import where
    from .csvtext import now_csv
    from .freshness import too_old_line
    from .jsontext import json_text
    from .records import now_json
    from .text import now_table

    if args.output:
        check_output(args.output, _inputs(args))
    zone = display_zone(args.tz, args.utc)
    site = _site(args)
    if str(args.at).strip().lower() == "tonight":
        from .twilight import tonight

        present = datetime.now(UTC)
        when = max(present, tonight(site, present, -6.0).dusk)  # the coming dusk, or now when dark
    else:
        when = parse_instant(args.at, zone, "--at")
    here = where(
        args.satellites,
        site,
        when,
        tle=args.tle,
        group=args.group,
        stale=args.stale,
        refresh=not args.offline,
        max_age_days=args.max_age,
        zone=zone,
        say=_say,
    )
    shots, trusts, withhold = here.snapshots, here.trusts, here.withhold
    line = too_old_line(trusts, "positions withheld") if withhold else None
    if line:
        _warn([line])
    if args.format == "json":
        text = json_text(now_json(shots, site, zone, trusts, withhold))
    elif args.format == "csv":
        text = now_csv(shots, site, zone, trusts, withhold)
    else:
        text = now_table(shots, site, zone, trusts, withhold)
    _emit(args, text)
    return 0


def cmd_catalog(args):
    from . import elements
    from .jsontext import json_text
    from .records import catalog_json
    from .text import catalog_table

    zone = display_zone(args.tz, args.utc)
    when = datetime.now(UTC)
    if args.tle:
        sets = elements.select((), args.tle)
        entries = [(None, e) for e in sets]
        historic = ()
    else:
        by_id = {e.norad_id: e for e in elements.bundled_elements()}
        entries = [(k, by_id.get(k.norad_id)) for k in KNOWN]
        historic = tuple(HISTORIC.values())
    if args.format == "json":
        data = catalog_json(entries, when)
        data["not_predictable"] = list(historic)
        sys.stdout.write(json_text(data))
    else:
        sys.stdout.write(catalog_table(entries, when, zone, historic))
    return 0


def cmd_tle_update(args):
    from . import celestrak, elements
    from .cache import ElementCache
    from .catalog import MISSION

    if args.group and args.satellites:
        raise OrbitsError("give satellites or --group, not both")
    cache = ElementCache()
    if args.group:
        queries = [celestrak.Query("GROUP", args.group.strip())]
    else:
        best = elements.freshest(cache)
        available = [(n, name) for n, (_, name, _) in best.items()]
        numbers = [resolve(q, available) for q in args.satellites] or list(MISSION)
        queries = [celestrak.Query("CATNR", str(n)) for n in dict.fromkeys(numbers)]

    def log(message):
        sys.stderr.write(f"\r  fetched {message:<60}")
        sys.stderr.flush()

    try:
        fetched, skipped = celestrak.update(
            queries,
            cache,
            force=args.force,
            fmt=args.gp_format,
            timeout_s=args.timeout,
            log=log if sys.stderr.isatty() else None,
            offline_mode=args.offline,
        )
    except celestrak.FetchError as exc:
        raise celestrak.FetchError(f"{exc}. {_elsewhere(queries, args.gp_format)}") from None
    if sys.stderr.isatty() and fetched:
        sys.stderr.write("\r" + " " * 72 + "\r")
    now = datetime.now(UTC)
    for query, entry in skipped:
        minutes = (now - entry.fetched).total_seconds() / 60
        print(
            f"{query}: kept the cached reply of {minutes:.0f} min ago (CelesTrak updates at most every "
            f"{celestrak.MIN_INTERVAL.total_seconds() / 3600:g} h; --force fetches anyway)"
        )
    for query, sets in fetched:
        newest = max(e.epoch for e in sets)
        what = sets[0].name if len(sets) == 1 else f"{len(sets)} satellites"
        age_days = (now - newest).total_seconds() / 86400
        print(f"{query}: {what}, epoch {newest:%Y-%m-%d %H:%M} UTC ({age_days:.1f} days old)")
    print(f"Cache: {cache.gp}")
    return 0


def _elsewhere(queries, fmt):
    """How to get ``queries`` without this machine's network: their URLs, and ``tle import``."""
    from .celestrak import GP_URL

    urls = [q.url(GP_URL, fmt) for q in queries[:2]]
    more = f" (and {len(queries) - 2} more, one per satellite)" if len(queries) > 2 else ""
    return (
        f"Without a network here: download {' and '.join(urls)}{more} on another device, "
        f"then 'orbits tle import FILE ...'"
    )


def cmd_tle_import(args):
    from . import elements
    from .catalog import display_name

    done = elements.import_files(args.files)
    now = datetime.now(UTC)
    for path, sets in done:
        newest = max(sets, key=lambda e: e.epoch)
        what = display_name(sets[0]) if len(sets) == 1 else f"{len(sets)} element sets"
        print(
            f"{path}: {what}, newest epoch {newest.epoch:%Y-%m-%d %H:%M} UTC "
            f"({(now - newest.epoch).total_seconds() / 86400:.1f} days old)"
        )
    print(f"Cache: {elements.user_cache().gp}")
    return 0


def cmd_tle_status(args):
    from . import elements
    from .jsontext import json_text
    from .records import status_json
    from .text import status_table

    zone = display_zone(args.tz, args.utc)
    cache = elements.user_cache()
    rows = elements.status(args.satellites, group=args.group, cache=cache)
    when = datetime.now(UTC)
    problems = {q: cache.problem(entry) for q, entry in cache.queries().items()} if cache is not None else {}
    if args.format == "json":
        sys.stdout.write(json_text(status_json(rows, when, problems)))
    else:
        sys.stdout.write(status_table(rows, when, zone, cache, problems))
    return 0


class Terminated(BaseException):
    """A termination signal (SIGTERM, SIGHUP) turned into an exception, so that
    every ``finally`` runs: worker processes are stopped, temporary files
    removed.  Not an :class:`Exception`: nothing may swallow it."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    signal.signal(signum, signal.SIG_IGN)  # one is enough: let the clean-up finish
    raise Terminated(signum)


def _handle_signals():
    """Turn SIGTERM and SIGHUP (where the platform has it) into :class:`Terminated`.
    Returns the previous handlers, to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, _on_signal)
    return previous


#: What a terminal that cannot show UTF-8 gets instead of the few non-ASCII
#: signs the tables use.
_ASCII = str.maketrans({"°": " deg", "±": "+/-", "–": "-", "—": "-", "…": "...", "≥": ">=", "≤": "<="})


class _Console:
    """A text stream that writes through ``stream`` whatever its encoding can
    take: the tables' signs it cannot encode become ASCII ("deg", "+/-") and
    any other such character a "?"."""

    def __init__(self, stream):
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "ascii"
        self.table = {c: r for c, r in _ASCII.items() if not _encodes(chr(c), self.encoding)}

    def write(self, text):
        text = text.translate(self.table)
        return self.stream.write(text.encode(self.encoding, "replace").decode(self.encoding))

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _encodes(text, encoding):
    try:
        text.encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _fits(stream):
    """True when ``stream`` can take every sign the tables use."""
    return _encodes("".join(map(chr, _ASCII)), getattr(stream, "encoding", None) or "ascii")


def main(argv=None):
    """Entry point of the ``orbits`` command; returns the exit status.

    Every failure ends in one line on stderr: exit 2 for bad input, 1 for
    the network, 130 for Ctrl-C, 128+n for signal n, 0 when the reader of
    the output went away.
    """
    streams = sys.stdout, sys.stderr
    if not _fits(sys.stdout):
        sys.stdout = _Console(sys.stdout)
    if not _fits(sys.stderr):
        sys.stderr = _Console(sys.stderr)
    previous = _handle_signals()
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except OrbitsError as exc:
        print(f"orbits: {exc}", file=sys.stderr)
        return getattr(exc, "exit_status", 2)
    except KeyboardInterrupt:
        print("orbits: interrupted", file=sys.stderr)
        return 130
    except Terminated as exc:
        print(f"orbits: stopped by signal {exc.signum}; nothing half-written was left", file=sys.stderr)
        return 128 + exc.signum
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.stdout, sys.stderr = streams


def run():
    """The ``orbits`` command: :func:`main`, then exit with its status.  A run
    stopped by Ctrl-C or a signal has cleaned up by then (workers stopped,
    temporary files removed) and leaves at once, without waiting on threads
    of the worker pool that may still be winding down."""
    status = main()
    if status in (130, 128 + getattr(signal, "SIGTERM", 15), 128 + getattr(signal, "SIGHUP", 1)):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    run()
