"""Transits: a satellite in front of the Sun or the Moon, seen from a site.

The search, one way as everywhere in the engine (elements -> positions ->
events -> transits):

1. **Passes.**  :class:`~orbits.search.PassSearch` gives the intervals in
   which each satellite is above the site's horizon (the whole window for
   a geostationary satellite in view).  Nothing outside them is sampled.
2. **Screening.**  Inside them the satellite's and the body's topocentric
   directions are sampled together on a coarse grid (10 s, 60 s for high
   orbits), every satellite in one grouped SGP4 call.  Between two samples
   ``t_i``, ``t_j`` the separation cannot fall below
   ``(sep_i + sep_j - w * dt) / 2``, ``w`` a bound on how fast the two
   directions move apart (the satellite's speed over its least possible
   range in the interval, plus the body's 0.006 deg/s): intervals where that
   exceeds the limit, or where the body is below the horizon throughout,
   are *proved* empty and dropped.  The others are sampled every 0.25 s and
   screened again.
3. **Refinement.**  Each local minimum of the fine samples is refined by
   golden-section search on the separation, vectorised over all candidates,
   to under a millisecond; then the roots of ``separation - radius`` (the
   transit's duration) and ``separation - limit`` (the window within the
   limit: a geostationary satellite's daily sun outage) by bisection.
4. **Centre line** (:mod:`orbits.centreline`) of each.

Angles are geometric for the satellite (no light time: 3 ms at 1000 km)
and *apparent* for the body (:mod:`orbits.bodies`), no refraction.
"""

import math
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from .bodies import BODIES, BodyTable
from .catalog import display_name, known_by_id
from .centreline import CentreLine, centre_lines
from .errors import OrbitsError
from .freshness import LOW_ORBIT_PERIOD_MIN, too_old_line, trusts
from .positions import Tracker
from .roots import bisect_crossing, golden_minimum
from .search import PassSearch
from .times import UTC, format_time, from_posix, to_posix

__all__ = [
    "DEFAULT_MAX_SEPARATION_DEG",
    "Transit",
    "SatelliteTransits",
    "TransitSearch",
    "find_transits",
    "separation_deg",
]

#: The default limit on the separation from the body's centre (deg): a small
#: dish's beam (a 1.2 m Ku-band dish's half-power half-width is 0.75 deg;
#: its sun outage starts a little wider), and for a low orbit a centre line
#: some 8 km from the site.
DEFAULT_MAX_SEPARATION_DEG = 1.0
#: Coarse screening steps (s): low orbits, and orbits with periods over 225 min.
COARSE_STEP_S = 10.0
HIGH_COARSE_STEP_S = 60.0
FINE_STEP_S = 0.25
#: Grid samples screened at once (about 100 MB of temporaries).
CHUNK_SAMPLES = 200_000
#: A bound on how fast the Sun's or the Moon's topocentric direction turns
#: (deg/s): the sky's rotation, 0.0042, plus the Moon's own motion and
#: parallax changes, with room.
BODY_RATE_DEG_S = 0.006
#: A bound on how fast a body's altitude changes (deg/s).
BODY_ALTITUDE_RATE_DEG_S = 0.0045


@dataclass(frozen=True)
class Transit:
    """One closest approach of a satellite to a body's centre, seen from the site.

    ``time`` (aware UTC) of the least separation ``separation_deg``; the
    body's apparent radius ``body_radius_deg``; ``transit`` when the
    satellite crosses the disc, for ``duration_s`` (0 otherwise);
    ``window_start``/``window_end`` when the separation is within the
    search's limit (for a geostationary satellite, the day's sun outage).
    The satellite's azimuth, elevation, range and angular size
    (``satellite_size_arcsec``, None when its size is not known), the
    body's altitude and azimuth, the Moon's phase (None for the Sun), the
    relative speed of the two across the sky ``angular_speed_deg_s``, the
    :class:`~orbits.centreline.CentreLine`, and ``time_uncertainty_s``: how
    far every time can be off for the elements' age (90%).
    """

    number: int
    norad_id: int
    name: str
    body: str
    time: datetime
    separation_deg: float
    body_radius_deg: float
    transit: bool
    duration_s: float
    window_start: datetime
    window_end: datetime
    satellite_azimuth_deg: float
    satellite_elevation_deg: float
    range_km: float
    satellite_size_arcsec: float | None
    body_altitude_deg: float
    body_azimuth_deg: float
    moon_illuminated: float | None
    moon_waxing: bool | None
    angular_speed_deg_s: float
    geostationary: bool
    centre_line: CentreLine | None
    time_uncertainty_s: float
    tle_epoch: datetime
    elements: object = field(repr=False, compare=False, default=None)

    @property
    def solar(self) -> bool:
        """True in front of the Sun: looking needs a solar filter."""
        return self.body == "sun"


