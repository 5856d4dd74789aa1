"""The notebooks run top to bottom on a fresh kernel, offline, in CI.

They are committed without outputs (see README, "Notebooks"); this test
executes them with nbclient and checks they produce their pictures and no
errors, each within two minutes.
"""

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="install the test extras: pip install '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="install the test extras: pip install '.[test]'")

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
# notebook -> number of inline images it must show
NOTEBOOKS = {
    "tiangong_over_islamabad.ipynb": 3,
    "pakistan_satellite_fleet.ipynb": 4,
    "how_stale_is_a_tle.ipynb": 2,
}


def test_every_notebook_is_listed():
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_committed_without_outputs(name):
    nb = nbformat.read(FOLDER / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_runs_offline_with_pictures(name, private_cache):
    nb = nbformat.read(FOLDER / name, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "subprocess" not in source and "!orbits" not in source  # the Python API, not the CLI
    started = time.monotonic()
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(FOLDER)}}
    ).execute()
    assert time.monotonic() - started < 120
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "data" in o and "image/png" in o.data]
    assert len(images) == NOTEBOOKS[name]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Traceback" not in text and "warning" not in text.lower()
    assert not private_cache.exists()  # offline: nothing fetched, nothing cached


def test_the_advice_to_start_from_now_runs(private_cache):
    """The Tiangong notebook tells its reader how to start from the present
    (``datetime.now(PKT)``): with the notebook's own imports, that advice runs."""
    import re

    nb = nbformat.read(FOLDER / "tiangong_over_islamabad.ipynb", as_version=4)
    advice = [
        snippet
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for snippet in re.findall(r"`([^`]+)`", cell.source)
        if "datetime.now(PKT)" in snippet
    ]
    assert advice, "the notebook no longer says how to start from now"
    first = next(c for c in nb.cells if c.cell_type == "code")
    setup = "\n".join(line for line in first.source.splitlines() if not line.startswith("%"))
    namespace = {}
    exec(compile(setup, "first cell", "exec"), namespace)
    for snippet in advice:
        passes = eval(compile(snippet, "advice", "eval"), namespace)
        assert passes.satellites[0].name == "Tiangong (CSS)"  # it ran, on the notebook's satellite
