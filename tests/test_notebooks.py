"""The intelligence team's notebooks run top to bottom against the demo world's marts, and change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_there_are_notebooks_for_the_three_tasks():
    names = [p.name for p in PATHS]
    assert any("gradient" in n for n in names)
    assert any("neighbourhood" in n for n in names)
    assert any("indicator" in n for n in names)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_read_only(path, demo_world, monkeypatch):
    monkeypatch.setenv("INA_MARTS_DB", str(demo_world.working))  # LSOA rows and fct_activity: restricted
    monkeypatch.setenv("MPLBACKEND", "Agg")
    before = _digest(demo_world.working)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError naming the cell on any failure
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
    assert _digest(demo_world.working) == before, "a notebook changed the marts"
    # committed notebooks carry no outputs (small diffs, no data in version control)
    committed = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in committed.cells if cell.cell_type == "code")