@dataclass(frozen=True)
class SatelliteTransits:
    """What the search found for one satellite: ``status`` is ``"searched"``
    (it was above the horizon), ``"never_rises"``, ``"failed"`` (SGP4
    cannot propagate its elements over the window) or ``"elements_too_old"``
    (its ± exceeds what makes a time meaningful: nothing searched); ``count``
    its transits or approaches found; ``message`` says why when not searched."""

    norad_id: int
    name: str
    status: str
    count: int
    time_uncertainty_s: float
    message: str = ""


@dataclass(frozen=True)
class TransitSearch:
    """The result of :func:`find_transits`: the settings, the ``transits``
    in time order, a report per satellite and the warnings."""

    site: object
    start: datetime
    end: datetime
    bodies: tuple
    max_separation_deg: float
    within_km: float | None
    transits: list
    satellites: list
    warnings: list
    elements: list = field(repr=False, default_factory=list)


def separation_deg(a, b):
    """Angle (deg) between vectors ``a`` and ``b`` (..., 3), accurate at small angles."""
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    dot = np.einsum("...i,...i->...", a, b)
    return np.degrees(np.arctan2(cross, dot))


class _Geometry:
    """Satellite and body seen from the site at (satellite index, time) pairs."""

    def __init__(self, tracker, bodies, site):
        self.tracker, self.bodies, self.site = tracker, bodies, site
        self.site_km = site.itrs_km()
        self.up = site.enu_matrix()[2]

    def look(self, sat, t):
        return self.tracker.look(t, index=sat)

    def at(self, sat, t, body, look=None):
        look = self.tracker.look(t, index=sat) if look is None else look
        b = self.bodies.earth_fixed_km(body, t) - self.site_km
        s = look["r_ef"] - self.site_km
        body_range = np.linalg.norm(b, axis=-1)
        return {
            "sep": separation_deg(s, b),
            "range": look["range_km"],
            "speed": np.linalg.norm(look["v_ef"], axis=-1),
            "body_alt": np.degrees(np.arcsin(np.clip(b @ self.up / body_range, -1.0, 1.0))),
            "body_range": body_range,
            "sat_el": look["elevation_deg"],
            "sat_az": look["azimuth_deg"],
            "error": look["error"],
            "s": s,
            "b": b,
        }

    def sep(self, sat, t, body):
        return self.at(sat, t, body)["sep"]


def _intervals(search, count, start_s, end_s):
    """Per satellite, the (lo, hi) POSIX intervals it is above the horizon in the window."""
    br = search.brackets
    out = [[] for _ in range(count)]
    for k, lo, hi in zip(search.sat.tolist(), search.rise_s.tolist(), search.set_s.tolist(), strict=True):
        lo, hi = max(lo, start_s), min(hi, end_s, float(br.fail_s[k]))
        if hi > lo:
            out[k].append((lo, hi))
    for k in range(len(out)):
        if not out[k] and br.up_at_lo[k] and br.el_min_deg[k] >= 0.0:
            hi = min(end_s, float(br.fail_s[k]))
            if hi > start_s:
                out[k].append((start_s, hi))
    return out


