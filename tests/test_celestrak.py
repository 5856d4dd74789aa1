"""`orbits tle update` / `tle status` against a real HTTP server on 127.0.0.1
that plays CelesTrak: good replies in each format, and every fault the API
is known to produce.  After each fault the cache must be byte-for-byte as
it was.  Nothing here touches the internet."""

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import tle_line
from sgp4.exporter import export_omm

from orbits.catalog import MISSION
from orbits.cli import main

FRESH = datetime(2026, 11, 24, 6, 30, tzinfo=timezone.utc)  # the epoch the fake server hands out
TIANGONG, PRSS1, ISS = 48274, 43530, 25544


# --------------------------------------------------------------------------
# the fake CelesTrak
# --------------------------------------------------------------------------


def omm(e, epoch=FRESH):
    """An OMM record (CelesTrak's JSON keys) for element set ``e`` at a new epoch."""
    record = export_omm(e.satrec(), e.name)
    record["EPOCH"] = epoch.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return record


def as_json(sets, epoch=FRESH):
    return json.dumps([omm(e, epoch) for e in sets]).encode()


def as_csv(sets, epoch=FRESH):
    rows = [omm(e, epoch) for e in sets]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def as_tle(sets, epoch=FRESH):
    day = (epoch - datetime(epoch.year, 1, 1, tzinfo=timezone.utc)).total_seconds() / 86400 + 1
    stamp = f"{epoch.year % 100:02d}{day:012.8f}"
    text = "".join(
        f"{e.name}\r\n{tle_line(e.line1[:18] + stamp + e.line1[32:])}\r\n{e.line2}\r\n" for e in sets
    )
    return text.encode()


class FakeCelesTrak:
    """Serves ``gp.php``: ``replies[(kind, value)]`` is ``(status, headers, body)``
    or a callable ``handler -> None`` that writes the reply itself."""

    def __init__(self):
        self.replies = {}
        self.requests = []  # (query dict, headers)
        self.seen = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                fake.requests.append((query, dict(self.headers)))
                fake.seen.set()
                key = next(((k, v) for k, v in query.items() if k in ("CATNR", "GROUP")), None)
                reply = fake.replies.get(key, (404, {"Content-Type": "text/plain"}, b"No GP data found"))
                if callable(reply):
                    return reply(self)
                status, headers, body = reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/NORAD/elements/gp.php"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def good(self, sets, fmt="json", epoch=FRESH):
        encode = {"json": as_json, "csv": as_csv, "tle": as_tle}[fmt]
        kind = {"json": "application/json", "csv": "text/csv", "tle": "text/plain"}[fmt]
        return 200, {"Content-Type": kind}, encode(sets, epoch)

    def serve_mission(self, mission, fmt="json", epoch=FRESH):
        for n in MISSION:
            self.replies[("CATNR", str(n))] = self.good([mission[n]], fmt, epoch)


