"""A site's horizon: the elevation a satellite must clear, by azimuth.

A flat horizon is one elevation all round (``--horizon``, 0 deg by
default).  A *horizon mask* is an azimuth-dependent limit (hills,
buildings, a dish's keyhole), written as azimuth:elevation pairs in
degrees, azimuths strictly increasing in [0, 360)::

    0:5 90:12 180:3 270:8

Between points the limit is interpolated linearly in azimuth, wrapping
from the last point through 360 to the first; a single point is a flat
limit.  A site's limit is the higher of its flat horizon and its mask, so
rise and set are where ``elevation - limit(azimuth)`` crosses zero (as
SatNOGS define them for masks).  The search screens against the lowest the
limit goes (:attr:`Horizon.lowest_deg`), which keeps its proof of
completeness, and then refines the crossings of the limit itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import OrbitsError

__all__ = ["HorizonMask", "Horizon", "parse_mask", "LOWEST_DEG", "HIGHEST_DEG"]

#: The range a horizon (flat or masked) may take, in degrees.
LOWEST_DEG, HIGHEST_DEG = -5.0, 89.0


@dataclass(frozen=True)
class HorizonMask:
    """Elevation limits ``elevation_deg`` at azimuths ``azimuth_deg`` (tuples
    of floats, azimuths strictly increasing in [0, 360)), interpolated
    linearly with wrap-around (see the module docstring)."""

    azimuth_deg: tuple
    elevation_deg: tuple

    def __post_init__(self):
        az, el = self.azimuth_deg, self.elevation_deg
        if not az or len(az) != len(el):
            raise OrbitsError("a horizon mask needs at least one azimuth:elevation pair")
        for a in az:
            if not (math.isfinite(a) and 0.0 <= a < 360.0):
                raise OrbitsError(f"mask azimuth {a:g} is out of range (0 to below 360 deg)")
        for e in el:
            if not (math.isfinite(e) and LOWEST_DEG <= e <= HIGHEST_DEG):
                raise OrbitsError(
                    f"mask elevation {e:g} is out of range ({LOWEST_DEG:g} to {HIGHEST_DEG:g} deg)"
                )
        for a, b in zip(az, az[1:], strict=False):
            if not b > a:
                raise OrbitsError(f"mask azimuths must increase strictly: {b:g} after {a:g}")

    def elevation_at(self, azimuth_deg):
        """The mask's limit (deg) at ``azimuth_deg`` (array or float)."""
        if len(self.azimuth_deg) == 1:
            return np.full(np.shape(azimuth_deg), self.elevation_deg[0])
        return np.interp(azimuth_deg, self.azimuth_deg, self.elevation_deg, period=360.0)

    def __str__(self):
        return " ".join(f"{a:g}:{e:g}" for a, e in zip(self.azimuth_deg, self.elevation_deg, strict=True))


def parse_mask(text: str) -> HorizonMask:
    """A :class:`HorizonMask` from ``"az:el az:el ..."`` (spaces or semicolons
    between pairs); :class:`~orbits.errors.OrbitsError` saying what is wrong."""
    pairs = text.replace(";", " ").split()
    if not pairs:
        raise OrbitsError("empty: give azimuth:elevation pairs, e.g. '0:5 90:12 180:3 270:8'")
    az, el = [], []
    for pair in pairs:
        parts = pair.split(":")
        if len(parts) != 2:
            raise OrbitsError(f"{pair[:20]!r} is not azimuth:elevation")
        try:
            a, e = float(parts[0]), float(parts[1])
        except ValueError:
            raise OrbitsError(f"{pair[:20]!r} is not two numbers azimuth:elevation") from None
        az.append(a)
        el.append(e)
    return HorizonMask(tuple(az), tuple(el))


@dataclass(frozen=True)
class Horizon:
    """What a satellite must clear at one site: the flat ``flat_deg`` and,
    if any, a ``mask``; the limit is the higher of the two."""

    flat_deg: float = 0.0
    mask: HorizonMask | None = None

    @property
    def flat(self) -> bool:
        """True when the limit is one elevation all round."""
        return self.mask is None or self.lowest_deg == self.highest_deg

    @property
    def lowest_deg(self) -> float:
        """The lowest the limit goes (what the search screens against)."""
        if self.mask is None:
            return self.flat_deg
        return max(self.flat_deg, min(self.mask.elevation_deg))

    @property
    def highest_deg(self) -> float:
        if self.mask is None:
            return self.flat_deg
        return max(self.flat_deg, max(self.mask.elevation_deg))

    def limit_deg(self, azimuth_deg):
        """The elevation to clear (deg) at ``azimuth_deg``."""
        if self.mask is None:
            return np.full(np.shape(azimuth_deg), self.flat_deg)
        return np.maximum(self.flat_deg, self.mask.elevation_at(azimuth_deg))

    def above_deg(self, look):
        """Elevation minus the limit (deg) for look angles ``look`` (a dict
        with ``elevation_deg`` and ``azimuth_deg`` arrays)."""
        if self.flat:
            return look["elevation_deg"] - self.lowest_deg
        return look["elevation_deg"] - self.limit_deg(look["azimuth_deg"])
