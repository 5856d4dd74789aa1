"""One colour per satellite, the same in every map, chart and notebook.

The satellites ``orbits`` knows by name (:data:`orbits.catalog.MISSION` and
the ISS) have fixed colours, distinct from each other: Tiangong is always
red.  Any other satellite takes one of :data:`OTHER_COLOURS` by its NORAD
number, so it too keeps its colour from one figure to the next (two such
satellites may share one).
"""

__all__ = ["SATELLITE_COLOURS", "OTHER_COLOURS", "satellite_colour"]

#: NORAD number -> colour of the named satellites (matplotlib's tab10).
SATELLITE_COLOURS = {
    48274: "#d62728",  # Tiangong: red
    25544: "#7f7f7f",  # ISS: grey, for comparison
    37779: "#1f77b4",  # PakSat-1R
    59915: "#17becf",  # PakSat-MM1
    43529: "#2ca02c",  # PakTES-1A
    43530: "#9467bd",  # PRSS-1
    62725: "#ff7f0e",  # PRSC-EO1
    65055: "#8c564b",  # PRSC-S1
    66054: "#e377c2",  # HS-1
    67748: "#bcbd22",  # PRSC-EO2
}

#: Colours of every other satellite, chosen by NORAD number (tab20's darker
#: halves of pairs not used above, and a few deep tones).
OTHER_COLOURS = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")


def satellite_colour(norad_id: int) -> str:
    """The colour of satellite ``norad_id`` in every figure (a ``#rrggbb`` string)."""
    fixed = SATELLITE_COLOURS.get(norad_id)
    if fixed is not None:
        return fixed
    return OTHER_COLOURS[norad_id % len(OTHER_COLOURS)]