@pytest.fixture()
def celestrak(monkeypatch, mission):
    fake = FakeCelesTrak()
    fake.thread.start()
    monkeypatch.setenv("ORBITS_GP_URL", fake.url)
    monkeypatch.delenv("ORBITS_OFFLINE")
    fake.serve_mission(mission)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder):
    """Every file under ``folder`` with its bytes (the cache, exactly)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------
# good replies
# --------------------------------------------------------------------------


def test_update_fetches_each_mission_satellite_as_json_politely(capsys, celestrak, private_cache):
    code, out, err = run(capsys, "tle", "update")
    assert code == 0, err
    asked = [q for q, _ in celestrak.requests]
    assert sorted(int(q["CATNR"]) for q in asked) == sorted(MISSION)
    assert all(q["FORMAT"] == "JSON" for q in asked)
    assert all(h["User-Agent"].startswith("orbits/") for _, h in celestrak.requests)
    assert "PRSS-1, epoch 2026-11-24 06:30 UTC" in out
    index = json.loads((private_cache / "gp" / "index.json").read_text())
    assert sorted(index["queries"]) == sorted(f"CATNR={n}" for n in MISSION)
    # the reply is stored byte for byte as it came
    entry = index["queries"][f"CATNR={PRSS1}"]
    assert (private_cache / "gp" / entry["file"]).read_bytes() == celestrak.replies[("CATNR", str(PRSS1))][2]


def test_predictions_use_the_cache_and_say_so(capsys, celestrak):
    assert main(["tle", "update"]) == 0
    capsys.readouterr()
    code, out, err = run(
        capsys, "passes", "--start", "2026-11-24T12:00:00Z", "--days", "1", "--all", "--format", "json"
    )
    assert code == 0, err
    satellites = {s["norad_id"]: s for s in json.loads(out)["satellites"]}
    assert set(satellites) == set(MISSION)
    for s in satellites.values():
        assert s["tle_epoch"].startswith("2026-11-24T06:30:00")
        assert s["elements_source"].startswith(f"cache: CelesTrak CATNR={s['norad_id']}, fetched ")
    code, out, _ = run(capsys, "passes", "--start", "2026-11-24T12:00:00Z", "--days", "1")
    assert "epoch 2026-11-24 11:30" in out and "cache: CelesTrak CATNR=48274" in out  # PKT, and the source


def test_status_json_rows(capsys, celestrak):
    code, out, _ = run(capsys, "tle", "status", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["source"] for r in rows} == {"bundled"} and len(rows) == len(MISSION)
    assert main(["tle", "update", "PRSS-1"]) == 0
    capsys.readouterr()
    rows = {r["norad_id"]: r for r in json.loads(run(capsys, "tle", "status", "--format", "json")[1])}
    prss = rows[PRSS1]
    assert prss["source"] == "cache" and prss["query"] == f"CATNR={PRSS1}"
    assert prss["epoch"] == "2026-11-24T06:30:00.000+00:00"
    age = (datetime.now(timezone.utc) - FRESH).total_seconds() / 86400
    assert prss["age_days"] == pytest.approx(age, abs=0.01)
    assert rows[TIANGONG]["source"] == "bundled" and rows[TIANGONG]["epoch"].startswith("2026-04-10")
    assert set(prss) == {"norad_id", "name", "epoch", "age_days", "source", "query", "fetched", "problem"}
    table = run(capsys, "tle", "status")[1]
    assert "cache (CATNR=43530)" in table and "bundled" in table


@pytest.mark.parametrize("fmt", ["csv", "tle"])
def test_csv_and_tle_replies(capsys, celestrak, mission, private_cache, fmt):
    celestrak.serve_mission(mission, fmt)
    code, out, err = run(capsys, "tle", "update", "43530", "--gp-format", fmt)
    assert code == 0, err
    assert [q["FORMAT"] for q, _ in celestrak.requests] == [fmt.upper()]
    (stored,) = [
        p for p in (private_cache / "gp").iterdir() if p.name != "index.json" and not p.name.startswith(".")
    ]
    assert stored.suffix == f".{fmt}"
    rows = {r["norad_id"]: r for r in json.loads(run(capsys, "tle", "status", "--format", "json")[1])}
    assert rows[PRSS1]["source"] == "cache"
    epoch = datetime.fromisoformat(rows[PRSS1]["epoch"])
    assert abs((epoch - FRESH).total_seconds()) < 0.002  # TLE epochs resolve 0.86 ms, output 1 ms


def test_older_cache_loses_to_newer_bundled_elements(capsys, celestrak, mission):
    celestrak.serve_mission(mission, epoch=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert main(["tle", "update", "PRSS-1"]) == 0
    capsys.readouterr()
    rows = {r["norad_id"]: r for r in json.loads(run(capsys, "tle", "status", "--format", "json")[1])}
    assert rows[PRSS1]["source"] == "bundled"


def test_group_update_and_predictions_over_the_group(capsys, celestrak, mission):
    celestrak.replies[("GROUP", "stations")] = celestrak.good([mission[TIANGONG], mission[ISS]])
    code, out, err = run(capsys, "tle", "update", "--group", "stations")
    assert code == 0, err
    assert "GROUP=stations: 2 satellites" in out
    code, out, err = run(
        capsys,
        "passes",
        "--group",
        "stations",
        "--all",
        "--format",
        "json",
        "--start",
        "2026-11-24T12:00:00Z",
        "--days",
        "1",
    )
    assert code == 0, err
    assert {s["norad_id"] for s in json.loads(out)["satellites"]} == {TIANGONG, ISS}
    rows = json.loads(run(capsys, "tle", "status", "--group", "stations", "--format", "json")[1])
    assert {r["norad_id"] for r in rows} == {TIANGONG, ISS} and {r["query"] for r in rows} == {
        "GROUP=stations"
    }
    # a named satellite now comes from the group if its elements are the newest
    assert json.loads(run(capsys, "tle", "status", "ISS", "--format", "json")[1])[0]["source"] == "cache"


def test_group_not_cached_is_a_clear_error(capsys):
    code, _, err = run(capsys, "passes", "--group", "active")
    assert code == 2
    assert (
        err == "orbits: the group 'active' is not in the element cache; fetch it with "
        "'orbits tle update --group active'\n"
    )


def test_no_second_request_within_two_hours_unless_forced(capsys, celestrak):
    assert main(["tle", "update", "PRSS-1"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "tle", "update", "PRSS-1")
    assert code == 0 and len(celestrak.requests) == 1
    assert "kept the cached reply of 0 min ago" in out
    assert main(["tle", "update", "PRSS-1", "--force"]) == 0
    assert len(celestrak.requests) == 2


def test_polite_interval_is_counted_from_the_last_fetch(celestrak, private_cache):
    from orbits import celestrak as gp
    from orbits.cache import ElementCache

    cache = ElementCache(private_cache)
    query = gp.Query("CATNR", str(PRSS1))
    fetched, _ = gp.update([query], cache)
    at = cache.queries()[str(query)].fetched
    assert gp.update([query], cache, now=at + timedelta(hours=1, minutes=59))[0] == []
    assert len(gp.update([query], cache, now=at + timedelta(hours=2, seconds=1))[0]) == 1
    assert len(celestrak.requests) == 2


# --------------------------------------------------------------------------
# faults: one line, non-zero exit, cache unchanged, no retries
# --------------------------------------------------------------------------


def _truncated(handler):
    """Promises 5000 bytes, sends 70 and hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "5000")
    handler.end_headers()
    handler.wfile.write(b'[{"OBJECT_NAME":"PRSS-1","OBJECT_ID":"2018-056A","EPOCH":"2026-11-2')
    handler.wfile.flush()
    handler.close_connection = True


