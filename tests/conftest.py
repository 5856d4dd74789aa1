"""Shared fixtures.  Matplotlib runs headless; nothing here touches the network."""

from datetime import datetime, timezone
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

#: Real CelesTrak catalogues beside the repository (present for developers and CI only).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def table_rows(text):
    """The pass rows of a pass table (they start with the pass number and a date)."""
    import re

    return [line for line in text.splitlines() if re.match(r"^\d+\s+\d{4}-\d\d-\d\d ", line)]


def tle_line(text):
    """Return a 69-column TLE line with its checksum recomputed (for building test cases)."""
    from orbits.tle import tle_checksum

    body = text[:68].ljust(68)
    return body + str(tle_checksum(body))


def set_element_limit(monkeypatch, name, value):
    """Lower one of the element readers' limits (``MAX_LINES``,
    ``orbits.elementset`` documents them) for a test, in every reader module
    that holds it."""
    from orbits import elementset, omm, reading, tle

    assert hasattr(elementset, name), name
    for module in (elementset, tle, omm, reading):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, value)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test gets an empty element cache of its own and runs offline
    (``ORBITS_OFFLINE=1``: no prediction tries to refresh its elements).
    Tests of the network code take it back and point ``ORBITS_GP_URL`` at
    a server on 127.0.0.1 (see ``test_celestrak.py``)."""
    folder = tmp_path / "orbits-cache"
    monkeypatch.setenv("ORBITS_CACHE_DIR", str(folder))
    monkeypatch.delenv("ORBITS_GP_URL", raising=False)
    monkeypatch.setenv("ORBITS_OFFLINE", "1")
    return folder


@pytest.fixture(scope="session")
def mission():
    from orbits.elements import bundled_elements

    return {e.norad_id: e for e in bundled_elements("2026-04-10")}


@pytest.fixture(scope="session")
def islamabad():
    from orbits.sites import site_named

    return site_named("islamabad")


@pytest.fixture(scope="session")
def epoch_day():
    """The bundled snapshot's day: predictions near it are meaningful."""
    return datetime(2026, 4, 10, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the real CelesTrak catalogues are not here ({SHARED_DATA} is absent)")
    return SHARED_DATA
