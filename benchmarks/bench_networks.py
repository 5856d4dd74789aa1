"""Benchmark: ground-station networks, N sites in one run against one site,
and a Dask cluster of 2 local workers against the local engine, same run.

Every job is a whole process doing what a user runs end to end:
``orbits passes --tle CATALOGUE --sites FILE --all --stale --format json -o FILE``
over 24 h from 2026-04-10 00:00 UTC.  The sites are spread over the globe
by a golden-angle spiral between 60 S and 70 N (deterministic; heights
0-2000 m).  The one-site job runs before and after the network jobs and
the median is the baseline; "N separate runs" is N times that baseline.

The Dask job starts a scheduler and 2 worker processes (1 thread each) on
127.0.0.1 (``dask scheduler``, ``dask worker``, as separate processes as on
a real cluster), the same 2 cores the local engine's 2 worker processes use, and runs the 20-site job with
``--scheduler``; its output is compared byte for byte with the local one.

    python benchmarks/bench_networks.py               # every 10th satellite (1,501)
    python benchmarks/bench_networks.py --every 1     # the whole catalogue (slow: ~20 min)
    python benchmarks/bench_networks.py --sites 1 5 20 --no-dask
    python benchmarks/bench_networks.py --before ../before --every 1 --runs 4
        # one site, this checkout against another (e.g. a worktree of the code
        # before networks), alternated in one run: did one site get slower?

The catalogue defaults to ../shared/data/active-2026-04-10.tle beside the
repository (not shipped).
"""

import argparse
import contextlib
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_catalogue import machine, measure  # noqa: E402

DEFAULT = HERE.parent.parent / "shared" / "data" / "active-2026-04-10.tle"
START = "2026-04-10T00:00:00Z"


def sites_csv(n, path):
    """``n`` sites on a golden-angle spiral, 60 S to 70 N, as a sites file."""
    lines = ["name,latitude,longitude,elevation_m"]
    golden = math.pi * (3 - math.sqrt(5))
    lo, hi = math.sin(math.radians(-60)), math.sin(math.radians(70))
    for k in range(n):
        z = lo + (hi - lo) * (k + 0.5) / n
        lat = math.degrees(math.asin(z))
        lon = (math.degrees(k * golden) + 180.0) % 360.0 - 180.0
        lines.append(f"station-{k:04d},{lat:.4f},{lon:.4f},{(k * 137) % 2000}")
    Path(path).write_text("\n".join(lines) + "\n")