def _slow(handler):
    time.sleep(3)
    handler.send_response(200)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


FAULTS = {
    "403 rate limit": (
        (
            403,
            {"Content-Type": "text/plain"},
            b"GP data has not updated since your last successful download of CATNR=43530 at "
            b"2026-11-25 08:11:36 UTC. Data is updated once every 2 hours.",
        ),
        "refused the request (HTTP 403: GP data has not updated since your last successful",
    ),
    "404 no data": (
        (404, {"Content-Type": "text/plain"}, b"No GP data found"),
        "has no GP data for it (HTTP 404: No GP data found)",
    ),
    "200 no data": (
        (200, {"Content-Type": "text/plain"}, b"No GP data found"),
        "has no GP data for it (HTTP 200: No GP data found)",
    ),
    "HTML page": (
        (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Login</body></html>"),
        "sent an HTML page, not element sets",
    ),
    "500": (
        (500, {"Content-Type": "text/plain"}, b"Internal error"),
        "answered HTTP 500 Internal Server Error: Internal error; stopped",
    ),
    "301 redirect": (
        (301, {"Location": "https://celestrak.org/NORAD/elements/gp.php"}, b""),
        "redirected to https://celestrak.org/NORAD/elements/gp.php (HTTP 301); not following",
    ),
    "truncated body": (_truncated, "was cut short"),
    "truncated JSON": (
        (200, {"Content-Type": "application/json"}, b'[{"OBJECT_NAME":"PRSS-1","NORAD_CAT_ID":'),
        "truncated or malformed reply; cache unchanged",
    ),
    "wrong satellite": (None, "sent elements for 48274, not just 43530"),
    "slow reply": (_slow, "no reply from 127.0.0.1"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_leave_the_cache_byte_for_byte(capsys, celestrak, mission, private_cache, fault):
    assert main(["tle", "update"]) == 0  # a full cache to protect
    before = snapshot(private_cache)
    assert len(before) == len(MISSION) + 2  # the replies, the index and the lock file
    reply, message = FAULTS[fault]
    if reply is None:
        reply = celestrak.good([mission[TIANGONG]])
    celestrak.replies[("CATNR", str(PRSS1))] = reply
    asked = len(celestrak.requests)
    started = time.monotonic()
    code, out, err = run(
        capsys, "tle", "update", "Tiangong", "PRSS-1", "PakSat-1R", "--force", "--timeout", "0.5"
    )
    assert time.monotonic() - started < 2.5
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("orbits: CATNR=43530: ") and message in err, err
    assert "Traceback" not in err
    # Tiangong was fetched, PRSS-1 failed once, PakSat-1R was never asked for
    later = [q["CATNR"] for q, _ in celestrak.requests[asked:]]
    assert later == [str(TIANGONG), str(PRSS1)]
    assert snapshot(private_cache) == before


def test_dns_failure(capsys, monkeypatch, private_cache, celestrak):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    assert main(["tle", "update"]) == 0
    before = snapshot(private_cache)
    monkeypatch.setenv("ORBITS_GP_URL", "https://celestrak.invalid/NORAD/elements/gp.php")
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    code, _, err = run(capsys, "tle", "update", "--force")
    assert code == 1
    assert err.startswith(
        "orbits: CATNR=48274: cannot find the server celestrak.invalid "
        "(DNS: Name or service not known); offline? cache unchanged. "
    )
    # the way forward without this machine's network: the URLs, and 'tle import'
    assert "https://celestrak.org/NORAD/elements/gp.php?CATNR=48274&FORMAT=JSON" in err
    assert "orbits tle import FILE" in err and err.count("\n") == 1
    assert snapshot(private_cache) == before


@pytest.mark.parametrize("how", ["env", "flag"])
def test_offline_mode_never_asks(capsys, monkeypatch, celestrak, how):
    args = ["tle", "update"]
    if how == "env":
        monkeypatch.setenv("ORBITS_OFFLINE", "1")
    else:
        args.append("--offline")
    code, _, err = run(capsys, *args)
    assert code == 1 and "offline mode" in err and celestrak.requests == []
    code, out, _ = run(capsys, "passes", "--offline", "--start", "2026-04-10T00:00:00Z", "--days", "1")
    assert code == 0 and "Visible passes" in out


def test_interrupted_commit_leaves_the_cache_as_it_was(monkeypatch, celestrak, private_cache, capsys):
    import orbits.files

    assert main(["tle", "update"]) == 0
    before = snapshot(private_cache)
    real_replace = os.replace

    def interrupted(src, dst):
        if str(dst).endswith("index.json"):
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(orbits.files.os, "replace", interrupted)
    code = main(["tle", "update", "--force"])
    assert code == 130
    assert snapshot(private_cache) == before


def test_ctrl_c_during_download(celestrak, private_cache):
    """A real SIGINT while the reply trickles in: exit 130, cache untouched."""
    subprocess.run(
        [sys.executable, "-m", "orbits", "tle", "update", "PRSS-1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    before = snapshot(private_cache)

    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(600):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.05)

    celestrak.replies[("CATNR", str(PRSS1))] = trickle
    celestrak.seen.clear()
    proc = subprocess.Popen(
        [sys.executable, "-m", "orbits", "tle", "update", "PRSS-1", "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert celestrak.seen.wait(30)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err == "orbits: interrupted\n"
    assert snapshot(private_cache) == before


# --------------------------------------------------------------------------
# a damaged cache is reported, not silently used
# --------------------------------------------------------------------------


def test_damaged_index_is_a_one_line_error(capsys, celestrak, private_cache):
    assert main(["tle", "update", "PRSS-1"]) == 0
    index = private_cache / "gp" / "index.json"
    index.write_text(index.read_text()[:40])
    code, _, err = run(capsys, "passes")
    assert code == 2 and err.count("\n") == 1
    assert f"{index}: the element cache index is damaged" in err


def test_edited_cache_file_is_refused(capsys, celestrak, private_cache):
    assert main(["tle", "update", "PRSS-1"]) == 0
    (stored,) = [
        p for p in (private_cache / "gp").iterdir() if p.name != "index.json" and not p.name.startswith(".")
    ]
    stored.write_bytes(stored.read_bytes().replace(b"PRSS", b"PRXS"))
    code, _, err = run(capsys, "passes", "PRSS-1")
    assert code == 2 and f"{stored}: cached reply was changed since it was fetched" in err


def test_platform_cache_folder(monkeypatch, tmp_path):
    from orbits.cache import cache_dir

    monkeypatch.setenv("ORBITS_CACHE_DIR", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here"
    monkeypatch.delenv("ORBITS_CACHE_DIR")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_dir() == tmp_path / "xdg" / "orbits"
