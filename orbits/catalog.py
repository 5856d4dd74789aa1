"""The satellites `orbits` knows by name: Tiangong, the ISS and Pakistan's fleet.

A :class:`KnownSatellite` carries what element sets do not: friendly names,
aliases, the standard magnitude used for brightness estimates, the nominal
orbital slot of a station-kept geostationary satellite, and notes.
:func:`resolve` turns what a user typed (alias, name or NORAD number) into
catalogue numbers, with helpful errors for historic or misspelt satellites.
"""

import difflib
import functools
from dataclasses import dataclass, field

from .errors import OrbitsError

__all__ = [
    "KnownSatellite",
    "KNOWN",
    "MISSION",
    "HISTORIC",
    "resolve",
    "known_by_id",
    "standard_magnitude",
    "display_name",
    "friendly_name",
]


@dataclass(frozen=True)
class KnownSatellite:
    """A satellite `orbits` knows by name.

    ``standard_magnitude`` is the visual magnitude at 1000 km range and 90 deg
    phase angle (the Heavens-Above / McCants convention), or ``None`` when no
    value is known; ``magnitude_source`` says where it comes from.
    ``slot_longitude_deg`` is the longitude (east positive) at which a
    geostationary satellite is station-kept, with ``slot_source``: old
    elements drift off the slot, the slot does not (see
    :mod:`orbits.freshness`).  ``span_m`` is the satellite's largest
    dimension (m, approximate), for its silhouette against the Sun or the
    Moon, or ``None`` when not known.
    """

    norad_id: int
    name: str
    aliases: tuple = ()
    country: str = ""
    standard_magnitude: float | None = None
    magnitude_source: str = ""
    shares_elements_with: int | None = None
    note: str = ""
    extra_ids: tuple = field(default=())
    slot_longitude_deg: float | None = None
    slot_source: str = ""
    span_m: float | None = None


KNOWN = (
    KnownSatellite(
        48274,
        "Tiangong (CSS)",
        aliases=(
            "tiangong",
            "css",
            "tianhe",
            "china space station",
            "css (tianhe)",
            "wentian",
            "mengtian",
            "tiangong space station",
        ),
        country="China",
        standard_magnitude=-0.5,
        magnitude_source="estimate, likely -0.9 to -0.1: no published value; the ISS's -1.8 scaled "
        "by Tiangong's cross-section, a fifth to a third of the ISS's (-1.8 + 2.5 log10(3 to 5) = "
        "-0.6 to -0.05; see docs/decisions.md, Brightness)",
        note="Wentian (53239) and Mengtian (54216) are docked modules and share these elements.",
        extra_ids=(53239, 54216),
        span_m=55.0,  # about, across the laboratory modules' solar wings
    ),
    KnownSatellite(
        25544,
        "ISS (ZARYA)",
        aliases=("iss", "zarya", "international space station"),
        country="International",
        standard_magnitude=-1.8,
        magnitude_source="-1.8 at 1000 km, 90 deg phase: the value most used "
        "(McCants/Heavens-Above convention)",
        span_m=109.0,  # the truss (NASA)
    ),
    KnownSatellite(
        37779,
        "PAKSAT-1R",
        aliases=("paksat-1r", "paksat 1r", "paksat1r"),
        country="Pakistan",
        note="Geostationary communications satellite at 38.0 E.",
        slot_longitude_deg=38.0,
        slot_source="its operator, Paksat International",
    ),
    KnownSatellite(
        59915,
        "PAKSAT-MM1",
        aliases=("paksat-mm1", "paksat mm1", "paksatmm1", "mm1"),
        country="Pakistan",
        note="Geostationary multi-mission satellite at 38.2 E.",
        slot_longitude_deg=38.2,
        slot_source="its operators, SUPARCO and Paksat International",
    ),
    KnownSatellite(
        43529,
        "PAKTES-1A",
        aliases=("paktes-1a", "paktes 1a", "paktes1a"),
        country="Pakistan",
        note="Technology-evaluation Earth-observation satellite (2018).",
    ),
    KnownSatellite(
        43530,
        "PRSS-1",
        aliases=("prss-1", "prss1", "prss 1"),
        country="Pakistan",
        note="Pakistan Remote Sensing Satellite (2018).",
    ),
    KnownSatellite(
        62725,
        "PRSC-EO1",
        aliases=("prsc-eo1", "eo-1", "eo1", "prsc eo1"),
        country="Pakistan",
        note="Earth-observation satellite (January 2025).",
    ),
    KnownSatellite(
        65055,
        "PRSC-S1",
        aliases=("prsc-s1", "s1", "prsc s1"),
        country="Pakistan",
        note="Earth-observation satellite (2025).",
    ),
    KnownSatellite(
        66054,
        "HS-1",
        aliases=("hs-1", "hs1", "2025-234b", "hyperspectral"),
        country="Pakistan",
        note="Hyperspectral satellite launched 2025-10-19; catalogued as 2025-234B.",
    ),
    KnownSatellite(
        67748,
        "PRSC-EO2",
        aliases=("prsc-eo2", "eo-2", "eo2", "2026-027c"),
        country="Pakistan",
        note="Earth-observation satellite launched 2026-02-12; catalogued as 2026-027C.",
    ),
)

