"""Hostile input, by family: the user's files, signals, the environment,
options, times, job sizes and the terminal.  Every case must end in one line
on stderr with exit status 2 (or the job's own success), no traceback, no
hang, and nothing of the user's lost, replaced or half-written.

Permission cases run as an unprivileged user (``nobody``) in a subprocess
when the tests run as root, since root may write anywhere.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from orbits.cli import MAX_IN_MEMORY_PASSES, main

START = ["--start", "2026-04-10T00:00:00Z"]
HERE = Path(__file__).resolve().parent


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err):
    return err.count("\n") == 1 and err.startswith("orbits: ") and "Traceback" not in err and len(err) < 600


def no_temporaries(folder):
    return [p.name for p in Path(folder).iterdir() if p.name.endswith(".part")] == []


def as_nobody(args, env):
    """Run ``orbits ARGS`` as the unprivileged user ``nobody``: in a forked
    child that drops its privileges after Python and orbits are loaded (so
    nothing has to be readable by that user).  Returns (exit status, stdout,
    stderr).  Skips where that is impossible, with the reason."""
    if not hasattr(os, "fork") or not hasattr(os, "setuid"):
        pytest.skip("dropping privileges needs POSIX fork and setuid")
    import codecs
    import importlib
    import io
    import pkgutil

    import filelock  # noqa: F401  (loaded before the privileges go: the installed
    import skyfield.api  # noqa: F401   package may sit where nobody may read)

    import orbits

    for encoding in ("utf-8-sig", "idna", "ascii", "latin-1"):
        codecs.lookup(encoding)
    from orbits.ephemeris import ephemeris
    from orbits.times import timescale

    timescale(), ephemeris()  # Skyfield's bundled tables, read once and kept
    for module in pkgutil.walk_packages(orbits.__path__, "orbits."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 99
        try:
            os.close(read)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            os.environ.update(env)
            out, err = io.StringIO(), io.StringIO()
            sys.stdout, sys.stderr = out, err
            status = main(list(args))
            payload = json.dumps([status, out.getvalue(), err.getvalue()]).encode()
        except BaseException as exc:  # noqa: BLE001  (report anything to the parent)
            payload = json.dumps([99, "", f"child failed: {exc!r}"]).encode()
        with os.fdopen(write, "wb") as f:
            f.write(payload)
        os._exit(0 if status is not None else 1)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        payload = f.read()
    os.waitpid(pid, 0)
    status, out, err = json.loads(payload)
    if status == 99:  # the command could not even load what it needs as that user
        pytest.skip(f"the unprivileged user cannot read what the command loads ({err[:120]})")
    return status, out, err


def open_folder():
    """A fresh folder every user may enter (tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="orbits-hostile-"))
    folder.chmod(0o777)
    return folder


# --------------------------------------------------------------------------
# output files
# --------------------------------------------------------------------------


def _make(kind, tmp_path, suffix):
    """A path of ``kind`` for -o, and a function that says it was left alone."""
    path = tmp_path / f"out-{kind.replace(' ', '-')}{suffix}"
    if kind == "directory":
        path.mkdir()
        return path, lambda: path.is_dir() and not any(path.iterdir())
    if kind == "fifo":
        os.mkfifo(path)
        return path, lambda: stat.S_ISFIFO(os.lstat(path).st_mode)
    if kind == "device":
        return Path("/dev/null"), lambda: stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if kind == "read-only":
        path.write_text("precious")
        path.chmod(0o444)
        return path, lambda: path.read_text() == "precious" and stat.S_IMODE(path.stat().st_mode) == 0o444
    if kind == "hard link":
        path.write_text("precious")
        os.link(path, tmp_path / "other-name")
        return path, lambda: path.read_text() == "precious" and os.stat(path).st_nlink == 2
    if kind == "missing folder":
        return tmp_path / "no" / "such" / "folder" / f"x{suffix}", lambda: not (tmp_path / "no").exists()
    if kind == "socket":
        import socket

        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        return path, lambda: stat.S_ISSOCK(os.lstat(path).st_mode)
    raise AssertionError(kind)


