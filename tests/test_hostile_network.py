"""Hostile input from the network side, by family: URLs, deadlines, the cache
under concurrent updates, and what ``tle status`` reports.  The server is a
real HTTP server on 127.0.0.1 (``test_celestrak.FakeCelesTrak``)."""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from test_celestrak import FakeCelesTrak, snapshot

from orbits.catalog import MISSION
from orbits.cli import main

PRSS1, TIANGONG = 43530, 48274


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err):
    return err.count("\n") == 1 and err.startswith("orbits: ") and "Traceback" not in err and len(err) < 800


@pytest.fixture()
def server(monkeypatch, mission):
    fake = FakeCelesTrak()
    fake.thread.start()
    monkeypatch.setenv("ORBITS_GP_URL", fake.url)
    monkeypatch.delenv("ORBITS_OFFLINE")
    fake.epoch = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0)
    fake.serve_mission(mission, epoch=fake.epoch)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


# --------------------------------------------------------------------------
# URLs: http and https only, anything else one line and exit 2
# --------------------------------------------------------------------------

BAD_URLS = [
    "file:///etc/shadow#",
    "file:///etc/passwd",
    "data:text/plain,1%2025544U",
    "ftp://celestrak.org/gp.php",
    "gopher://x",
    "javascript:alert(1)",
    "http://[::1",
    "https://",
    "http://",
    "celestrak.org/gp.php",
    "http://127.0.0.1:99999/gp.php",
    "https://user@:0/x",
    "\x1b]0;pwned\x07http://x",
    "http://" + "a" * 5000,
    " ",
    "/etc/shadow",
    "HTTP//x",
]


@pytest.mark.parametrize("url", BAD_URLS, ids=range(len(BAD_URLS)))
@pytest.mark.parametrize("command", [["tle", "update"], ["tle", "update", "--group", "stations"], ["passes"]])
def test_only_http_urls_are_used(capsys, monkeypatch, private_cache, url, command):
    monkeypatch.delenv("ORBITS_OFFLINE")
    monkeypatch.setenv("ORBITS_GP_URL", url)
    code, out, err = run(capsys, *command)
    assert code == 2 and one_line(err), err
    assert "ORBITS_GP_URL" in err and "is not an http:// or https:// URL" in err
    assert "root:" not in err and "\x1b" not in err and len(err) < 300
    assert not private_cache.exists()


# --------------------------------------------------------------------------
# deadlines: enforced while reading
# --------------------------------------------------------------------------


