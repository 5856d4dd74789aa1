"""Every output of a fixed set of jobs, written to a folder, so that a change
meant to keep behaviour can be checked byte for byte.

    python benchmarks/same_outputs.py write BEFORE_DIR      # on the old code
    python benchmarks/same_outputs.py write AFTER_DIR       # on the new code
    python benchmarks/same_outputs.py compare BEFORE_DIR AFTER_DIR

The jobs: the mission satellites over Islamabad and Karachi for a week from
the bundled elements' day, in every format (table, JSON, CSV, iCalendar;
visible passes and --all), positions at an instant, a map and a sky chart;
and, when ``../shared/data`` is there, the whole catalogue day as JSON and
CSV.  Everything runs offline on fixed windows, so nothing depends on the
clock but the iCalendar DTSTAMP lines, which are left out of the comparison.
"""

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent.parent / "shared" / "data" / "active-2026-04-10.tle"
START = ["--start", "2026-04-10T00:00:00Z"]

JOBS = {
    "mission-table.txt": ["passes", *START],
    "mission-all-table.txt": ["passes", *START, "--all"],
    "mission.json": ["passes", *START, "--format", "json"],
    "mission-all.json": ["passes", *START, "--all", "--format", "json"],
    "mission-all.csv": ["passes", *START, "--all", "--format", "csv"],
    "mission.ics": ["passes", *START, "--format", "ics"],
    "karachi-utc-all.json": ["passes", *START, "--all", "--site", "karachi", "--utc", "--format", "json"],
    "london-zone.csv": ["passes", *START, "--days", "3", "--tz", "Europe/London", "--format", "csv"],
    "now.txt": ["now", "--at", "2026-04-10T15:00:00Z"],
    "now.json": ["now", "--at", "2026-04-10T15:00:00Z", "--format", "json"],
    "now.csv": ["now", "--at", "2026-04-10T15:00:00Z", "--format", "csv"],
    "map.png": ["map", "--start", "2026-04-10T14:00:00Z", "--out", "{out}"],
    "sky.png": ["sky", "tiangong", *START, "--profile", "--out", "{out}"],
}
CATALOGUE_JOBS = {
    "catalogue-all.json": [
        "passes",
        "--tle",
        str(CATALOGUE),
        *START,
        "--days",
        "1",
        "--all",
        "--stale",
        "--format",
        "json",
    ],
    "catalogue-visible.csv": [
        "passes",
        "--tle",
        str(CATALOGUE),
        *START,
        "--days",
        "1",
        "--stale",
        "--format",
        "csv",
    ],
}


def write(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, ORBITS_OFFLINE="1", ORBITS_CACHE_DIR=str(folder / ".empty-cache"))
    jobs = dict(JOBS, **(CATALOGUE_JOBS if CATALOGUE.is_file() else {}))
    for name, args in jobs.items():
        out = folder / name
        args = [a.replace("{out}", str(out)) for a in args]
        if "{out}" not in " ".join(JOBS.get(name, [])):
            args += ["-o", str(out)]
        done = subprocess.run([sys.executable, "-m", "orbits", *args], capture_output=True, env=env)
        (folder / f"{name}.stderr").write_bytes(done.stderr)
        print(f"{name}: exit {done.returncode}, {out.stat().st_size if out.exists() else 0} bytes")


def _content(path):
    data = path.read_bytes()
    if path.suffix == ".ics":
        data = b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"DTSTAMP:"))
    return data


def compare(before, after):
    before, after = Path(before), Path(after)
    names = sorted(
        {p.name for p in before.iterdir() if p.is_file()} | {p.name for p in after.iterdir() if p.is_file()}
    )
    differ = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'after' if b.exists() else 'before'}")
            differ += 1
            continue
        same = _content(a) == _content(b)
        digest = hashlib.sha256(_content(b)).hexdigest()[:12]
        print(f"{name}: {'same' if same else 'DIFFERENT'} ({len(_content(b))} bytes, {digest})")
        differ += not same
    print(f"{len(names) - differ} of {len(names)} outputs byte-identical")
    return 1 if differ else 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="verb", required=True)
    sub.add_parser("write").add_argument("folder")
    p = sub.add_parser("compare")
    p.add_argument("before")
    p.add_argument("after")
    args = parser.parse_args()
    if args.verb == "write":
        write(args.folder)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