def _grid(intervals, sats, step):
    """Sample times every ``step`` (or a little less) through each interval,
    its ends included: arrays ``sat``, ``t``, ``run`` (which interval)."""
    if not intervals:
        return np.array([], dtype=int), np.array([]), np.array([], dtype=int)
    bounds = np.asarray(intervals, dtype=float).reshape(-1, 2)
    lo, width = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
    n = np.maximum(np.ceil(width / step).astype(int), 1)
    run = np.repeat(np.arange(n.size), n + 1)
    first = np.concatenate([[0], np.cumsum(n + 1)[:-1]])
    k = np.arange(run.size) - first[run]
    t = lo[run] + width[run] * (k / n[run])
    return np.asarray(sats, dtype=int)[run], t, run


def _undecided(g, run, t, limit_of):
    """Mask of grid intervals (sample k to k+1 of one run) that may hold a
    separation within the limit with the body above the horizon."""
    same = run[1:] == run[:-1]
    dt = t[1:] - t[:-1]
    speed = np.maximum(g["speed"][1:], g["speed"][:-1]) * 1.02 + 0.01
    rho_min = np.maximum(np.minimum(g["range"][1:], g["range"][:-1]) - speed * dt / 2, 100.0)
    rate = np.degrees(speed / rho_min) + BODY_RATE_DEG_S
    low = (g["sep"][1:] + g["sep"][:-1] - rate * dt) / 2
    limit = limit_of(rho_min)
    body_up = np.maximum(g["body_alt"][1:], g["body_alt"][:-1]) + BODY_ALTITUDE_RATE_DEG_S * dt / 2 >= 0.0
    ok = (g["error"][1:] == 0) & (g["error"][:-1] == 0)
    return same & ok & body_up & (low <= limit)


def _chunks(intervals, step):
    """Runs of interval indices of at most :data:`CHUNK_SAMPLES` grid samples
    each (memory stays bounded for whole catalogues)."""
    out, current, count = [], [], 0
    for i, (lo, hi) in enumerate(intervals):
        n = (hi - lo) / step + 2
        if current and count + n > CHUNK_SAMPLES:
            out.append(current)
            current, count = [], 0
        current.append(i)
        count += n
    if current:
        out.append(current)
    return out


def _candidates(geometry, intervals, sats, bodies, step, limits):
    """Local separation minima that may lie within the limit, per body: a
    dict of (sat, lo, hi) brackets.  The satellites are sampled once for all
    bodies."""
    sat, t, run = _grid(intervals, sats, step)
    empty = (np.array([], dtype=int), np.array([]), np.array([]))
    if not t.size:
        return {body: empty for body in bodies}
    look = geometry.look(sat, t)
    out = {}
    for body in bodies:
        keep = _undecided(geometry.at(sat, t, body, look), run, t, limits[body])
        # the fine grid over the kept coarse intervals, consecutive ones joined
        index = np.flatnonzero(keep)
        if not index.size:
            out[body] = empty
            continue
        breaks = np.flatnonzero(np.diff(index) != 1) + 1
        parts = np.split(index, breaks)
        fine_intervals = [(float(t[p[0]]), float(t[p[-1] + 1])) for p in parts]
        fine_sats = [int(sat[p[0]]) for p in parts]
        fsat, ft, frun = _grid(fine_intervals, fine_sats, FINE_STEP_S)
        fg = geometry.at(fsat, ft, body)
        fkeep = _undecided(fg, frun, ft, limits[body])
        sep = fg["sep"]
        inner = np.zeros(sep.size, dtype=bool)
        inner[1:-1] = (
            (frun[1:-1] == frun[:-2])
            & (frun[1:-1] == frun[2:])
            & (sep[1:-1] <= sep[:-2])
            & (sep[1:-1] < sep[2:])
            & (fkeep[:-1] | fkeep[1:])
        )
        k = np.flatnonzero(inner)
        out[body] = (fsat[k], ft[k - 1], ft[k + 1])
    return out