@contextlib.contextmanager
def dask_cluster(tmp, env, profile=False):
    """A scheduler and 2 workers (1 thread each) on 127.0.0.1, started as
    separate processes as on a real cluster (``dask scheduler``, ``dask
    worker``), the workers' profiler off unless ``profile``; yields the
    scheduler's address."""
    info = tmp / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    if not profile:  # Dask's sampling profiler (every 10 ms) takes the GIL from the jobs
        quiet["env"] = dict(env, DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="False")
    procs = [
        subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(info), "--no-dashboard"],
            **quiet,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        worker = [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(info)]
        for _ in range(2):
            procs.append(subprocess.Popen([*worker, "--nthreads", "1", "--no-dashboard"], **quiet))
        from distributed import Client

        with Client(scheduler_file=str(info), timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalogue", type=Path, default=DEFAULT)
    ap.add_argument("--every", type=int, default=10, help="every Nth satellite (default 10)")
    ap.add_argument("--sites", type=int, nargs="+", default=[1, 5, 20, 100])
    ap.add_argument("--runs", type=int, default=2, help="one-site runs before and after (default 2)")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--dask-sites", type=int, default=20)
    ap.add_argument("--dask-runs", type=int, default=3, help="Dask and local runs, alternated (default 3)")
    ap.add_argument("--dask-profile", action="store_true", help="keep the Dask workers' profiler on")
    ap.add_argument("--before", type=Path, help="a checkout to compare one site against (see above)")
    args = ap.parse_args()
    if not args.catalogue.is_file():
        raise SystemExit(f"no catalogue at {args.catalogue}")
    print(machine())
    env = dict(os.environ, ORBITS_OFFLINE="1")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        from orbits.reading import load_elements

        records = load_elements(args.catalogue)
        subset = records[:: args.every]
        catalogue = tmp / "catalogue.tle"
        catalogue.write_text("".join(f"{e.name}\n{e.line1}\n{e.line2}\n" for e in subset))
        print(f"{len(subset)} satellites (every {args.every}th of {len(records)}), 24 h")

        def job(n, *extra, out="out.json"):
            path = tmp / f"sites-{n}.csv"
            if not path.exists():
                sites_csv(n, path)
            command = [
                sys.executable,
                "-m",
                "orbits",
                "passes",
                "--tle",
                str(catalogue),
                "--sites",
                str(path),
            ]
            command += ["--start", START, "--days", "1", "--all", "--stale", "--format", "json"]
            return command + ["-o", str(tmp / out), *extra]

        def run(n, *extra, out="out.json"):
            os.environ.update(env)
            wall, cpu, peak = measure(job(n, *extra, out=out))
            size = (tmp / out).stat().st_size
            return wall, cpu, peak, size

        if args.before:
            # the one-site job with no --sites (as before networks), alternated
            plain = [c for c in job(1) if c not in ("--sites", str(tmp / "sites-1.csv"))]
            here = os.environ.get("PYTHONPATH", "")
            times = {"before": [], "after": []}
            for _ in range(args.runs):
                for label, path in (("before", str(args.before.resolve())), ("after", here)):
                    os.environ.update(env, PYTHONPATH=path)
                    times[label].append(measure(plain)[:2])
            os.environ["PYTHONPATH"] = here
            for label, runs in times.items():
                walls = ", ".join(f"{w:.2f}" for w, _ in runs)
                cpus = ", ".join(f"{c:.1f}" for _, c in runs)
                print(f"{label}: wall {walls} s; CPU {cpus} s")
            b = statistics.median(w for w, _ in times["before"])
            a = statistics.median(w for w, _ in times["after"])
            bc = statistics.median(c for _, c in times["before"])
            ac = statistics.median(c for _, c in times["after"])
            print(
                f"one site, after / before: wall **{a / b:.3f}x** ({a:.2f} / {b:.2f} s), CPU {ac / bc:.3f}x"
            )
            return
        one = [run(1) for _ in range(args.runs)]
        rows = {}
        for n in args.sites:
            if n != 1:
                rows[n] = run(n)
                (tmp / "out.json").unlink()
        one += [run(1) for _ in range(args.runs)]
        base = statistics.median(w for w, *_ in one)
        base_cpu = statistics.median(c for _, c, *_ in one)
        rows[1] = (base, base_cpu, max(p for *_, p, _ in one), one[0][3])
        print(f"one site: {', '.join(f'{w:.2f}' for w, *_ in one)} s wall (median {base:.2f})")
        print("| sites | wall | CPU | peak memory | JSON | wall / one site | N separate runs |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for n in sorted(rows):
            wall, cpu, peak, size = rows[n]
            print(
                f"| {n} | {wall:.2f} s | {cpu:.1f} s | {peak:.0f} MB | {size / 1e6:.0f} MB "
                f"| **{wall / base:.2f}x** | {n}x |"
            )
        if args.no_dask:
            return
        n = args.dask_sites
        with dask_cluster(tmp, env, args.dask_profile) as address:
            local, dask = [], []
            for _ in range(args.dask_runs):  # alternated, so that load on the machine hits both alike
                local.append(run(n, out="local.json"))
                dask.append(run(n, "--scheduler", address, out="dask.json"))
                same = (tmp / "local.json").read_bytes() == (tmp / "dask.json").read_bytes()
                if not same:
                    raise SystemExit("the Dask output differs from the local one")
        lw = statistics.median(w for w, *_ in local)
        dw = statistics.median(w for w, *_ in dask)
        print(
            f"{n} sites: local engine {lw:.2f} s, Dask 2 workers {dw:.2f} s: **{dw / lw:.2f}x**, same output"
        )
        runs = ", ".join(f"{w:.2f}" for w, *_ in local), ", ".join(f"{w:.2f}" for w, *_ in dask)
        print(f"  (local {runs[0]}; Dask {runs[1]})")
        cpu = statistics.median(c for _, c, *_ in local), statistics.median(c for _, c, *_ in dask)
        print(f"  CPU: orbits with its workers {cpu[0]:.1f} s; the Dask client alone {cpu[1]:.1f} s")


if __name__ == "__main__":
    main()
