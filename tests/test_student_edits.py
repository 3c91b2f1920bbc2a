"""The course notebooks survive a student's experiments, and still catch a committed number that is wrong.

Students are told to change numbers and re-run. Each edit below is made to a copy of a notebook (in every
code cell where it applies) and the copy is run top to bottom in a fresh kernel, as Run All would: no cell
may fail but those tagged to fail. The text's checks (``expect``) print a note instead of stopping. Under
``NANOGRAD_STRICT=1`` (``make test``) the same checks fail, so a notebook whose text and numbers disagree
cannot be committed.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nanograd.course.notebooks import STRICT_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"-?[0-9][0-9_.]*(?:e-?[0-9]+)?"

# (notebook, what a student changed, pattern, replacement): every match in every code cell is changed.
EDITS = [
    ("02_chain_rule_by_hand", "every h set to 0.1", rf"(?<![\w.])h(\s*)=(\s*){NUMBER}", r"h\1=\g<2>0.1"),
    ("04_a_neuron", "every seed changed", rf"\bseed(\s*)=(\s*){NUMBER}", r"seed\1=\g<2>7"),
    (
        "05_an_mlp",
        "every learning rate set to 0.01",
        rf"\blearning_rate(\s*)=(\s*){NUMBER}",
        r"learning_rate\1=\g<2>0.01",
    ),
    ("05_an_mlp", "every seed changed", rf"\bseed(\s*)=(\s*){NUMBER}", r"seed\1=\g<2>7"),
]


def edited_copy(tmp_path: Path, name: str, pattern: str, replacement: str) -> tuple[Path, int]:
    """A copy of the notebook in a folder beside a copy of the exercises' folder, with the edit made."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    changed = 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source, count = re.subn(pattern, replacement, cell.source)
            changed += count
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path, changed


def run(path: Path) -> list[tuple[int, str, str]]:
    """Run the notebook like Run All and save it; each failing cell not tagged to fail, as (index, error, message)."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(notebook, path)  # with this run's outputs, for the tests that read them
    failures = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        failures += [(index, o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]
    return failures


def notes(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    texts = [o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", [])]
    return [line for text in texts for line in text.splitlines() if line.startswith("Note: with your change")]


@pytest.mark.parametrize(("name", "edit", "pattern", "replacement"), EDITS, ids=[f"{n}: {e}" for n, e, *_ in EDITS])
def test_run_all_reaches_the_end_after_a_students_edit(tmp_path, monkeypatch, name, edit, pattern, replacement):
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)  # a student's kernel: the checks only take notes
    path, changed = edited_copy(tmp_path, name, pattern, replacement)
    assert changed > 0, f"{name}: nothing matched the edit ({edit}); update the pattern to the notebook"
    assert run(path) == []


def test_a_changed_number_gets_a_note_and_the_notebook_goes_on(tmp_path, monkeypatch):
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)
    path, changed = edited_copy(tmp_path, "01_value_graph", r'Value\(2\.0, label="a"\)', 'Value(3.0, label="a")')
    assert changed > 0
    assert run(path) == []
    found = notes(path)
    assert found and all("the text assumed" in line or "no longer holds" in line for line in found)
    assert "Note: with your change, L is -2.0; the text assumed -8.0." in "\n".join(found)


def test_in_strict_mode_a_number_that_differs_from_the_text_fails(tmp_path, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")  # as make test runs the committed notebooks
    path, changed = edited_copy(tmp_path, "01_value_graph", r'Value\(2\.0, label="a"\)', 'Value(3.0, label="a")')
    assert changed > 0
    failures = run(path)
    assert failures and {error for _, error, _ in failures} == {"TextMismatch"}
    assert all(message.startswith("with your change") for *_, message in failures)


def torch_cells(path: Path) -> list[str]:
    """The text printed by each cell that compares with PyTorch (the cells whose output nbval ignores for it)."""
    notebook = nbformat.read(path, as_version=4)
    return [
        "".join(o.get("text", "") for o in cell.outputs)
        for cell in notebook.cells
        if "nbval-ignore-output" in cell.metadata.get("tags", []) and "torch" in cell.source
    ]


@pytest.mark.parametrize("name", ["04_a_neuron", "05_an_mlp"])
def test_without_pytorch_its_cells_say_what_they_would_show_and_the_notebook_goes_on(tmp_path, monkeypatch, name):
    # A torch module that cannot be imported, first on the kernel's path: what a student without PyTorch has.
    (tmp_path / "no_torch").mkdir()
    (tmp_path / "no_torch" / "torch.py").write_text('raise ModuleNotFoundError("No module named \'torch\'")\n')
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "no_torch"))
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    path, _ = edited_copy(tmp_path, name, "(?!)", "")
    assert run(path) == []
    printed = "\n".join(torch_cells(path))
    assert "PyTorch is not installed" in printed and "pip install torch" in printed


@pytest.mark.parametrize("name", ["04_a_neuron", "05_an_mlp"])
def test_with_pytorch_the_same_gradients_come_out_to_twelve_decimals(tmp_path, monkeypatch, name):
    pytest.importorskip("torch", reason="PyTorch is optional; .ci/run installs its CPU build where it can")
    monkeypatch.setenv(STRICT_VARIABLE, "1")  # each comparison is an expect(..., tolerance=1e-12): it raises here
    path, _ = edited_copy(tmp_path, name, "(?!)", "")
    assert run(path) == []
    printed = "\n".join(torch_cells(path))
    assert "PyTorch" in printed and "not installed" not in printed.lower()
