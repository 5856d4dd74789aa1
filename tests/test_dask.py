"""Running on a Dask cluster (``--scheduler``): a real local cluster on 127.0.0.1."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orbits.cli import main

distributed = pytest.importorskip("distributed", reason="Dask is optional: pip install 'orbits[dask]'")

REPO = Path(__file__).resolve().parent.parent
START = ["--start", "2026-04-10T00:00:00Z"]
NETWORK = ["--site", "islamabad", "--site", "karachi", "--site", "gilgit", "--site", "quetta"]


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two worker processes (one thread each), on 127.0.0.1 only."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env={"PYTHONPATH": str(REPO), "ORBITS_OFFLINE": "1"},
    ) as local:
        yield local


def _env(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), ORBITS_OFFLINE="1", ORBITS_CACHE_DIR=str(tmp_path / "c"))
    return env


def _orbits(tmp_path, *args, timeout=240):
    return subprocess.run(
        [sys.executable, "-m", "orbits", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(tmp_path),
        cwd=tmp_path,
    )


def test_without_scheduler_nothing_of_dask_is_imported(tmp_path):
    code = (
        "import sys\n"
        "from orbits.cli import main\n"
        f"status = main(['passes', {START[0]!r}, {START[1]!r}, '--days', '1', '--site', 'lahore', "
        "'--site', 'karachi', '--format', 'json', '-o', 'out.json'])\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
        "print(status, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0 []"


def test_cluster_output_is_the_local_output(cluster, tmp_path):
    job = ["passes", *START, "--days", "2", "--all", *NETWORK, "--format", "json"]
    local = _orbits(tmp_path, *job, "-o", "local.json")
    assert local.returncode == 0, local.stderr
    remote = _orbits(tmp_path, *job, "-o", "dask.json", "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    assert (tmp_path / "dask.json").read_bytes() == (tmp_path / "local.json").read_bytes()
    data = json.loads((tmp_path / "dask.json").read_text())
    assert {p["site"] for p in data["passes"]} == {"Islamabad", "Karachi", "Gilgit", "Quetta"}
    # the CSV and table (built from the whole prediction) likewise
    for fmt in ("csv", "table"):
        a = _orbits(tmp_path, *job[:-1], fmt)
        b = _orbits(tmp_path, *job[:-1], fmt, "--scheduler", cluster.scheduler_address)
        assert a.returncode == b.returncode == 0 and a.stdout == b.stdout and len(a.stdout) > 1000


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills a worker with SIGKILL")
def test_a_worker_killed_mid_run_changes_nothing(cluster, mission, epoch_day):
    """One of the two workers is killed while it holds jobs; Dask runs them
    again on the other (or its restarted self), and the passes are the same."""
    from distributed import Client

    from orbits.cluster import connect
    from orbits.jsontext import json_chunks
    from orbits.passes import PassStream
    from orbits.records import streamed_passes_json
    from orbits.sites import site_named
    from orbits.times import UTC

    sites = [site_named(n) for n in ("islamabad", "karachi", "gilgit", "quetta", "lahore", "gwadar")]
    sets = list(mission.values())

    def stream(**kw):  # four one-day slices per site: many jobs
        return PassStream(sets, sites, epoch_day, days=4, slice_s=86400.0, withhold=False, **kw)

    expected = "".join(json_chunks(streamed_passes_json(stream(workers=1), UTC, False)))
    remote = connect(cluster.scheduler_address, 10)
    watcher = Client(cluster.scheduler_address, set_as_default=False)
    killed = []
    try:
        pieces = []
        for piece in json_chunks(streamed_passes_json(stream(executor=remote), UTC, False)):
            pieces.append(piece)
            if '"number"' in piece and not killed:  # the first passes are in
                busy = {w: len(v) for w, v in watcher.processing().items()}
                held = {w: len(v) for w, v in watcher.has_what().items()}
                victim = max(busy, key=lambda w: (busy[w], held.get(w, 0)))
                pid = watcher.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)
                killed.append((victim, busy[victim], held.get(victim, 0)))
        got = "".join(pieces)
    finally:
        remote.close()
        watcher.close()
    assert killed, "the run ended before a worker could be killed"
    ((_, busy, held),) = killed
    assert busy + held > 1, "the killed worker held no jobs"  # held: results and the elements
    assert got == expected
    assert len(json.loads(got)["passes"]) > 200
    # the cluster has two workers again (the nanny restarts the killed one)
    deadline = time.monotonic() + 30
    with Client(cluster.scheduler_address, set_as_default=False) as c:
        while len(c.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)


def test_an_unreachable_scheduler_is_one_line_within_the_timeout(tmp_path, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    began = time.monotonic()
    status = main(
        ["passes", *START, "--days", "1", "--scheduler", f"127.0.0.1:{port}", "--scheduler-timeout", "2"]
    )
    took = time.monotonic() - began
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith(f"orbits: cannot reach the Dask scheduler at 127.0.0.1:{port} within 2 s")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert took < 8