#: What ``orbits passes`` predicts when no satellite is named: Tiangong and
#: Pakistan's satellites (the ISS is known, for comparison, but not default).
MISSION = tuple(s.norad_id for s in KNOWN if s.norad_id != 25544)

#: Satellites people ask for that have no current elements, with the reason.
HISTORIC = {
    ("badr-1", "badr 1", "badr1", "badr-a", "badr"): (
        "Badr-1, Pakistan's first satellite (launched 16 July 1990 on a Chinese Long March 2E), "
        "re-entered the atmosphere in December 1990; there are no current elements to predict it."
    ),
    ("icube-qamar", "icube qamar", "icubeqamar", "icube-q", "qamar"): (
        "iCube-Qamar travelled with Chang'e-6 in 2024 and orbits the Moon, not the Earth; "
        "Earth-satellite elements (TLE/SGP4) cannot describe it, so orbits cannot predict it."
    ),
}


def known_by_id(norad_id):
    """The :class:`KnownSatellite` with this NORAD number (or module id), else ``None``."""
    return _by_id().get(norad_id)


def standard_magnitude(norad_id):
    """The standard visual magnitude (at 1000 km, 90 deg phase) of the
    satellite with this NORAD number (or module id), else ``None``: the one
    look-up behind every brightness estimate."""
    known = known_by_id(norad_id)
    return known.standard_magnitude if known is not None else None


@functools.cache
def _by_id():
    table = {}
    for sat in reversed(KNOWN):  # the first listed wins, as a scan in order would give
        for n in (sat.norad_id, *sat.extra_ids):
            table[n] = sat
    return table


def display_name(elements) -> str:
    """The friendly name of an element set's satellite: the catalogue's, else the set's own."""
    return friendly_name(elements.norad_id, elements.name)


def friendly_name(norad_id, name):
    """The catalogue's name for ``norad_id`` if it knows it, else ``name``."""
    known = known_by_id(norad_id)
    if known is not None and norad_id == known.norad_id:
        return known.name
    return name


def _norm(text):
    return " ".join(text.lower().replace("_", " ").split())


def resolve(query, available=()):
    """NORAD number for ``query``: a NORAD number, an alias, or a name.

    ``available`` is an iterable of ``(norad_id, name)`` from loaded element
    files, searched after the known satellites (names case-insensitive, and
    a unique substring match is accepted).  Raises :class:`OrbitsError` with
    an explanation for historic satellites and suggestions for near misses.
    """
    text = _norm(str(query))
    available = list(available)
    if text.isdigit():
        number = int(text)
        sat = known_by_id(number)
        if sat is not None and number in sat.extra_ids and number not in {n for n, _ in available}:
            return sat.norad_id
        return number
    for sat in KNOWN:
        if text == _norm(sat.name) or text in sat.aliases:
            return sat.norad_id
    for names, why in HISTORIC.items():
        if text in names:
            raise OrbitsError(why)
    exact = [n for n, name in available if _norm(name) == text]
    if exact:
        return exact[0]
    partial = sorted({n for n, name in available if text in _norm(name)})
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        names = {n: name for n, name in available}
        shown = ", ".join(f"{names[n]} ({n})" for n in partial[:5])
        more = f" and {len(partial) - 5} more" if len(partial) > 5 else ""
        raise OrbitsError(f"satellite {query!r} is ambiguous: it matches {shown}{more}")
    vocabulary = {}
    for sat in KNOWN:
        for word in (sat.name.lower(),) + sat.aliases:
            vocabulary[word] = sat.name
    for names in HISTORIC:
        for word in names:
            vocabulary[word] = word
    for _, name in available:
        vocabulary[_norm(name)] = name
    close = difflib.get_close_matches(text, list(vocabulary), n=3, cutoff=0.6)
    hint = ""
    if close:
        hint = "; did you mean " + " or ".join(sorted({vocabulary[c] for c in close}, key=str)) + "?"
    raise OrbitsError(f"unknown satellite {query!r}{hint} (see 'orbits catalog')")