def _screen(geometry, elements, searchable, up, bodies, limits):
    """Screening (see the module's docstring) for every body: a dict of
    (sat, lo, hi) brackets of one separation minimum each, grouped by satellite."""
    found = {body: ([], [], []) for body in bodies}
    for high in (False, True):
        intervals, sats = [], []
        for j, k in enumerate(searchable):
            if (elements[k].period_min >= LOW_ORBIT_PERIOD_MIN) == high:
                intervals += up[j]
                sats += [k] * len(up[j])
        step = HIGH_COARSE_STEP_S if high else COARSE_STEP_S
        for part in _chunks(intervals, step):
            got = _candidates(
                geometry, [intervals[i] for i in part], [sats[i] for i in part], bodies, step, limits
            )
            for body, arrays in got.items():
                for store, values in zip(found[body], arrays, strict=True):
                    store.append(values)
    out = {}
    for body, (sat, lo, hi) in found.items():
        sat, lo, hi = np.concatenate(sat), np.concatenate(lo), np.concatenate(hi)
        order = np.argsort(sat, kind="stable")
        out[body] = (sat[order], lo[order], hi[order])
    return out


def _limit_function(max_separation_deg, within_km, body):
    if within_km is None:
        return lambda rho_min: max_separation_deg
    # From within_km of the centre line the separation is at most within_km / range
    # (plus the body's own parallax over that distance).
    parallax = 0.0 if body == "sun" else math.degrees(within_km / 356_000.0)
    return lambda rho_min: np.degrees(within_km / rho_min) + parallax


def find_transits(
    elements: list,
    site,
    start: datetime,
    end: datetime,
    *,
    bodies: tuple = ("sun", "moon"),
    max_separation_deg: float = DEFAULT_MAX_SEPARATION_DEG,
    within_km: float | None = None,
    withhold: bool = True,
) -> TransitSearch:
    """Every closest approach of ``elements`` to the centre of each of
    ``bodies`` seen from ``site`` within ``max_separation_deg``, both above
    the horizon, between aware datetimes ``start`` and ``end``; or, with
    ``within_km``, every one whose centre line passes within that distance
    of the site.  ``withhold`` leaves out satellites whose elements are too
    old to time them (see :mod:`orbits.freshness`).  Raises
    :class:`~orbits.errors.OrbitsError` when no body rises in the window,
    or when no satellite does."""
    elements = list(elements)
    bodies = tuple(dict.fromkeys(bodies))
    for name in bodies:
        if name not in BODIES:
            raise OrbitsError(f"unknown body {name!r} (sun or moon)")
    if not max_separation_deg > 0:
        raise OrbitsError(f"the separation limit must be positive, not {max_separation_deg}")
    start_s, end_s = to_posix(start), to_posix(end)
    if not end_s > start_s:
        raise OrbitsError("the window's end is not after its start")
    table = BodyTable(start_s, end_s)
    tracker = Tracker(elements, site, table.sky)
    geometry = _Geometry(tracker, table, site)
    warnings = []
    span = f"between {format_time(start, UTC, False)} and {format_time(end, UTC, False)} UTC"
    up_bodies = _bodies_up(geometry, bodies, start_s, end_s)
    for name in bodies:
        if name not in up_bodies:
            warnings.append(f"the {BODIES[name].label} is below the horizon at {site.label} {span}")
    if not up_bodies:
        raise OrbitsError(
            f"the {' and the '.join(BODIES[b].label for b in bodies)} never "
            f"{'rise' if len(bodies) > 1 else 'rises'} above the horizon at {site.label} {span}: "
            f"no transit is possible"
        )
    trust = trusts(elements, start, end)
    searchable = [k for k, t in enumerate(trust) if not (withhold and t.too_old)]
    if withhold:
        line = too_old_line(trust, "transits not searched")
        if line and not searchable:
            raise OrbitsError(line)
        if line:
            warnings.append(line)
    search = PassSearch([elements[k] for k in searchable], site, start_s, end_s, sky=table.sky).run()
    up = _intervals(search, len(searchable), start_s, end_s)
    failed = search.brackets.fail_s < start_s
    status = {}
    for j, k in enumerate(searchable):
        if failed[j]:
            status[k] = "failed"
        else:
            status[k] = "searched" if up[j] else "never_rises"
    for k in range(len(elements)):
        status.setdefault(k, "elements_too_old")
    never = [display_name(elements[k]) for k, s in status.items() if s == "never_rises"]
    if never and len(never) == len(elements):
        raise OrbitsError(
            f"{', '.join(never[:6])} never {'rise' if len(never) > 1 else 'rises'} above the horizon "
            f"at {site.label} {span}"
        )
    if never:
        more = f" and {len(never) - 6} more" if len(never) > 6 else ""
        verb = "never rise" if len(never) > 1 else "never rises"
        warnings.append(f"{', '.join(never[:6])}{more} {verb} above the horizon at {site.label} {span}")
    limits = {body: _limit_function(max_separation_deg, within_km, body) for body in up_bodies}
    brackets = _screen(geometry, elements, searchable, up, up_bodies, limits)
    found = []
    for body in up_bodies:
        found += _search_body(
            geometry,
            table,
            elements,
            brackets[body],
            trust,
            body,
            limits[body],
            within_km,
            start_s,
            end_s,
            site,
        )
    found.sort(key=lambda tr: (tr.time, tr.norad_id, tr.body))
    numbered = [_renumber(tr, n) for n, tr in enumerate(found, 1)]
    counts = {}
    for tr in numbered:
        counts[tr.norad_id] = counts.get(tr.norad_id, 0) + 1
    reports = []
    for k, e in enumerate(elements):
        why = {
            "never_rises": f"never rises above the horizon {span}",
            "failed": "its elements cannot be propagated over the window",
            "elements_too_old": "its elements are too old to time a transit",
        }.get(status[k], "")
        reports.append(
            SatelliteTransits(
                e.norad_id,
                display_name(e),
                status[k],
                counts.get(e.norad_id, 0),
                trust[k].time_uncertainty_s,
                why,
            )
        )
    return TransitSearch(
        site, start, end, bodies, float(max_separation_deg), within_km, numbered, reports, warnings, elements
    )


