"""The notebooks in notebooks/ run top to bottom on the sample store (issue 6), and are kept in
git without outputs.

Each notebook is executed by nbclient in a fresh ``python3`` kernel of this interpreter
(ipykernel is a test extra), with notebooks/ as its working folder; one test per notebook, so
pytest-xdist spreads them over its workers. A cell that raises fails the test with the cell's
traceback.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from sample_store import sample

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds; a cell normally takes well under one
CHARTS = {"application/vnd.plotly.v1+json", "image/png"}  # what counts as showing a plot


def test_the_five_notebooks_are_there() -> None:
    names = [p.name for p in PATHS]
    assert names == [
        "01_quickstart.ipynb",
        "02_geography.ipynb",
        "03_sessions.ipynb",
        "04_segmentation.ipynb",
        "05_exports.ipynb",
    ]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_a_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: strip outputs before committing (cell {cell.id})"
            )


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_a_notebook_runs_top_to_bottom(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample()  # build the sample store once here, not inside a kernel under a cell timeout
    # The venv's own kernel spec before any user-wide `python3` spec of another interpreter.
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # a debugger warning on stderr
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}", pytrace=False)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, f"{path.name}: {errors}"
    shown = {
        kind for cell in nb.cells for out in cell.get("outputs", []) for kind in out.get("data", {})
    }
    assert shown & CHARTS, f"{path.name} shows no chart (outputs: {sorted(shown)})"
