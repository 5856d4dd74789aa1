"""Build ``naturalearth_110m.npz`` (country outlines, 1:110m) at development time.

Natural Earth's 1:110m "admin 0 countries" is public domain
(https://www.naturalearthdata.com).  An offline copy is the
``naturalearth_lowres`` shapefile inside the geopandas 0.14.4 wheel::

    pip download --no-deps geopandas==0.14.4 -d /tmp/gpd
    unzip /tmp/gpd/geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*' -d /tmp/gpd
    python orbits/data/make_naturalearth.py /tmp/gpd/geopandas/datasets/naturalearth_lowres

The shapefile is read with the standard library (no pyshp, no geopandas at
run time) and stored as float32 longitude/latitude rings plus, per ring,
the index of its country; coordinates are rounded to 0.001 deg.
This script is not installed with the package.
"""

import struct
import sys
from pathlib import Path

import numpy as np


def read_dbf(path):
    data = Path(path).read_bytes()
    count, header_len, record_len = struct.unpack("<xxxxIHH", data[:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0")[0].decode()
        fields.append((name, data[pos + 16]))
        pos += 32
    rows = []
    for k in range(count):
        rec = data[header_len + k * record_len : header_len + (k + 1) * record_len]
        offset, row = 1, {}
        for name, length in fields:
            row[name] = rec[offset : offset + length].decode("utf-8", "replace").strip()
            offset += length
        rows.append(row)
    return rows


def read_polygons(path):
    data = Path(path).read_bytes()
    pos, shapes = 100, []
    while pos < len(data):
        _, length = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        kind = struct.unpack("<i", body[:4])[0]
        if kind != 5:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44 : 44 + 4 * n_parts])) + [n_points]
        xy = np.frombuffer(body, "<f8", 2 * n_points, 44 + 4 * n_parts).reshape(-1, 2)
        shapes.append([xy[a:b] for a, b in zip(parts[:-1], parts[1:])])
    return shapes


def main(folder):
    folder = Path(folder)
    rows = read_dbf(folder / "naturalearth_lowres.dbf")
    shapes = read_polygons(folder / "naturalearth_lowres.shp")
    lon, lat, starts, owner = [], [], [], []
    n = 0
    for k, rings in enumerate(shapes):
        for ring in rings:
            starts.append(n)
            owner.append(k)
            lon.append(ring[:, 0])
            lat.append(ring[:, 1])
            n += len(ring)
    out = Path(__file__).with_name("naturalearth_110m.npz")
    np.savez_compressed(
        out,
        lon=np.round(np.concatenate(lon), 3).astype(np.float32),
        lat=np.round(np.concatenate(lat), 3).astype(np.float32),
        ring_start=np.array(starts + [n], dtype=np.int32),
        ring_country=np.array(owner, dtype=np.int16),
        name=np.array([r["name"] for r in rows]),
        iso_a3=np.array([r["iso_a3"] for r in rows]),
        continent=np.array([r["continent"] for r in rows]),
    )
    print(f"{out}: {len(rows)} countries, {len(starts)} rings, {n} points, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