def _drip(handler):
    """Headers at once, then one byte every half second, for a minute."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(120):
        try:
            handler.wfile.write(b" ")
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(0.5)


def _stall_headers(handler):
    time.sleep(30)


@pytest.mark.parametrize("reply, timeout", [(_drip, "0.3"), (_drip, "1"), (_stall_headers, "0.5")])
def test_a_slow_server_cannot_hold_an_update_past_its_deadline(capsys, server, private_cache, reply, timeout):
    server.replies[("CATNR", str(PRSS1))] = reply
    began = time.monotonic()
    code, _, err = run(capsys, "tle", "update", "prss-1", "--timeout", timeout)
    took = time.monotonic() - began
    assert code == 1 and one_line(err), err
    assert took < 10 * float(timeout) + 1.5, took
    assert not (private_cache / "gp" / "index.json").exists()


def test_a_dripping_server_costs_a_refresh_its_budget_only(capsys, server):
    for n in MISSION:
        server.replies[("CATNR", str(n))] = _drip
    began = time.monotonic()
    code, _, err = run(capsys, "passes")
    assert code == 0 and time.monotonic() - began < 8
    assert "could not refresh" in err


# --------------------------------------------------------------------------
# the cache under concurrent updates
# --------------------------------------------------------------------------


def test_concurrent_updates_lose_nothing_and_delete_nothing(server, private_cache, mission):
    """Six updates at once against a slow server, each of other satellites."""
    good = dict(server.replies)

    def slow(reply):
        def answer(handler):
            time.sleep(0.4)
            status, headers, body = reply
            handler.send_response(status)
            for k, v in headers.items():
                handler.send_header(k, v)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return answer

    for key, reply in good.items():
        server.replies[key] = slow(reply)
    groups = [list(MISSION)[k::3] for k in range(3)] * 2
    env = dict(os.environ, ORBITS_CACHE_DIR=str(private_cache), ORBITS_GP_URL=server.url)
    env.pop("ORBITS_OFFLINE", None)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "orbits", "tle", "update", "--force", *[str(n) for n in numbers]],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for numbers in groups
    ]
    results = [r.communicate(timeout=120) for r in runs]
    assert all(r.returncode == 0 for r in runs), [e for _, e in results]
    index = json.loads((private_cache / "gp" / "index.json").read_text())
    assert sorted(index["queries"]) == sorted(f"CATNR={n}" for n in MISSION)
    for entry in index["queries"].values():
        assert (private_cache / "gp" / entry["file"]).is_file()
    names = {p.name for p in (private_cache / "gp").iterdir()}
    assert names == {e["file"] for e in index["queries"].values()} | {"index.json", ".lock"}
    code = main(["tle", "status", "--format", "json"])
    assert code == 0


def test_a_fetch_time_in_the_future_does_not_block_updates(capsys, server, private_cache):
    assert main(["tle", "update", "prss-1"]) == 0
    path = private_cache / "gp" / "index.json"
    index = json.loads(path.read_text())
    index["queries"][f"CATNR={PRSS1}"]["fetched"] = "2090-01-01T00:00:00.000000Z"
    path.write_text(json.dumps(index))
    capsys.readouterr()
    n = len(server.requests)
    code, out, err = run(capsys, "tle", "update", "prss-1")
    assert code == 0 and len(server.requests) == n + 1, err
    assert "kept the cached reply" not in out


@pytest.mark.parametrize("damage", ["edited", "deleted", "unreadable"])
def test_status_checks_the_replies_it_reports(capsys, server, private_cache, damage):
    assert main(["tle", "update", "prss-1"]) == 0
    capsys.readouterr()
    index = json.loads((private_cache / "gp" / "index.json").read_text())
    reply = private_cache / "gp" / index["queries"][f"CATNR={PRSS1}"]["file"]
    if damage == "edited":
        reply.write_bytes(reply.read_bytes().replace(b"PRSS", b"PXSS"))
    elif damage == "deleted":
        reply.unlink()
    else:
        reply.unlink()
        reply.mkdir()  # unreadable as a file, even for root
    code, out, _ = run(capsys, "tle", "status", "--format", "json")
    row = {r["norad_id"]: r for r in json.loads(out)}[PRSS1]
    assert code == 0 and row["problem"] and ("changed" in row["problem"] or "missing" in row["problem"])
    _, table, _ = run(capsys, "tle", "status")
    assert "run 'orbits tle update --force'" in table
    before = snapshot(private_cache)
    code, _, err = run(capsys, "passes", "prss-1", "--offline")
    assert code == 2 and one_line(err) and "orbits tle update --force" in err
    assert snapshot(private_cache) == before


def test_server_text_is_made_printable_in_messages(capsys, server):
    server.replies[("CATNR", str(PRSS1))] = (
        500,
        {"Content-Type": "text/plain"},
        b"\x1b[2J\x1b]0;owned\x07 server says hi" + b"x" * 10000,
    )
    code, _, err = run(capsys, "tle", "update", "prss-1")
    assert code == 1 and one_line(err) and "\x1b" not in err and "\x07" not in err
    assert len(err) < 800


def test_a_redirect_location_is_made_printable(capsys, server):
    server.replies[("CATNR", str(PRSS1))] = (301, {"Location": "http://evil/\x1b[2Jx"}, b"")
    code, _, err = run(capsys, "tle", "update", "prss-1")
    assert code == 1 and one_line(err) and "\x1b" not in err and "redirected to" in err


def test_a_hanging_server_does_not_hold_concurrent_predictions(server):
    """Two predictions at once while the server hangs: each answers within the budget."""
    hang = threading.Event()
    for n in MISSION:
        server.replies[("CATNR", str(n))] = lambda handler: hang.wait(30)
    env = dict(os.environ, ORBITS_GP_URL=server.url)
    env.pop("ORBITS_OFFLINE", None)
    began = time.monotonic()
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "orbits", "passes"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    errs = [r.communicate(timeout=60)[1] for r in runs]
    hang.set()
    assert all(r.returncode == 0 for r in runs), errs
    assert time.monotonic() - began < 12