def _renumber(tr, n):
    return replace(tr, number=n)


def _bodies_up(geometry, bodies, start_s, end_s):
    """The bodies whose centre is above the horizon at some moment of the window."""
    t = np.linspace(start_s, end_s, max(int((end_s - start_s) / 300.0), 1) + 1)
    step = t[1] - t[0]
    up = []
    for name in bodies:
        b = geometry.bodies.earth_fixed_km(name, t) - geometry.site_km
        alt = np.degrees(np.arcsin(b @ geometry.up / np.linalg.norm(b, axis=-1)))
        if (alt + BODY_ALTITUDE_RATE_DEG_S * step / 2 >= 0).any():
            exact = alt.max() >= 0 or _peak_alt(geometry, name, t[np.argmax(alt)], step) >= 0
            if exact:
                up.append(name)
    return up


def _peak_alt(geometry, name, t0, step):
    def alt(t):
        b = geometry.bodies.earth_fixed_km(name, t) - geometry.site_km
        return -np.degrees(np.arcsin(b @ geometry.up / np.linalg.norm(b, axis=-1)))

    t = golden_minimum(alt, np.array([t0 - step]), np.array([t0 + step]))
    return -float(alt(t)[0])


def _search_body(geometry, table, elements, brackets, trust, body, limit_of, within_km, start_s, end_s, site):
    """Refine the brackets of one body into :class:`Transit` records."""
    sat, lo, hi = brackets
    if not sat.size:
        return []
    t = golden_minimum(lambda x: geometry.sep(sat, x, body), lo, hi)
    g = geometry.at(sat, t, body)
    rho = g["range"]
    limit = np.broadcast_to(limit_of(rho), rho.shape)
    keep = (g["sep"] <= limit) & (g["body_alt"] >= 0.0) & (g["sat_el"] >= 0.0) & (g["error"] == 0)
    sat, t = sat[keep], t[keep]
    if not sat.size:
        return []
    g = geometry.at(sat, t, body)
    radius = np.degrees(np.arcsin(BODIES[body].radius_km / g["body_range"]))
    # relative angular speed of the two directions at the closest approach
    dt = 0.01
    ga, gb = geometry.at(sat, t - dt, body), geometry.at(sat, t + dt, body)
    rel_a = ga["s"] / np.linalg.norm(ga["s"], axis=-1)[:, None] - ga["b"] / ga["body_range"][:, None]
    rel_b = gb["s"] / np.linalg.norm(gb["s"], axis=-1)[:, None] - gb["b"] / gb["body_range"][:, None]
    omega = np.degrees(np.linalg.norm(rel_b - rel_a, axis=-1) / (2 * dt))
    omega = np.maximum(omega, 1e-6)

    def sep_minus(level):
        return lambda x: geometry.sep(sat, x, body) - level

    def edges(level):
        half = np.sqrt(np.maximum(level * level - g["sep"] ** 2, 0.0)) / omega
        reach = 2.0 * half + 1.0
        lo_edge = bisect_crossing(sep_minus(level), t, np.maximum(t - reach, start_s), steps=34)
        hi_edge = bisect_crossing(sep_minus(level), t, np.minimum(t + reach, end_s), steps=34)
        inside = g["sep"] < level
        return np.where(inside, lo_edge, t), np.where(inside, hi_edge, t)

    disc_lo, disc_hi = edges(radius)
    limit = np.broadcast_to(limit_of(g["range"]), g["range"].shape)
    win_lo, win_hi = edges(np.maximum(limit, g["sep"] + 1e-9))
    if body == "moon":
        illuminated, waxing = table.moon_phase(t)
    else:
        illuminated = waxing = None
    lines = centre_lines(geometry.tracker, table, sat, body, t, site)
    out = []
    for i, k in enumerate(sat.tolist()):
        e = elements[k]
        geo = e.period_min >= LOW_ORBIT_PERIOD_MIN
        line = lines[i]
        if within_km is not None and (line is None or line.distance_km > within_km):
            continue
        unc = _time_uncertainty_s(e, trust[k], float(t[i]), float(g["range"][i]), float(omega[i]), geo)
        size_m = _span_m(e.norad_id)
        out.append(
            Transit(
                0,
                e.norad_id,
                display_name(e),
                body,
                from_posix(float(t[i])),
                float(g["sep"][i]),
                float(radius[i]),
                bool(g["sep"][i] < radius[i]),
                float(disc_hi[i] - disc_lo[i]),
                from_posix(float(win_lo[i])),
                from_posix(float(win_hi[i])),
                float(g["sat_az"][i]),
                float(g["sat_el"][i]),
                float(g["range"][i]),
                None if size_m is None else math.degrees(size_m / 1000.0 / float(g["range"][i])) * 3600.0,
                float(g["body_alt"][i]),
                float(_azimuth(geometry, g["b"][i])),
                None if illuminated is None else float(illuminated[i]),
                None if waxing is None else bool(waxing[i]),
                float(omega[i]),
                geo,
                None if line is None else line.with_uncertainty(unc, _cross_track_km(e, trust[k], geo)),
                unc,
                e.epoch,
                e,
            )
        )
    return out