REFUSED = {
    "directory": "is a directory",
    "fifo": "is a FIFO, not a regular file",
    "device": "is a device, not a regular file",
    "read-only": "is read-only; not replaced",
    "hard link": "has 2 hard links",
    "missing folder": "does not exist",
    "socket": "is a socket, not a regular file",
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs, sockets and /dev are POSIX")
@pytest.mark.parametrize("kind", sorted(REFUSED))
@pytest.mark.parametrize("command", ["passes", "now", "map", "sky"])
def test_outputs_that_must_not_be_written_are_refused_before_any_work(capsys, tmp_path, kind, command):
    image = command in ("map", "sky")
    target, untouched = _make(kind, tmp_path, ".png" if image else ".txt")
    if image:
        args = [command, "tiangong", *START, "--stale", "--out", str(target)]
    else:
        args = [command, *(["--at", START[1]] if command == "now" else START), "-o", str(target)]
    began = time.monotonic()
    code, out, err = run(capsys, *args)
    assert code == 2 and one_line(err), err
    # /dev/null has no image suffix: for pictures the name is refused first
    assert REFUSED[kind] in err or (kind == "device" and image and "give a .png" in err)
    assert untouched()
    assert time.monotonic() - began < 5
    assert no_temporaries(tmp_path)


def test_the_output_may_not_be_an_input(capsys, tmp_path, mission):
    tle = tmp_path / "x.tle"
    e = mission[48274]
    original = f"{e.name}\n{e.line1}\n{e.line2}\n"
    tle.write_text(original)
    for args in (
        ["passes", "--tle", str(tle), *START, "-o", str(tle)],
        ["passes", "--tle", str(tle), *START, "--format", "json", "-o", str(tle)],
        ["now", "--tle", str(tle), "--at", START[1], "-o", str(tle)],
    ):
        code, _, err = run(capsys, *args)
        assert code == 2 and "is also an input of this command" in err and one_line(err)
        assert tle.read_text() == original
    link = tmp_path / "link.tle"
    link.symlink_to(tle)
    code, _, err = run(capsys, "passes", "--tle", str(tle), *START, "-o", str(link))
    assert code == 2 and "is also an input" in err and tle.read_text() == original


def test_a_symlink_is_written_through_and_stays_a_link(capsys, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code, _, err = run(
        capsys, "passes", "tiangong", *START, "--days", "1", "--format", "json", "-o", str(link)
    )
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["passes"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # permissions kept
    assert no_temporaries(tmp_path)


def test_an_existing_regular_file_is_replaced_whole_keeping_its_mode(capsys, tmp_path):
    target = tmp_path / "passes.csv"
    target.write_text("old\n" * 100000)
    target.chmod(0o600)
    code, _, _ = run(
        capsys, "passes", "tiangong", *START, "--days", "1", "--format", "csv", "-o", str(target)
    )
    assert code == 0
    text = target.read_text()
    assert text.startswith("number,norad_id,") and "old" not in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "w") as full:
        p = subprocess.run(
            [sys.executable, "-m", "orbits", "passes", "tiangong", *START, "--days", "2"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=dict(os.environ, ORBITS_OFFLINE="1"),
        )
    assert p.returncode == 2 and p.stderr.startswith("orbits: cannot write to standard output (No space")
    assert "Traceback" not in p.stderr


def test_a_full_disk_on_a_file_leaves_nothing_behind(capsys, tmp_path, monkeypatch):
    import orbits.files as files

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.f = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fdopen", Full)
    target = tmp_path / "out.json"
    target.write_text("precious")
    code, _, err = run(capsys, "passes", "tiangong", *START, "--format", "json", "-o", str(target))
    assert code == 2 and one_line(err) and "No space left on device" in err
    assert target.read_text() == "precious" and no_temporaries(tmp_path)


def test_permissions_are_one_line_as_an_ordinary_user():
    folder = open_folder()
    locked = folder / "locked"
    locked.mkdir()
    (locked / "old.json").write_text("precious")
    locked.chmod(0o555)
    env = {"ORBITS_OFFLINE": "1", "ORBITS_CACHE_DIR": str(folder / "cache")}
    try:
        for args in (
            ["passes", "tiangong", *START, "--days", "1", "-o", str(locked / "new.txt")],
            ["map", "tiangong", *START, "--stale", "--out", str(locked / "m.png")],
            ["passes", "tiangong", *START, "--days", "1", "-o", str(locked / "old.json")],
        ):
            code, _, err = as_nobody(args, env)
            assert code == 2 and one_line(err) and "is not writable" in err, err
        assert sorted(os.listdir(locked)) == ["old.json"]
        assert (locked / "old.json").read_text() == "precious"
    finally:
        locked.chmod(0o755)


# --------------------------------------------------------------------------
# signals: workers stopped, temporaries removed, exit 128+n
# --------------------------------------------------------------------------


def _big_catalogue(folder, mission, count=1200):
    """``count`` copies of the mission's low orbits under new NORAD numbers: enough
    for worker processes and a job that runs for many seconds."""
    from conftest import tle_line

    lows = [e for e in mission.values() if e.orbit_class != "GEO"]
    lines = []
    for k in range(count):
        e = lows[k % len(lows)]
        n = f"{10000 + k:05d}"
        lines += [
            f"COPY {k}",
            tle_line(e.line1[:2] + n + e.line1[7:]),
            tle_line(e.line2[:2] + n + e.line2[7:]),
        ]
    path = Path(folder) / "many.tle"
    path.write_text("\n".join(lines) + "\n")
    return path


def _descendants(pid):
    """Live processes whose parent chain reaches ``pid`` or that were its children (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "multiprocessing" in text and "tracker_fd" not in text and str(pid) in text:
            found.append(int(entry))
    return found


@pytest.mark.skipif(
    not Path("/proc").is_dir() or sys.platform == "win32", reason="needs POSIX signals and /proc"
)
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_stops_workers_and_leaves_no_partial_file(tmp_path, mission, signame):
    catalogue = _big_catalogue(tmp_path, mission)
    out = tmp_path / "out.json"
    out.write_text("precious")
    env = dict(os.environ, ORBITS_OFFLINE="1")
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orbits",
            "passes",
            "--tle",
            str(catalogue),
            *START,
            "--days",
            "60",
            "--all",
            "--format",
            "json",
            "-o",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".out.json.*.part")):
        time.sleep(0.2)
    assert list(tmp_path.glob(".out.json.*.part")), "the job never started writing"

    def children():
        try:
            return [
                int(c)
                for task in Path(f"/proc/{p.pid}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]
        except OSError:
            return []

    while time.monotonic() < deadline and len(children()) < 2:
        time.sleep(0.1)
    workers = children()
    assert workers, "no worker processes to stop"
    time.sleep(0.5)  # let them get to work
    p.send_signal(getattr(signal, signame))
    _, err = p.communicate(timeout=30)
    number = getattr(signal, signame)
    assert p.returncode == (130 if signame == "SIGINT" else 128 + number), err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("orbits: ")
    assert out.read_text() == "precious" and no_temporaries(tmp_path)
    time.sleep(0.5)
    alive = [
        c
        for c in workers
        if Path(f"/proc/{c}").exists() and Path(f"/proc/{c}/stat").read_text().split()[2] != "Z"
    ]
    assert alive == []


# --------------------------------------------------------------------------
# the environment
# --------------------------------------------------------------------------


@pytest.fixture()
def no_home(monkeypatch):
    """No HOME, no cache setting, and (as a user with no passwd entry has) no
    home folder that Path.home() could find."""
    for name in ("HOME", "ORBITS_CACHE_DIR", "XDG_CACHE_HOME", "USERPROFILE", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)

    def nowhere(cls=None):
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", classmethod(nowhere))


@pytest.mark.parametrize(
    "args",
    [
        ["passes", *START, "--days", "1"],
        ["now", "--at", START[1]],
        ["tle", "status"],
        ["catalog"],
        ["passes", *START, "--format", "json"],
    ],
)
def test_no_home_folder_commands_that_need_no_cache_work(capsys, no_home, args):
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out and "Traceback" not in err


@pytest.mark.parametrize("args", [["tle", "update"], ["tle", "import", "x.tle"]])
def test_no_home_folder_commands_that_need_the_cache_say_so(capsys, no_home, monkeypatch, args):
    monkeypatch.delenv("ORBITS_OFFLINE")
    code, _, err = run(capsys, *args)
    assert code == 2 and one_line(err) and "ORBITS_CACHE_DIR" in err


def test_an_unwritable_cache_never_stops_a_prediction():
    folder = open_folder()
    cache = folder / "cache"
    (cache / "gp").mkdir(parents=True)
    tle = folder / "t.tle"
    tle.write_text(Path(HERE.parent / "tle" / "mission-2026-04-10.tle").read_text())
    tle.chmod(0o644)
    cache.chmod(0o555)
    (cache / "gp").chmod(0o555)
    try:
        code, out, err = as_nobody(
            ["passes", *START, "--days", "1"], {"ORBITS_OFFLINE": "1", "ORBITS_CACHE_DIR": str(cache)}
        )
        assert code == 0 and "Visible passes" in out, err
        code, _, err = as_nobody(["tle", "import", str(tle)], {"ORBITS_CACHE_DIR": str(cache)})
        assert code == 2 and one_line(err) and ("not writable" in err or "cannot" in err), err
        assert os.listdir(cache / "gp") == []
    finally:
        (cache / "gp").chmod(0o755)
        cache.chmod(0o755)


@pytest.mark.parametrize("group", ["x" * 300, "a/../../b", "stations\nactive", "é" * 100])
def test_odd_group_names_are_one_line(capsys, group):
    code, _, err = run(capsys, "passes", "--group", group)
    assert code == 2 and one_line(err) and "is not in the element cache" in err
    assert len(err) < 400


# --------------------------------------------------------------------------
# options that cannot apply are errors, or apply
# --------------------------------------------------------------------------


def test_elevation_applies_to_a_named_site(capsys):
    _, low, _ = run(
        capsys, "passes", "tiangong", *START, "--days", "1", "--all", "--site", "karachi", "--format", "json"
    )
    _, high, _ = run(
        capsys,
        "passes",
        "tiangong",
        *START,
        "--days",
        "1",
        "--all",
        "--site",
        "karachi",
        "--elevation",
        "5000",
        "--format",
        "json",
    )
    low, high = json.loads(low), json.loads(high)
    assert low["site"]["elevation_m"] != 5000 and high["site"]["elevation_m"] == 5000
    assert high["site"]["name"] == low["site"]["name"]
    # 5 km up, the horizon plane is higher: a pass rises a few seconds later and sets earlier
    assert low["passes"][0]["rise"]["time"] < high["passes"][0]["rise"]["time"]
    assert high["passes"][0]["set"]["time"] < low["passes"][0]["set"]["time"]
    _, default, _ = run(
        capsys, "passes", "tiangong", *START, "--days", "1", "--elevation", "1200", "--format", "json"
    )
    assert json.loads(default)["site"]["elevation_m"] == 1200


@pytest.mark.parametrize(
    "args, words",
    [
        (["passes", "--all", "--format", "ics"], "--all has no effect with --format ics"),
        (["map", "--out", "x.svg", "--dpi", "300"], "--dpi sets a PNG's resolution"),
        (["sky", "tiangong", "--out", "x.pdf", "--dpi", "300"], "--dpi sets a PNG's resolution"),
    ],
)
def test_options_that_cannot_apply_are_errors(capsys, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2 and words in err and one_line(err)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# times outside the tables: one message, with edges that agree
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "9999-12-31",
        "0001-01-01",
        "2019-12-31",
        "2020-01-01T23:59:59Z",
        "2040-12-30T00:00:01Z",
        "2041-01-01",
        "2100-06-01T12:00+05:00",
        "1957-10-04",
    ],
)
@pytest.mark.parametrize("command", ["passes", "now", "map", "sky"])
def test_instants_outside_the_tables_get_the_one_coverage_message(capsys, tmp_path, start, command):
    flag = "--at" if command == "now" else "--start"
    extra = ["--out", str(tmp_path / "x.png")] if command in ("map", "sky") else []
    sat = ["tiangong"] if command == "sky" else []
    code, _, err = run(capsys, command, *sat, flag, start, *extra)
    assert code == 2 and one_line(err), err
    assert err.rstrip().endswith("is outside what the bundled tables cover, 2020-01-02 to 2040-12-30")


@pytest.mark.parametrize(
    "start, days", [("2040-12-25", "7"), ("2040-12-29T12:00Z", "1"), ("2040-06-01", "366")]
)
def test_windows_reaching_past_the_tables_get_it_too(capsys, start, days):
    code, _, err = run(capsys, "passes", "--start", start, "--days", days, "--stale")
    assert code == 2 and one_line(err)
    assert "the prediction window (" in err and "2020-01-02 to 2040-12-30" in err


@pytest.mark.parametrize("start", ["2020-01-02T00:00:00Z", "2040-12-29T00:00:00Z"])
def test_the_edges_of_the_coverage_work(capsys, start):
    code, _, err = run(capsys, "passes", "--start", start, "--days", "1", "--stale", "--format", "json")
    assert code == 0, err


# --------------------------------------------------------------------------
# huge jobs: refused with the way to do them, or warned about and streamed
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "ics"])
def test_huge_in_memory_jobs_are_refused_up_front(capsys, tmp_path, mission, fmt):
    catalogue = _big_catalogue(tmp_path, mission, count=2000)
    days = MAX_IN_MEMORY_PASSES / 2000 / 6.2 * 1.5
    began = time.monotonic()
    code, _, err = run(
        capsys, "passes", "--tle", str(catalogue), *START, "--days", f"{days:.0f}", "--format", fmt
    )
    assert code == 2 and one_line(err) and "use '--format json -o FILE'" in err
    assert time.monotonic() - began < 10


# --------------------------------------------------------------------------
# the terminal
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, degree, plus_minus",
    [("ascii", " deg", "+/-"), ("latin-1", "°", "±"), ("cp1252", "°", "±"), ("utf-8", "°", "±")],
)
def test_a_terminal_that_is_not_utf8_gets_the_signs_it_can_show(encoding, degree, plus_minus):
    p = subprocess.run(
        [sys.executable, "-m", "orbits", "passes", *START, "--days", "2"],
        capture_output=True,
        env=dict(os.environ, PYTHONIOENCODING=encoding, ORBITS_OFFLINE="1"),
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode(encoding)  # every byte is in the terminal's encoding
    assert degree in text and plus_minus in text
    if degree == " deg":
        assert text.isascii()
    assert "Traceback" not in p.stderr.decode(encoding, "replace")
