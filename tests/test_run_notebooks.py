"""tools.run_notebooks: a notebook runs top to bottom in a fresh kernel and is saved with its outputs;
what stops a run is one line on standard error that names the notebook and the cell."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import run_notebooks

ROOT = Path(__file__).resolve().parents[1]


def notebook_file(folder: Path, *sources: str) -> Path:
    """A notebook in ``folder`` with a title cell and one code cell per source."""
    notebook = new_notebook(cells=[new_markdown_cell("# A test"), *map(new_code_cell, sources)])
    path = folder / "test.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_notebook_is_run_and_saved_with_its_outputs(tmp_path, capsys):
    path = notebook_file(tmp_path, "x = 6 * 7", "print(x)")
    assert run_notebooks.main([str(path)]) == 0
    cells = nbformat.read(path, as_version=4).cells
    assert [cell.get("execution_count") for cell in cells] == [None, 1, 2]
    assert cells[2].outputs[0].text == "42\n"
    assert capsys.readouterr().out == f"running {path} ...\n"


def test_a_cell_that_raises_is_named_in_one_line_and_the_notebook_is_left_as_it_was(tmp_path, capsys):
    path = notebook_file(tmp_path, "x = 1", "x / 0", "print('never')")
    before = path.read_bytes()
    assert run_notebooks.main([str(path)]) == 1
    said = capsys.readouterr().err  # cells count from 1, the title cell included
    assert said == f"tools.run_notebooks: {path}: cell 3 raised ZeroDivisionError: division by zero\n"
    assert path.read_bytes() == before


def test_a_path_that_is_not_a_notebook_stops_the_command_before_anything_runs(tmp_path):
    path = notebook_file(tmp_path, "print('ran')")
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "tools.run_notebooks", str(path), "notes.txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "tools.run_notebooks: notes.txt is not a notebook file (.ipynb): check the path\n"
    assert path.read_bytes() == before  # the good one did not run either


def test_no_notebook_at_all_is_bad_usage_with_exit_status_2(capsys):
    with pytest.raises(SystemExit) as exit:
        run_notebooks.main([])
    assert exit.value.code == 2
    assert "the following arguments are required: NOTEBOOK" in capsys.readouterr().err
