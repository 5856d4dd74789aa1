"""The public API: what notebooks, scripts and the command line use.

Everything here is importable from the package itself, as ``skyfield.api`` is
for Skyfield::

    import orbits
    passes = orbits.predict_passes("tiangong", "islamabad", days=3)
    passes                      # a Heavens-Above-like table in Jupyter
    passes.to_records()         # the rows of `orbits passes --format json`
    orbits.where("paksat-1r", "lahore")

Satellites may be given as names or aliases ("tiangong", "PRSS-1"), NORAD
numbers, or element sets already loaded; several as a list.  Sites as a name
("karachi") or :func:`site`.  Times as timezone-aware datetimes or ISO-8601
text (read in Pakistan time unless it carries an offset); None means now.
Angles are in degrees, distances in km, times in UTC inside.

The library never uses the network unless asked: ``refresh=True`` fetches
stale elements first, as the command line does (a few seconds at most,
never failing for want of a network).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .elementset import ElementSet
from .errors import OrbitsError
from .sites import Site
from .times import PKT, UTC, check_covered, parse_instant

__all__ = [
    "load_elements",
    "site",
    "load_sites",
    "predict_passes",
    "where",
    "trust",
    "ground_tracks",
    "teme_states",
    "country_outline",
    "refresh_elements",
    "predict_transits",
    "Passes",
    "Positions",
    "Transits",
]

Satellites = str | int | ElementSet | Iterable[str | int | ElementSet] | None


def load_elements(
    names: Satellites = None,
    *,
    tle: str | Sequence[str] | None = None,
    group: str | None = None,
    cache: bool = True,
) -> list[ElementSet]:
    """The element sets for ``names`` (default: Tiangong and Pakistan's satellites).

    ``tle``: element files (TLE, OMM JSON or CSV) to read instead; with no
    ``names``, every satellite in them.  ``group``: a CelesTrak group fetched
    with ``orbits tle update --group``.  Otherwise, per satellite, the
    freshest of the user's cache (``cache=False`` leaves it out) and the
    bundled snapshot.  Element sets given in ``names`` are kept as they are.
    """
    from . import elements

    given, queries = _split_satellites(names)
    files = [tle] if isinstance(tle, str) else list(tle or [])
    if given and not queries:
        return given
    loaded = elements.select(queries, files, group=group, cache=cache) if queries or not given else []
    return given + loaded


def _split_satellites(names):
    if names is None:
        return [], []
    if isinstance(names, (str, int, ElementSet)):
        names = [names]
    given, queries = [], []
    for item in names:
        if isinstance(item, ElementSet):
            given.append(item)
        else:
            queries.append(str(item))
    return given, queries


def site(name_or_lat: str | float | Site, lon: float | None = None, elevation_m: float | None = None) -> Site:
    """An observing site: a named one (``site("karachi")``, see
    :data:`orbits.sites.SITES`) or one at geodetic latitude and longitude in
    degrees (east positive) and ``elevation_m`` above the WGS84 ellipsoid.
    ``elevation_m`` with a name replaces the named site's height."""
    from .sites import site_named

    if isinstance(name_or_lat, Site):
        named = name_or_lat
    elif isinstance(name_or_lat, str) and lon is None:
        named = site_named(name_or_lat)
    else:
        if lon is None:
            raise OrbitsError("give a site name, or a latitude and a longitude")
        longitude = float(lon) - 360.0 if float(lon) > 180.0 else float(lon)
        return Site(float(name_or_lat), longitude, 0.0 if elevation_m is None else float(elevation_m))
    if elevation_m is None:
        return named
    return Site(named.latitude_deg, named.longitude_deg, float(elevation_m), named.name)


def _site(value):
    return value if isinstance(value, Site) else site(value)


def _sites(value):
    """One site, or a list of them (names or :class:`Site` objects)."""
    if isinstance(value, (list, tuple)):
        return [_site(v) for v in value]
    return _site(value)


def load_sites(path) -> list[Site]:
    """The ground stations of a sites file (CSV: ``name,latitude,longitude,
    elevation_m`` and optionally ``min_elevation``, ``horizon_mask``; see
    :mod:`orbits.sitesfile`), for :func:`predict_passes`."""
    from .sitesfile import load_sites as load

    return load(path)


def _instant(value, zone, what):
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise OrbitsError(f"{what} must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc))")
        check_covered(value, what=f"{what} {value:%Y-%m-%d}")
        return value
    return parse_instant(str(value), zone, what)


def refresh_elements(
    sets: list[ElementSet],
    start: datetime,
    end: datetime,
    *,
    max_age_days: float | None = None,
    group: str | None = None,
) -> tuple[bool, list[str]]:
    """Fetch fresh elements from CelesTrak for the stale ones among ``sets``
    (see :mod:`orbits.freshness`), as the prediction commands do: only for
    windows near now, at most a few seconds, never raising for the network.

    Returns ``(fetched, messages)``: whether anything new is in the cache (load
    the elements again to use it), and lines saying what happened.
    """
    from . import celestrak, elements
    from .catalog import display_name
    from .freshness import celestrak_url, is_fresh, near_now

    now = datetime.now(UTC)
    cache = elements.user_cache()
    if cache is None or celestrak.offline() or not near_now(start, end, now):
        return False, []
    stale = [e for e in sets if not is_fresh(e, start, end, max_age_days)]
    if not stale:
        return False, []
    if group:
        queries = [celestrak.Query("GROUP", group.strip())]
    else:
        queries = [celestrak.Query("CATNR", str(e.norad_id)) for e in stale]
    result = celestrak.refresh(queries, cache, now=now)
    messages = []
    if result.fetched:
        got = [e for _, fetched in result.fetched for e in fetched]
        ages = sorted((now - e.epoch).total_seconds() / 86400.0 for e in got)
        names = ", ".join(display_name(e) for e in got[:6])
        names += f" and {len(got) - 6} more" if len(got) > 6 else ""
        span = f"{ages[0]:.1f}" if ages[-1] - ages[0] < 0.05 else f"{ages[0]:.1f} to {ages[-1]:.1f}"
        messages.append(f"refreshed the elements of {names} from CelesTrak (now {span} days old)")
    if result.error:
        left = [e for e in stale if any(str(q) == f"CATNR={e.norad_id}" for q in result.not_tried)]
        where_ = ""
        if left:
            numbers = ", ".join(str(e.norad_id) for e in left[:9])
            where_ = (
                f"; to get them without this machine's network, download "
                f"{celestrak_url(left[0].norad_id)} "
                f"(CATNR={numbers}, one each) elsewhere and run 'orbits tle import FILE'"
            )
        messages.append(
            f"warning: could not refresh elements ({result.error}); "
            f"predicting from the elements at hand{where_}"
        )
    return bool(result.fetched), messages


def prediction_elements(
    satellites: Satellites,
    start: datetime,
    end: datetime,
    *,
    tle=None,
    group=None,
    cache: bool = True,
    refresh: bool = False,
    max_age_days: float | None = None,
    say=None,
    on_slots: bool = True,
) -> list[ElementSet]:
    """The element sets a prediction over ``[start, end]`` uses: loaded as
    :func:`load_elements` does, refreshed first when asked and stale, with
    station-kept geostationary satellites on their slots when their elements
    are not fresh (:func:`orbits.freshness.on_slots`; ``on_slots=False``
    keeps the elements as they are).  ``say(line)`` is told what the refresh
    did."""
    from .freshness import on_slots as place_on_slots

    check_covered(start, end)
    sets = load_elements(satellites, tle=tle, group=group, cache=cache)
    if refresh and cache and not tle:
        fetched, messages = refresh_elements(sets, start, end, max_age_days=max_age_days, group=group)
        for line in messages:
            if say is not None:
                say(line)
        if fetched:
            sets = load_elements(satellites, tle=tle, group=group, cache=cache)
    return place_on_slots(sets, start, end, max_age_days) if on_slots else sets


@dataclass
class Passes(Sequence):
    """The passes a prediction gives, as the command line lists them.

    A sequence of :class:`orbits.table.Pass` (the visible ones, or all with
    ``visible_only=False``), in time order, each with ``time_uncertainty_s``.
    ``prediction`` is the full :class:`orbits.passes.Prediction`
    (``satellites``: a report per satellite, ``warnings``).  In Jupyter it
    shows as a table; :meth:`to_records` gives the rows of ``orbits passes
    --format json``, :meth:`to_dataframe` the same as a pandas DataFrame.
    """

    prediction: object
    visible_only: bool = True
    zone: object = PKT
    _rows: list = field(default=None, repr=False)

    @property
    def passes(self) -> list:
        if self._rows is None:
            p = self.prediction
            self._rows = p.visible_passes if self.visible_only else p.passes
        return self._rows

    def __getitem__(self, index):
        return self.passes[index]

    def __len__(self):
        return len(self.passes)

    @property
    def satellites(self) -> list:
        """A :class:`orbits.passes.SatelliteReport` per satellite (status, ±, source)."""
        return self.prediction.satellites

    @property
    def warnings(self) -> list:
        return self.prediction.warnings

    def to_records(self) -> list[dict]:
        """The passes as the command line's JSON rows (``orbits passes --format json``)."""
        from .records import passes_json

        return passes_json(self.prediction, self.zone, self.visible_only)["passes"]

    def to_dataframe(self):
        """The passes as a pandas DataFrame, one row per pass (needs pandas)."""
        return _dataframe(self.to_records())

    def __repr__(self):
        p = self.prediction
        kind = "visible passes" if self.visible_only else "passes"
        plural = "s" if len(p.satellites) != 1 else ""
        return (
            f"<Passes: {len(self)} {kind} of {len(p.satellites)} satellite{plural}"
            f" over {p.site.label if len(p.sites) == 1 else f'{len(p.sites)} sites'},"
            f" {p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M} UTC>"
        )

    def _repr_html_(self):
        from .text import passes_html

        return passes_html(self.prediction, self.zone, self.visible_only)


def predict_passes(
    satellites: Satellites = None,
    site: str | Site | Sequence[str | Site] = "islamabad",
    start: datetime | str | None = None,
    days: float = 7.0,
    *,
    end: datetime | str | None = None,
    tle: str | Sequence[str] | None = None,
    group: str | None = None,
    visible_only: bool = True,
    horizon_deg: float = 0.0,
    min_elevation_deg: float = 10.0,
    sun_altitude_deg: float = -6.0,
    extinction_per_airmass: float | None = None,
    stale: bool = False,
    cache: bool = True,
    refresh: bool = False,
    max_age_days: float | None = None,
    zone=PKT,
) -> Passes:
    """The passes of ``satellites`` over ``site`` from ``start`` for ``days``
    (or to ``end``), as ``orbits passes`` gives them.  ``site`` may be a
    list of sites (a network, e.g. from :func:`load_sites`): each pass then
    says its ``site``, and the passes come site after site.

    Visible passes by default (sunlit, at least ``min_elevation_deg`` up, the
    Sun at most ``sun_altitude_deg``); ``visible_only=False`` for every pass
    above ``horizon_deg``.  Magnitudes are as seen through the air, with
    ``extinction_per_airmass`` (mag per airmass; None: the clear-sky default
    for the site's height, about 0.2 at sea level; 0: none), and above the
    atmosphere (``magnitude_above_atmosphere``).  Passes whose elements are too old to time them
    are withheld unless ``stale`` (see :mod:`orbits.freshness`).  ``zone``
    is the time zone of :meth:`Passes.to_records` and the table.
    """
    from .passes import predict_passes as predict

    first = _instant(start, zone, "start")
    last = _instant(end, zone, "end") if end is not None else first + timedelta(days=float(days))
    sets = prediction_elements(
        satellites, first, last, tle=tle, group=group, cache=cache, refresh=refresh, max_age_days=max_age_days
    )
    prediction = predict(
        sets,
        _sites(site),
        first,
        last,
        horizon_deg=horizon_deg,
        min_elevation_deg=min_elevation_deg,
        sun_altitude_deg=sun_altitude_deg,
        withhold=not stale,
        extinction_per_airmass=extinction_per_airmass,
    )
    return Passes(prediction, visible_only, zone)


@dataclass
class Positions(Sequence):
    """Where satellites are at one instant, as ``orbits now`` says: a sequence
    of :class:`orbits.positions.Snapshot`, with each one's
    :class:`orbits.freshness.Trust` (``trusts``: its ± and whether its
    elements are too old to place it).  In Jupyter a table; :meth:`to_records`
    gives the rows of ``orbits now --format json``."""

    snapshots: list
    trusts: list
    site: Site
    withhold: bool = True
    zone: object = PKT

    def __getitem__(self, index):
        return self.snapshots[index]

    def __len__(self):
        return len(self.snapshots)

    def to_records(self) -> list[dict]:
        from .records import now_json

        return now_json(self.snapshots, self.site, self.zone, self.trusts, self.withhold)["now"]

    def to_dataframe(self):
        return _dataframe(self.to_records())

    def __repr__(self):
        when = self.snapshots[0].time if self.snapshots else None
        if not when:
            return "<Positions: none>"
        return f"<Positions of {len(self)} satellites from {self.site.label} at {when:%Y-%m-%d %H:%M:%S} UTC>"

    def _repr_html_(self):
        from .text import now_html

        return now_html(self.snapshots, self.site, self.zone, self.trusts, self.withhold)


def where(
    satellites: Satellites = None,
    site: str | Site = "islamabad",
    at: datetime | str | None = None,
    *,
    tle: str | Sequence[str] | None = None,
    group: str | None = None,
    stale: bool = False,
    cache: bool = True,
    refresh: bool = False,
    max_age_days: float | None = None,
    zone=PKT,
    say=None,
    on_slots: bool = True,
) -> Positions:
    """Where ``satellites`` are at ``at`` (default now) as seen from ``site``:
    azimuth, elevation, range, sub-satellite point, sunlit, and each one's ±.
    Geostationary satellites with stale elements are placed on their slot
    (``on_slots=False``: where their elements alone put them).  ``say(line)``
    is told what a refresh did."""
    from .freshness import trusts
    from .positions import observe

    when = _instant(at, zone, "at")
    sets = prediction_elements(
        satellites,
        when,
        when,
        tle=tle,
        group=group,
        cache=cache,
        refresh=refresh,
        max_age_days=max_age_days,
        say=say,
        on_slots=on_slots,
    )
    observer = _site(site)
    return Positions(observe(sets, when, observer), trusts(sets, when, when), observer, not stale, zone)


def trust(
    satellites: Satellites = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    *,
    tle: str | Sequence[str] | None = None,
    cache: bool = True,
    on_slots: bool = True,
    max_age_days: float | None = None,
    zone=PKT,
) -> list:
    """How far each satellite's elements can be trusted over ``[start, end]``
    (default: the instant ``start``, itself default now): a
    :class:`orbits.freshness.Trust` each, with ``age_days``,
    ``time_uncertainty_s`` and ``position_uncertainty_km`` (90% bounds),
    ``too_old`` (its passes would be withheld) and ``on_slot`` (a stale
    geostationary satellite placed on its slot; ``on_slots=False`` judges
    the elements as they are)."""
    from .freshness import trusts

    first = _instant(start, zone, "start")
    last = _instant(end, zone, "end") if end is not None else first
    sets = prediction_elements(
        satellites, first, last, tle=tle, cache=cache, max_age_days=max_age_days, on_slots=on_slots
    )
    return trusts(sets, first, last)


def ground_tracks(
    satellites: Satellites = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    *,
    hours: float = 24.0,
    step_s: float = 20.0,
    tle: str | Sequence[str] | None = None,
    cache: bool = True,
    zone=PKT,
) -> list:
    """Each satellite's sub-satellite points every ``step_s`` seconds from
    ``start`` (default now) to ``end`` (default ``hours`` later): an
    :class:`orbits.tracks.GroundTrack` each (``times_s`` POSIX seconds,
    ``latitude_deg``, ``longitude_deg``, ``altitude_km``, ``sunlit``).
    Elements as they are (no slot placement): the track the elements give."""
    from .tracks import ground_tracks as tracks

    first = _instant(start, zone, "start")
    last = _instant(end, zone, "end") if end is not None else first + timedelta(hours=float(hours))
    check_covered(first, last)
    return tracks(load_elements(satellites, tle=tle, cache=cache), first, last, step_s=step_s)


def teme_states(satellites: Satellites, times_s) -> list:
    """SGP4 states of each satellite at POSIX seconds ``times_s`` (an array):
    an :class:`orbits.positions.TemeStates` each, positions in km and
    velocities in km/s in SGP4's TEME frame, NaN where SGP4 fails."""
    from .positions import teme_states as states

    return states(load_elements(satellites), times_s)


def country_outline(iso_a3: str = "PAK") -> list:
    """A country's outline from the bundled Natural Earth borders: a list of
    ``(longitude_deg, latitude_deg)`` arrays, one per ring (``"PAK"``: ISO
    3166 alpha-3)."""
    from .earth import countries

    known = countries()
    if iso_a3 not in known.iso_a3:
        raise OrbitsError(f"no country {iso_a3!r} in the bundled outlines (ISO 3166 alpha-3 codes, as 'PAK')")
    return known.rings_of(iso_a3)


BODY_CHOICES = {"sun": ("sun",), "moon": ("moon",), "both": ("sun", "moon")}


@dataclass
class Transits(Sequence):
    """The transits a search gives, as ``orbits transits`` lists them: a
    sequence of :class:`orbits.transits.Transit` in time order (numbered
    from 1), each with its ``time_uncertainty_s`` and centre line.
    ``search`` is the full :class:`orbits.transits.TransitSearch`
    (``satellites``, ``warnings``).  In Jupyter a table; :meth:`to_records`
    gives the rows of ``orbits transits --format json``."""

    search: object
    zone: object = PKT

    @property
    def transits(self) -> list:
        return self.search.transits

    def __getitem__(self, index):
        return self.search.transits[index]

    def __len__(self):
        return len(self.search.transits)

    @property
    def satellites(self) -> list:
        return self.search.satellites

    @property
    def warnings(self) -> list:
        return self.search.warnings

    def number(self, n: int):
        """Transit number ``n`` (as listed, from 1)."""
        if not len(self):
            raise OrbitsError(
                f"transit {n}: this search found none (widen --max-separation, --within or --days)"
            )
        if not 1 <= n <= len(self):
            raise OrbitsError(f"transit {n}: there are {len(self)} in this search (numbered from 1)")
        return self.search.transits[n - 1]

    def to_records(self) -> list[dict]:
        """The transits as the command line's JSON rows (``orbits transits --format json``)."""
        from .transitrecords import transits_json

        return transits_json(self.search, self.zone)["transits"]

    def to_dataframe(self):
        return _dataframe(self.to_records())

    def __repr__(self):
        s = self.search
        return (
            f"<Transits: {len(self)} of the {' and '.join(s.bodies)} from {s.site.label}, "
            f"{s.start:%Y-%m-%d %H:%M} to {s.end:%Y-%m-%d %H:%M} UTC>"
        )

    def _repr_html_(self):
        from .transittext import transits_html

        return transits_html(self.search, self.zone)


def predict_transits(
    satellites: Satellites = None,
    site: str | Site = "islamabad",
    start: datetime | str | None = None,
    days: float = 7.0,
    *,
    end: datetime | str | None = None,
    body: str = "both",
    max_separation_deg: float | None = None,
    within_km: float | None = None,
    tle: str | Sequence[str] | None = None,
    group: str | None = None,
    stale: bool = False,
    cache: bool = True,
    refresh: bool = False,
    max_age_days: float | None = None,
    zone=PKT,
    say=None,
) -> Transits:
    """Transits of ``satellites`` across the Sun and the Moon (``body``:
    ``"sun"``, ``"moon"`` or ``"both"``) seen from ``site``, from ``start``
    for ``days`` (or to ``end``), as ``orbits transits`` gives them: every
    closest approach within ``max_separation_deg`` (default 1) of the body's
    centre with both above the horizon, or with ``within_km`` every one
    whose centre line passes within that distance of the site.  For a
    geostationary satellite each is a day's sun (or moon) outage.
    Satellites whose elements are too old to time them are left out unless
    ``stale``; ``refresh`` fetches stale elements first (``say(line)`` is
    told what it did)."""
    from .transits import DEFAULT_MAX_SEPARATION_DEG, find_transits

    if body not in BODY_CHOICES:
        raise OrbitsError(f"body {body!r}: give sun, moon or both")
    if max_separation_deg is not None and within_km is not None:
        raise OrbitsError("give a separation limit or a distance from the centre line, not both")
    if within_km is not None and not 0 < within_km <= 2000:
        raise OrbitsError(f"the distance from the centre line must be from 0 to 2000 km, not {within_km}")
    first = _instant(start, zone, "start")
    last = _instant(end, zone, "end") if end is not None else first + timedelta(days=float(days))
    if not last > first:
        raise OrbitsError("the window's end is not after its start")
    sets = prediction_elements(
        satellites,
        first,
        last,
        tle=tle,
        group=group,
        cache=cache,
        refresh=refresh,
        max_age_days=max_age_days,
        say=say,
    )
    search = find_transits(
        sets,
        _site(site),
        first,
        last,
        bodies=BODY_CHOICES[body],
        max_separation_deg=DEFAULT_MAX_SEPARATION_DEG if max_separation_deg is None else max_separation_deg,
        within_km=within_km,
        withhold=not stale,
    )
    return Transits(search, zone)


def _dataframe(records):
    try:
        import pandas
    except ImportError:
        raise OrbitsError(
            "to_dataframe needs pandas (pip install pandas); to_records gives the same rows"
        ) from None
    return pandas.json_normalize(records)