def _azimuth(geometry, b):
    e, n, _ = geometry.site.enu_matrix() @ b
    return math.degrees(math.atan2(e, n)) % 360.0


def _time_uncertainty_s(elements, trust, t_s, range_km, omega_deg_s, geostationary):
    """How far the closest approach's time can be off (90%): a low orbit's
    along-track timing bound at the event's age; for a high orbit, its
    position bound seen at its range, over the speed of the body past it."""
    from .uncertainty import position_uncertainty_km, time_uncertainty_s

    age = abs(t_s - elements.epoch.timestamp()) / 86400.0
    if not geostationary:
        return float(time_uncertainty_s(elements, age))
    km = trust.position_uncertainty_km if trust.on_slot else float(position_uncertainty_km(elements, age))
    return math.degrees(km / range_km) / omega_deg_s


def _cross_track_km(elements, trust, geostationary):
    """How far fresh elements put a satellite off across its line of sight
    (90%): the class's floor (:data:`orbits.uncertainty.FLOOR_KM`), or a
    geostationary satellite's whole position bound (on its slot: the box)."""
    from .uncertainty import FLOOR_KM

    if geostationary:
        return trust.position_uncertainty_km
    return FLOOR_KM.get(elements.orbit_class, 1.5)


def _span_m(norad_id):
    known = known_by_id(norad_id)
    return getattr(known, "span_m", None) if known is not None else None
