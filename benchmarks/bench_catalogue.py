"""Benchmark: a whole CelesTrak catalogue over Islamabad, orbits against a
per-satellite Skyfield ``find_events`` loop, in the same run.

Both jobs run as separate processes doing the same job end to end: read the
catalogue, find every pass above 0 deg in 24 h, write JSON.  For each we
measure wall time, CPU time (to see both cores used) and the peak memory of
the whole process tree (sampled from /proc every 100 ms; Linux only; each sample
costs ~2 ms of CPU, so denser sampling would slow the job measured).  Then the
pass sets are compared: every rise inside the window, matched by satellite
and time.

    python benchmarks/bench_catalogue.py                 # the full catalogue (~2 min)
    python benchmarks/bench_catalogue.py --runs 5        # 5 orbits runs before and after, not 3
    python benchmarks/bench_catalogue.py --every 10      # every 10th satellite
    python benchmarks/bench_catalogue.py --memory-days 7 # orbits alone, 7 days: peak memory

The catalogue defaults to ../shared/data/active-2026-04-10.tle beside the
repository (not shipped).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "data" / "active-2026-04-10.tle"
START = "2026-04-10T00:00:00Z"


def baseline(catalogue, out_path, hours):
    """The per-satellite loop, as Skyfield's documentation shows it."""
    from skyfield.api import load, wgs84

    from orbits.sites import site_named

    ts = load.timescale(builtin=True)
    sats = load.tle_file(str(catalogue), ts=ts)
    site = site_named("islamabad")
    top = wgs84.latlon(site.latitude_deg, site.longitude_deg, elevation_m=site.elevation_m)
    t0 = ts.utc(2026, 4, 10)
    t1 = ts.utc(2026, 4, 10, hours)
    rows = []
    for sat in sats:
        times, events = sat.find_events(top, t0, t1, altitude_degrees=0.0)
        for t, kind in zip(times.utc_iso(places=3), events):
            rows.append({"norad_id": sat.model.satnum, "time": t, "event": int(kind)})
    Path(out_path).write_text(json.dumps({"satellites": len(sats), "events": rows}))


def _tree_rss_kb(pid):
    """Resident memory of ``pid`` and all its descendants, in kB (Linux /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def machine():
    """The CPU, core count and library versions: ratios differ between machines."""
    import platform
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    libs = " ".join(f"{name} {version(name)}" for name in ("skyfield", "sgp4", "numpy"))
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, {libs}"


def measure(command):
    """Run ``command``; return (wall s, cpu s, peak tree RSS MB)."""
    before = os.times()
    tic = time.perf_counter()
    proc = subprocess.Popen(command)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - tic
    after = os.times()
    if proc.returncode:
        raise SystemExit(f"{command[:4]}... failed with status {proc.returncode}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, peak / 1024


def compare(orbits_json, skyfield_json, start_s, end_s):
    from datetime import datetime

    ours = {}
    for p in json.loads(Path(orbits_json).read_text())["passes"]:
        if not p["in_progress_at_start"]:
            t = datetime.fromisoformat(p["rise"]["time"]).timestamp()
            ours.setdefault(p["norad_id"], []).append(t)
    theirs = {}
    for e in json.loads(Path(skyfield_json).read_text())["events"]:
        if e["event"] == 0:
            t = datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
            if start_s <= t <= end_s:
                theirs.setdefault(e["norad_id"], []).append(t)
    matched, only_ours, only_theirs, worst = 0, [], [], 0.0
    for n in set(ours) | set(theirs):
        a, b = sorted(ours.get(n, [])), sorted(theirs.get(n, []))
        for t in a:
            near = [x for x in b if abs(x - t) < 60]
            if near:
                matched += 1
                worst = max(worst, min(abs(x - t) for x in near))
                b.remove(min(near, key=lambda x: abs(x - t)))
            else:
                only_ours.append((n, t))
        only_theirs += [(n, t) for t in b]
    return matched, only_ours, only_theirs, worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalogue", type=Path, default=DEFAULT)
    parser.add_argument("--every", type=int, default=1, help="use every Nth satellite (default all)")
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument(
        "--memory-days", type=float, help="only run orbits over this many days; report its memory"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="orbits runs before and after the baseline (default 3)"
    )
    parser.add_argument("--baseline-job", nargs=2, metavar=("CATALOGUE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_job:
        return baseline(args.baseline_job[0], args.baseline_job[1], args.hours)
    if not args.catalogue.is_file():
        raise SystemExit(f"no catalogue at {args.catalogue}")
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = args.catalogue
        if args.every > 1:
            from orbits.reading import load_elements

            sets = load_elements(catalogue)[:: args.every]
            catalogue = Path(tmp) / "sample.tle"
            catalogue.write_text("".join(f"{e.name}\n{e.line1}\n{e.line2}\n" for e in sets))
        ours, theirs = Path(tmp) / "orbits.json", Path(tmp) / "skyfield.json"
        job = [
            sys.executable,
            "-m",
            "orbits",
            "passes",
            "--tle",
            str(catalogue),
            "--all",
            "--stale",
            "--format",
            "json",
            "--start",
            START,
            "--days",
            str(args.hours / 24),
            "-o",
            str(ours),
        ]
        if args.memory_days:
            long_job = job[: job.index("--days") + 1] + [
                str(args.memory_days),
                "-o",
                str(Path(tmp) / "long.json"),
            ]
            wall, cpu, mem = measure(long_job)
            size = (Path(tmp) / "long.json").stat().st_size / 1e6
            print(
                f"{args.memory_days} days: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {mem:.0f} MB (tree), "
                f"{size:.0f} MB of JSON"
            )
            return
        # orbits runs before and after the baseline, several times: the
        # machine's speed drifts from minute to minute, and one orbits run
        # is short enough to land in a slow or a fast minute.  The median of
        # all runs is compared with the baseline, which spans many minutes.
        before = [measure(job) for _ in range(args.runs)]
        s_wall, s_cpu, s_mem = measure(
            [
                sys.executable,
                __file__,
                "--hours",
                str(args.hours),
                "--baseline-job",
                str(catalogue),
                str(theirs),
            ]
        )
        after = [measure(job) for _ in range(args.runs)]
        o_wall = statistics.median(r[0] for r in before + after)
        o_cpu = statistics.median(r[1] for r in before + after)
        o_mem = max(r[2] for r in before + after)
        from datetime import datetime, timezone

        start_s = datetime(2026, 4, 10, tzinfo=timezone.utc).timestamp()
        matched, only_ours, only_theirs, worst = compare(ours, theirs, start_s, start_s + args.hours * 3600)
        n_sats = json.loads(theirs.read_text())["satellites"]
        n_ours = sum(1 for _ in json.loads(ours.read_text())["passes"])
    print(
        f"{args.catalogue.name}{f' (every {args.every}th)' if args.every > 1 else ''}: {n_sats} satellites, "
        f"{args.hours} h over Islamabad from {START}, passes above 0 deg"
    )
    print(f"machine: {machine()}")
    print(
        f"orbits runs (s wall): {' '.join(f'{r[0]:.2f}' for r in before)} before the baseline, "
        f"{' '.join(f'{r[0]:.2f}' for r in after)} after; median {o_wall:.2f}"
    )
    print(
        f"orbits passes --all --format json: {o_wall:7.2f} s wall  {o_cpu:7.1f} s CPU "
        f"({o_cpu / o_wall:.2f} cores)  peak {o_mem:6.0f} MB  {n_ours} passes listed"
    )
    print(
        f"Skyfield find_events loop:         {s_wall:7.1f} s wall  {s_cpu:7.1f} s CPU "
        f"({s_cpu / s_wall:.2f} cores)  peak {s_mem:6.0f} MB"
    )
    print(f"ratio (Skyfield wall / orbits wall): {s_wall / o_wall:.1f}x")
    print(
        f"rises in the window: {matched} matched (worst |dt| {worst:.2f} s), "
        f"{len(only_ours)} only in orbits, {len(only_theirs)} only in Skyfield"
    )
    for n, t in only_ours[:5] + only_theirs[:5]:
        print(f"  unmatched: NORAD {n} rise {datetime.fromtimestamp(t, timezone.utc):%H:%M:%S}")


if __name__ == "__main__":
    main()
